"""Referral use-cases: each a step of the workflow, one transaction, permission checked.

A referral moves::

    received ──accept──▶ accepted ──reached──▶ contacted ──first conversation──▶ engaged
       │                   │  │                    │                               │
       ├─decline / redirect┘  └─N failed attempts──┴──────────── close ◀───────────┘
       ▼                          (could not contact)
    declined, redirected                                     closed (with an outcome)

(a first conversation may also come straight after acceptance: the person
walked in). Every step locks the referral, checks who is asking and whether
the step is allowed from where the referral is, then writes the new state and
its :class:`ReferralEvent` together. Nothing in the log is changed or deleted;
a mistake is put right by :func:`event_correct`, a new entry pointing at the
old one.

Who may do what (``communities.permissions``): anyone with ``REFER`` sends a
referral, for themselves or for someone who agreed; a coordinator
(``ALLOCATE_REFERRALS``) allocates, declines, redirects, rebalances and may act
on any referral; a link worker (``WORK_REFERRALS``) acts only on the referrals
they are the link worker for; the person answers their own questionnaires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.utils.translation import ngettext

from ginnel.communities.models import Community, Membership, MembershipStatus
from ginnel.communities.permissions import Access, Perm, require, roles_of
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person, User
from ginnel.referrals import notifications, scoring
from ginnel.referrals.models import (
    FINISHED_STATES,
    OPEN_STATES,
    REACHED_OUTCOMES,
    Administration,
    Answer,
    AnsweredBy,
    CloseOutcome,
    Connection,
    ConnectionKind,
    ConnectionOutcome,
    ContactBy,
    ContactOutcome,
    EventKind,
    FollowUp,
    Occasion,
    OrganisationKind,
    Questionnaire,
    Referral,
    ReferralEvent,
    ReferralReason,
    ReferralReasonLink,
    ReferralSettings,
    ReferralState,
    Referrer,
    ReferrerKind,
    ReferringOrganisation,
    Urgency,
)
from ginnel.referrals.questionnaires import SHIPPED

# The coded reasons every community starts with: (code, label). Labels are stored
# as written here and shown through the translation catalogue.
DEFAULT_REASONS: tuple[tuple[str, str], ...] = (
    ("loneliness", N_("Loneliness and isolation")),
    ("low_mood", N_("Low mood or anxiety")),
    ("long_term_condition", N_("Living with a long-term condition")),
    ("carer", N_("Caring for someone")),
    ("bereavement", N_("Bereavement")),
    ("housing", N_("Housing")),
    ("money", N_("Money and debt")),
    ("work", N_("Work and volunteering")),
    ("physical_activity", N_("Physical activity")),
    ("digital_skills", N_("Digital skills")),
)

MAX_FAILED_CONTACTS = 10


# Setting up a community -----------------------------------------------------------------------


def referrals_seed(*, community: Community) -> None:
    """Give a community the default reasons, shipped questionnaires and settings (idempotent)."""
    have = set(ReferralReason.objects.filter(community=community).values_list("code", flat=True))
    ReferralReason.objects.bulk_create(
        [
            ReferralReason(community=community, code=code, label=label, position=i * 10)
            for i, (code, label) in enumerate(DEFAULT_REASONS, start=1)
            if code not in have
        ]
    )
    shipped = set(Questionnaire.objects.filter(community=community).values_list("code", "version"))
    Questionnaire.objects.bulk_create(
        [
            Questionnaire(
                community=community,
                code=q["code"],
                version=q["version"],
                title=q["title"],
                definition=q["definition"],
                licence_note=q["licence_note"],
                is_enabled=q["enabled"],
            )
            for q in SHIPPED
            if (q["code"], q["version"]) not in shipped
        ]
    )
    ReferralSettings.objects.get_or_create(community=community)


def settings_read(community: Community) -> ReferralSettings:
    """The community's referral settings, or the defaults when none were saved."""
    return ReferralSettings.objects.filter(community=community).first() or ReferralSettings(
        community=community
    )


@transaction.atomic
def settings_update(*, access: Access, failed_contacts_before_closing: int) -> ReferralSettings:
    require(access, Perm.ALLOCATE_REFERRALS)
    if not 1 <= failed_contacts_before_closing <= MAX_FAILED_CONTACTS:
        raise GinnelError(
            _("Enter a number of attempts from 1 to %(most)d.") % {"most": MAX_FAILED_CONTACTS},
            field="failed_contacts_before_closing",
        )
    found, _created = ReferralSettings.objects.select_for_update().get_or_create(
        community=access.community
    )
    found.failed_contacts_before_closing = failed_contacts_before_closing
    found.save(update_fields=["failed_contacts_before_closing"])
    return found


