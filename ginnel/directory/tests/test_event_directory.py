"""Events agree with the directory: their group and place, times as people type them, no
start in the past, monthly rules, the organiser's phone and address."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.directory.models import (
    Address,
    Event,
    Freq,
    Location,
    Phone,
    ServiceAtLocation,
)
from ginnel.directory.selectors.events import week_parse
from ginnel.directory.tests.test_editing_helpers import (
    assert_form_error,
    local,
    make_event,
    make_org,
    make_service,
    make_terms,
    snapshot,
)

pytestmark = pytest.mark.django_db

SOON = week_parse(None) + timedelta(weeks=2, days=1)  # a Tuesday a fortnight ahead


@pytest.fixture
def terms(community):
    return make_terms(community)


@pytest.fixture
def age_uk(community, org_editor):
    return make_org(
        community, "Age UK Calderdale", editors=[org_editor], email="hello@ageuk.example.org"
    )


def place(org, name, address_1, postcode):
    location = Location.objects.create(community=org.community, organization=org, name=name)
    Address.objects.create(
        community=org.community, location=location, address_1=address_1, city="Millbeck",
        postal_code=postcode,
    )  # fmt: skip
    return location


def group_at(org, name, location):
    service = make_service(org, name)
    ServiceAtLocation.objects.create(community=org.community, service=service, location=location)
    return service


def post(terms, **overrides):
    data = {
        "title": "Tea and chat",
        "description": "A cuppa and a natter.",
        "service": "",
        "location": "",
        "url": "",
        "date": SOON.isoformat(),
        "starts": "2pm",
        "ends": "4.30pm",
        "repeat": "",
        "interval": "1",
        "until": "",
        "free": "on",
        "themes": [terms["Befriending"].pk],
        "version": "",
    }
    data.update(overrides)
    return data


def new_url(org):
    return reverse("directory:event_new", args=[org.community.slug, org.pk])


def page_of(client, event):
    url = reverse("directory:event", args=[event.community.slug, event.uuid])
    return html.unescape(client.get(url).content.decode())


def test_times_are_typed_as_people_write_them_and_shown_the_same_way(
    client_for, org_editor, age_uk, terms
):
    client = client_for(org_editor)

    response = client.post(new_url(age_uk), post(terms, starts="2pm", ends="4.30pm"))

    assert response.status_code == 302
    event = Event.objects.get(organization=age_uk)
    assert event.starts_at == local(SOON, "14:00")
    assert event.ends_at == local(SOON, "16:30")
    assert "2pm to 4.30pm" in page_of(client, event)
    form = client.get(reverse("directory:event_edit", args=[age_uk.community.slug, event.uuid]))
    assert 'value="2pm"' in form.content.decode()
    assert 'value="4.30pm"' in form.content.decode()


def test_a_time_that_is_not_one_is_explained_by_its_field(client_for, org_editor, age_uk, terms):
    before = snapshot()

    response = client_for(org_editor).post(new_url(age_uk), post(terms, starts="teatime"))

    assert_form_error(response, "starts", "Enter the time it starts like 2pm, 2.30pm or 14:30")
    assert 'value="teatime"' in response.content.decode()
    assert snapshot() == before


def test_an_event_cannot_start_in_the_past(client_for, org_editor, age_uk, terms):
    before = snapshot()
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client_for(org_editor).post(new_url(age_uk), post(terms, date=yesterday.isoformat()))

    assert_form_error(response, "date", "The date cannot be in the past")
    assert snapshot() == before


def test_an_event_already_under_way_can_still_be_changed_without_moving_it(
    client_for, org_editor, age_uk, terms
):
    started = timezone.localdate() - timedelta(days=7)
    event = make_event(age_uk, "Weekly cuppa", started, "14:00", "16:00", freq=Freq.WEEKLY,
                       byday="TU")  # fmt: skip
    url = reverse("directory:event_edit", args=[age_uk.community.slug, event.uuid])

    response = client_for(org_editor).post(
        url,
        post(terms, title="Weekly cuppa and cake", date=started.isoformat(), starts="2pm",
             ends="4pm", repeat=Freq.WEEKLY.value, days=[], version="1"),
    )  # fmt: skip

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Weekly cuppa and cake"


def test_a_monthly_event_on_the_first_tuesday_is_set_shown_and_changed(
    client_for, org_editor, age_uk, terms
):
    client = client_for(org_editor)
    start = timezone.localdate() + timedelta(days=40)

    client.post(
        new_url(age_uk),
        post(terms, date=start.isoformat(), repeat=Freq.MONTHLY.value, month_week="1",
             month_day="TU"),
    )  # fmt: skip

    event = Event.objects.get(organization=age_uk)
    first = timezone.localtime(event.starts_at).date()
    assert event.byday == "1TU"
    assert first.weekday() == 1
    assert first.day <= 7
    assert first >= start
    assert first - start < timedelta(days=38)
    page = page_of(client, event)
    assert "The first Tuesday of the month, 2pm to 4.30pm" in page
    edit = reverse("directory:event_edit", args=[age_uk.community.slug, event.uuid])
    form = client.get(edit).content.decode()
    assert '<option value="1" selected>' in form
    assert '<option value="TU" selected>' in form

    client.post(
        edit,
        post(terms, date=first.isoformat(), repeat=Freq.MONTHLY.value, month_week="-1",
             month_day="FR", version="1"),
    )  # fmt: skip

    event.refresh_from_db()
    moved = timezone.localtime(event.starts_at).date()
    assert event.byday == "-1FR"
    assert moved.weekday() == 4
    assert (moved + timedelta(days=7)).month != moved.month
    assert "The last Friday of the month" in page_of(client, event)


def test_an_event_of_a_group_is_where_the_group_meets_and_the_page_says_where_and_who(
    client_for, org_editor, member, age_uk, terms
):
    hall = place(age_uk, "Hebble End Hall", "4 Mill Lane", "MB1 2AB")
    group = group_at(age_uk, "Hebble End Friendship Group", hall)
    Phone.objects.create(community=age_uk.community, organization=age_uk, number="01632 960123")

    client_for(org_editor).post(new_url(age_uk), post(terms, service=group.pk))

    event = Event.objects.get(organization=age_uk)
    assert event.service == group
    assert event.location == hall
    page = page_of(client_for(member), event)
    assert "Hebble End Hall" in page
    assert "4 Mill Lane, Millbeck, MB1 2AB" in page
    assert "Hebble End Friendship Group" in page
    assert "run by Age UK Calderdale" in page
    assert "01632 960123" in page
    assert "hello@ageuk.example.org" in page
    assert reverse("directory:service", args=[age_uk.community.slug, group.uuid]) in page


def test_an_event_of_a_group_cannot_be_somewhere_the_group_does_not_meet(
    client_for, org_editor, age_uk, terms
):
    hall = place(age_uk, "Hebble End Hall", "4 Mill Lane", "MB1 2AB")
    office = place(age_uk, "Age UK office", "1 High Street", "MB1 3CD")
    group = group_at(age_uk, "Hebble End Friendship Group", hall)
    before = snapshot()

    response = client_for(org_editor).post(
        new_url(age_uk), post(terms, service=group.pk, location=office.pk)
    )

    assert_form_error(response, "location", "Hebble End Friendship Group does not meet there")
    assert snapshot() == before


def test_an_online_event_shows_its_link(client_for, org_editor, member, age_uk, terms):
    client_for(org_editor).post(new_url(age_uk), post(terms, url="https://meet.example.org/tea"))

    event = Event.objects.get(organization=age_uk)
    page = page_of(client_for(member), event)

    assert 'href="https://meet.example.org/tea"' in page
    assert "Join online" in page


def test_an_organisation_has_a_phone_and_an_address_its_editor_can_change(
    client_for, org_editor, age_uk
):
    client = client_for(org_editor)
    url = reverse("directory:manage_organisation_edit", args=[age_uk.community.slug, age_uk.pk])

    response = client.post(
        url,
        {"name": age_uk.name, "description": "", "email": age_uk.email, "website": "",
         "phone": "01632 960555", "address_1": "2 Station Road", "address_2": "",
         "city": "Millbeck", "postal_code": "mb1 4ef", "version": "1"},
    )  # fmt: skip

    assert response.status_code == 302
    detail = client.get(
        reverse("directory:manage_organisation", args=[age_uk.community.slug, age_uk.pk])
    ).content.decode()
    assert "01632 960555" in detail
    assert "2 Station Road, Millbeck, MB1 4EF" in detail
    again = client.get(url).content.decode()
    assert 'value="01632 960555"' in again
    assert 'value="2 Station Road"' in again


def test_a_bad_phone_or_half_an_address_is_explained_and_nothing_changes(
    client_for, org_editor, age_uk
):
    url = reverse("directory:manage_organisation_edit", args=[age_uk.community.slug, age_uk.pk])
    before = snapshot()

    response = client_for(org_editor).post(
        url,
        {"name": age_uk.name, "phone": "call us", "address_1": "2 Station Road",
         "version": "1"},
    )  # fmt: skip

    assert_form_error(response, "phone", "Enter a phone number with digits")
    assert_form_error(response, "city", "Enter the town or city")
    assert snapshot() == before


def test_someone_who_does_not_edit_the_organisation_cannot_change_its_phone(
    client_for, member, community, age_uk
):
    url = reverse("directory:manage_organisation_edit", args=[community.slug, age_uk.pk])
    before = snapshot()

    response = client_for(member).post(url, {"name": age_uk.name, "phone": "01632 960999"})

    assert response.status_code == 403
    assert snapshot() == before


def test_the_service_page_lists_the_events_its_group_runs(client_for, member, age_uk):
    hall = place(age_uk, "Hebble End Hall", "4 Mill Lane", "MB1 2AB")
    group = group_at(age_uk, "Hebble End Friendship Group", hall)
    event = make_event(age_uk, "Friendship Group open day", SOON, service=group, location=hall)

    page = (
        client_for(member)
        .get(reverse("directory:service", args=[age_uk.community.slug, group.uuid]))
        .content.decode()
    )

    assert "Friendship Group open day" in page
    assert reverse("directory:event", args=[age_uk.community.slug, event.uuid]) in page


def test_dates_in_the_monthly_helpers_are_right() -> None:
    from ginnel.directory.forms_events import first_monthly_date, nth_weekday

    assert nth_weekday(2026, 12, 1, 1) == date(2026, 12, 1)
    assert nth_weekday(2026, 12, -1, 4) == date(2026, 12, 25)
    assert nth_weekday(2026, 12, 5, 0) is None
    assert first_monthly_date(date(2026, 12, 2), 1, 1) == date(2027, 1, 5)
