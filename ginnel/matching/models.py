"""What matching remembers: blocks, "not for me", and introductions through a coordinator."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Block(models.Model):
    """One person does not want to be put in touch with another: never suggested, either way."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["person", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~Q(person=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} blocked {self.blocked_id}"


class Dismissal(models.Model):
    """A suggestion a person said was "not for me": never suggested to them again.

    ``candidate`` is the candidate source's key, e.g. ``offers:12`` (a listing)
    or ``peers:7`` (a person): see ``adapter.CandidateSource``.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="dismissals")
    kind = models.CharField(max_length=16)
    candidate = models.CharField(max_length=80)
    # What it was, as shown when it was dismissed: so the person can see what they hid.
    label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "candidate"], name="dismissal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: not {self.candidate}"


class IntroductionState(models.TextChoices):
    REQUESTED = "requested", _("Asked for, waiting for a coordinator")
    MADE = "made", _("Introduced")
    DECLINED = "declined", _("Not made")


class Introduction(models.Model):
    """A request that a coordinator puts two people in touch, from a suggestion.

    Asked for by a link worker or coordinator for the person they support, or
    by a member for themselves. No contact details pass until a coordinator
    has spoken to both.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    candidate = models.CharField(max_length=80)
    reasons = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(
        max_length=16, choices=IntroductionState.choices, default=IntroductionState.REQUESTED
    )
    at = models.DateTimeField(default=timezone.now)
    # Who marked it made or not made, and when (empty while it waits).
    decided_by = models.ForeignKey(
        "communities.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["community", "state", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=models.F("other")), name="introduction_two_people"
            )
        ]

    def __str__(self) -> str:
        return f"Introduce {self.person_id} to {self.other_id}"
