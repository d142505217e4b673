"""Administrators rename and retire themes; retired ones are not offered, but history keeps them."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse

from ginnel.directory.models import Attribute, DirectoryAction, Event, TaxonomyTerm
from ginnel.directory.selectors.events import week_parse
from ginnel.directory.services.derived import kinds_taxonomy_ensure, services_refresh
from ginnel.directory.tests.test_editing_helpers import (
    assert_form_error,
    make_event,
    make_org,
    make_service,
    make_terms,
    snapshot,
)

pytestmark = pytest.mark.django_db

SOON = week_parse(None) + timedelta(weeks=2, days=1)


@pytest.fixture
def terms(community):
    return make_terms(community)


@pytest.fixture
def age_uk(community, org_editor):
    return make_org(community, "Age UK Calderdale", editors=[org_editor])


def theme_url(term, name="directory:theme"):
    return reverse(name, args=[term.community.slug, term.pk])


def text(response):
    return html.unescape(response.content.decode())


def offers(page, field, term):
    """Whether the form's checkboxes of ``field`` offer the term."""
    return f'name="{field}" value="{term.pk}"' in page


def test_an_administrator_renames_a_theme_and_entries_show_the_new_name(
    client_for, administrator, member, community, age_uk, terms
):
    service = make_service(age_uk, "Friendship circle")
    Attribute.objects.create(
        community=community, taxonomy_term=terms["Befriending"], link_type="service",
        link_id=service.uuid,
    )  # fmt: skip
    services_refresh(community=community, service_ids=[service.pk])
    client = client_for(administrator)
    assert "Befriending" in text(client.get(reverse("directory:themes", args=[community.slug])))

    response = client.post(theme_url(terms["Befriending"]), {"name": "Befriending and company"})

    assert response.status_code == 302
    page = text(
        client_for(member).get(reverse("directory:service", args=[community.slug, service.uuid]))
    )
    assert "Befriending and company" in page
    found = text(
        client_for(member).get(reverse("directory:search", args=[community.slug]), {"q": "company"})
    )
    assert "Friendship circle" in found
    assert DirectoryAction.objects.filter(verb="term.rename", actor=administrator).exists()


def test_a_retired_theme_is_not_offered_for_new_events_but_stays_on_old_ones(
    client_for, administrator, org_editor, member, community, age_uk, terms
):
    befriending = terms["Befriending"]
    old = make_event(age_uk, "Tea and chat", SOON, themes=[befriending])

    client_for(administrator).post(theme_url(befriending, "directory:theme_retire"))

    befriending.refresh_from_db()
    assert befriending.retired_at is not None
    editor = client_for(org_editor)
    new_form = text(editor.get(reverse("directory:event_new", args=[community.slug, age_uk.pk])))
    assert not offers(new_form, "themes", befriending)
    assert offers(new_form, "themes", terms["Lunch clubs"])
    edit_form = text(editor.get(reverse("directory:event_edit", args=[community.slug, old.uuid])))
    assert offers(edit_form, "themes", befriending)
    assert "no longer used for new entries" in edit_form
    event_page = text(
        client_for(member).get(reverse("directory:event", args=[community.slug, old.uuid]))
    )
    assert "Befriending" in event_page


def test_a_retired_theme_cannot_be_given_to_a_new_event(
    client_for, administrator, org_editor, community, age_uk, terms
):
    befriending = terms["Befriending"]
    client_for(administrator).post(theme_url(befriending, "directory:theme_retire"))
    before = snapshot()

    response = client_for(org_editor).post(
        reverse("directory:event_new", args=[community.slug, age_uk.pk]),
        {"title": "Tea", "date": SOON.isoformat(), "starts": "2pm", "ends": "3pm",
         "repeat": "", "interval": "1", "themes": [befriending.pk]},
    )  # fmt: skip

    assert_form_error(response, "themes", "Select a valid choice")
    assert snapshot() == before
    assert not Event.objects.exists()


def test_a_retired_need_is_not_offered_for_a_new_entry_and_can_be_restored(
    client_for, administrator, org_editor, community, age_uk, terms
):
    lunch = terms["Lunch clubs"]
    admin = client_for(administrator)
    admin.post(theme_url(lunch, "directory:theme_retire"))
    new = reverse("directory:manage_service_new", args=[community.slug, age_uk.pk])
    assert not offers(text(client_for(org_editor).get(new)), "needs", lunch)
    listing = text(admin.get(reverse("directory:themes", args=[community.slug])))
    assert "Retired" in listing

    admin.post(theme_url(lunch, "directory:theme_restore"))

    lunch.refresh_from_db()
    assert lunch.retired_at is None
    assert offers(text(client_for(org_editor).get(new)), "needs", lunch)
    verbs = set(DirectoryAction.objects.values_list("verb", flat=True))
    assert {"term.retire", "term.restore"} <= verbs


def test_a_bad_new_name_is_explained_by_the_field_and_nothing_changes(
    client_for, administrator, terms
):
    client = client_for(administrator)
    before = snapshot()

    empty = client.post(theme_url(terms["Befriending"]), {"name": "  "})
    taken = client.post(theme_url(terms["Befriending"]), {"name": "lunch clubs"})

    assert_form_error(empty, "name", "new name")
    assert_form_error(taken, "name", "already has a theme called lunch clubs")
    assert snapshot() == before


@pytest.mark.parametrize("role", ["member", "coordinator", "org_editor", "link_worker"])
def test_only_administrators_may_rename_or_retire_themes(request, client_for, terms, role):
    person = request.getfixturevalue(role)
    client = client_for(person)
    term = terms["Befriending"]
    before = snapshot()

    assert client.get(reverse("directory:themes", args=[term.community.slug])).status_code == 403
    assert client.get(theme_url(term)).status_code == 403
    assert client.post(theme_url(term), {"name": "Renamed"}).status_code == 403
    assert client.post(theme_url(term, "directory:theme_retire")).status_code == 403
    assert snapshot() == before


def test_people_of_another_community_and_the_kinds_list_are_out_of_reach(
    client_for, administrator, outsider, community, terms
):
    term = terms["Befriending"]
    assert client_for(outsider).post(theme_url(term, "directory:theme_retire")).status_code in (
        403,
        404,
    )
    kind = next(iter(kinds_taxonomy_ensure(community=community).values()))
    assert client_for(administrator).get(theme_url(kind)).status_code == 404
    assert TaxonomyTerm.objects.filter(retired_at__isnull=False).count() == 0
