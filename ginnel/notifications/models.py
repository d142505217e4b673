"""Notifications, their deliveries by channel (the outbox), and what each person chose.

A :class:`Notification` is written in the same transaction as the change that
causes it; so are its :class:`Delivery` rows, one per channel the person gets
it by. A delivery is the outbox: the dispatcher sends it after the commit, and
its ``idempotency_key`` (notification and channel) goes to the provider as the
reference, so a send interrupted half way is found again rather than repeated.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.notifications.kinds import Channel, Frequency


class Notification(models.Model):
    """Something a person is told: shown in their inbox, and sent as they chose."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=80)
    #: Who did what caused it, if a person (shown as the sender; blocking is checked against it).
    actor = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Where the thing is: a path inside Ginnel ("/c/millbeck/timebank/exchanges/12/").
    url = models.CharField(max_length=500, blank=True)
    #: What the templates need: strings and numbers only, chosen by the emitter.
    context = models.JSONField(default=dict, blank=True)
    #: Stops the same reminder being made twice ("contact due for referral 12 on 2026-12-02").
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    HELD = "held", _("Held for a digest")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    CANCELLED = "cancelled", _("Not sent")


class Delivery(models.Model):
    """One notification by one channel: the outbox row the dispatcher works from."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=12, choices=[(c.value, c.value) for c in Channel])
    frequency = models.CharField(
        max_length=12, choices=[(f.value, f.value) for f in Frequency if f != Frequency.OFF]
    )
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    #: "<notification id>:<channel>": sent to the provider as its reference.
    idempotency_key = models.CharField(max_length=60, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=120, blank=True)
    last_error = models.TextField(blank=True)
    #: Set when it went out in a digest: the digest's own key.
    digest_key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            # Digests look up what a digest key already sent; most deliveries have none.
            models.Index(
                fields=["digest_key"], condition=~Q(digest_key=""), name="delivery_digest_key"
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key


class Preference(models.Model):
    """How often one person gets one kind by one channel (absent: the kind's default)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=80)
    channel = models.CharField(max_length=12, choices=[(c.value, c.value) for c in Channel])
    frequency = models.CharField(max_length=12, choices=[(f.value, f.value) for f in Frequency])
    set_by = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "channel"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.channel}: {self.frequency}"


class ContactSettings(models.Model):
    """Where and when one person is reached, beyond their record's email and phone.

    A coordinator may set these for someone without a login: letters to their
    carer, texts to another number.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="notification_settings"
    )
    #: No texts or emails sent between these times (local time); they wait until the end.
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    email = models.EmailField(_("email address for notifications"), blank=True)
    phone = models.CharField(_("mobile number for text messages"), max_length=32, blank=True)
    letter_name = models.CharField(_("name on letters"), max_length=120, blank=True)
    letter_address = models.TextField(_("postal address for letters"), max_length=500, blank=True)
    set_by = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Contact settings of {self.person_id}"


class CommunityChannels(models.Model):
    """Which channels a community pays for: text messages and letters cost money."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="notification_channels"
    )
    texts_enabled = models.BooleanField(_("send text messages"), default=False)
    letters_enabled = models.BooleanField(_("send letters"), default=False)

    def __str__(self) -> str:
        return f"Channels of {self.community_id}"
