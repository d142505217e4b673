"""Social prescribing: referrals, who sends them, their log, and wellbeing questionnaires.

Every table carries ``community_id``. A :class:`Referral` holds the current
state of one referral; :class:`ReferralEvent` is its history, append-only: the
state on the referral is always the state the last state-changing event moved
it to, and a mistake is put right by a new event, never by changing an old one.
Only ``ginnel/referrals/services.py`` writes these tables.

Referral content (reasons, what matters, risks, notes, answers) is special
category data: see ``selectors.py`` for who may read it and :class:`ReferralRead`
for the record kept of every read.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An attempt to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("Rows of this table are never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Rows of this table are never deleted.")


# Who refers -----------------------------------------------------------------------------------


class OrganisationKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", _("GP practice")
    PRIMARY_CARE_NETWORK = "pcn", _("Primary care network")
    HOUSING = "housing", _("Housing")
    HOSPITAL_DISCHARGE = "hospital_discharge", _("Hospital discharge team")
    ADULT_SOCIAL_CARE = "adult_social_care", _("Adult social care")
    VOLUNTARY = "voluntary", _("Voluntary organisation")


class ReferringOrganisation(models.Model):
    """An organisation outside the community whose staff send referrals in."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="referring_organisations"
    )
    kind = models.CharField(_("kind of organisation"), max_length=24, choices=OrganisationKind)
    name = models.CharField(_("name"), max_length=160)
    ods_code = models.CharField(
        _("ODS code"),
        max_length=12,
        blank=True,
        help_text=_("The NHS Organisation Data Service code, if it has one. For example, F84001."),
    )
    # Where letters about its referrals go when email is configured.
    email = models.EmailField(_("email for letters"), blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="referring_org_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ReferrerKind(models.TextChoices):
    EXTERNAL = "external", _("Someone at a referring organisation")
    ON_BEHALF = "on_behalf", _("A member, link worker or coordinator, for someone else")
    SELF = "self", _("The person themselves")


class Referrer(models.Model):
    """Who sent a referral.

    Someone at a referring organisation (they may have a login of their own,
    or send through their organisation's system); or a member of the
    community — a member, link worker or coordinator — referring for someone
    else, or referring themselves.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="referrers"
    )
    kind = models.CharField(max_length=12, choices=ReferrerKind)
    organisation = models.ForeignKey(
        ReferringOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrers",
    )
    membership = models.ForeignKey(
        "communities.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="as_referrer",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="as_referrer",
    )
    name = models.CharField(_("name"), max_length=120)
    job_title = models.CharField(
        _("job title"), max_length=120, blank=True, help_text=_("For example: GP, housing officer.")
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="external") | Q(organisation__isnull=False),
                name="referrer_external_has_organisation",
            ),
            models.CheckConstraint(
                condition=Q(kind="external") | Q(membership__isnull=False),
                name="referrer_member_has_membership",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferralReason(models.Model):
    """One entry in a community's coded list of reasons; retired, never deleted."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="referral_reasons"
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(_("reason"), max_length=120)
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("position", "label", "id")
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="referral_reason_code")
        ]

    def __str__(self) -> str:
        return self.label


