"""The inbox: a person's own notifications, unread first; opening one; marking them read;
the header's count and the home page's line, which read from the same rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.communities.models import Membership, Role
from ginnel.communities.permissions import access_for
from ginnel.notifications.models import Notification
from ginnel.people.models import Person
from ginnel.timebank import services as timebank
from ginnel.timebank.notifications import HOURS_TO_CONFIRM

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def inbox_url(community) -> str:
    return reverse("notifications:inbox", args=[community.slug])


def note(person: Person, *, ago: timedelta = HOUR, read: bool = False, **fields) -> Notification:
    """A notification for ``person`` in their community, made ``ago`` before now."""
    now = timezone.now()
    return Notification.objects.create(
        community=person.community,
        recipient=person,
        kind=fields.pop("kind", "gone.kind"),
        url=fields.pop("url", "/somewhere/"),
        created_at=now - ago,
        read_at=now if read else None,
        **fields,
    )


def shown_ids(html: str) -> list[int]:
    """The notifications listed on an inbox page, in the order shown."""
    return [int(n) for n in re.findall(r'id="notification-(\d+)"', html)]


def inbox_of(client_for, person: Person, page: int = 1) -> str:
    response = client_for(person).get(inbox_url(person.community), {"page": page})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def neighbour(community, make_member) -> Person:
    return make_member(community, name="Nia Neighbour", email="nia@example.org")


# Whose notifications ------------------------------------------------------------------------


def test_a_member_sees_their_own_notifications_and_no_one_elses(
    client_for, community, member, neighbour, outsider
):
    mine = note(member)
    note(neighbour)
    note(outsider)

    assert shown_ids(inbox_of(client_for, member)) == [mine.pk]


def test_someone_in_two_communities_sees_in_each_only_that_communitys(
    client_for, community, other_community, member
):
    there = Person.objects.create(
        community=other_community,
        membership=Membership.objects.create(
            community=other_community, user=member.membership.user
        ),
        display_name="Same Person",
    )
    here = note(member)
    away = note(there)

    assert shown_ids(inbox_of(client_for, member)) == [here.pk]
    assert shown_ids(inbox_of(client_for, there)) == [away.pk]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),  # whose: three members here, one elsewhere
            st.integers(min_value=1, max_value=500),  # minutes ago (distinct below)
            st.booleans(),  # read
        ),
        max_size=20,
        unique_by=lambda row: row[1],
    )
)
def test_property_each_person_sees_exactly_their_own_unread_first_then_newest(
    client_for, community, make_member, outsider, rows
):
    people = [make_member(community) for _ in range(3)] + [outsider]
    made: dict[int, list[tuple[bool, int, int]]] = {i: [] for i in range(4)}
    for whose, minutes, read in rows:
        n = note(people[whose], ago=timedelta(minutes=minutes), read=read)
        made[whose].append((read, minutes, n.pk))
    try:
        for i, person in enumerate(people):
            # Unread (False) before read, then the fewest minutes ago first.
            expected = [pk for _, _, pk in sorted(made[i])]
            assert shown_ids(inbox_of(client_for, person)) == expected
    finally:
        Notification.objects.all().delete()
        for person in people[:3]:
            membership = person.membership
            user = membership.user
            person.delete()
            membership.delete()
            if user is not None:
                user.delete()


def test_unread_come_first_then_the_newest(client_for, member):
    old_unread = note(member, ago=5 * HOUR)
    new_read = note(member, ago=2 * HOUR, read=True)
    newest_unread = note(member, ago=HOUR)
    oldest_read = note(member, ago=9 * HOUR, read=True)

    assert shown_ids(inbox_of(client_for, member)) == [
        newest_unread.pk,
        old_unread.pk,
        new_read.pk,
        oldest_read.pk,
    ]


def test_the_inbox_pages_by_25(client_for, member):
    for minutes in range(30):
        note(member, ago=timedelta(minutes=minutes + 1))

    first = inbox_of(client_for, member)
    second = inbox_of(client_for, member, page=2)

    assert len(shown_ids(first)) == 25
    assert len(shown_ids(second)) == 5
    assert not set(shown_ids(first)) & set(shown_ids(second))
    assert "Page 2 of 2" in second


# How an entry reads -------------------------------------------------------------------------


def test_an_entry_reads_as_its_kind_says_with_the_time_and_the_link_to_open_it(
    client_for, community, member, neighbour
):
    timebank.categories_seed(community=community)
    exchange = timebank.exchange_record(
        access=access_for(neighbour.membership.user, community),
        other_id=member.pk,
        i_gave=True,
        minutes=90,
        happened_on=timezone.localdate() - timedelta(days=1),
        description="Gardening <b>and</b> weeding",
    )
    notification = Notification.objects.get(recipient=member, kind=HOURS_TO_CONFIRM)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - 3 * HOUR - timedelta(minutes=10)
    )

    html = inbox_of(client_for, member)

    open_url = reverse("notifications:open", args=[community.slug, notification.pk])
    assert (
        f'<a href="{open_url}">Nia Neighbour recorded 1:30 hours on '
        "“Gardening &lt;b&gt;and&lt;/b&gt; weeding”: please confirm them</a>"
    ) in html
    assert "3\xa0hours ago" in html or "3 hours ago" in html
    assert notification.url == reverse("timebank:exchange", args=[community.slug, exchange.pk])


def test_a_kind_no_longer_registered_reads_as_a_plain_line(client_for, community, member):
    note(member, kind="retired.kind", context={"anything": "x"})

    html = inbox_of(client_for, member)

    assert "A notification about something in Calder Vale Timebank" in html


def test_unread_is_marked_in_words_and_read_is_said_to_screen_readers(client_for, member):
    unread = note(member, ago=HOUR)
    read = note(member, ago=2 * HOUR, read=True)

    html = inbox_of(client_for, member)
    entries = dict(
        zip(
            shown_ids(html),
            re.split(r'<li class="card" id="notification-\d+">', html)[1:],
            strict=True,
        )
    )

    assert '<strong class="tag tag--yellow">Unread</strong>' in entries[unread.pk]
    assert "Mark as read" in entries[unread.pk]
    assert "Unread" not in entries[read.pk]
    assert '<span class="visually-hidden">Read: </span>' in entries[read.pk]
    assert "Mark as read" not in entries[read.pk]


def test_an_empty_inbox_says_so(client_for, member):
    html = inbox_of(client_for, member)

    assert "You have no notifications yet." in html
    assert "Mark all as read" not in html


# Opening and marking read -------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_its_thing(client_for, community, member):
    n = note(member, url="/c/calder-vale/timebank/")

    response = client_for(member).get(reverse("notifications:open", args=[community.slug, n.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/c/calder-vale/timebank/"
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize(
    "stored",
    ["https://evil.example/", "//evil.example/steal", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_opening_one_whose_link_is_not_a_path_here_goes_to_the_inbox(
    client_for, community, member, stored
):
    n = note(member, url=stored)

    response = client_for(member).post(reverse("notifications:open", args=[community.slug, n.pk]))

    assert response.status_code == 302
    assert response["Location"] == inbox_url(community)


@pytest.mark.parametrize("action", ["open", "read"])
def test_someone_elses_notification_cannot_be_opened_or_marked(
    client_for, community, member, neighbour, outsider, action
):
    theirs = note(neighbour)
    elsewhere = note(outsider)

    for n in (theirs, elsewhere):
        response = client_for(member).post(
            reverse(f"notifications:{action}", args=[community.slug, n.pk])
        )
        assert response.status_code == 404
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_marking_one_read_leaves_the_rest_unread_and_returns_to_the_page(
    client_for, community, member
):
    one = note(member)
    other = note(member)

    response = client_for(member).post(
        reverse("notifications:read", args=[community.slug, one.pk]),
        {"next": inbox_url(community) + "?page=1"},
    )

    assert response.status_code == 302
    assert response["Location"] == inbox_url(community) + "?page=1"
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.read_at is not None
    assert other.read_at is None


def test_marking_read_is_a_post(client_for, community, member):
    n = note(member)

    response = client_for(member).get(reverse("notifications:read", args=[community.slug, n.pk]))

    assert response.status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_as_read_marks_only_the_askers_own_in_this_community(
    client_for, community, other_community, member, neighbour
):
    there = Person.objects.create(
        community=other_community,
        membership=Membership.objects.create(
            community=other_community, user=member.membership.user
        ),
        display_name="Same Person",
    )
    mine = [note(member), note(member)]
    theirs = note(neighbour)
    mine_elsewhere = note(there)

    response = client_for(member).post(
        reverse("notifications:read_all", args=[community.slug]), follow=True
    )

    assert "2 notifications marked as read." in response.content.decode()
    assert all(
        n.read_at is not None for n in Notification.objects.filter(pk__in=[m.pk for m in mine])
    )
    theirs.refresh_from_db()
    mine_elsewhere.refresh_from_db()
    assert theirs.read_at is None
    assert mine_elsewhere.read_at is None


def test_mark_all_as_read_is_a_post(client_for, community, member):
    n = note(member)

    response = client_for(member).get(reverse("notifications:read_all", args=[community.slug]))

    assert response.status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


@pytest.mark.parametrize("name", ["inbox", "read_all", "open", "read"])
def test_anonymous_visitors_are_sent_to_log_in(client, community, member, name):
    n = note(member)
    args = [community.slug] if name in ("inbox", "read_all") else [community.slug, n.pk]

    response = client.post(reverse(f"notifications:{name}", args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    n.refresh_from_db()
    assert n.read_at is None


def test_someone_from_another_community_cannot_open_the_inbox(client_for, community, outsider):
    response = client_for(outsider).get(inbox_url(community))

    assert response.status_code == 403


# The header's count and the home page -------------------------------------------------------


def header_link(html: str) -> str:
    found = re.search(r'<a href="[^"]*/notifications/" class="header__link">(.*?)</a>', html, re.S)
    assert found is not None, "no notifications link in the header"
    # What a screen reader says: the hidden words in, the ")" shown only to the eye out.
    heard = re.sub(r'<span aria-hidden="true">.*?</span>', "", found.group(1))
    return re.sub(r"<[^>]+>", "", heard)


def test_the_header_counts_the_members_unread_notifications_here(
    client_for, community, member, neighbour, outsider
):
    note(member)
    note(member)
    note(member, read=True)
    note(neighbour)
    note(outsider)

    response = client_for(member).get(reverse("timebank:listings", args=[community.slug]))

    assert header_link(response.content.decode()) == "Notifications (2 unread)"


def test_the_header_says_nought_when_everything_is_read(client_for, community, member):
    note(member, read=True)

    response = client_for(member).get(reverse("timebank:listings", args=[community.slug]))

    assert header_link(response.content.decode()) == "Notifications (0 unread)"


def notification_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]


@pytest.mark.parametrize("page", ["timebank:listings", "web:community_home"])
def test_a_page_asks_for_the_count_once(client_for, community, member, page):
    for _ in range(3):
        note(member)
    client = client_for(member)

    found = notification_queries(client, reverse(page, args=[community.slug]))

    assert len(found) == 1
    assert "COUNT(" in found[0].upper()


def test_the_home_page_says_how_many_notifications_are_new_and_links_to_the_inbox(
    client_for, community, member, neighbour
):
    note(member)
    note(member)
    note(member, read=True)
    note(neighbour)

    html = client_for(member).get(reverse("web:community_home", args=[community.slug]))

    assert f'<li><a href="{inbox_url(community)}">2 new notifications</a></li>' in (
        html.content.decode()
    )


def test_the_home_page_has_no_notifications_line_when_all_are_read(client_for, community, member):
    note(member, read=True)

    html = client_for(member).get(reverse("web:community_home", args=[community.slug]))

    assert "new notification" not in html.content.decode()


def test_confirming_the_hours_marks_their_notification_read(
    client_for, community, member, neighbour
):
    """Acting on the thing deals with its notification: the count falls without a visit."""
    timebank.categories_seed(community=community)
    exchange = timebank.exchange_record(
        access=access_for(neighbour.membership.user, community),
        other_id=member.pk,
        i_gave=True,
        minutes=60,
        happened_on=timezone.localdate() - timedelta(days=1),
        description="Shopping",
    )
    home = reverse("web:community_home", args=[community.slug])
    assert "1 new notification<" in client_for(member).get(home).content.decode()

    timebank.exchange_confirm(
        access=access_for(member.membership.user, community), exchange=exchange
    )

    assert "new notification" not in client_for(member).get(home).content.decode()
    assert "1 new notification<" in client_for(neighbour).get(home).content.decode()


# Queries ------------------------------------------------------------------------------------


def test_the_inbox_costs_the_same_queries_for_one_notification_or_twenty(
    client_for, community, member, neighbour, coordinator, django_assert_num_queries
):
    client = client_for(member)
    note(member, actor=neighbour)
    client.get(inbox_url(community))  # warm the caches
    with CaptureQueriesContext(connection) as one:
        client.get(inbox_url(community))
    for i in range(19):
        note(member, actor=coordinator if i % 2 else neighbour, read=bool(i % 3))

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(inbox_url(community))

    assert len(shown_ids(response.content.decode())) == 20


def test_a_coordinator_sees_only_their_own_notifications_not_their_members(
    client_for, community, member, make_member
):
    coordinator = make_member(community, roles=[Role.COORDINATOR])
    note(member)

    assert shown_ids(inbox_of(client_for, coordinator)) == []


def test_the_inbox_leads_to_choosing_how_one_hears(client_for, community, member):
    preferences = reverse("notifications:preferences", args=[community.slug])

    html = inbox_of(client_for, member)

    assert f'<a href="{preferences}">Choose how you hear about these' in html
    assert client_for(member).get(preferences).status_code == 200
