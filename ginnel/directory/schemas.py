"""The Open Referral UK 3.0 schemas, read from the copy in ``schema/`` (no network at run time).

``schema/`` is the ORUK 3.0 profile of HSDS (OpenReferralUK/uk-profile,
CC BY-SA 4.0, see ``schema/LICENSE``): one JSON schema per object, the merged
("compiled") schemas the API answers with, and the OpenAPI document. The
schemas name each other by their published GitHub addresses; :data:`REGISTRY`
resolves those addresses to the local files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
PUBLISHED = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
HSDS_VERSION = "3.0"


@cache
def load(name: str) -> dict[str, Any]:
    """A schema by its file name under ``schema/``: "service.json", "compiled/service.json"."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


def _resources() -> list[tuple[str, Resource[Any]]]:
    pairs = []
    for path in sorted(SCHEMA_DIR.rglob("*.json")):
        name = path.relative_to(SCHEMA_DIR).as_posix()
        resource = Resource.from_contents(load(name), default_specification=DRAFT202012)
        pairs.append((PUBLISHED + name, resource))
        pairs.append((name, resource))
    return pairs


@cache
def registry() -> Registry[Any]:
    return Registry().with_resources(_resources())


@dataclass(frozen=True)
class SchemaProblem:
    """How an object breaks its schema: where (a JSON path, ``phones[0].number``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator of the schema ``name`` (with formats such as uuid, uri and date-time checked)."""
    schema = load(name)
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def validate(name: str, instance: Any) -> list[SchemaProblem]:
    """Every problem of ``instance`` against the schema ``name``, in document order."""
    errors = sorted(
        validator(name).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return [SchemaProblem(_path(e.absolute_path), e.message) for e in errors]


def response_schema(path: str) -> dict[str, Any]:
    """The schema of the 200 answer of ``GET path`` in the ORUK OpenAPI document
    ("/services", "/services/{id}", …), with the ``Page`` wrapper merged in."""
    openapi = load("openapi.json")
    content = openapi["paths"][path]["get"]["responses"]["200"]["content"]
    schema: dict[str, Any] = dict(content["application/json"]["schema"])
    if "allOf" in schema:
        pages = [openapi["components"]["schemas"]["Page"] for _ in schema.pop("allOf")]
        properties = {**pages[0]["properties"], **schema.get("properties", {})}
        schema["properties"] = properties
    return schema


def validate_response(path: str, instance: Any) -> list[SchemaProblem]:
    """Every problem of an API answer against the OpenAPI document's schema for ``path``."""
    checker = Draft202012Validator(
        response_schema(path), registry=registry(), format_checker=FormatChecker()
    )
    errors = sorted(checker.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    return [SchemaProblem(_path(e.absolute_path), e.message) for e in errors]
