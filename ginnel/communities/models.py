"""Tenancy: communities, their neighbourhoods, memberships, roles and invitations.

Every community-scoped table carries ``community_id``: it is the key every
query is scoped by first, and the key a multi-tenant deployment shards on.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class CommunityKind(models.TextChoices):
    TIMEBANK = "timebank", _("Timebank")
    PLACE = "place", _("Place")
    NETWORK = "network", _("Network")


class SignupMode(models.TextChoices):
    OPEN = "open", _("Open: anyone can join")
    INVITATION = "invitation", _("By invitation only")
    APPLICATION = "application", _("By application, approved by a coordinator")


class Community(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text=_("Used in web addresses: lowercase letters, numbers and hyphens."),
    )
    kind = models.CharField(max_length=16, choices=CommunityKind.choices)
    description = models.TextField(blank=True)
    signup_mode = models.CharField(
        _("how people join"), max_length=16, choices=SignupMode.choices, default=SignupMode.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="neighbourhoods"
    )
    name = models.CharField(max_length=80)
    # Its centre, when known: distances from "my neighbourhood" in the directory and matching.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Retired: no longer offered to new members or for new records; the people who
    # live there keep it, and history still shows it.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="neighbourhood_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, waiting for a coordinator")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Application declined")
    LEFT = "left", _("Left")


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    COORDINATOR = "coordinator", _("Coordinator")
    LINK_WORKER = "link_worker", _("Link worker")
    ORG_EDITOR = "org_editor", _("Organisation editor")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A user's (or an offline person's) place in a community, with their roles.

    Every active membership has the member role; further roles are RoleGrants.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    application_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(user__isnull=False),
                name="membership_one_per_user",
            )
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return f"{self.user or 'offline person'} in {self.community}"


class RoleGrant(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="rolegrant_unique"),
            models.CheckConstraint(condition=~Q(role="member"), name="rolegrant_not_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.membership_id})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


def _invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=30)


class Invitation(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    #: Set when the invitation lets someone recorded without a login (a person a
    #: link worker or coordinator recorded, or a referral brought in) claim their
    #: own record: joining through it gives that membership a login, never a new one.
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claim_invitations",
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.community}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class CommunityEvent(models.Model):
    """Append-only record of every coordinator and administrator action."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    subject = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    LABELS: ClassVar[dict[str, StrOrPromise]] = {
        "community_created": _("Created the community"),
        "application_approved": _("Approved an application"),
        "application_declined": _("Declined an application"),
        "invited": _("Made an invitation"),
        "invited_to_claim": _("Invited someone to claim their record"),
        "record_claimed": _("Claimed their record with a login of their own"),
        "person_recorded": _("Recorded a person"),
        "person_updated": _("Changed a person's details"),
        "roles_set": _("Changed roles"),
        "community_updated": _("Changed the settings"),
        "neighbourhood_added": _("Added a neighbourhood"),
        "member_left": _("Left the community"),
    }

    class Meta:
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["community", "-at"])]

    def __str__(self) -> str:
        return f"{self.label} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return str(self.LABELS.get(self.action, self.action.replace("_", " ").capitalize()))
