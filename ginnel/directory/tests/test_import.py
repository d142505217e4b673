"""Importing Open Referral feeds: the ILAO HSDS 1.1 datapackage, the ORUK 3.0 examples, ORUK v1.

Expected values are read from the source files in each test, never from what the
import produced.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ginnel.directory import models as m
from ginnel.directory.models import (
    DirectoryAction,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    derived_uuid,
)
from ginnel.directory.services.importing import (
    STAND_IN_ORGANIZATION_ID,
    ImportFailed,
    directory_import,
)
from ginnel.errors import GinnelError
from ginnel.testing.data import SHARED_DATA

DATA = SHARED_DATA
ILAO = DATA / "ilao-hsds-1.1"
ORUK = DATA / "oruk-3.0" / "examples"
HERE = Path(__file__).resolve().parent / "data"

DAYS = {
    "Monday": "MO",
    "Tuesday": "TU",
    "Wednesday": "WE",
    "Thursday": "TH",
    "Friday": "FR",
    "Saturday": "SA",
    "Sunday": "SU",
}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ilao_rows() -> dict[str, list[dict[str, str]]]:
    return {p.stem: rows(p) for p in ILAO.glob("*.csv")}


def test_importing_ilao_gives_its_services_organisations_and_locations(community, ilao_rows):
    result = directory_import(community=community, path=ILAO)

    services = ilao_rows["services"]
    organizations = ilao_rows["organizations"]
    org_ids = {o["id"] for o in organizations}
    assert (len(services), len(organizations), len(ilao_rows["locations"])) == (429, 33, 520)
    assert Service.objects.filter(community=community).count() == len(services)
    assert Location.objects.filter(community=community).count() == len(ilao_rows["locations"])
    from_feed = Organization.objects.filter(community=community).exclude(
        source_id=STAND_IN_ORGANIZATION_ID
    )
    assert from_feed.count() == len(organizations)
    # Services whose organisation the feed does not contain are filed under one stand-in.
    orphans = [s for s in services if s["organization_id"] not in org_ids]
    assert orphans
    stand_in = Organization.objects.get(community=community, source_id=STAND_IN_ORGANIZATION_ID)
    assert stand_in.services.count() == len(orphans)
    assert sum(
        1 for w in result.warnings if w.field == "organization_id" and w.file == "services.csv"
    ) == len(orphans)

    # Phones with a number, on their locations.
    phones = [p for p in ilao_rows["phones"] if p["number"].strip()]
    assert Phone.objects.filter(community=community).count() == len(phones)
    # Weekly schedules on the days a location opens (closed days have no times).
    open_days = [s for s in ilao_rows["schedules"] if s["opens_at"] or s["closes_at"]]
    assert Schedule.objects.filter(community=community).count() == len(open_days)
    assert DirectoryAction.objects.filter(community=community, verb="import").count() == 1


def test_ilao_field_values_are_those_of_the_csv_files(community, ilao_rows):
    directory_import(community=community, path=ILAO)

    for row in ilao_rows["services"][:40]:
        service = Service.objects.select_related("organization").get(
            community=community, source_id=row["id"]
        )
        assert service.name == row["name"].strip()
        assert service.description == row["description"].strip()
        assert service.fees_description == row["fees"].strip()
        assert service.url == row["url"].strip()
        assert service.uuid == derived_uuid(community.pk, "service", row["id"])
    multiline = next(r for r in ilao_rows["services"] if "\n" in r["application_process"])
    service = Service.objects.get(community=community, source_id=multiline["id"])
    assert service.application_process == multiline["application_process"].strip()

    org = ilao_rows["organizations"][0]
    stored = Organization.objects.get(community=community, source_id=org["id"])
    assert (stored.name, stored.email, stored.website) == (org["name"], org["email"], org["url"])

    location_row = ilao_rows["locations"][0]
    location = Location.objects.get(community=community, source_id=location_row["id"])
    assert location.name == location_row["name"]
    phone_row = next(p for p in ilao_rows["phones"] if p["location_id"] == location_row["id"])
    assert list(location.phones.values_list("number", flat=True)) == [phone_row["number"]]
    days = [
        s
        for s in ilao_rows["schedules"]
        if s["location_id"] == location_row["id"] and s["opens_at"]
    ]
    stored_days = {
        (s.byday, s.opens_at, s.closes_at, s.freq)
        for s in Schedule.objects.filter(location=location)
    }
    expected = set()
    for day in days:
        oh, om = (int(x) for x in day["opens_at"].split(":"))
        ch, cm = (int(x) for x in day["closes_at"].split(":"))
        expected.add((DAYS[day["weekday"]], time(oh, om), time(ch, cm), "WEEKLY"))
    assert stored_days == expected

    sal_row = next(r for r in ilao_rows["service_at_location"] if r["service_id"].isdigit())
    assert ServiceAtLocation.objects.filter(
        community=community,
        service__source_id=sal_row["service_id"],
        location__source_id=sal_row["location_id"],
    ).exists()
    # "89016,89006": one location, several services.
    several = next(
        r
        for r in ilao_rows["service_at_location"]
        if "," in r["service_id"] and "Unnamed" not in r["service_id"]
    )
    for sid in several["service_id"].split(","):
        assert ServiceAtLocation.objects.filter(
            community=community, service__source_id=sid, location__source_id=several["location_id"]
        ).exists()

    eligible = next(
        e for e in ilao_rows["eligibilities"] if e["eligibility"] and e["service_id"].isdigit()
    )
    service = Service.objects.get(community=community, source_id=eligible["service_id"])
    assert eligible["eligibility"] in service.eligibility_description


def test_search_text_and_kind_are_derived_for_imported_services(community, ilao_rows):
    directory_import(community=community, path=ILAO)
    row = ilao_rows["services"][0]
    service = Service.objects.get(community=community, source_id=row["id"])
    assert row["name"].lower().split()[0] in service.search_text
    assert service.kind == m.Kind.SERVICE


def test_reimporting_the_same_feed_updates_rather_than_duplicates(community, tmp_path):
    directory_import(community=community, path=ILAO)
    counts = {
        model: model.objects.filter(community=community).count()
        for model in (Service, Location, Organization, Phone, Schedule, ServiceAtLocation)
    }

    copy = tmp_path / "ilao"
    shutil.copytree(ILAO, copy)
    services = rows(copy / "services.csv")
    services[5]["name"] = "A new name for this service"
    with (copy / "services.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(services[0]))
        writer.writeheader()
        writer.writerows(services)
    result = directory_import(community=community, path=copy)

    for model, count in counts.items():
        assert model.objects.filter(community=community).count() == count, model
    assert result.created.get("service", 0) == 0
    renamed = Service.objects.get(community=community, source_id=services[5]["id"])
    assert renamed.name == "A new name for this service"


def test_the_oruk_full_service_example_imports_with_its_nested_objects(community):
    source = json.loads((ORUK / "service_full.json").read_text())
    directory_import(community=community, path=ORUK / "service_full.json")

    service = Service.objects.get(community=community, uuid=source["id"])
    assert service.name == source["name"]
    assert service.minimum_age == source["minimum_age"]
    assert service.fees_description == source["fees"]
    assert str(service.organization.uuid) == source["organization"]["id"]
    schedule = service.schedules.get()
    assert schedule.byday == source["schedules"][0]["byday"]
    assert schedule.opens_at.isoformat() == source["schedules"][0]["opens_at"]
    location_source = source["service_at_locations"][0]["location"]
    location = service.at_locations.get().location
    assert str(location.uuid) == location_source["id"]
    assert location.external_identifier == location_source["external_identifier"]
    assert location.addresses.get().postal_code == location_source["addresses"][0]["postal_code"]
    assert service.cost_options.get().amount == source["cost_options"][0]["amount"]
    assert service.contacts.get().name == source["contacts"][0]["name"]
    term = source["attributes"][0]["taxonomy_term"]
    assert m.Attribute.objects.filter(
        community=community,
        link_type="service",
        link_id=service.uuid,
        taxonomy_term__uuid=term["id"],
    ).exists()
    assert term["name"] in service.search_text


@pytest.mark.parametrize("name", ["service_list.json", "service_full.json"])
def test_the_oruk_examples_import(community, name):
    source = json.loads((ORUK / name).read_text())
    first = source["contents"][0] if "contents" in source else source
    directory_import(community=community, path=ORUK / name)
    assert Service.objects.get(community=community, uuid=first["id"]).name == first["name"]


def test_the_oruk_csv_example_imports(community):
    services = rows(ORUK / "csv" / "services.csv")
    directory_import(community=community, path=ORUK / "csv")
    service = Service.objects.get(community=community, uuid=services[0]["id"])
    assert service.name == services[0]["name"]
    assert service.schedules.get().byday == rows(ORUK / "csv" / "schedule.csv")[0]["byday"]
    assert (
        service.contacts.get().phones.get().number == rows(ORUK / "csv" / "phones.csv")[0]["number"]
    )


def test_an_oruk_v1_feed_imports(community):
    path = HERE / "oruk_v1_services.json"
    source = json.loads(path.read_text())
    directory_import(community=community, path=path)

    assert Service.objects.filter(community=community).count() == len(source["content"])
    first = source["content"][0]
    service = Service.objects.get(community=community, source_id=first["id"])
    assert service.name == first["name"]
    assert service.organization.name == first["organization"]["name"]
    assert service.organization.website == first["organization"]["url"]
    assert first["eligibilitys"][0]["eligibility"] in service.eligibility_description
    weekday = first["regular_schedules"][0]
    schedule = service.schedules.order_by("id").first()
    assert (schedule.freq, schedule.opens_at.strftime("%H:%M")) == (
        "WEEKLY",
        weekday["opens_at"][:5],
    )
    address = first["service_at_locations"][0]["location"]["physical_addresses"][0]
    location = service.at_locations.get().location
    assert location.addresses.get().postal_code == address["postal_code"]
    vocabulary = first["service_taxonomys"][0]["taxonomy"]
    term = m.TaxonomyTerm.objects.get(community=community, source_id=vocabulary["id"])
    assert term.name == vocabulary["name"]
    assert term.taxonomy.name == vocabulary["vocabulary"]
    assert m.Attribute.objects.filter(link_id=service.uuid, taxonomy_term=term).exists()


def test_a_path_that_does_not_exist_is_a_clear_error(community, tmp_path):
    with pytest.raises(GinnelError, match="does not exist"):
        directory_import(community=community, path=tmp_path / "nothing")


def test_an_unknown_format_is_a_clear_error(community, tmp_path):
    (tmp_path / "feed.xml").write_text("<services/>")
    with pytest.raises(GinnelError, match="not a feed we read"):
        directory_import(community=community, path=tmp_path / "feed.xml")
    (tmp_path / "feed.json").write_text('{"hello": "world"}')
    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=tmp_path / "feed.json")
    assert "neither an ORUK 3.0 nor an ORUK v1" in str(failed.value.problems[0])
    assert not Service.objects.filter(community=community).exists()


def test_the_command_imports_and_reports(community, capsys):
    call_command("import_hsds", str(ILAO), community=community.slug, quiet=True)
    assert Service.objects.filter(community=community).count() == len(rows(ILAO / "services.csv"))
    assert "Imported ilao-hsds-1.1" in capsys.readouterr().out


def test_the_command_refuses_a_bad_path_an_unknown_format_or_community(community, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_hsds", str(tmp_path / "missing"), community=community.slug)
    (tmp_path / "feed.txt").write_text("hello")
    with pytest.raises(CommandError, match="not a feed we read"):
        call_command("import_hsds", str(tmp_path / "feed.txt"), community=community.slug)
    with pytest.raises(CommandError, match="no community"):
        call_command("import_hsds", str(ILAO), community="nowhere")
