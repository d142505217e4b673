"""Users (who log in) and People (a member's record in one community)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def email_key(address: str) -> str:
    """The one form an email address is stored and looked up in: trimmed, lower-case.

    Sign-in, sign-up and the login lockout (django-axes) all go through this, so
    ``Ada@Example.ORG`` is the same account, and the same count of wrong guesses,
    as ``ada@example.org``.
    """
    return address.strip().lower()


def login_key(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """The username django-axes counts failures against (AXES_USERNAME_CALLABLE)."""
    source = credentials if credentials else getattr(request, "POST", {})
    return email_key(str(source.get("username") or ""))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        """Logging in finds the account whatever the case of the address typed."""
        return self.get(email=email_key(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError(_("A user needs an email address."))
        user = self.model(email=email_key(self.normalize_email(email)), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who can log in. Their records in each community are People."""

    email = models.EmailField(_("email address"), unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("Can log in to the site administration (/admin/).")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Whether the person has shown the address is theirs, by the link emailed at sign-up.
    # Until then others do not see them listed or suggested (coordinators do, marked).
    # Accounts made by sign-up start unchecked (communities.services.member_join); those an
    # administrator makes (createcommunity, the demo) and every account that existed before
    # the check count as checked.
    email_verified = models.BooleanField(_("email address checked"), default=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    POST = "post", _("Letter")
    IN_PERSON = "in_person", _("In person, through a coordinator")


class Person(models.Model):
    """A member's record in one community: how they are known and reached there.

    A person recorded by a coordinator for someone who is not online has a
    membership without a user.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="people"
    )
    membership = models.OneToOneField(
        "communities.Membership", on_delete=models.CASCADE, related_name="person"
    )
    display_name = models.CharField(
        _("name to show"),
        max_length=80,
        help_text=_("The name other people in this community will see."),
    )
    neighbourhood = models.ForeignKey(
        "communities.Neighbourhood",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    contact_method = models.CharField(
        _("best way to contact you"),
        max_length=16,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    contact_email = models.EmailField(_("email for contact"), blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    contact_times = models.CharField(
        _("best times to contact you"),
        max_length=200,
        blank=True,
        help_text=_("For example: weekday mornings, not after 7pm."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("display_name", "id")
        indexes = [models.Index(fields=["community", "display_name"])]

    def __str__(self) -> str:
        return self.display_name


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Working on it")
    REACHED = "reached", _("Reached")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class Goal(models.Model):
    """A goal in the person's own words, with small steps, reviewed with a coach."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="goals"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("your goal, in your own words"), max_length=200)
    why = models.TextField(_("why it matters to you"), max_length=2000, blank=True)
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    coach = models.ForeignKey(
        "communities.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coached_goals",
    )
    helpers = models.CharField(
        _("who else is helping"),
        max_length=200,
        blank=True,
        help_text=_("For example, a timebank member or a friend."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("status", "-created_at", "-id")
        indexes = [models.Index(fields=["community", "person"])]

    def __str__(self) -> str:
        return self.title


class GoalStep(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("a small step"), max_length=200)
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.text


class GoalEvent(models.Model):
    """Append-only history of every change to a goal, its steps and its reviews."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    text = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class CoachNote(models.Model):
    """A coordinator's or link worker's short note; the person reads every note about them."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coach_notes")
    author = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return self.text[:40]


class ConsentPurpose(models.TextChoices):
    PEER_SUPPORT = (
        "peer_support",
        _("Connecting me with people who share my concern (peer support)"),
    )
    SHARE_WITH_ORGANISATION = (
        "share_with_organisation",
        _("Sharing my profile with a named organisation"),
    )
    RESEARCH = "research", _("Anonymous counts for research and reporting")


class Consent(models.Model):
    """Consent for one purpose, given and (perhaps) withdrawn, with the times of each."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    organisation = models.CharField(
        max_length=120, blank=True, help_text=_("For sharing with a named organisation.")
    )
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ("-given_at", "-id")
        indexes = [models.Index(fields=["person", "purpose"])]

    def __str__(self) -> str:
        if self.withdrawn_at:
            return _("%(purpose)s (withdrawn)") % {"purpose": self.get_purpose_display()}
        return _("%(purpose)s (given)") % {"purpose": self.get_purpose_display()}

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class AccessNeed(models.TextChoices):
    LARGE_PRINT = "large_print", _("Large print")
    EASY_READ = "easy_read", _("Easy read")
    INTERPRETER = "interpreter", _("An interpreter")
    BSL = "bsl", _("British Sign Language")
    STEP_FREE = "step_free", _("Step-free access")
    HEARING_LOOP = "hearing_loop", _("A hearing loop")
    QUIET = "quiet", _("A quiet place")


class StrengthsProfile(models.Model):
    """What a person is good at, enjoys and hopes for, in their own words.

    Filled in by the guided conversation (one question a screen, saved as it
    goes). ``peer_topics`` is special category data: it is kept only while the
    person's consent for peer support stands, and shown to no one else.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="strengths")
    skills = models.ManyToManyField("timebank.Category", blank=True, related_name="+")
    skills_own_words = models.TextField(max_length=2000, blank=True)
    interests = models.TextField(max_length=2000, blank=True)
    matters = models.TextField(max_length=2000, blank=True)
    hopes = models.TextField(max_length=2000, blank=True)
    help_wanted = models.TextField(max_length=2000, blank=True)
    access_needs = models.JSONField(default=list, blank=True)
    access_other = models.CharField(max_length=200, blank=True)
    peer_topics = models.TextField(max_length=1000, blank=True)
    share_skills = models.BooleanField(default=True)
    share_interests = models.BooleanField(default=True)
    share_neighbourhood = models.BooleanField(default=True)
    steps_done = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return _("Strengths of %(person)s") % {"person": self.person_id}


class StrengthsReview(models.Model):
    """The conversation as it stood when finished: kept to compare then and now."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="strengths_reviews")
    answers = models.JSONField(default=dict)
    goals_reached = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return _("Review of %(person)s on %(date)s") % {
            "person": self.person_id,
            "date": f"{self.at:%Y-%m-%d}",
        }