@transaction.atomic
def reason_add(*, access: Access, code: str, label: str) -> ReferralReason:
    """A community adds a reason of its own to the coded list."""
    require(access, Perm.ALLOCATE_REFERRALS)
    label = label.strip()
    if not label:
        raise GinnelError(_("Enter the reason."), field="label")
    if ReferralReason.objects.filter(community=access.community, code=code).exists():
        raise GinnelError(_("There is already a reason with this code."), field="code")
    last = ReferralReason.objects.filter(community=access.community).order_by("-position").first()
    return ReferralReason.objects.create(
        community=access.community,
        code=code,
        label=label,
        position=(last.position + 10) if last else 10,
    )


@transaction.atomic
def reason_retire(*, access: Access, reason: ReferralReason) -> ReferralReason:
    """No longer offered for new referrals; referrals that have it keep it."""
    require(access, Perm.ALLOCATE_REFERRALS)
    reason = ReferralReason.objects.select_for_update().get(
        pk=reason.pk, community=access.community
    )
    if not reason.is_active:
        raise GinnelError(_("This reason is already retired."))
    reason.is_active = False
    reason.retired_at = timezone.now()
    reason.save(update_fields=["is_active", "retired_at"])
    return reason


# Helpers --------------------------------------------------------------------------------------


def _me(access: Access) -> Membership:
    if access.membership is None or not access.is_member:
        raise PermissionRefused(_("Only members of this community can do this."))
    return access.membership


def _lock(access: Access, referral: Referral) -> Referral:
    found = (
        Referral.objects.select_for_update()
        .filter(pk=referral.pk, community=access.community)
        .first()
    )
    if found is None:
        raise GinnelError(_("There is no such referral in this community."))
    return found


def may_act_on(access: Access, referral: Referral) -> bool:
    """Coordinators act on any referral; a link worker only on their own cases."""
    if referral.community_id != access.community.pk or not access.is_member:
        return False
    if access.can(Perm.ALLOCATE_REFERRALS):
        return True
    return (
        access.can(Perm.WORK_REFERRALS)
        and access.membership is not None
        and referral.link_worker_id == access.membership.pk
    )


def _require_case(access: Access, referral: Referral) -> Membership:
    me = _me(access)
    if not may_act_on(access, referral):
        raise PermissionRefused(
            _("This referral is not on your caseload. Ask a coordinator to give it to you.")
        )
    return me


def _refuse_unless(referral: Referral, *states: str) -> None:
    if referral.state in states:
        return
    if referral.state == ReferralState.CLOSED:
        raise GinnelError(_("This referral is closed."))
    if referral.state == ReferralState.DECLINED:
        raise GinnelError(_("This referral was declined."))
    if referral.state == ReferralState.REDIRECTED:
        raise GinnelError(_("This referral was passed to another service."))
    if referral.state == ReferralState.RECEIVED:
        raise GinnelError(_("This referral has not been accepted yet."))
    raise GinnelError(_("This cannot be done at this stage of the referral."))


def _log(
    referral: Referral,
    kind: str,
    *,
    actor: Membership | None,
    actor_referrer: Referrer | None = None,
    state_from: str = "",
    state_to: str = "",
    happened_on: date | None = None,
    text: str = "",
    corrects: ReferralEvent | None = None,
    **detail: Any,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        community_id=referral.community_id,
        referral=referral,
        kind=kind,
        actor=actor,
        actor_referrer=actor_referrer,
        state_from=state_from,
        state_to=state_to,
        happened_on=happened_on,
        text=text,
        corrects=corrects,
        detail=detail,
    )


def _move(
    referral: Referral,
    to: str,
    kind: str,
    *,
    actor: Membership,
    fields: Sequence[str] = (),
    happened_on: date | None = None,
    text: str = "",
    **detail: Any,
) -> ReferralEvent:
    """Change the state and write the event that says so, together."""
    before = referral.state
    referral.state = to
    if to in FINISHED_STATES:
        referral.finished_at = timezone.now()
        referral.next_follow_up_on = None
        fields = [*fields, "finished_at", "next_follow_up_on"]
    referral.save(update_fields=["state", *fields])
    return _log(
        referral,
        kind,
        actor=actor,
        state_from=before,
        state_to=to,
        happened_on=happened_on,
        text=text,
        **detail,
    )