class ReferralSettings(models.Model):
    """What a community decides about its referrals."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="referral_settings"
    )
    failed_contacts_before_closing = models.PositiveSmallIntegerField(
        _("failed contact attempts before closing as 'could not contact'"), default=3
    )

    def __str__(self) -> str:
        return f"Referral settings of {self.community_id}"


# The referral ---------------------------------------------------------------------------------


class ReferralState(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be allocated")
    ACCEPTED = "accepted", _("Accepted, waiting for first contact")
    CONTACTED = "contacted", _("Contacted, first conversation to come")
    ENGAGED = "engaged", _("Working with the link worker")
    DECLINED = "declined", _("Declined")
    REDIRECTED = "redirected", _("Passed to another service")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (ReferralState.ACCEPTED, ReferralState.CONTACTED, ReferralState.ENGAGED)
FINISHED_STATES = (ReferralState.DECLINED, ReferralState.REDIRECTED, ReferralState.CLOSED)


class ContactBy(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    CARER = "carer", _("Through a named carer")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon: within a week")
    URGENT = "urgent", _("Urgent: within two working days")


class CloseOutcome(models.TextChoices):
    GOALS_MET = "goals_met", _("Connected and goals met")
    CONNECTED = "connected", _("Connected to support")
    PERSON_ENDED = "person_ended", _("The person chose to stop")
    COULD_NOT_CONTACT = "could_not_contact", _("Could not contact")
    NEEDS_OTHER_SERVICE = "needs_other_service", _("Needed another service")
    MOVED_AWAY = "moved_away", _("Moved away")
    DIED = "died", _("Died")
    OTHER = "other", _("Other")


class Referral(models.Model):
    """One person referred for social prescribing, and where it has got to."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="referrals"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    referrer = models.ForeignKey(Referrer, on_delete=models.PROTECT, related_name="referrals")
    # The referrer's organisation, kept here for filters and reports by practice.
    organisation = models.ForeignKey(
        ReferringOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    reasons = models.ManyToManyField(
        ReferralReason, through="ReferralReasonLink", related_name="referrals"
    )

    # How to reach them.
    contact_by = models.CharField(
        _("how to contact them"), max_length=12, choices=ContactBy, default=ContactBy.PHONE
    )
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("postal address"), max_length=500, blank=True)
    carer_name = models.CharField(_("carer's name"), max_length=120, blank=True)
    carer_phone = models.CharField(_("carer's phone number"), max_length=32, blank=True)
    carer_relationship = models.CharField(_("how the carer is related"), max_length=80, blank=True)
    contact_notes = models.CharField(
        _("best times and anything else about contacting them"), max_length=300, blank=True
    )

    # What the referral is about.
    what_matters = models.TextField(
        _("what matters to the person, in their own words"), max_length=4000, blank=True
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency, default=Urgency.ROUTINE
    )
    risks = models.TextField(_("risks and safeguarding notes"), max_length=4000, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=2000, blank=True)
    language = models.CharField(_("preferred language"), max_length=60, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    consent_statement = models.TextField(
        _("the referrer's statement that the person agreed to be referred"), max_length=2000
    )
    consent_given_on = models.DateField(_("date the person agreed"))

    # Where it has got to: a projection of the event log, written with it.
    state = models.CharField(max_length=12, choices=ReferralState, default=ReferralState.RECEIVED)
    link_worker = models.ForeignKey(
        "communities.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral_cases",
    )
    received_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    first_conversation_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=24, choices=CloseOutcome, blank=True)
    failed_contacts = models.PositiveSmallIntegerField(default=0)
    next_follow_up_on = models.DateField(null=True, blank=True)

    # Its identifier in the referring system (a FHIR ServiceRequest id), when it came from one.
    external_system = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ("-received_at", "-id")
        indexes = [
            models.Index(fields=["community", "state", "received_at"]),
            models.Index(fields=["community", "link_worker", "state"]),
            models.Index(fields=["community", "next_follow_up_on"]),
            models.Index(fields=["community", "person"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "external_system", "external_id"],
                condition=~Q(external_id=""),
                name="referral_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(state="received")
                | Q(state="declined")
                | Q(state="redirected")
                | Q(link_worker__isnull=False),
                name="referral_accepted_has_link_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES


class ReferralReasonLink(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reason_links")
    reason = models.ForeignKey(ReferralReason, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "reason"], name="referral_reason_once")
        ]
        indexes = [models.Index(fields=["community", "reason"])]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.reason_id}"


# The log --------------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Referral received")
    ACCEPTED = "accepted", _("Accepted and given to a link worker")
    REASSIGNED = "reassigned", _("Given to another link worker")
    DECLINED = "declined", _("Declined")
    REDIRECTED = "redirected", _("Passed to another service")
    CONTACT_ATTEMPT = "contact_attempt", _("Tried to make contact")
    FIRST_CONVERSATION = "first_conversation", _("First conversation")
    FOLLOW_UP_SCHEDULED = "follow_up_scheduled", _("Follow-up arranged")
    FOLLOW_UP_DONE = "follow_up_done", _("Follow-up done")
    CONNECTION_MADE = "connection_made", _("Connection made")
    CONNECTION_OUTCOME = "connection_outcome", _("Whether they went")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire answered")
    CLOSED = "closed", _("Closed")
    CORRECTION = "correction", _("Correction")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached them")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    WRONG_NUMBER = "wrong_number", _("Wrong number or address")
    NOT_NOW = "not_now", _("Reached, but asked to be called another time")


# Outcomes that count as reaching the person; the others are failed attempts.
REACHED_OUTCOMES = (ContactOutcome.REACHED, ContactOutcome.NOT_NOW)


