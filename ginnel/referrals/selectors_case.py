"""Reads for one referral's page: the referral, its history and the steps open to the asker.

The page is one read of the referral's content, so it records one
:class:`ReferralRead` (through :func:`selectors.referral_read`), not one for
the referral and another for its history: the history is read here in the
same transaction, under the same check. The person the referral is about
reads their own on another page; this one is for the staff who work it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ginnel.communities.models import Membership, MembershipStatus, Role
from ginnel.communities.permissions import Access, Perm
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import selectors, services
from ginnel.referrals.models import (
    OPEN_STATES,
    CloseOutcome,
    ConnectionKind,
    ConnectionOutcome,
    ContactBy,
    ContactOutcome,
    EventKind,
    FollowUp,
    Occasion,
    Referral,
    ReferralEvent,
    ReferralState,
)

# The steps of the workflow, each a form on the page posting to its own address.
STEPS = (
    "accept",
    "decline",
    "redirect",
    "contact",
    "conversation",
    "follow_up",
    "close",
    "reassign",
    "correct",
)


@dataclass
class HistoryEntry:
    """One entry of the log as the page shows it, with the corrections made to it."""

    event: ReferralEvent
    who: str
    facts: list[tuple[str, str]]
    corrections: list[HistoryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    referral: Referral
    reasons: list[str]
    history: list[HistoryEntry]
    link_worker_name: str
    follow_ups: list[FollowUp]
    failed_contacts_before_closing: int
    steps: frozenset[str]


def _refuse() -> PermissionRefused:
    return PermissionRefused(_("Only the person's link worker and coordinators can see this."))


def case_for_step(*, access: Access, referral_id: int) -> Referral:
    """The referral a step is posted to, for someone who may act on it; nothing is read out."""
    referral = (
        Referral.objects.filter(community=access.community, pk=referral_id)
        .select_related("person")
        .first()
    )
    if referral is None:
        raise GinnelError(_("There is no such referral in this community."))
    if not services.may_act_on(access, referral):
        raise _refuse()
    return referral


def steps_open(access: Access, referral: Referral) -> frozenset[str]:
    """The steps the asker may take from where the referral is (the services decide finally)."""
    allocate = access.can(Perm.ALLOCATE_REFERRALS)
    acts = services.may_act_on(access, referral)
    state = referral.state
    found: set[str] = set()
    if state == ReferralState.RECEIVED and allocate:
        found |= {"accept", "decline", "redirect"}
    if state in (ReferralState.ACCEPTED, ReferralState.CONTACTED) and acts:
        found |= {"decline", "redirect", "conversation"}
    if state in OPEN_STATES and acts:
        found |= {"contact", "follow_up", "close"}
    if state in OPEN_STATES and allocate:
        found.add("reassign")
    if acts:
        found.add("correct")
    return frozenset(found)


def link_workers(*, access: Access, leaving_out: int | None = None) -> QuerySet[Membership]:
    """Active members of the community with the link worker role, by name."""
    rows = Membership.objects.filter(
        community=access.community,
        status=MembershipStatus.ACTIVE,
        grants__role=Role.LINK_WORKER,
    )
    if leaving_out is not None:
        rows = rows.exclude(pk=leaving_out)
    return rows.select_related("person").order_by("person__display_name", "pk")


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value))


def _who(event: ReferralEvent) -> str:
    member = event.actor.person.display_name if event.actor is not None else ""
    referrer = event.actor_referrer
    if referrer is None:
        return member or _("Ginnel")
    organisation = referrer.organisation.name if referrer.organisation is not None else ""
    if member and event.actor_id != referrer.membership_id:
        if organisation:
            return _("%(referrer)s at %(organisation)s, written down by %(member)s") % {
                "referrer": referrer.name,
                "organisation": organisation,
                "member": member,
            }
        return _("%(referrer)s, written down by %(member)s") % {
            "referrer": referrer.name,
            "member": member,
        }
    if organisation:
        return _("%(referrer)s at %(organisation)s") % {
            "referrer": referrer.name,
            "organisation": organisation,
        }
    return member or referrer.name


def _facts(event: ReferralEvent, names: dict[int, str]) -> list[tuple[str, str]]:
    detail = event.detail or {}
    facts: list[tuple[str, str]] = []
    if event.happened_on is not None:
        facts.append((_("When it happened"), date_format(event.happened_on, "j M Y")))
    if event.kind in (EventKind.ACCEPTED, EventKind.REASSIGNED) and "link_worker" in detail:
        facts.append((_("Link worker"), names.get(detail["link_worker"], "")))
        if detail.get("previous"):
            facts.append((_("Link worker before"), names.get(detail["previous"], "")))
    if event.kind == EventKind.REDIRECTED and detail.get("to_service"):
        facts.append((_("Passed to"), str(detail["to_service"])))
    if event.kind == EventKind.CONTACT_ATTEMPT:
        facts.append((_("How"), _label(ContactBy.choices, detail.get("channel"))))
        facts.append((_("What happened"), _label(ContactOutcome.choices, detail.get("outcome"))))
        if detail.get("failed"):
            facts.append((_("Failed attempts so far"), str(detail["failed"])))
    if event.kind == EventKind.FOLLOW_UP_SCHEDULED and detail.get("due_on"):
        due = date.fromisoformat(str(detail["due_on"]))
        facts.append((_("Due"), date_format(due, "j M Y")))
    if event.kind == EventKind.CLOSED and detail.get("outcome"):
        facts.append((_("Outcome"), _label(CloseOutcome.choices, detail["outcome"])))
    if event.kind == EventKind.CONNECTION_MADE:
        facts.append(
            (_("Connected to"), str(detail.get("target_label", ""))),
        )
        facts.append(
            (_("Kind of connection"), _label(ConnectionKind.choices, detail.get("connection_kind")))
        )
    if event.kind == EventKind.CONNECTION_OUTCOME:
        facts.append(
            (_("Whether they went"), _label(ConnectionOutcome.choices, detail.get("outcome")))
        )
    if event.kind == EventKind.QUESTIONNAIRE:
        facts.append((_("When it was asked"), _label(Occasion.choices, detail.get("occasion"))))
    return facts


def _history(access: Access, referral: Referral) -> tuple[list[HistoryEntry], dict[int, str]]:
    """The entries, corrections under what they correct; and the names of link workers named."""
    events = list(
        ReferralEvent.objects.filter(community=access.community, referral=referral)
        .select_related("actor__person", "actor_referrer__organisation")
        .order_by("at", "id")
    )
    wanted = {
        value
        for e in events
        for key in ("link_worker", "previous")
        for value in [(e.detail or {}).get(key)]
        if isinstance(value, int)
    }
    if referral.link_worker_id is not None:
        wanted.add(referral.link_worker_id)
    # One query whatever the log holds (an empty one for a referral nobody has yet).
    names = dict(
        Membership.objects.filter(community=access.community, pk__in=wanted).values_list(
            "pk", "person__display_name"
        )
    )
    entries = {e.pk: HistoryEntry(event=e, who=_who(e), facts=_facts(e, names)) for e in events}
    shown: list[HistoryEntry] = []
    for event in events:
        entry = entries[event.pk]
        target = entries.get(event.corrects_id) if event.corrects_id is not None else None
        if target is not None:
            target.corrections.append(entry)
        else:
            shown.append(entry)
    return shown, names


@transaction.atomic
def case_read(*, access: Access, referral_id: int) -> Case:
    """One referral with its history, for its link worker or a coordinator; one read recorded.

    The person it is about is refused here (their own page shows them theirs),
    unless they are also staff who may act on it.
    """
    referral = selectors.referral_read(access=access, referral_id=referral_id, what="case")
    if not services.may_act_on(access, referral):
        raise _refuse()
    follow_ups = list(FollowUp.objects.filter(community=access.community, referral=referral))
    history, names = _history(access, referral)
    return Case(
        referral=referral,
        reasons=[_(reason.label) for reason in referral.reasons.all()],
        history=history,
        link_worker_name=names.get(referral.link_worker_id or 0, ""),
        follow_ups=follow_ups,
        failed_contacts_before_closing=services.settings_read(
            access.community
        ).failed_contacts_before_closing,
        steps=steps_open(access, referral),
    )
