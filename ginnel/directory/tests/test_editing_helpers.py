"""Helpers shared by the editing, review, events and iCal tests (no tests here).

Every value a test checks comes from what these helpers are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.utils import timezone

from ginnel.communities.models import Community
from ginnel.directory.models import Event, Organization, Service, Taxonomy, TaxonomyTerm
from ginnel.people.models import Person


def make_org(
    community: Community, name: str, *, editors: Iterable[Person] = (), **fields: Any
) -> Organization:
    organization = Organization.objects.create(community=community, name=name, **fields)
    organization.editors.set(list(editors))
    return organization


def make_service(organization: Organization, name: str, **fields: Any) -> Service:
    return Service.objects.create(
        community=organization.community, organization=organization, name=name, **fields
    )


def make_terms(community: Community) -> dict[str, TaxonomyTerm]:
    """A needs taxonomy: Loneliness > Befriending and Lunch clubs; Money > Debt advice."""
    needs = Taxonomy.objects.create(community=community, name="Needs")
    terms: dict[str, TaxonomyTerm] = {}
    for parent, children in {
        "Loneliness": ["Befriending", "Lunch clubs"],
        "Money": ["Debt advice"],
    }.items():
        top = TaxonomyTerm.objects.create(community=community, taxonomy=needs, name=parent)
        terms[parent] = top
        for child in children:
            terms[child] = TaxonomyTerm.objects.create(
                community=community, taxonomy=needs, name=child, parent=top
            )
    return terms


def local(day: date, at: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(at)))


def make_event(
    organization: Organization,
    title: str,
    day: date,
    starts: str = "10:00",
    ends: str = "12:00",
    *,
    themes: Iterable[TaxonomyTerm] = (),
    **fields: Any,
) -> Event:
    event = Event.objects.create(
        community=organization.community,
        organization=organization,
        title=title,
        starts_at=local(day, starts),
        ends_at=local(day, ends),
        **fields,
    )
    event.themes.set(list(themes))
    return event


# The tables editing and events write (the app's other tables are another part's).
WRITTEN = (
    "Organization",
    "Service",
    "Location",
    "Address",
    "ServiceAtLocation",
    "Phone",
    "Schedule",
    "CostOption",
    "Attribute",
    "Event",
    "EventFeed",
    "DirectoryAction",
    "TaxonomyTerm",
)


def snapshot() -> dict[str, list[Any]]:
    """Every row of the tables editing writes, to show that a refused request changed nothing."""
    config = apps.get_app_config("directory")
    rows = {
        name: sorted(config.get_model(name)._default_manager.values_list(), key=repr)
        for name in WRITTEN
    }
    rows["editors"] = sorted(Organization.editors.through.objects.values_list(), key=repr)
    rows["themes"] = sorted(Event.themes.through.objects.values_list(), key=repr)
    return rows


def assert_form_error(response: Any, field: str, message: str) -> None:
    """A 400 with the error summary linking to the field and the error next to it."""
    page = response.content.decode()
    main = page[page.index('id="main-content"') :]
    assert response.status_code == 400, response.status_code
    assert "There is a problem" in main
    assert f'href="#id_{field}' in main, f"no summary link to {field}"
    assert f'id="id_{field}_error"' in main, f"no error by {field}"
    assert message in main, f"{message!r} not shown"
