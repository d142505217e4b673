"""Exporting a directory, and reading the export back: nothing we keep is lost."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ginnel.directory import schemas
from ginnel.directory.models import KINDS_TAXONOMY, DirectoryAction, Service
from ginnel.directory.services.exporting import directory_export
from ginnel.directory.services.importing import MODELS, directory_import
from ginnel.errors import GinnelError
from ginnel.testing.data import SHARED_DATA

DATA = SHARED_DATA
ILAO = DATA / "ilao-hsds-1.1"
ORUK = DATA / "oruk-3.0" / "examples"
V1 = Path(__file__).resolve().parent / "data" / "oruk_v1_services.json"

# Not part of a feed: the database's own keys, and what Ginnel derives or keeps for itself.
SKIP = {
    "id",
    "community",
    "source_id",
    "kind",
    "free",
    "search_text",
    "last_reviewed",
    "reviewed_by",
    "review_reminded_at",
    "editors",
    "themes",
    "created_by",
}


def table_values(community, model, uuids_of) -> set[tuple[object, ...]]:
    """Every row of ``model`` as its field values, other rows named by their UUID."""
    out = set()
    fields = [f for f in model._meta.concrete_fields if f.name not in SKIP]
    for obj in model.objects.filter(community=community):
        values = []
        for f in fields:
            if f.is_relation:
                target = getattr(obj, f.attname)
                values.append((f.name, uuids_of(f.related_model, target)))
            else:
                values.append((f.name, getattr(obj, f.attname)))
        out.add(tuple(values))
    return out


def directory_values(community) -> dict[str, set[tuple[object, ...]]]:
    cache: dict[object, object] = {}

    def uuids_of(model, pk):
        if pk is None:
            return None
        if (model, pk) not in cache:
            obj = model.objects.get(pk=pk)
            # The kinds taxonomy is each community's own: compare it by name and code.
            name = getattr(obj, "name", None)
            taxonomy = getattr(obj, "taxonomy", None)
            if name == KINDS_TAXONOMY or (taxonomy and taxonomy.name == KINDS_TAXONOMY):
                cache[(model, pk)] = (name, getattr(obj, "code", None))
            else:
                cache[(model, pk)] = obj.uuid
        return cache[(model, pk)]

    tables = {}
    for table, model in MODELS.items():
        values = table_values(community, model, uuids_of)
        if table in {"taxonomy", "taxonomy_term"}:
            values = {v for v in values if not _is_kinds(v)}
        tables[table] = values
    return tables


def _is_kinds(values: tuple[object, ...]) -> bool:
    fields: dict[object, object] = dict(values)
    return fields.get("name") == KINDS_TAXONOMY or (
        isinstance(fields.get("taxonomy"), tuple) and fields["taxonomy"][0] == KINDS_TAXONOMY
    )


def test_ilao_survives_a_round_trip_through_an_hsds_3_csv_export(
    community, other_community, tmp_path
):
    directory_import(community=community, path=ILAO)
    result = directory_export(community=community, format="hsds-csv", out=tmp_path / "out")
    assert (tmp_path / "out" / "datapackage.json").is_file()
    with (tmp_path / "out" / "services.csv").open(newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert len(exported) == Service.objects.filter(community=community).count()
    assert result.counts["service"] == len(exported)

    directory_import(community=other_community, path=tmp_path / "out", strict=True)

    before, after = directory_values(community), directory_values(other_community)
    for table in MODELS:
        assert after[table] == before[table], table
    assert sum(len(v) for v in before.values()) > 3000


@pytest.mark.parametrize("name", ["service_full.json", "service_list.json"])
def test_the_oruk_examples_survive_a_round_trip_through_json(
    community, other_community, tmp_path, name
):
    directory_import(community=community, path=ORUK / name)
    out = tmp_path / "services.json"
    directory_export(community=community, format="oruk-json", out=out)
    page = json.loads(out.read_text())
    assert schemas.validate_response("/services", page) == []
    for item in page["contents"]:
        assert schemas.validate("compiled/service.json", item) == []

    directory_import(community=other_community, path=out)

    before, after = directory_values(community), directory_values(other_community)
    for table in MODELS:
        if table == "organization":
            # The ORUK objects carry no last_modified for organisations.
            strip = lambda rows: {tuple(f for f in r if f[0] != "last_modified") for r in rows}  # noqa: E731
            assert strip(after[table]) == strip(before[table])
        else:
            assert after[table] == before[table], table


def test_an_oruk_v1_export_reads_back_with_its_services_and_schedules(
    community, other_community, tmp_path
):
    source = json.loads(V1.read_text())
    directory_import(community=community, path=V1)
    out = tmp_path / "v1.json"
    directory_export(community=community, format="oruk-v1", out=out)
    page = json.loads(out.read_text())
    assert page["totalElements"] == len(source["content"])
    assert {s["name"] for s in page["content"]} == {s["name"] for s in source["content"]}

    directory_import(community=other_community, path=out, strict=True)
    for service in Service.objects.filter(community=community):
        copy = Service.objects.get(community=other_community, uuid=service.uuid)
        assert (
            copy.name,
            copy.description,
            copy.fees_description,
            copy.eligibility_description,
        ) == (
            service.name,
            service.description,
            service.fees_description,
            service.eligibility_description,
        )
        assert {(s.byday, s.opens_at, s.closes_at) for s in copy.schedules.all()} == {
            (s.byday, s.opens_at, s.closes_at) for s in service.schedules.all()
        }
    assert DirectoryAction.objects.filter(community=community, verb="export").count() == 1


def test_an_unknown_format_or_a_missing_folder_is_refused(community, tmp_path):
    with pytest.raises(GinnelError, match="not an export format"):
        directory_export(community=community, format="xml", out=tmp_path / "x.xml")
    with pytest.raises(GinnelError, match="does not exist"):
        directory_export(community=community, format="oruk-json", out=tmp_path / "no" / "x.json")


def test_the_command_exports(community, tmp_path, capsys):
    directory_import(community=community, path=ORUK / "service_full.json")
    call_command(
        "export_hsds",
        str(tmp_path / "feed"),
        community=community.slug,
        format="hsds-csv",
        quiet=True,
    )
    assert (tmp_path / "feed" / "services.csv").is_file()
    assert "Wrote" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not an export format"):
        call_command("export_hsds", str(tmp_path / "f"), community=community.slug, format="pdf")
