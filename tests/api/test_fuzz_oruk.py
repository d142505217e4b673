"""Schemathesis fuzzes the Open Referral UK API against its own OpenAPI document.

A real server (pytest-django's ``live_server`` on 127.0.0.1) answers every
operation of ``ginnel/directory/schema/openapi.json`` — the document the API
serves at ``openapi.json`` — with schema-valid and deliberately invalid
parameters and ids. Whatever is sent: never a server error, and every answer
other than 200 is an RFC 9457 problem document (``application/problem+json``)
with the status it is sent with.

Bounded so the suite stays quick: at most ``MAX_EXAMPLES`` cases per operation
and phase, from a fixed seed (the same cases every run), derandomised under CI.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pytest_django.live_server_helper import LiveServer

from ginnel.communities.models import Community
from ginnel.directory import schemas
from ginnel.directory.models import DirectorySettings
from ginnel.directory.tests.oruk_fixtures import Directory, build_directory, make_postcodes

MAX_EXAMPLES = 30
SEED = 20261202
PROBLEM = "application/problem+json"

pytestmark = pytest.mark.django_db(transaction=True)


def oruk_document() -> dict[str, Any]:
    """The served document, with its one invalid JSON Schema type mended for the fuzzer.

    ORUK 3.0 declares ``start_time`` and ``end_time`` as ``{"type": "time"}``, which is not
    a JSON Schema type; the API reads them as times such as 09:30 (``string``, ``time``).
    """
    document = copy.deepcopy(schemas.load("openapi.json"))
    for parameter in document["components"]["parameters"].values():
        if parameter["schema"].get("type") == "time":
            parameter["schema"] = {"type": "string", "format": "time"}
    return document


# The coverage phase also sends unexpected methods (POST, PUT… to these GET-only paths):
# the read-only API answers them 405 problem+json.
schema = schemathesis.openapi.from_dict(
    oruk_document(),
    config=schemathesis.Config.from_dict({"seed": SEED}),
)


@pytest.fixture
def published(community: Community) -> Directory:
    """A small directory whose community publishes its feed, so anyone may read it."""
    make_postcodes()
    directory = build_directory(community)
    DirectorySettings.objects.update_or_create(community=community, defaults={"publish_api": True})
    return directory


def assert_answer(response: schemathesis.Response) -> None:
    """No server error; a problem is a problem document with the status it is sent with."""
    assert response.status_code < 500, response.text
    content_type = response.headers.get("content-type", [""])[0]
    if response.status_code == 200:
        assert content_type == "application/json"
        return
    assert content_type == PROBLEM, (response.status_code, content_type, response.text[:200])
    body = json.loads(response.text)
    assert body["status"] == response.status_code
    assert body["title"]
    assert body["detail"]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=os.environ.get("CI") is not None,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_answer_of_the_oruk_api_is_a_server_error_or_a_stray_content_type(
    case: schemathesis.Case[Any], live_server: LiveServer, published: Directory
) -> None:
    base = f"{live_server.url}/api/oruk/{published.community.slug}"
    assert_answer(case.call(base_url=base))
