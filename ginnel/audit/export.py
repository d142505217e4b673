"""Everything Ginnel holds about one person in one community, as plain data.

:func:`subject_access` answers a subject access request (UK GDPR article 15):
it returns a dict of sections, each a list or dict of JSON-able values, which
the views write out as a data file or a readable page.

The rules it keeps:

- Every model that points at a :class:`Person` or a :class:`Membership` is
  either exported by a named section (:data:`COVERED`) or left out with a
  written reason (:data:`EXCLUDED`). ``tests/test_coverage.py`` walks the
  models and fails when a new one is in neither, so nothing a person's data
  lives in can be forgotten.
- Other people appear by display name only: never their email, phone, or
  address, nor their ids.
- Only rows of this person's community are read.

Reading is not recording: the caller (``services.export_make``) writes the
:class:`ExportRecord` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q

from ginnel.audit.models import ExportRecord
from ginnel.communities.models import CommunityEvent, Invitation, Membership
from ginnel.directory.models import Organization, SavedService
from ginnel.matching.models import Block, Dismissal, Introduction
from ginnel.notifications.models import ContactSettings, Notification, Preference
from ginnel.people.models import (
    CoachNote,
    Consent,
    Goal,
    Person,
    StrengthsProfile,
    StrengthsReview,
)
from ginnel.referrals.models import Referral, ReferralRead, Referrer
from ginnel.timebank.models import Account, Exchange, Listing, Safeguarding, TimebankAction

# The sections of an export, in the order a reader meets them.
SECTIONS: tuple[str, ...] = (
    "about",
    "person",
    "membership",
    "strengths",
    "goals",
    "coach_notes",
    "consents",
    "safeguarding",
    "listings",
    "exchanges",
    "ledger",
    "timebank_history",
    "matching",
    "saved_services",
    "organisations_edited",
    "referrals",
    "referrer_records",
    "notifications",
    "notification_preferences",
    "contact_settings",
    "community_history",
    "reads_of_sensitive_records",
    "exports",
)

# "app_label.Model.field" that points at a Person or Membership -> the section exporting its rows.
COVERED: dict[str, str] = {
    "people.Person.membership": "person",
    "communities.RoleGrant.membership": "membership",
    "communities.Invitation.membership": "membership",
    "communities.CommunityEvent.subject": "community_history",
    "people.StrengthsProfile.person": "strengths",
    "people.StrengthsReview.person": "strengths",
    "people.Goal.person": "goals",
    "people.CoachNote.person": "coach_notes",
    "people.Consent.person": "consents",
    "timebank.Safeguarding.person": "safeguarding",
    "timebank.Listing.owner": "listings",
    "timebank.Exchange.giver": "exchanges",
    "timebank.Exchange.receiver": "exchanges",
    "timebank.Account.person": "ledger",
    "timebank.TimebankAction.person": "timebank_history",
    "matching.Block.person": "matching",
    "matching.Dismissal.person": "matching",
    "matching.Introduction.person": "matching",
    "matching.Introduction.other": "matching",
    "directory.SavedService.person": "saved_services",
    "directory.Organization.editors": "organisations_edited",
    "referrals.Referral.person": "referrals",
    "referrals.Referrer.membership": "referrer_records",
    "notifications.Notification.recipient": "notifications",
    "notifications.Preference.person": "notification_preferences",
    "notifications.ContactSettings.person": "contact_settings",
    "referrals.ReferralRead.person": "reads_of_sensitive_records",
    "audit.ExportRecord.whose": "exports",
}

_ACTOR = (
    "Who did something; the row is about someone else and is exported, with this "
    "person's display name, in that person's own section."
)

# "app_label.Model.field" left out of the export -> why.
EXCLUDED: dict[str, str] = {
    "communities.Membership.decided_by": _ACTOR,
    "communities.RoleGrant.granted_by": _ACTOR,
    "communities.Invitation.invited_by": _ACTOR,
    "communities.CommunityEvent.actor": _ACTOR,
    "people.Goal.coach": _ACTOR + " (the coach of another person's goal)",
    "people.GoalEvent.actor": _ACTOR,
    "people.CoachNote.author": _ACTOR + " (notes written about others)",
    "people.Consent.recorded_by": _ACTOR,
    "timebank.Transfer.created_by": _ACTOR
    + " Transfers touching this person's account are in 'ledger'.",
    "timebank.Exchange.proposed_by": "Always the giver or the receiver: in 'exchanges'.",
    "timebank.Exchange.claimed_by": "Always the giver or the receiver: in 'exchanges'.",
    "timebank.Exchange.acting_by": _ACTOR,
    "timebank.Exchange.claim_declined_by": "Always the giver or the receiver: in 'exchanges'.",
    "timebank.Safeguarding.vetted_by": _ACTOR,
    "timebank.TimebankAction.actor": _ACTOR,
    "directory.Service.reviewed_by": _ACTOR + " (reviews of public directory entries)",
    "directory.Event.created_by": "Public directory events, published for everyone to see.",
    "directory.DirectoryAction.actor": _ACTOR + " (edits to public directory entries)",
    "directory.SavedService.saved_by": _ACTOR,
    "matching.Block.blocked": (
        "Who blocked this person is the blocker's own safety record; telling the "
        "blocked person would put the blocker at risk (third-party exemption)."
    ),
    "matching.Introduction.requested_by": _ACTOR,
    "matching.Introduction.decided_by": _ACTOR,
    "referrals.Referral.link_worker": _ACTOR + " (a link worker's caseload)",
    "referrals.ReferralEvent.actor": _ACTOR,
    "referrals.FollowUp.scheduled_by": _ACTOR,
    "referrals.FollowUp.done_by": _ACTOR,
    "referrals.Connection.made_by": _ACTOR,
    "referrals.Administration.recorded_by": _ACTOR,
    "referrals.ReferralRead.reader": _ACTOR + " (what a member of staff read about others)",
    "referrals.IntakeToken.issued_by": _ACTOR + " (API keys for referring organisations)",
    "referrals.IntakeToken.revoked_by": _ACTOR + " (API keys for referring organisations)",
    "notifications.Notification.actor": _ACTOR,
    "notifications.Preference.set_by": _ACTOR,
    "notifications.ContactSettings.set_by": _ACTOR,
    "audit.ExportRecord.by": _ACTOR + " (exports a member of staff made about others)",
}


def plain(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO 8601, decimals as strings."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _row(obj: Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in names}


def _name(person: Person | None) -> str | None:
    return person.display_name if person is not None else None


def _member_name(membership: Membership | None) -> str | None:
    if membership is None:
        return None
    # Callers load ``<field>__person`` with select_related, so this asks the database nothing.
    try:
        return membership.person.display_name
    except Person.DoesNotExist:
        return None


def _about(person: Person) -> dict[str, Any]:
    return {
        "community": person.community.name,
        "display_name": person.display_name,
        "made_at": None,  # filled in by the caller, so the data itself is deterministic
    }


def _person(person: Person) -> dict[str, Any]:
    data = _row(
        person,
        ["display_name", "contact_method", "contact_email", "phone", "contact_times"],
    )
    data["neighbourhood"] = person.neighbourhood.name if person.neighbourhood else None
    data["created_at"] = plain(person.created_at)
    data["updated_at"] = plain(person.updated_at)
    return data


def _membership(person: Person) -> dict[str, Any] | None:
    membership = (
        Membership.objects.filter(pk=person.membership_id)
        .select_related("user", "decided_by__person")
        .first()
    )
    if membership is None:
        return None
    user = membership.user
    invitations = (
        Invitation.objects.filter(membership=membership)
        .select_related("invited_by__person")
        .order_by("created_at")
    )
    return {
        "login_email": user.email if user is not None else None,
        "email_verified": getattr(user, "email_verified", None),
        "status": membership.status,
        "application_message": membership.application_message,
        "joined_at": plain(membership.created_at),
        "decided_at": plain(membership.decided_at),
        "decided_by": _member_name(membership.decided_by),
        "roles": [
            {
                "role": grant.role,
                "granted_at": plain(grant.granted_at),
                "granted_by": _member_name(grant.granted_by),
            }
            for grant in membership.grants.select_related("granted_by__person").order_by(
                "granted_at"
            )
        ],
        "invitations": [
            {
                "email": invitation.email,
                "invited_by": _member_name(invitation.invited_by),
                "created_at": plain(invitation.created_at),
                "accepted_at": plain(invitation.accepted_at),
            }
            for invitation in invitations
        ],
    }


def _strengths(person: Person) -> dict[str, Any]:
    profile = StrengthsProfile.objects.filter(person=person).first()
    profile_fields = [
        "skills_own_words",
        "interests",
        "matters",
        "hopes",
        "help_wanted",
        "access_needs",
        "access_other",
        "peer_topics",
        "share_skills",
        "share_interests",
        "share_neighbourhood",
        "steps_done",
        "started_at",
        "completed_at",
    ]
    return {
        "profile": _row(profile, profile_fields) if profile is not None else None,
        "reviews": [
            _row(review, ["answers", "goals_reached", "at"])
            for review in StrengthsReview.objects.filter(person=person).order_by("at")
        ],
    }


def _goals(person: Person) -> list[dict[str, Any]]:
    goals = (
        Goal.objects.filter(person=person)
        .select_related("coach__person")
        .prefetch_related("steps", "events__actor__person")
        .order_by("created_at", "pk")
    )
    return [
        {
            **_row(goal, ["title", "why", "status", "helpers", "created_at", "reached_at"]),
            "coach": _member_name(goal.coach),
            "steps": [
                _row(step, ["text", "due_on", "done_at", "created_at"])
                for step in sorted(goal.steps.all(), key=lambda s: (s.created_at, s.pk))
            ],
            "history": [
                {
                    **_row(event, ["action", "text", "detail", "at"]),
                    "by": _member_name(event.actor),
                }
                for event in sorted(goal.events.all(), key=lambda e: (e.at, e.pk))
            ],
        }
        for goal in goals
    ]


def _coach_notes(person: Person) -> list[dict[str, Any]]:
    return [
        {**_row(note, ["text", "at"]), "by": _member_name(note.author)}
        for note in CoachNote.objects.filter(person=person)
        .select_related("author__person")
        .order_by("at", "pk")
    ]


def _consents(person: Person) -> list[dict[str, Any]]:
    return [
        {
            **_row(consent, ["purpose", "organisation", "given_at", "withdrawn_at"]),
            "recorded_by": _member_name(consent.recorded_by),
        }
        for consent in Consent.objects.filter(person=person)
        .select_related("recorded_by__person")
        .order_by("given_at", "pk")
    ]


def _safeguarding(person: Person) -> dict[str, Any] | None:
    record = Safeguarding.objects.filter(person=person).select_related("vetted_by__person").first()
    if record is None:
        return None
    return {
        **_row(record, ["vetted_on", "checks", "needs_support"]),
        "vetted_by": _member_name(record.vetted_by),
    }


def _listings(person: Person) -> list[dict[str, Any]]:
    fields = [
        "kind",
        "title",
        "description",
        "at_my_home",
        "at_your_home",
        "in_public",
        "online",
        "by_phone",
        "availability",
        "expires_on",
        "status",
        "created_at",
    ]
    return [
        {**_row(listing, fields), "categories": [c.name for c in listing.categories.all()]}
        for listing in Listing.objects.filter(owner=person)
        .prefetch_related("categories")
        .order_by("created_at", "pk")
    ]


def _exchanges(person: Person) -> list[dict[str, Any]]:
    exchanges = (
        Exchange.objects.filter(Q(giver=person) | Q(receiver=person))
        .select_related("giver", "receiver", "listing", "category", "acting_by", "thank_you")
        .order_by("created_at", "pk")
    )
    rows = []
    for exchange in exchanges:
        thank_you = getattr(exchange, "thank_you", None)
        rows.append(
            {
                "role": "gave" if exchange.giver_id == person.pk else "received",
                "giver": _name(exchange.giver),
                "receiver": _name(exchange.receiver),
                "listing": exchange.listing.title if exchange.listing else None,
                "category": exchange.category.name if exchange.category else None,
                **_row(
                    exchange,
                    [
                        "description",
                        "message",
                        "where",
                        "state",
                        "minutes",
                        "happened_on",
                        "claim_declined_minutes",
                        "claim_declined_reason",
                        "created_at",
                        "updated_at",
                    ],
                ),
                "recorded_by": _name(exchange.acting_by),
                "thank_you": (
                    _row(thank_you, ["text", "show_on_profile", "created_at"])
                    if thank_you is not None
                    else None
                ),
            }
        )
    return rows


def _ledger(person: Person) -> dict[str, Any] | None:
    account = Account.objects.filter(person=person).first()
    if account is None:
        return None
    entries = account.entries.select_related("transfer").order_by("created_at", "pk")
    return {
        **_row(account, ["kind", "name", "balance", "created_at"]),
        "balance_unit": "minutes",
        "entries": [
            {
                "minutes": entry.minutes,
                "at": plain(entry.created_at),
                "kind": entry.transfer.kind,
                "description": entry.transfer.description,
                "happened_on": plain(entry.transfer.happened_on),
                "reason": entry.transfer.reason,
            }
            for entry in entries
        ],
    }


def _timebank_history(person: Person) -> list[dict[str, Any]]:
    return [
        {**_row(action, ["action", "at"]), "by": _member_name(action.actor)}
        for action in TimebankAction.objects.filter(person=person)
        .select_related("actor__person")
        .order_by("at", "pk")
    ]


def _matching(person: Person) -> dict[str, Any]:
    asked = Introduction.objects.filter(person=person).select_related("other")
    about = Introduction.objects.filter(other=person).select_related("person")
    return {
        "blocked_by_you": [
            {"blocked": _name(block.blocked), "at": plain(block.at)}
            for block in Block.objects.filter(person=person)
            .select_related("blocked")
            .order_by("at", "pk")
        ],
        "dismissed_suggestions": [
            _row(dismissal, ["kind", "label", "at"])
            for dismissal in Dismissal.objects.filter(person=person).order_by("at", "pk")
        ],
        "introductions_for_you": [
            {
                "with": _name(intro.other),
                **_row(intro, ["kind", "reasons", "note", "state", "at", "decided_at"]),
            }
            for intro in asked.order_by("at", "pk")
        ],
        # The other side of someone else's introduction: who and what became of it only.
        "introductions_to_you": [
            {"from": _name(intro.person), **_row(intro, ["state", "at", "decided_at"])}
            for intro in about.order_by("at", "pk")
        ],
    }


def _saved_services(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "service": saved.service.name,
            "saved_at": plain(saved.saved_at),
            "saved_by": _name(saved.saved_by),
        }
        for saved in SavedService.objects.filter(person=person)
        .select_related("service", "saved_by")
        .order_by("saved_at", "pk")
    ]


def _organisations_edited(person: Person) -> list[str]:
    return list(
        Organization.objects.filter(editors=person).order_by("name").values_list("name", flat=True)
    )


_REFERRAL_FIELDS = [
    "contact_by",
    "phone",
    "email",
    "address",
    "carer_name",
    "carer_relationship",
    "contact_notes",
    "what_matters",
    "urgency",
    "risks",
    "accessibility_needs",
    "language",
    "interpreter_needed",
    "consent_statement",
    "consent_given_on",
    "state",
    "received_at",
    "accepted_at",
    "first_contact_at",
    "first_conversation_at",
    "finished_at",
    "outcome",
    "failed_contacts",
    "next_follow_up_on",
    "external_system",
    "external_id",
]


def _referrals(person: Person) -> list[dict[str, Any]]:
    referrals = (
        Referral.objects.filter(person=person)
        .select_related("referrer", "organisation", "link_worker__person")
        .prefetch_related(
            "events__actor__person",
            "events__actor_referrer",
            "follow_ups",
            "connections",
            "administrations__questionnaire",
            "administrations__answers",
            "reason_links__reason",
        )
        .order_by("received_at", "pk")
    )
    rows = []
    for referral in referrals:
        referrer = referral.referrer
        rows.append(
            {
                **_row(referral, _REFERRAL_FIELDS),
                # The carer's phone number is theirs, not the person's: left out.
                "referred_by": referrer.name if referrer is not None else None,
                "referred_by_job": referrer.job_title if referrer is not None else None,
                "organisation": referral.organisation.name if referral.organisation else None,
                "link_worker": _member_name(referral.link_worker),
                "reasons": [link.reason.label for link in referral.reason_links.all()],
                "events": [
                    {
                        **_row(
                            event,
                            ["kind", "at", "happened_on", "state_from", "state_to", "text"],
                        ),
                        "facts": plain(event.detail),
                        "by": _member_name(event.actor)
                        or (event.actor_referrer.name if event.actor_referrer else None),
                    }
                    for event in sorted(referral.events.all(), key=lambda e: (e.at, e.pk))
                ],
                "follow_ups": [
                    _row(f, ["due_on", "purpose", "scheduled_at", "done_at"])
                    for f in sorted(referral.follow_ups.all(), key=lambda f: (f.due_on, f.pk))
                ],
                "connections": [
                    _row(
                        c,
                        [
                            "kind",
                            "target_label",
                            "suggested_because",
                            "made_at",
                            "outcome",
                            "outcome_at",
                        ],
                    )
                    for c in sorted(referral.connections.all(), key=lambda c: (c.made_at, c.pk))
                ],
                "questionnaires": [
                    {
                        "questionnaire": a.questionnaire.title,
                        **_row(a, ["occasion", "answered_by", "answered_at", "scores"]),
                        "answers": {
                            answer.item: answer.value
                            for answer in sorted(a.answers.all(), key=lambda x: x.pk)
                        },
                    }
                    for a in sorted(
                        referral.administrations.all(), key=lambda a: (a.answered_at, a.pk)
                    )
                ],
            }
        )
    return rows


def _referrer_records(person: Person) -> list[dict[str, Any]]:
    if person.membership is None:
        return []
    return [
        _row(r, ["kind", "name", "job_title", "email", "phone", "created_at"])
        for r in Referrer.objects.filter(membership=person.membership).order_by("created_at")
    ]


def _notifications(person: Person) -> list[dict[str, Any]]:
    return [
        {
            **_row(n, ["kind", "context", "created_at", "read_at"]),
            "deliveries": [
                _row(d, ["channel", "status", "sent_at"])
                for d in sorted(n.deliveries.all(), key=lambda d: d.pk)
            ],
        }
        for n in Notification.objects.filter(recipient=person)
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    ]


def _preferences(person: Person) -> list[dict[str, Any]]:
    return [
        _row(p, ["kind", "channel", "frequency", "updated_at"])
        for p in Preference.objects.filter(person=person).order_by("kind", "channel")
    ]


def _contact_settings(person: Person) -> dict[str, Any] | None:
    settings = ContactSettings.objects.filter(person=person).first()
    if settings is None:
        return None
    return _row(
        settings,
        ["quiet_from", "quiet_until", "email", "phone", "letter_name", "letter_address"],
    )


def _community_history(person: Person) -> list[dict[str, Any]]:
    if person.membership is None:
        return []
    return [
        {**_row(e, ["action", "at"]), "by": _member_name(e.actor)}
        for e in CommunityEvent.objects.filter(subject=person.membership)
        .select_related("actor__person")
        .order_by("at", "pk")
    ]


def _reads(person: Person) -> list[dict[str, Any]]:
    return [
        {"who": _member_name(read.reader), "what": read.what, "at": plain(read.at)}
        for read in ReferralRead.objects.filter(person=person)
        .select_related("reader__person")
        .order_by("at", "pk")
    ]


def _exports(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "by": _member_name(record.by),
            "reason": record.reason,
            "format": record.format,
            "at": plain(record.at),
        }
        for record in ExportRecord.objects.filter(whose=person)
        .select_related("by__person")
        .order_by("at", "pk")
    ]


def subject_access(person: Person) -> dict[str, Any]:
    """Everything held about ``person`` in their community, section by section."""
    data: dict[str, Any] = {
        "about": _about(person),
        "person": _person(person),
        "membership": _membership(person),
        "strengths": _strengths(person),
        "goals": _goals(person),
        "coach_notes": _coach_notes(person),
        "consents": _consents(person),
        "safeguarding": _safeguarding(person),
        "listings": _listings(person),
        "exchanges": _exchanges(person),
        "ledger": _ledger(person),
        "timebank_history": _timebank_history(person),
        "matching": _matching(person),
        "saved_services": _saved_services(person),
        "organisations_edited": _organisations_edited(person),
        "referrals": _referrals(person),
        "referrer_records": _referrer_records(person),
        "notifications": _notifications(person),
        "notification_preferences": _preferences(person),
        "contact_settings": _contact_settings(person),
        "community_history": _community_history(person),
        "reads_of_sensitive_records": _reads(person),
        "exports": _exports(person),
    }
    assert tuple(data) == SECTIONS  # noqa: S101 (the order the readable page follows)
    return data
