"""What the directory tells people: entries due for review, and a feed that would not import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.directory.services.editing import reviews_remind
from ginnel.directory.services.importing import ImportFailed, directory_import
from ginnel.directory.tests.test_editing_helpers import make_org, make_service
from ginnel.errors import GinnelError
from ginnel.notifications.kinds import get
from ginnel.notifications.models import Notification
from ginnel.testing.data import SHARED_DATA

pytestmark = pytest.mark.django_db

REVIEW_DUE = "directory.review_due"
FEED_FAILED = "directory.feed_failed"
DAY = timedelta(days=1)
CORRUPTED = Path(__file__).resolve().parent / "data" / "ilao-corrupted"
GOOD = SHARED_DATA / "oruk-3.0" / "examples" / "service_full.json"


def told(kind):
    return set(
        Notification.objects.filter(kind=kind).values_list("recipient__display_name", flat=True)
    )


@pytest.fixture
def everyone(coordinator, administrator, org_editor, link_worker, member, analyst, outsider):
    """Every role here, and an administrator of another community."""


@pytest.fixture
def orgs(community, org_editor, make_member):
    now = timezone.now()
    colleague = make_member(community, roles=[Role.ORG_EDITOR], name="Col League")
    other_editor = make_member(community, roles=[Role.ORG_EDITOR], name="Ned Otheredit")
    age_uk = make_org(community, "Age UK Calderdale", editors=[org_editor, colleague])
    library = make_org(community, "Hebble End Library", editors=[other_editor])
    make_service(age_uk, "Lunch club")
    make_service(age_uk, "Friendly walks", last_reviewed=now - 400 * DAY)
    make_service(library, "Digital drop-in", last_reviewed=now - 30 * DAY)
    return {"age_uk": age_uk, "colleague": colleague, "other_editor": other_editor}


# Review due ------------------------------------------------------------------------------------


def test_an_organisations_editors_are_told_of_its_entries_due_and_no_one_else(
    everyone, orgs, org_editor
):
    reviews_remind()

    # The library's only entry was checked a month ago: its editor hears nothing.
    assert told(REVIEW_DUE) == {org_editor.display_name, orgs["colleague"].display_name}
    entry = Notification.objects.filter(kind=REVIEW_DUE).first()
    assert entry.context["organisation"] == "Age UK Calderdale"
    assert entry.context["count"] == 2
    assert "Lunch club" in entry.context["entries"]
    assert "Friendly walks" in entry.context["entries"]
    assert "Digital drop-in" not in entry.context["entries"]


def test_reminding_twice_the_same_day_tells_once(everyone, orgs):
    now = timezone.now()
    reviews_remind(now=now)
    reviews_remind(now=now)

    assert Notification.objects.filter(kind=REVIEW_DUE).count() == 2  # two editors, once each


def test_the_inbox_line_counts_the_entries(everyone, orgs, org_editor):
    reviews_remind()
    entry = Notification.objects.get(kind=REVIEW_DUE, recipient=org_editor)

    title = render_to_string(f"{get(REVIEW_DUE).templates}/title.txt", entry.context).strip()

    assert title == "Age UK Calderdale: 2 directory entries due for review"


def test_review_reminders_go_to_the_inbox_and_leave_email_to_the_reminder_itself():
    # reviews_remind still emails editors itself; a second email by default would repeat it.
    assert get(REVIEW_DUE).defaults == {}


# A feed that fails -----------------------------------------------------------------------------


def test_a_refused_feed_tells_coordinators_and_administrators_and_no_one_else(
    everyone, community, coordinator, administrator
):
    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=CORRUPTED)

    assert told(FEED_FAILED) == {coordinator.display_name, administrator.display_name}
    entry = Notification.objects.filter(kind=FEED_FAILED).first()
    assert entry.context["source"] == "ilao-corrupted"
    assert entry.context["problems"] == len(failed.value.problems)


def test_a_feed_failing_again_the_same_day_is_told_once(everyone, community):
    for _ in range(2):
        with pytest.raises(ImportFailed):
            directory_import(community=community, path=CORRUPTED)

    assert Notification.objects.filter(kind=FEED_FAILED).count() == 2  # two people, once each


def test_a_feed_that_cannot_be_read_is_told_too(everyone, community, tmp_path, coordinator):
    nothing = tmp_path / "not-a-feed.txt"
    nothing.write_text("hello", encoding="utf-8")

    with pytest.raises(GinnelError):
        directory_import(community=community, path=nothing)

    assert coordinator.display_name in told(FEED_FAILED)


def test_a_good_feed_tells_no_one(everyone, community):
    directory_import(community=community, path=GOOD)

    assert not Notification.objects.filter(kind=FEED_FAILED).exists()


def test_a_feed_failing_in_another_community_is_not_told_here(
    everyone, other_community, coordinator, outsider
):
    with pytest.raises(ImportFailed):
        directory_import(community=other_community, path=CORRUPTED)

    assert told(FEED_FAILED) == {outsider.display_name}
