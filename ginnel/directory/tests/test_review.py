"""Coordinators review entries; entries unreviewed for 12 months are flagged, editors reminded."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.directory.models import DirectoryAction, Service, ServiceStatus
from ginnel.directory.services.editing import reviews_remind
from ginnel.directory.tests.test_editing_helpers import make_org, make_service, snapshot

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def entries(community, org_editor, coordinator, make_member):
    """Two organisations with editors, one without, and entries of every review age."""
    now = timezone.now()
    colleague = make_member(
        community, roles=[Role.ORG_EDITOR], name="Col League", email="col@example.org"
    )
    age_uk = make_org(community, "Age UK Calderdale", editors=[org_editor, colleague])
    library = make_org(community, "Hebble End Library", editors=[org_editor])
    orphan = make_org(community, "Nobody's Club")
    return {
        "never": make_service(age_uk, "Lunch club"),
        "two_years": make_service(
            age_uk, "Friendly walks", last_reviewed=now - 730 * DAY, reviewed_by=coordinator
        ),
        "thirteen_months": make_service(library, "Books on wheels", last_reviewed=now - 400 * DAY),
        "recent": make_service(library, "Digital drop-in", last_reviewed=now - 30 * DAY),
        "defunct": make_service(age_uk, "Old club", status=ServiceStatus.DEFUNCT),
        "orphan": make_service(orphan, "Knit and natter"),
        "editors": (org_editor, colleague),
    }


def test_the_queue_lists_entries_due_never_reviewed_first_then_the_oldest(
    client_for, community, coordinator, entries
):
    page = client_for(coordinator).get(reverse("directory:review_queue", args=[community.slug]))

    listed = [s.name for s in page.context["page"]]
    # Never-reviewed entries (by name), then the longest since a review.
    assert listed == [
        entries["orphan"].name,
        entries["never"].name,
        entries["two_years"].name,
        entries["thirteen_months"].name,
    ]
    assert entries["recent"].name not in page.content.decode()


def test_reviewed_still_correct_takes_an_entry_off_the_queue_and_says_who(
    client_for, community, coordinator, entries
):
    walks = entries["two_years"]
    client = client_for(coordinator)

    response = client.post(
        reverse("directory:manage_service_reviewed", args=[community.slug, walks.pk]),
        {"next": "queue"},
    )

    assert response["Location"] == reverse("directory:review_queue", args=[community.slug])
    walks.refresh_from_db()
    assert walks.reviewed_by == coordinator
    assert timezone.now() - walks.last_reviewed < timedelta(minutes=1)
    assert walks.version == 1  # a review changes no content
    queue = client.get(reverse("directory:review_queue", args=[community.slug]))
    assert walks.name not in [s.name for s in queue.context["page"]]
    action = DirectoryAction.objects.get(verb="service.review")
    assert (action.actor, action.subject_id) == (coordinator, walks.uuid)


def test_an_editor_can_confirm_their_own_entry(client_for, community, org_editor, entries):
    lunch = entries["never"]

    client_for(org_editor).post(
        reverse("directory:manage_service_reviewed", args=[community.slug, lunch.pk])
    )

    lunch.refresh_from_db()
    assert lunch.reviewed_by == org_editor


def test_the_review_queue_is_for_coordinators(
    client_for, community, org_editor, member, outsider, entries
):
    url = reverse("directory:review_queue", args=[community.slug])
    for person in (org_editor, member, outsider):
        assert client_for(person).get(url).status_code == 403


def test_someone_without_an_editing_role_cannot_mark_an_entry_reviewed(
    client_for, community, member, link_worker, outsider, entries
):
    url = reverse("directory:manage_service_reviewed", args=[community.slug, entries["never"].pk])
    before = snapshot()

    for person in (member, link_worker, outsider):
        assert client_for(person).post(url).status_code == 403
    assert client_for(None).post(url).status_code == 302

    assert snapshot() == before


def test_the_queue_page_does_not_query_per_entry(
    client_for, community, coordinator, entries, django_assert_max_num_queries
):
    age_uk = entries["never"].organization
    for n in range(30):
        make_service(age_uk, f"Extra entry {n}")
    client = client_for(coordinator)
    url = reverse("directory:review_queue", args=[community.slug])
    client.get(url)  # session and community settle

    with django_assert_max_num_queries(12):
        page = client.get(url)

    assert len(page.context["page"]) == 34


# Reminders -----------------------------------------------------------------------------------


def test_editors_are_emailed_once_about_their_organisations_overdue_entries(
    community, entries, django_capture_on_commit_callbacks
):
    editor, colleague = entries["editors"]
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_reviews", stdout=out)

    # Age UK has two editors; the library one; the club without editors is left to coordinators.
    subject = "Please check {}'s entries in the {} directory"
    age_uk, library = entries["never"].organization, entries["thirteen_months"].organization
    by_recipient = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert by_recipient == sorted(
        [
            (colleague.contact_email, subject.format(age_uk.name, community.name)),
            (editor.contact_email, subject.format(age_uk.name, community.name)),
            (editor.contact_email, subject.format(library.name, community.name)),
        ]
    )
    assert out.getvalue().strip() == "Sent 3 reminders."
    age_uk_mail = next(m for m in mail.outbox if m.to == [colleague.contact_email])
    assert entries["never"].name in age_uk_mail.body
    assert entries["two_years"].name in age_uk_mail.body
    assert entries["defunct"].name not in age_uk_mail.body
    library_mail = next(m for m in mail.outbox if "Library" in m.subject)
    assert entries["thirteen_months"].name in library_mail.body
    assert entries["recent"].name not in library_mail.body
    reminded = set(
        Service.objects.filter(review_reminded_at__isnull=False).values_list("name", flat=True)
    )
    assert reminded == {
        entries["never"].name,
        entries["two_years"].name,
        entries["thirteen_months"].name,
    }
    assert DirectoryAction.objects.filter(verb="review.remind").count() == 2


def test_editors_are_not_reminded_again_within_30_days(entries, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = reviews_remind(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        soon = reviews_remind(now=now + 29 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        later = reviews_remind(now=now + 31 * DAY)

    assert (first, soon, later) == (3, 0, 3)
    assert len(mail.outbox) == 6


def test_an_entry_reviewed_after_a_reminder_is_not_mentioned_again(
    client_for, community, org_editor, entries, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        reviews_remind(now=now)
    for key in ("never", "two_years"):
        client_for(org_editor).post(
            reverse("directory:manage_service_reviewed", args=[community.slug, entries[key].pk])
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reviews_remind(now=now + 31 * DAY)

    assert [m.subject for m in mail.outbox] == [
        "Please check Hebble End Library's entries in the Calder Vale Timebank directory"
    ]
