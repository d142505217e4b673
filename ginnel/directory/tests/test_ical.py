"""iCal feeds: read by calendar apps without logging in, through a secret address."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from django.utils import timezone

from ginnel.directory.models import EventFeed, Freq, Location
from ginnel.directory.selectors.events import occurrences
from ginnel.directory.services.events import feed_token_get
from ginnel.directory.tests.test_editing_helpers import local, make_event, make_org, make_terms

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def terms(community):
    return make_terms(community)


@pytest.fixture
def age_uk(community, org_editor):
    return make_org(community, "Age UK", editors=[org_editor], email="hello@example.org")


@pytest.fixture
def library(community):
    return make_org(community, "Hebble End Library")


@pytest.fixture
def token(community):
    return feed_token_get(community=community)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar):
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_the_community_feed_carries_each_event_with_a_stable_uid_and_its_recurrence(
    client, community, age_uk, terms, token
):
    weekly = make_event(
        age_uk,
        "Walk, talk; and tea",
        TUESDAY,
        "10:00",
        "11:30",
        freq=Freq.WEEKLY,
        interval=2,
        byday="TU,TH",
        until=date(2027, 2, 25),
        themes=[terms["Befriending"], terms["Lunch clubs"]],
        description="Meet at the gate.\nBring boots, a flask; and a friend, if you like.",
    )
    once = make_event(age_uk, "Carol concert", date(2026, 12, 19), "18:00", "20:00")
    url = reverse("directory:feed_community", args=[community.slug, token])

    calendar = parse(client.get(url))

    found = vevents(calendar)
    assert set(found) == {weekly.title, once.title}
    walk = found[weekly.title]
    assert str(walk["UID"]) == f"{weekly.uuid}@testserver"
    assert str(walk["DESCRIPTION"]) == weekly.description  # escaped and read back intact
    assert walk.decoded("DTSTART") == weekly.starts_at
    assert walk.decoded("DTEND") == weekly.ends_at
    assert "DTSTAMP" in walk
    assert sorted(walk["CATEGORIES"].cats) == ["Befriending", "Lunch clubs"]
    rule = walk["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["INTERVAL"] == [2]
    assert rule["BYDAY"] == ["TU", "TH"]
    assert "RRULE" not in found[once.title]
    assert str(walk["ORGANIZER"]) == f"mailto:{age_uk.email}"
    assert calendar.walk("VTIMEZONE")  # the zone the local times are in

    # The recurrence a calendar app reads back is the one the calendar page shows.
    expanded = list(
        rrulestr(rule.to_ical().decode(), dtstart=walk.decoded("DTSTART"), forceset=True)
    )
    start = local(TUESDAY, "00:00")
    shown = [o.starts_at for o in occurrences(weekly, start, start + timedelta(days=400))]
    assert expanded == shown
    assert weekly.until is not None
    assert expanded[-1].date() <= weekly.until


def test_the_uid_stays_the_same_when_the_event_changes(client, community, age_uk, token):
    event = make_event(age_uk, "Tea and chat", TUESDAY)
    url = reverse("directory:feed_community", args=[community.slug, token])
    before = str(vevents(parse(client.get(url)))[event.title]["UID"])

    event.title = "Tea, cake and chat"
    event.save()
    after = str(vevents(parse(client.get(url)))[event.title]["UID"])

    assert before == after


def test_a_cancelled_event_tells_calendars_it_is_off(
    client_for, client, community, org_editor, age_uk, token
):
    event = make_event(age_uk, "Tea and chat", TUESDAY)
    client_for(org_editor).post(
        reverse("directory:event_cancel", args=[community.slug, event.uuid]), {"version": "1"}
    )

    found = vevents(
        parse(client.get(reverse("directory:feed_community", args=[community.slug, token])))
    )

    assert str(found[event.title]["STATUS"]) == "CANCELLED"
    assert int(found[event.title]["SEQUENCE"]) == 1


def test_the_organisation_feed_has_only_that_organisations_events(
    client, community, age_uk, library, token
):
    ours = make_event(age_uk, "Tea and chat", TUESDAY)
    make_event(library, "Story time", TUESDAY)

    calendar = parse(
        client.get(
            reverse("directory:feed_organisation", args=[community.slug, token, age_uk.uuid])
        )
    )

    assert set(vevents(calendar)) == {ours.title}


def test_the_theme_feed_has_the_events_of_the_term_and_of_the_terms_under_it(
    client, community, age_uk, library, terms, token
):
    make_event(age_uk, "Walk and talk", TUESDAY, themes=[terms["Befriending"]])
    make_event(library, "Pie and peas", TUESDAY, themes=[terms["Lunch clubs"]])
    make_event(library, "Debt clinic", TUESDAY, themes=[terms["Debt advice"]])

    def titles(term):
        url = reverse("directory:feed_term", args=[community.slug, token, term.uuid])
        return set(vevents(parse(client.get(url))))

    assert titles(terms["Loneliness"]) == {"Walk and talk", "Pie and peas"}
    assert titles(terms["Befriending"]) == {"Walk and talk"}


def test_the_feed_gives_the_place_and_its_coordinates(client, community, age_uk, token):
    hall = Location.objects.create(
        community=community, name="St Mary's Hall", latitude=53.74, longitude=-2.01
    )
    make_event(age_uk, "Tea and chat", TUESDAY, location=hall)

    found = vevents(
        parse(client.get(reverse("directory:feed_community", args=[community.slug, token])))
    )

    assert str(found["Tea and chat"]["LOCATION"]) == hall.name
    assert (found["Tea and chat"]["GEO"].latitude, found["Tea and chat"]["GEO"].longitude) == (
        hall.latitude,
        hall.longitude,
    )


def test_an_online_event_gives_its_link_as_where_and_as_its_address(
    client, community, age_uk, token
):
    make_event(age_uk, "Online cuppa", TUESDAY, url="https://meet.example.org/cuppa")

    found = vevents(
        parse(client.get(reverse("directory:feed_community", args=[community.slug, token])))
    )

    assert str(found["Online cuppa"]["URL"]) == "https://meet.example.org/cuppa"
    assert str(found["Online cuppa"]["LOCATION"]) == "https://meet.example.org/cuppa"


def test_without_the_right_token_there_is_no_feed(
    client, community, other_community, age_uk, terms, token
):
    make_event(age_uk, "Tea and chat", TUESDAY)
    other_token = feed_token_get(community=other_community)
    wrong = [
        reverse("directory:feed_community", args=[community.slug, "guess"]),
        reverse("directory:feed_community", args=[community.slug, other_token]),
        reverse("directory:feed_community", args=[other_community.slug, token]),
        reverse("directory:feed_organisation", args=[community.slug, "guess", age_uk.uuid]),
        reverse("directory:feed_term", args=[community.slug, "guess", terms["Befriending"].uuid]),
        # Another community's organisation through this community's good token.
        reverse(
            "directory:feed_organisation",
            args=[community.slug, token, make_org(other_community, "Elsewhere").uuid],
        ),
    ]
    for url in wrong:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Tea and chat" not in response.content


def test_a_community_without_a_token_yet_has_no_feed(client, community, age_uk):
    assert not EventFeed.objects.filter(community=community).exists()

    response = client.get(reverse("directory:feed_community", args=[community.slug, "x" * 32]))

    assert response.status_code == 404


def test_members_find_the_feed_address_on_the_calendar(client_for, community, member):
    page = client_for(member).get(reverse("directory:calendar", args=[community.slug]))

    token = EventFeed.objects.get(community=community).token
    assert reverse("directory:feed_community", args=[community.slug, token]) in (
        page.content.decode()
    )
    assert len(token) >= 32


def test_a_coordinator_gives_the_feeds_a_new_address_and_the_old_one_stops(
    client_for, client, community, coordinator, token
):
    client_for(coordinator).post(reverse("directory:feed_reset", args=[community.slug]))

    new = EventFeed.objects.get(community=community).token
    assert new != token
    assert (
        client.get(reverse("directory:feed_community", args=[community.slug, token])).status_code
        == 404
    )
    assert (
        client.get(reverse("directory:feed_community", args=[community.slug, new])).status_code
        == 200
    )


def test_an_editor_cannot_change_the_feed_address(client_for, community, org_editor, token):
    response = client_for(org_editor).post(reverse("directory:feed_reset", args=[community.slug]))

    assert response.status_code == 403
    assert EventFeed.objects.get(community=community).token == token


def test_the_feed_stamps_are_in_utc(client, community, age_uk, token):
    make_event(age_uk, "Tea and chat", TUESDAY)

    walk = vevents(
        parse(client.get(reverse("directory:feed_community", args=[community.slug, token])))
    )["Tea and chat"]

    stamp = walk.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert abs(stamp - timezone.now()) < timedelta(minutes=5)