def _past_or_today(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise GinnelError(_("The date cannot be in the future."), field=field)


def _link_worker(access: Access, membership: Membership) -> Membership:
    if membership.community_id != access.community.pk:
        raise GinnelError(_("Choose a link worker of this community."), field="link_worker")
    standing = Access(community=access.community, membership=membership, roles=roles_of(membership))
    if not standing.is_member or not standing.can(Perm.WORK_REFERRALS):
        raise GinnelError(
            _("Choose someone with the link worker role in this community."), field="link_worker"
        )
    return membership


@dataclass(frozen=True)
class ReferralDetails:
    """What a referral says about the person, however it arrives (form, phone call, FHIR).

    Text is stripped when it is written; :func:`_check_referral` holds the rules.
    """

    consent_statement: str
    consent_given_on: date
    contact_by: str = ContactBy.PHONE
    phone: str = ""
    email: str = ""
    address: str = ""
    carer_name: str = ""
    carer_phone: str = ""
    carer_relationship: str = ""
    contact_notes: str = ""
    what_matters: str = ""
    urgency: str = Urgency.ROUTINE
    risks: str = ""
    accessibility_needs: str = ""
    language: str = ""
    interpreter_needed: bool = False

    def as_fields(self) -> dict[str, Any]:
        """The referral's columns, text stripped."""
        return {
            f.name: (value.strip() if isinstance(value, str) else value)
            for f in fields(self)
            for value in [getattr(self, f.name)]
        }


# Receiving a referral -------------------------------------------------------------------------


def _referrer_for(access: Access, me: Membership, person: Person) -> Referrer:
    kind = ReferrerKind.SELF if person.membership_id == me.pk else ReferrerKind.ON_BEHALF
    found = Referrer.objects.filter(community=access.community, membership=me, kind=kind).first()
    if found is not None:
        return found
    return Referrer.objects.create(
        community=access.community,
        kind=kind,
        membership=me,
        user=me.user,
        name=me.person.display_name,
    )


def _check_contact(
    *, contact_by: str, phone: str, email: str, address: str, carer_name: str, carer_phone: str
) -> None:
    if contact_by not in ContactBy.values:
        raise GinnelError(_("Choose how to contact them."), field="contact_by")
    if contact_by in (ContactBy.PHONE, ContactBy.TEXT) and not phone.strip():
        raise GinnelError(_("Enter a phone number to call or text."), field="phone")
    if contact_by == ContactBy.EMAIL and not email.strip():
        raise GinnelError(_("Enter an email address."), field="email")
    if contact_by == ContactBy.LETTER and not address.strip():
        raise GinnelError(_("Enter a postal address for letters."), field="address")
    if contact_by == ContactBy.CARER and not (carer_name.strip() and carer_phone.strip()):
        raise GinnelError(_("Enter the carer's name and phone number."), field="carer_name")


def _check_lengths(details: ReferralDetails, *, external_system: str, external_id: str) -> None:
    """Text longer than its column is refused by its field, whoever sent it (a form caps
    its fields; a referring system's message may not)."""
    values = {
        **details.as_fields(),
        "external_system": external_system.strip(),
        "external_id": external_id.strip(),
    }
    for name, value in values.items():
        limit = getattr(Referral._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise GinnelError(
                ngettext(
                    "This is too long: use at most %(limit)d character.",
                    "This is too long: use at most %(limit)d characters.",
                    limit,
                )
                % {"limit": limit},
                field=name,
            )


def _check_referral(
    *,
    community: Community,
    reasons: Sequence[ReferralReason],
    details: ReferralDetails,
    external_system: str,
    external_id: str,
) -> list[ReferralReason]:
    """Every rule a new referral keeps, whoever sends it; the reasons as read again."""
    if not reasons:
        raise GinnelError(_("Choose at least one reason for the referral."), field="reasons")
    wanted = {r.pk for r in reasons}
    # Read again: a reason retired since the form was drawn is no longer offered.
    chosen = list(ReferralReason.objects.filter(community=community, pk__in=wanted, is_active=True))
    if len(chosen) != len(wanted):
        raise GinnelError(_("Choose reasons from this community's list."), field="reasons")
    _check_lengths(details, external_system=external_system, external_id=external_id)
    if not details.consent_statement.strip():
        raise GinnelError(_("Say how the person agreed to be referred."), field="consent_statement")
    _past_or_today(details.consent_given_on, "consent_given_on")
    if details.urgency not in Urgency.values:
        raise GinnelError(_("Choose how urgent it is."), field="urgency")
    _check_contact(
        contact_by=details.contact_by,
        phone=details.phone,
        email=details.email,
        address=details.address,
        carer_name=details.carer_name,
        carer_phone=details.carer_phone,
    )
    if (
        external_id
        and Referral.objects.filter(
            community=community, external_system=external_system, external_id=external_id
        ).exists()
    ):
        raise GinnelError(_("This referral has already been received."))
    return chosen


def _write_referral(
    *,
    community: Community,
    person: Person,
    referrer: Referrer,
    actor: Membership | None,
    reasons: Sequence[ReferralReason],
    details: ReferralDetails,
    external_system: str,
    external_id: str,
) -> Referral:
    referral = Referral.objects.create(
        community=community,
        person=person,
        referrer=referrer,
        organisation=referrer.organisation,
        external_system=external_system,
        external_id=external_id,
        **details.as_fields(),
    )
    ReferralReasonLink.objects.bulk_create(
        [ReferralReasonLink(community=community, referral=referral, reason=r) for r in reasons]
    )
    _log(
        referral,
        EventKind.RECEIVED,
        actor=actor,
        actor_referrer=referrer,
        state_to=ReferralState.RECEIVED,
        reasons=sorted(r.code for r in reasons),
    )
    notifications.referral_received(referral=referral, actor=actor)
    return referral


@transaction.atomic
def referral_create(
    *,
    access: Access,
    person: Person,
    reasons: Sequence[ReferralReason],
    details: ReferralDetails,
    referrer: Referrer | None = None,
    external_system: str = "",
    external_id: str = "",
) -> Referral:
    """A member refers themselves or someone who agreed; staff may record an outside referrer's.

    ``referrer`` names someone at a referring organisation whose referral a
    coordinator or link worker is writing down (a phone call from a surgery);
    without it the asker is the referrer.
    """
    require(access, Perm.REFER)
    me = _me(access)
    if person.community_id != access.community.pk:
        raise GinnelError(_("There is no such person in this community."), field="person")
    chosen = _check_referral(
        community=access.community,
        reasons=reasons,
        details=details,
        external_system=external_system,
        external_id=external_id,
    )
    if referrer is not None:
        if not (access.can(Perm.ALLOCATE_REFERRALS) or access.can(Perm.WORK_REFERRALS)):
            raise PermissionRefused(
                _("Only coordinators and link workers can write down another's referral.")
            )
        if referrer.community_id != access.community.pk:
            raise GinnelError(_("Choose a referrer of this community."), field="referrer")
    else:
        referrer = _referrer_for(access, me, person)
    return _write_referral(
        community=access.community,
        person=person,
        referrer=referrer,
        actor=me,
        reasons=chosen,
        details=details,
        external_system=external_system,
        external_id=external_id,
    )


@transaction.atomic
def referral_receive(
    *,
    referrer: Referrer,
    display_name: str,
    reasons: Sequence[ReferralReason],
    details: ReferralDetails,
    external_system: str = "",
    external_id: str = "",
) -> Referral:
    """A referral from someone at a referring organisation, about someone new to the community.

    The caller has established that the sender is ``referrer`` (their login on
    the referral form, or their organisation's token on the FHIR intake). The
    person is recorded without a login, as coordinators record people who are
    not online; they can be invited to claim their account later.
    """
    community = referrer.community
    if referrer.kind != ReferrerKind.EXTERNAL or referrer.organisation is None:
        raise PermissionRefused(_("Only referrers at a referring organisation can send these."))
    if not referrer.organisation.is_active:
        raise PermissionRefused(_("This organisation no longer sends referrals here."))
    display_name = display_name.strip()
    if not display_name:
        raise GinnelError(_("Enter the name of the person referred."), field="display_name")
    if len(display_name) > Person._meta.get_field("display_name").max_length:  # type: ignore[operator]
        raise GinnelError(_("The name is too long for Ginnel's records."), field="display_name")
    chosen = _check_referral(
        community=community,
        reasons=reasons,
        details=details,
        external_system=external_system,
        external_id=external_id,
    )
    membership = Membership.objects.create(community=community, user=None)
    person = Person.objects.create(
        community=community,
        membership=membership,
        display_name=display_name,
        phone=details.phone.strip(),
        contact_email=details.email.strip(),
    )
    return _write_referral(
        community=community,
        person=person,
        referrer=referrer,
        actor=None,
        reasons=chosen,
        details=details,
        external_system=external_system,
        external_id=external_id,
    )


# Who refers -----------------------------------------------------------------------------------


@transaction.atomic
def organisation_add(
    *, access: Access, kind: str, name: str, ods_code: str = "", email: str = ""
) -> ReferringOrganisation:
    """A coordinator adds a GP practice, housing team or other organisation that refers."""
    require(access, Perm.ALLOCATE_REFERRALS)
    name = name.strip()
    if kind not in OrganisationKind.values:
        raise GinnelError(_("Choose what kind of organisation it is."), field="kind")
    if not name:
        raise GinnelError(_("Enter the organisation's name."), field="name")
    if ReferringOrganisation.objects.filter(community=access.community, name=name).exists():
        raise GinnelError(_("There is already an organisation with this name."), field="name")
    return ReferringOrganisation.objects.create(
        community=access.community,
        kind=kind,
        name=name,
        ods_code=ods_code.strip().upper(),
        email=email.strip(),
    )


@transaction.atomic
def referrer_add(
    *,
    access: Access,
    organisation: ReferringOrganisation,
    name: str,
    job_title: str = "",
    email: str = "",
    phone: str = "",
    user: User | None = None,
) -> Referrer:
    """Someone at a referring organisation; with ``user``, they log in to send referrals."""
    require(access, Perm.ALLOCATE_REFERRALS)
    if organisation.community_id != access.community.pk:
        raise GinnelError(_("Choose an organisation of this community."), field="organisation")
    if not name.strip():
        raise GinnelError(_("Enter the referrer's name."), field="name")
    return Referrer.objects.create(
        community=access.community,
        kind=ReferrerKind.EXTERNAL,
        organisation=organisation,
        user=user,
        name=name.strip(),
        job_title=job_title.strip(),
        email=email.strip(),
        phone=phone.strip(),
    )


# Allocation -----------------------------------------------------------------------------------


@transaction.atomic
def referral_accept(*, access: Access, referral: Referral, link_worker: Membership) -> Referral:
    """A coordinator accepts a new referral and gives it to a link worker."""
    require(access, Perm.ALLOCATE_REFERRALS)
    me = _me(access)
    referral = _lock(access, referral)
    if referral.state in OPEN_STATES:
        raise GinnelError(_("This referral has already been accepted."))
    _refuse_unless(referral, ReferralState.RECEIVED)
    referral.link_worker = _link_worker(access, link_worker)
    referral.accepted_at = timezone.now()
    _move(
        referral,
        ReferralState.ACCEPTED,
        EventKind.ACCEPTED,
        actor=me,
        fields=["link_worker", "accepted_at"],
        link_worker=link_worker.pk,
    )
    notifications.referral_assigned(referral=referral, actor=me)
    return referral


@transaction.atomic
def referral_reassign(*, access: Access, referral: Referral, link_worker: Membership) -> Referral:
    """A coordinator rebalances caseloads: an open referral goes to another link worker."""
    require(access, Perm.ALLOCATE_REFERRALS)
    me = _me(access)
    referral = _lock(access, referral)
    _refuse_unless(referral, *OPEN_STATES)
    if referral.link_worker_id == link_worker.pk:
        raise GinnelError(_("This referral is already with that link worker."), field="link_worker")
    before = referral.link_worker_id
    referral.link_worker = _link_worker(access, link_worker)
    referral.save(update_fields=["link_worker"])
    _log(referral, EventKind.REASSIGNED, actor=me, link_worker=link_worker.pk, previous=before)
    notifications.referral_assigned(referral=referral, actor=me)
    return referral


def _may_turn_away(access: Access, referral: Referral) -> Membership:
    """Declining or passing on: a coordinator, or the link worker before they have begun."""
    me = _me(access)
    if referral.state == ReferralState.RECEIVED:
        require(access, Perm.ALLOCATE_REFERRALS)
    else:
        _require_case(access, referral)
    _refuse_unless(
        referral, ReferralState.RECEIVED, ReferralState.ACCEPTED, ReferralState.CONTACTED
    )
    return me


@transaction.atomic
def referral_decline(*, access: Access, referral: Referral, reason: str) -> Referral:
    """Not for this service: the reason is required, and goes back to the referrer."""
    referral = _lock(access, referral)
    me = _may_turn_away(access, referral)
    if not reason.strip():
        raise GinnelError(_("Say why the referral is declined."), field="reason")
    _move(referral, ReferralState.DECLINED, EventKind.DECLINED, actor=me, text=reason.strip())
    return referral


@transaction.atomic
def referral_redirect(
    *, access: Access, referral: Referral, to_service: str, reason: str = ""
) -> Referral:
    """Better met by another service: say which, so the referrer and the person know."""
    referral = _lock(access, referral)
    me = _may_turn_away(access, referral)
    if not to_service.strip():
        raise GinnelError(_("Say which service the referral is passed to."), field="to_service")
    _move(
        referral,
        ReferralState.REDIRECTED,
        EventKind.REDIRECTED,
        actor=me,
        text=reason.strip(),
        to_service=to_service.strip(),
    )
    return referral


# Making contact -------------------------------------------------------------------------------


@transaction.atomic
def contact_attempt_log(
    *,
    access: Access,
    referral: Referral,
    happened_on: date,
    channel: str,
    outcome: str,
    note: str = "",
) -> ReferralEvent:
    """One try at reaching the person.

    Reaching them moves an accepted referral on to "contacted". Before then,
    each failed try counts; when the community's number of failed tries is
    reached, the referral closes as "could not contact" and the referrer is told.
    """
    referral = _lock(access, referral)
    me = _require_case(access, referral)
    _refuse_unless(referral, *OPEN_STATES)
    if channel not in ContactBy.values:
        raise GinnelError(_("Choose how you tried to make contact."), field="channel")
    if outcome not in ContactOutcome.values:
        raise GinnelError(_("Choose what happened."), field="outcome")
    _past_or_today(happened_on, "happened_on")
    reached = outcome in REACHED_OUTCOMES
    detail: dict[str, Any] = {"channel": channel, "outcome": outcome}
    if referral.state != ReferralState.ACCEPTED:
        return _log(
            referral,
            EventKind.CONTACT_ATTEMPT,
            actor=me,
            happened_on=happened_on,
            text=note.strip(),
            **detail,
        )
    if reached:
        referral.first_contact_at = timezone.now()
        return _move(
            referral,
            ReferralState.CONTACTED,
            EventKind.CONTACT_ATTEMPT,
            actor=me,
            fields=["first_contact_at"],
            happened_on=happened_on,
            text=note.strip(),
            **detail,
        )
    referral.failed_contacts += 1
    referral.save(update_fields=["failed_contacts"])
    event = _log(
        referral,
        EventKind.CONTACT_ATTEMPT,
        actor=me,
        happened_on=happened_on,
        text=note.strip(),
        failed=referral.failed_contacts,
        **detail,
    )
    limit = settings_read(access.community).failed_contacts_before_closing
    if referral.failed_contacts >= limit:
        referral.outcome = CloseOutcome.COULD_NOT_CONTACT
        _move(
            referral,
            ReferralState.CLOSED,
            EventKind.CLOSED,
            actor=me,
            fields=["outcome"],
            text=ngettext(
                "Closed after %(count)d attempt to make contact.",
                "Closed after %(count)d attempts to make contact.",
                referral.failed_contacts,
            )
            % {"count": referral.failed_contacts},
            outcome=CloseOutcome.COULD_NOT_CONTACT,
            tell_referrer=True,
        )
        notifications.referral_closed(referral=referral, actor=me)
    return event


@transaction.atomic
def first_conversation_record(
    *, access: Access, referral: Referral, happened_on: date, notes: str = ""
) -> Referral:
    """The first conversation with the person: what matters to them, where to start."""
    referral = _lock(access, referral)
    me = _require_case(access, referral)
    if referral.state == ReferralState.ENGAGED:
        raise GinnelError(_("The first conversation has already been recorded."))
    _refuse_unless(referral, ReferralState.ACCEPTED, ReferralState.CONTACTED)
    _past_or_today(happened_on, "happened_on")
    now = timezone.now()
    referral.first_conversation_at = now
    fields = ["first_conversation_at"]
    if referral.first_contact_at is None:
        referral.first_contact_at = now
        fields.append("first_contact_at")
    _move(
        referral,
        ReferralState.ENGAGED,
        EventKind.FIRST_CONVERSATION,
        actor=me,
        fields=fields,
        happened_on=happened_on,
        text=notes.strip(),
    )
    return referral


# Follow-ups -----------------------------------------------------------------------------------


def _next_follow_up(referral: Referral) -> None:
    referral.next_follow_up_on = FollowUp.objects.filter(
        referral=referral, done_at__isnull=True
    ).aggregate(first=Min("due_on"))["first"]
    referral.save(update_fields=["next_follow_up_on"])


@transaction.atomic
def follow_up_schedule(
    *, access: Access, referral: Referral, due_on: date, purpose: str = ""
) -> FollowUp:
    referral = _lock(access, referral)
    me = _require_case(access, referral)
    _refuse_unless(referral, *OPEN_STATES)
    if due_on < timezone.localdate():
        raise GinnelError(_("A follow-up cannot be due in the past."), field="due_on")
    follow_up = FollowUp.objects.create(
        community=access.community,
        referral=referral,
        due_on=due_on,
        purpose=purpose.strip(),
        scheduled_by=me,
    )
    _next_follow_up(referral)
    _log(
        referral,
        EventKind.FOLLOW_UP_SCHEDULED,
        actor=me,
        text=purpose.strip(),
        follow_up=follow_up.pk,
        due_on=due_on.isoformat(),
    )
    return follow_up


@transaction.atomic
def follow_up_complete(*, access: Access, follow_up: FollowUp, notes: str = "") -> FollowUp:
    referral = _lock(access, follow_up.referral)
    me = _require_case(access, referral)
    _refuse_unless(referral, *OPEN_STATES)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk, referral=referral)
    if follow_up.done_at is not None:
        raise GinnelError(_("This follow-up is already done."))
    follow_up.done_at = timezone.now()
    follow_up.done_by = me
    follow_up.save(update_fields=["done_at", "done_by"])
    _next_follow_up(referral)
    _log(
        referral,
        EventKind.FOLLOW_UP_DONE,
        actor=me,
        text=notes.strip(),
        follow_up=follow_up.pk,
    )
    return follow_up


# Connections ----------------------------------------------------------------------------------


@transaction.atomic
def connection_record(
    *,
    access: Access,
    referral: Referral,
    kind: str,
    target_label: str,
    target_id: int | None = None,
    suggested_because: str = "",
) -> Connection:
    """The person was put in touch with someone or something: a member, a group, a service."""
    referral = _lock(access, referral)
    me = _require_case(access, referral)
    if referral.state in (ReferralState.ACCEPTED, ReferralState.CONTACTED):
        raise GinnelError(_("Record the first conversation before making connections."))
    _refuse_unless(referral, ReferralState.ENGAGED)
    if kind not in ConnectionKind.values:
        raise GinnelError(_("Choose what kind of connection it is."), field="kind")
    if not target_label.strip():
        raise GinnelError(_("Say who or what they were connected to."), field="target_label")
    if kind in (ConnectionKind.TIMEBANK_MEMBER, ConnectionKind.PEER):
        other = Person.objects.filter(
            pk=target_id or 0,
            community=access.community,
            membership__status=MembershipStatus.ACTIVE,
        ).first()
        if other is None:
            raise GinnelError(_("Choose a member of this community."), field="target_id")
        if other.pk == referral.person_id:
            raise GinnelError(_("A person cannot be connected to themselves."), field="target_id")
    connection = Connection.objects.create(
        community=access.community,
        referral=referral,
        kind=kind,
        target_id=target_id,
        target_label=target_label.strip(),
        suggested_because=suggested_because.strip(),
        made_by=me,
    )
    _log(
        referral,
        EventKind.CONNECTION_MADE,
        actor=me,
        connection=connection.pk,
        connection_kind=kind,
        target_id=target_id,
        target_label=connection.target_label,
    )
    return connection


@transaction.atomic
def connection_outcome_record(
    *, access: Access, connection: Connection, went: bool, note: str = ""
) -> Connection:
    """Later: did they go? Recorded once; a mistake is put right with a correction."""
    referral = _lock(access, connection.referral)
    me = _require_case(access, referral)
    _refuse_unless(referral, ReferralState.ENGAGED)
    connection = Connection.objects.select_for_update().get(pk=connection.pk, referral=referral)
    if connection.outcome != ConnectionOutcome.PENDING:
        raise GinnelError(
            _("Whether they went is already recorded. Add a correction if it was wrong.")
        )
    connection.outcome = ConnectionOutcome.WENT if went else ConnectionOutcome.DID_NOT_GO
    connection.outcome_at = timezone.now()
    connection.save(update_fields=["outcome", "outcome_at"])
    _log(
        referral,
        EventKind.CONNECTION_OUTCOME,
        actor=me,
        text=note.strip(),
        connection=connection.pk,
        outcome=connection.outcome,
    )
    return connection


# Closing and corrections ----------------------------------------------------------------------


@transaction.atomic
def referral_close(*, access: Access, referral: Referral, outcome: str, note: str = "") -> Referral:
    referral = _lock(access, referral)
    me = _require_case(access, referral)
    if referral.state == ReferralState.CLOSED:
        raise GinnelError(_("This referral is already closed."))
    _refuse_unless(referral, *OPEN_STATES)
    if outcome not in CloseOutcome.values:
        raise GinnelError(_("Choose the outcome the referral closes with."), field="outcome")
    referral.outcome = outcome
    _move(
        referral,
        ReferralState.CLOSED,
        EventKind.CLOSED,
        actor=me,
        fields=["outcome"],
        text=note.strip(),
        outcome=outcome,
        tell_referrer=True,
    )
    notifications.referral_closed(referral=referral, actor=me)
    return referral


@transaction.atomic
def event_correct(*, access: Access, event: ReferralEvent, correction: str) -> ReferralEvent:
    """Put a mistake right: a new entry saying what was wrong; the old one stays as it was."""
    referral = _lock(access, event.referral)
    me = _require_case(access, referral)
    if not correction.strip():
        raise GinnelError(_("Say what was wrong and what is right."), field="correction")
    if event.referral_id != referral.pk or event.kind == EventKind.CORRECTION:
        raise GinnelError(_("Choose an entry of this referral's history to correct."))
    return _log(referral, EventKind.CORRECTION, actor=me, text=correction.strip(), corrects=event)


# Questionnaires -------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_switch(
    *, access: Access, questionnaire: Questionnaire, on: bool, licence_registered: bool = False
) -> Questionnaire:
    """An administrator puts a questionnaire in use, or out of use; answers already given stay.

    One whose terms need the organisation's own licence (SWEMWBS) is switched on
    only when the administrator confirms the registration has been made.
    """
    require(access, Perm.MANAGE_COMMUNITY)
    found = (
        Questionnaire.objects.select_for_update()
        .filter(pk=questionnaire.pk, community=access.community)
        .first()
    )
    if found is None:
        raise GinnelError(_("There is no such questionnaire in this community."))
    questionnaire = found
    if on and questionnaire.definition.get("needs_licence") and not licence_registered:
        raise GinnelError(
            _(
                "This questionnaire needs your organisation's own licence. Register for it, "
                "then confirm you have done so."
            ),
            field="licence_registered",
        )
    questionnaire.is_enabled = on
    questionnaire.save(update_fields=["is_enabled"])
    return questionnaire


