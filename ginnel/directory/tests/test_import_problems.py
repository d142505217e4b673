"""A feed with problems imports nothing, and says where every problem is."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict

from ginnel.directory.models import DirectoryAction, Service
from ginnel.directory.services.importing import MODELS, ImportFailed, directory_import
from ginnel.testing.data import SHARED_DATA

HERE = Path(__file__).resolve().parent / "data"
CORRUPTED = HERE / "ilao-corrupted"
ORUK = SHARED_DATA / "oruk-3.0" / "examples"


def snapshot(community) -> dict[str, list[dict[str, object]]]:
    """Every directory row of the community, as plain values."""
    tables = {
        name: [
            model_to_dict(obj) for obj in model.objects.filter(community=community).order_by("pk")
        ]
        for name, model in MODELS.items()
    }
    tables["action"] = list(DirectoryAction.objects.filter(community=community).values())
    return tables


def csv_row(path: Path, predicate) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(n for n, row in enumerate(csv.DictReader(handle), start=1) if predicate(row))


def test_a_corrupted_feed_fails_naming_file_row_and_field_and_changes_nothing(community):
    directory_import(community=community, path=ORUK / "service_full.json")
    before = snapshot(community)

    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=CORRUPTED)

    messages = [str(p) for p in failed.value.problems]
    blank = csv_row(CORRUPTED / "services.csv", lambda r: not r["name"])
    dangling = csv_row(
        CORRUPTED / "service_at_location.csv", lambda r: r["location_id"] == "999999"
    )
    bad_time = csv_row(CORRUPTED / "schedules.csv", lambda r: r["opens_at"] == "25:00")
    assert f"services.csv, row {blank}, field name: is required" in messages
    assert (
        f"service_at_location.csv, row {dangling}, field location_id: no location with id 999999"
        in messages
    )
    assert (
        f"schedules.csv, row {bad_time}, field opens_at: '25:00' is not a time (HH:MM)" in messages
    )
    assert len(messages) == 3
    assert snapshot(community) == before


def test_an_error_in_the_last_table_still_leaves_the_first_tables_untouched(community, tmp_path):
    copy = tmp_path / "feed"
    shutil.copytree(CORRUPTED, copy)
    # Mend the services and the reference: only the bad time is left, in a late table.
    for name, column, good in (
        ("services.csv", "name", "Mended"),
        ("service_at_location.csv", "location_id", None),
    ):
        with (copy / name).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        if good:
            rows = [{**r, column: r[column] or good} for r in rows]
        else:
            rows = [r for r in rows if r[column] != "999999"]
        with (copy / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=copy)
    assert [p.field for p in failed.value.problems] == ["opens_at"]
    assert not Service.objects.filter(community=community).exists()


def test_a_json_service_breaking_the_schema_fails_with_its_path(community, tmp_path):
    source = json.loads((ORUK / "service_full.json").read_text())
    source["schedules"][0]["opens_at"] = "25:00"
    source["status"] = "open sometimes"
    del source["name"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(source))

    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=path)

    problems = failed.value.problems
    assert any(p.where == "schedules[0]" and p.field == "opens_at" for p in problems)
    assert any(p.field == "status" and "open sometimes" in p.message for p in problems)
    assert any(p.field == "name" and p.message == "is required" for p in problems)
    assert all(p.file == "broken.json" for p in problems)
    assert not Service.objects.filter(community=community).exists()


def test_strict_refuses_a_feed_with_warnings(community):
    ilao = ORUK.parents[1] / "ilao-hsds-1.1"
    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=ilao, strict=True)
    assert any("organization_id" in str(p) for p in failed.value.problems)
    assert not Service.objects.filter(community=community).exists()


def test_a_3_0_datapackage_must_use_uuids(community, tmp_path):
    copy = tmp_path / "csv"
    shutil.copytree(ORUK / "csv", copy)
    text = (copy / "services.csv").read_text()
    (copy / "services.csv").write_text(
        text.replace("ac148810-d857-441c-9679-408f346de14b", "42", 1)
    )
    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=copy)
    assert "services.csv, row 1, field id: '42' is not a UUID" in [
        str(p) for p in failed.value.problems
    ]


def test_a_3_0_row_cut_short_reads_as_blanks_and_a_blank_line_is_no_row(community, tmp_path):
    copy = tmp_path / "csv"
    shutil.copytree(ORUK / "csv", copy)
    services = copy / "services.csv"
    with services.open(newline="", encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    # A second service whose row stops after its organisation, after an empty line.
    short = f"5b1f0c1e-2d7a-4c3e-9a51-0d6f3b8e2a11,{first['organization_id']}"
    services.write_text(services.read_text().rstrip("\r\n") + "\n\n" + short + "\n")
    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=copy)
    assert [str(p) for p in failed.value.problems if not p.warning] == [
        "services.csv, row 2, field name: is required"
    ]
    assert not Service.objects.filter(community=community).exists()


def test_the_command_lists_the_problems_and_fails(community, capsys):
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_hsds", str(CORRUPTED), community=community.slug, quiet=True)
    err = capsys.readouterr().err
    assert "services.csv, row" in err
    assert "field opens_at" in err
    assert not Service.objects.filter(community=community).exists()


def test_the_command_can_check_a_feed_without_writing(community, capsys):
    with pytest.raises(CommandError, match="would not import"):
        call_command("import_hsds", str(CORRUPTED), community=community.slug, check=True)
    call_command("import_hsds", str(ORUK / "csv"), community=community.slug, check=True)
    assert "would import" in capsys.readouterr().out
    assert not Service.objects.filter(community=community).exists()