class ReferralEvent(models.Model):
    """One step in a referral's history: who, when, what. Never changed, never deleted."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind)
    # Who: a member of the community (link worker, coordinator, the person), or an
    # outside referrer (for "received").
    actor = models.ForeignKey(
        "communities.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_referrer = models.ForeignKey(
        Referrer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # When it happened, where that differs from when it was written down.
    happened_on = models.DateField(null=True, blank=True)
    # The state before and after; both blank when the step did not change the state.
    state_from = models.CharField(max_length=12, choices=ReferralState, blank=True)
    state_to = models.CharField(max_length=12, choices=ReferralState, blank=True)
    text = models.TextField(max_length=4000, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )

    objects: ClassVar[models.Manager[ReferralEvent]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("at", "id")
        indexes = [
            models.Index(fields=["community", "kind", "at"]),
            models.Index(fields=["referral", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.referral_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("A referral's history is never changed: add a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("A referral's history is never deleted.")


# Follow-ups and connections -------------------------------------------------------------------


class FollowUp(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    purpose = models.CharField(_("what it is for"), max_length=200, blank=True)
    scheduled_by = models.ForeignKey(
        "communities.Membership", on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "communities.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("due_on", "id")
        indexes = [models.Index(fields=["community", "due_on"])]

    def __str__(self) -> str:
        return f"Follow-up {self.due_on:%Y-%m-%d} ({self.referral_id})"


class ConnectionKind(models.TextChoices):
    TIMEBANK_MEMBER = "timebank_member", _("A timebank member")
    PEER = "peer", _("A peer")
    GROUP = "group", _("A group")
    EVENT = "event", _("An event")
    SERVICE = "service", _("A service from the directory")
    OTHER = "other", _("Something else")


class ConnectionOutcome(models.TextChoices):
    PENDING = "pending", _("Not known yet")
    WENT = "went", _("Went")
    DID_NOT_GO = "did_not_go", _("Did not go")


class Connection(models.Model):
    """Something a link worker connected the person to; later marked went or did not go.

    ``target_id`` names a row of the table its kind points at (a Person for a
    timebank member or peer, a directory service, group or event), so the network
    measures can read these as "engaged referral" ties; ``target_label`` keeps the
    name as it was at the time.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="connections")
    kind = models.CharField(_("kind of connection"), max_length=20, choices=ConnectionKind)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(_("who or what"), max_length=200)
    # Why the matching engine suggested it, when it did.
    suggested_because = models.CharField(max_length=300, blank=True)
    made_by = models.ForeignKey(
        "communities.Membership", on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=12, choices=ConnectionOutcome, default=ConnectionOutcome.PENDING
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("made_at", "id")
        indexes = [models.Index(fields=["community", "kind", "made_at"])]

    def __str__(self) -> str:
        return self.target_label


# Questionnaires -------------------------------------------------------------------------------


class Questionnaire(models.Model):
    """A versioned question set with its scoring rule and licence, defined as data.

    ``definition`` holds the items and the scoring rule read by ``scoring.py``;
    a new wording or scoring is a new version, so old answers keep the version
    they were given against.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="questionnaires"
    )
    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    licence_note = models.TextField(blank=True)
    is_enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("code", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "code", "version"], name="questionnaire_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Occasion(models.TextChoices):
    START = "start", _("At the start")
    FOLLOW_UP = "follow_up", _("At a follow-up")
    CLOSE = "close", _("At the end")


class AnsweredBy(models.TextChoices):
    PERSON = "person", _("By the person, on their own")
    WITH_LINK_WORKER = "with_link_worker", _("By the person, with their link worker")


class Administration(models.Model):
    """One time a questionnaire was answered, with its scores as worked out then."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="administrations")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    occasion = models.CharField(max_length=12, choices=Occasion)
    answered_by = models.CharField(max_length=20, choices=AnsweredBy)
    recorded_by = models.ForeignKey(
        "communities.Membership", on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    scores = models.JSONField(default=dict)

    class Meta:
        ordering = ("answered_at", "id")
        indexes = [models.Index(fields=["community", "questionnaire", "occasion"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.occasion} ({self.referral_id})"


class Answer(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.SlugField(max_length=40)
    value = models.SmallIntegerField()

    class Meta:
        ordering = ("administration", "id")
        constraints = [
            models.UniqueConstraint(fields=["administration", "item"], name="answer_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}={self.value}"


# Reads ----------------------------------------------------------------------------------------


class ReferralRead(models.Model):
    """Someone other than the person read referral content: who, whose, what, when."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    reader = models.ForeignKey("communities.Membership", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="reads")
    what = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ReferralRead]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=["community", "person", "-at"]),
            models.Index(fields=["community", "reader", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} read {self.what} of {self.person_id}"


# The FHIR intake ------------------------------------------------------------------------------


class IntakeToken(models.Model):
    """A referring organisation's key to the FHIR intake API (``tokens.py`` writes these).

    The token itself is shown once, when it is issued; only its SHA-256 digest
    is kept. Each token sends as one :class:`Referrer` of its organisation (named
    after the sending system), so every referral it brings in records who sent it.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        ReferringOrganisation, on_delete=models.PROTECT, related_name="intake_tokens"
    )
    referrer = models.ForeignKey(Referrer, on_delete=models.PROTECT, related_name="intake_tokens")
    label = models.CharField(_("name of the sending system"), max_length=120)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so a coordinator can tell two tokens apart.
    hint = models.CharField(max_length=8)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        "communities.Membership", on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "communities.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-issued_at", "-id")
        indexes = [models.Index(fields=["community", "organisation"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
