"""Events of organisations and groups: editing, recurrence, the weekly calendar, clashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ginnel.directory.models import Attribute, DirectoryAction, Event, Freq
from ginnel.directory.selectors.events import (
    calendar_week,
    clashes_for_week,
    occurrences,
    week_bounds,
    week_parse,
)
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

MONDAY = date(2026, 11, 30)  # ISO week 2026-W49
TUESDAY = MONDAY + timedelta(days=1)
THURSDAY = MONDAY + timedelta(days=3)
# Events made through the form cannot start in the past: a week three weeks ahead.
SOON_MONDAY = week_parse(None) + timedelta(weeks=3)
SOON_TUESDAY = SOON_MONDAY + timedelta(days=1)
SOON_THURSDAY = SOON_MONDAY + timedelta(days=3)
SOON_UNTIL = SOON_MONDAY + timedelta(weeks=4, days=6)  # the Sunday four weeks on


@pytest.fixture
def terms(community):
    return make_terms(community)


@pytest.fixture
def age_uk(community, org_editor):
    return make_org(community, "Age UK", editors=[org_editor])


@pytest.fixture
def library(community):
    return make_org(community, "Hebble End Library")


def event_post(terms, **overrides):
    post = {
        "title": "Tea and chat",
        "description": "A cuppa, a biscuit, a natter.",
        "service": "",
        "location": "",
        "date": SOON_TUESDAY.isoformat(),
        "starts": "10:00",
        "ends": "12:00",
        "repeat": Freq.WEEKLY.value,
        "interval": "1",
        "days": ["TU", "TH"],
        "until": SOON_UNTIL.isoformat(),
        "free": "on",
        "themes": [terms["Befriending"].pk],
        "version": "",
    }
    post.update(overrides)
    return post


def week_of(community, monday):
    return {
        d.date: [(o.event.title, o.starts_at) for o in d.occurrences]
        for d in calendar_week(community=community, monday=monday)
    }


# Editing ------------------------------------------------------------------------------------


def test_an_editor_adds_a_weekly_event_and_it_appears_on_each_of_its_days(
    client_for, community, org_editor, age_uk, terms
):
    club = make_service(age_uk, "Tuesday club")
    response = client_for(org_editor).post(
        reverse("directory:event_new", args=[community.slug, age_uk.pk]),
        event_post(terms, service=club.pk),
    )

    event = Event.objects.get(organization=age_uk)
    assert response["Location"] == reverse("directory:event", args=[community.slug, event.uuid])
    assert (event.freq, event.byday, event.interval) == ("WEEKLY", "TU,TH", 1)
    assert event.until == SOON_UNTIL
    assert event.service == club
    assert [t.name for t in event.themes.all()] == ["Befriending"]
    assert Attribute.objects.filter(link_type="event", link_id=event.uuid).count() == 1
    assert DirectoryAction.objects.filter(verb="event.create", actor=org_editor).exists()
    days = week_of(community, SOON_MONDAY)
    assert days[SOON_TUESDAY] == [("Tea and chat", local(SOON_TUESDAY, "10:00"))]
    assert days[SOON_THURSDAY] == [("Tea and chat", local(SOON_THURSDAY, "10:00"))]
    assert sum(len(v) for v in days.values()) == 2
    # Until the last date, and no further.
    assert sum(len(v) for v in week_of(community, SOON_MONDAY + timedelta(weeks=4)).values()) == 2
    assert sum(len(v) for v in week_of(community, SOON_MONDAY + timedelta(weeks=5)).values()) == 0


def test_a_monthly_event_falls_on_the_same_weekday_of_each_month(
    client_for, community, org_editor, age_uk, terms
):
    month = (week_parse(None) + timedelta(days=40)).replace(day=1)
    second_tuesday = month + timedelta(days=(1 - month.weekday()) % 7 + 7)
    client_for(org_editor).post(
        reverse("directory:event_new", args=[community.slug, age_uk.pk]),
        event_post(
            terms, date=second_tuesday.isoformat(), repeat=Freq.MONTHLY.value, until="", days=[]
        ),
    )
    event = Event.objects.get(organization=age_uk)
    assert event.byday == "2TU"

    start = local(month, "00:00")
    found = [o.starts_at.date() for o in occurrences(event, start, start + timedelta(days=365))]

    expected = [
        day
        for n in range(365)
        if (day := month + timedelta(days=n)).weekday() == 1 and (day.day - 1) // 7 == 1
    ]
    assert found == expected


def test_a_weekly_event_keeps_its_local_time_when_the_clocks_change(community, age_uk):
    event = make_event(age_uk, "Coffee morning", date(2026, 10, 13), freq=Freq.WEEKLY, byday="TU")

    before = week_of(community, date(2026, 10, 19))[date(2026, 10, 20)]
    after = week_of(community, date(2026, 10, 26))[date(2026, 10, 27)]

    assert [timezone.localtime(t).hour for _, t in before + after] == [10, 10]
    # An hour more than a week apart in UTC: 09:00 UTC in summer time, 10:00 UTC after.
    assert after[0][1].astimezone(UTC) - before[0][1].astimezone(UTC) == timedelta(days=7, hours=1)
    assert event.pk


def test_every_other_week_skips_the_weeks_between(community, age_uk):
    make_event(age_uk, "Repair cafe", TUESDAY, freq=Freq.WEEKLY, interval=2, byday="TU")

    counts = [
        sum(len(v) for v in week_of(community, MONDAY + timedelta(weeks=n)).values())
        for n in range(4)
    ]

    assert counts == [1, 0, 1, 0]


def test_an_editor_changes_an_event_and_a_stale_copy_cannot_overwrite_it(
    client_for, community, org_editor, coordinator, age_uk, terms
):
    event = make_event(age_uk, "Tea and chat", TUESDAY)
    url = reverse("directory:event_edit", args=[community.slug, event.uuid])

    client_for(org_editor).post(url, event_post(terms, title="Tea, cake and chat", version="1"))
    late = client_for(coordinator).post(url, event_post(terms, title="Coffee", version="1"))

    event.refresh_from_db()
    assert (event.title, event.version) == ("Tea, cake and chat", 2)
    assert late.status_code == 400
    assert "Someone else saved changes to this event" in late.content.decode()


def test_a_cancelled_event_leaves_the_calendar(client_for, community, org_editor, age_uk):
    event = make_event(age_uk, "Carol singing", TUESDAY)
    client = client_for(org_editor)

    assert (
        client.get(reverse("directory:event_cancel", args=[community.slug, event.uuid])).status_code
        == 200
    )
    client.post(
        reverse("directory:event_cancel", args=[community.slug, event.uuid]), {"version": "1"}
    )

    event.refresh_from_db()
    assert event.cancelled_at is not None
    assert week_of(community, MONDAY)[TUESDAY] == []
    assert DirectoryAction.objects.filter(verb="event.cancel", subject_id=event.uuid).exists()
    detail = client.get(reverse("directory:event", args=[community.slug, event.uuid]))
    assert "Cancelled" in detail.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Enter the name of the event"),
        ({"ends": "09:00"}, "ends", "must end after it starts"),
        ({"until": "2026-11-01"}, "until", "last date must be on or after the first"),
        ({"days": ["WE"]}, "days", "Include the day of the first date (Tuesday)"),
        ({"date": "31/02/2026"}, "date", "Enter a valid date"),
        ({"url": "javascript:alert(1)"}, "url", "Enter a web address, like https://example.org/"),
        ({"interval": "0"}, "interval", "greater than or equal to 1"),
        ({"repeat": "DAILY"}, "repeat", "Select a valid choice"),
    ],
)
def test_bad_event_input_is_explained_and_changes_nothing(
    client_for, community, org_editor, age_uk, terms, overrides, field, message
):
    before = snapshot()

    response = client_for(org_editor).post(
        reverse("directory:event_new", args=[community.slug, age_uk.pk]),
        event_post(terms, **overrides),
    )

    assert_form_error(response, field, message)
    assert "A cuppa, a biscuit, a natter." in response.content.decode()
    assert snapshot() == before


def test_a_group_of_another_organisation_cannot_run_the_event(
    client_for, community, org_editor, age_uk, library, terms
):
    theirs = make_service(library, "Book club")
    before = snapshot()

    response = client_for(org_editor).post(
        reverse("directory:event_new", args=[community.slug, age_uk.pk]),
        event_post(terms, service=theirs.pk),
    )

    assert_form_error(response, "service", "Select a valid choice")
    assert snapshot() == before


# Who may do what ------------------------------------------------------------------------------


def test_members_read_the_calendar_and_events_but_cannot_change_them(
    client_for, community, member, age_uk, terms
):
    event = make_event(age_uk, "Tea and chat", TUESDAY)
    client = client_for(member)
    before = snapshot()

    calendar = client.get(
        reverse("directory:calendar", args=[community.slug]), {"week": "2026-W49"}
    )
    assert calendar.status_code == 200
    assert "Tea and chat" in calendar.content.decode()
    assert (
        client.get(reverse("directory:event", args=[community.slug, event.uuid])).status_code == 200
    )
    for url, post in [
        (reverse("directory:event_new", args=[community.slug, age_uk.pk]), event_post(terms)),
        (reverse("directory:event_edit", args=[community.slug, event.uuid]), event_post(terms)),
        (reverse("directory:event_cancel", args=[community.slug, event.uuid]), {}),
        (reverse("directory:feed_reset", args=[community.slug]), {}),
    ]:
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url, post).status_code == 403, url
    assert client.get(reverse("directory:clashes", args=[community.slug])).status_code == 403
    assert snapshot() == {**before, "EventFeed": snapshot()["EventFeed"]}


def test_an_editor_cannot_change_another_organisations_event(
    client_for, community, org_editor, library, terms
):
    event = make_event(library, "Story time", TUESDAY)
    client = client_for(org_editor)
    before = snapshot()

    edit = reverse("directory:event_edit", args=[community.slug, event.uuid])
    cancel = reverse("directory:event_cancel", args=[community.slug, event.uuid])
    assert client.get(edit).status_code == 403
    assert client.post(edit, event_post(terms, version="1")).status_code == 403
    assert client.post(cancel, {"version": "1"}).status_code == 403
    assert (
        client.post(
            reverse("directory:event_new", args=[community.slug, event.organization_id]),
            event_post(terms),
        ).status_code
        == 403
    )

    assert snapshot() == before


def test_a_coordinator_changes_and_cancels_any_organisations_event(
    client_for, community, coordinator, library, terms
):
    event = make_event(library, "Story time", TUESDAY)
    client = client_for(coordinator)

    client.post(
        reverse("directory:event_edit", args=[community.slug, event.uuid]),
        event_post(terms, title="Stories and rhymes", version="1"),
    )
    client.post(
        reverse("directory:event_cancel", args=[community.slug, event.uuid]), {"version": "2"}
    )

    event.refresh_from_db()
    assert event.title == "Stories and rhymes"
    assert event.cancelled_at is not None


def test_people_of_another_community_see_none_of_it(client_for, community, outsider, age_uk):
    event = make_event(age_uk, "Tea and chat", TUESDAY)
    client = client_for(outsider)
    for url in [
        reverse("directory:calendar", args=[community.slug]),
        reverse("directory:event", args=[community.slug, event.uuid]),
        reverse("directory:clashes", args=[community.slug]),
    ]:
        assert client.get(url).status_code == 403, url
        assert client_for(None).get(url).status_code == 302, url


def test_an_event_is_not_found_through_another_communitys_address(
    client_for, other_community, outsider, age_uk
):
    event = make_event(age_uk, "Tea and chat", TUESDAY)

    response = client_for(outsider).get(
        reverse("directory:event", args=[other_community.slug, event.uuid])
    )

    assert response.status_code == 404


# The calendar ---------------------------------------------------------------------------------


def test_the_calendar_shows_a_week_with_links_to_the_weeks_either_side(
    client_for, community, member, age_uk
):
    make_event(age_uk, "Tea and chat", TUESDAY, "14:00", "15:30")
    url = reverse("directory:calendar", args=[community.slug])

    page = client_for(member).get(url, {"week": "2026-W49"})

    assert page.context["monday"] == MONDAY
    text = page.content.decode()
    assert 'href="?week=2026-W48"' in text
    assert 'href="?week=2026-W50"' in text
    assert "Tuesday 1 December" in text
    assert "2pm to 3.30pm" in text
    assert "<script" not in text.split('id="main-content"')[1]  # works without JavaScript


def test_a_week_that_is_not_a_week_shows_this_week(client_for, community, member):
    page = client_for(member).get(
        reverse("directory:calendar", args=[community.slug]), {"week": "2026-W99"}
    )

    today = timezone.localdate()
    assert page.context["monday"] == today - timedelta(days=today.weekday())


def test_weeks_run_over_the_new_year():
    assert week_parse("2026-W53") == date(2026, 12, 28)
    assert week_parse("2027-W01") == date(2027, 1, 4)
    start, end = week_bounds(date(2026, 12, 28))
    assert (end - start) == timedelta(days=7)


def test_the_calendar_does_not_query_per_event(
    client_for, community, member, age_uk, terms, django_assert_max_num_queries
):
    for n in range(40):
        make_event(
            age_uk,
            f"Session {n}",
            MONDAY + timedelta(days=n % 7),
            themes=[terms["Befriending"]],
            freq=Freq.WEEKLY if n % 2 else "",
            byday="",
        )
    client = client_for(member)
    url = reverse("directory:calendar", args=[community.slug])
    client.get(url, {"week": "2026-W49"})

    with django_assert_max_num_queries(12):
        page = client.get(url, {"week": "2026-W49"})

    assert sum(len(d.occurrences) for d in page.context["days"]) == 40


# Clashes --------------------------------------------------------------------------------------


@pytest.fixture
def three(community, age_uk, library):
    st_marys = make_org(community, "St Mary's")
    return age_uk, st_marys, library


def test_events_about_one_theme_from_different_organisations_on_one_day_clash(
    client_for, community, coordinator, three, terms
):
    age_uk, st_marys, library = three
    befriending = terms["Befriending"]
    make_event(age_uk, "Befriending drop-in", TUESDAY, "10:00", themes=[befriending])
    make_event(st_marys, "Friendship circle", TUESDAY, "11:00", themes=[befriending])
    make_event(library, "Chatty cafe", TUESDAY, "14:00", "15:00", themes=[befriending])
    make_event(age_uk, "Befriending training", THURSDAY, themes=[befriending])  # one organisation

    page = client_for(coordinator).get(
        reverse("directory:clashes", args=[community.slug]), {"week": "2026-W49"}
    )

    same_day = page.context["same_day"]
    assert [c.sentence for c in same_day] == [
        f"3 events about befriending on Tuesday 1 December from "
        f"{age_uk.name}, {st_marys.name} and {library.name}"
    ]
    assert same_day[0].sentence in page.content.decode().replace("&#x27;", "'")
    # Thursday's event is the same theme in the same week, from one of the same organisations.
    same_week = page.context["same_week"]
    assert [len(c.occurrences) for c in same_week] == [4]


def test_a_parent_theme_and_its_child_clash_but_sibling_themes_do_not(community, three, terms):
    age_uk, st_marys, library = three
    make_event(age_uk, "Lunch club", TUESDAY, themes=[terms["Lunch clubs"]])
    make_event(
        st_marys, "Loneliness awareness", TUESDAY, "11:00", "12:30", themes=[terms["Loneliness"]]
    )
    make_event(age_uk, "Walk and talk", THURSDAY, themes=[terms["Befriending"]])
    make_event(library, "Pie and peas", THURSDAY, themes=[terms["Lunch clubs"]])

    same_day, _ = clashes_for_week(community=community, monday=MONDAY)

    assert [(c.day, c.term.name, c.organisations) for c in same_day] == [
        (TUESDAY, "Loneliness", [age_uk.name, st_marys.name]),
    ]  # Thursday's befriending and lunch clubs are siblings under loneliness: no clash.


def test_unrelated_themes_and_one_organisations_own_events_do_not_clash(community, three, terms):
    age_uk, st_marys, _ = three
    make_event(age_uk, "Debt clinic", TUESDAY, themes=[terms["Debt advice"]])
    make_event(st_marys, "Friendship circle", TUESDAY, themes=[terms["Befriending"]])
    make_event(age_uk, "Money advice", TUESDAY, "14:00", "15:00", themes=[terms["Debt advice"]])

    same_day, same_week = clashes_for_week(community=community, monday=MONDAY)

    assert same_day == []
    assert same_week == []


def test_events_on_different_days_of_a_week_clash_less(community, three, terms):
    age_uk, st_marys, _ = three
    make_event(age_uk, "Debt clinic", MONDAY, themes=[terms["Debt advice"]])
    make_event(st_marys, "Money matters", THURSDAY, themes=[terms["Debt advice"]])

    same_day, same_week = clashes_for_week(community=community, monday=MONDAY)

    assert same_day == []
    assert [c.sentence for c in same_week] == [
        f"2 events about debt advice in the week of Monday 30 November from "
        f"{age_uk.name} and {st_marys.name}"
    ]


def test_a_recurring_event_clashes_on_each_day_it_happens(community, three, terms):
    age_uk, st_marys, _ = three
    make_event(
        age_uk,
        "Walk and talk",
        date(2026, 11, 3),
        freq=Freq.WEEKLY,
        byday="TU",
        themes=[terms["Befriending"]],
    )
    make_event(st_marys, "Friendship circle", TUESDAY, themes=[terms["Befriending"]])

    same_day, _ = clashes_for_week(community=community, monday=MONDAY)

    assert [(c.day, len(c.occurrences)) for c in same_day] == [(TUESDAY, 2)]


def test_occurrences_overlap_the_window_only(age_uk):
    event = make_event(age_uk, "Late", TUESDAY, "22:00", "23:30")
    start = local(TUESDAY, "23:00")

    assert len(occurrences(event, start, start + timedelta(hours=1))) == 1
    assert occurrences(event, local(TUESDAY, "23:30"), local(THURSDAY, "00:00")) == []
    assert isinstance(occurrences(event, start, start + timedelta(hours=1))[0].starts_at, datetime)