def _scoring_message(error: scoring.ScoringError) -> str:
    if error.problem == "missing":
        return _("Answer every question.")
    if error.problem == "unknown":
        return _("One of the answers is not a question of this questionnaire.")
    return _("Choose one of the answers offered.")


@transaction.atomic
def questionnaire_answer(
    *,
    access: Access,
    referral: Referral,
    questionnaire: Questionnaire,
    occasion: str,
    answers: Mapping[str, int],
) -> Administration:
    """Answers to one questionnaire, by the person on their own or with their link worker.

    Asked at the start and at the end (once each) and at follow-ups (as often as needed).
    """
    referral = _lock(access, referral)
    me = _me(access)
    if referral.person.membership_id == me.pk:
        answered_by = AnsweredBy.PERSON
    else:
        _require_case(access, referral)
        answered_by = AnsweredBy.WITH_LINK_WORKER
    _refuse_unless(referral, *OPEN_STATES)
    # Read again: it may have been switched off since the form was drawn.
    found = Questionnaire.objects.filter(pk=questionnaire.pk, community=access.community).first()
    if found is None or not found.is_enabled:
        raise GinnelError(_("This questionnaire is not in use here."), field="questionnaire")
    questionnaire = found
    if occasion not in Occasion.values:
        raise GinnelError(_("Choose when it was asked."), field="occasion")
    if (
        occasion != Occasion.FOLLOW_UP
        and Administration.objects.filter(
            referral=referral, questionnaire__code=questionnaire.code, occasion=occasion
        ).exists()
    ):
        raise GinnelError(
            _("This questionnaire has already been answered at this point."), field="occasion"
        )
    try:
        scores = scoring.score(questionnaire.definition, answers)
    except scoring.ScoringError as error:
        raise GinnelError(_scoring_message(error), field=error.item) from error
    administration = Administration.objects.create(
        community=access.community,
        referral=referral,
        questionnaire=questionnaire,
        occasion=occasion,
        answered_by=answered_by,
        recorded_by=me,
        scores=scores.as_json(),
    )
    Answer.objects.bulk_create(
        [
            Answer(community=access.community, administration=administration, item=k, value=v)
            for k, v in scores.items.items()
        ]
    )
    _log(
        referral,
        EventKind.QUESTIONNAIRE,
        actor=me,
        administration=administration.pk,
        questionnaire=questionnaire.code,
        version=questionnaire.version,
        occasion=occasion,
    )
    return administration
