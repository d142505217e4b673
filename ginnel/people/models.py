"""Users (who log in) and People (a member's record in one community)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who can log in. Their records in each community are People."""

    email = models.EmailField("email address", unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log in to the site administration (/admin/)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Letter"
    IN_PERSON = "in_person", "In person, through a coordinator"


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
        "name to show",
        max_length=80,
        help_text="The name other people in this community will see.",
    )
    neighbourhood = models.ForeignKey(
        "communities.Neighbourhood",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    contact_method = models.CharField(
        "best way to contact you",
        max_length=16,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    contact_email = models.EmailField("email for contact", blank=True)
    phone = models.CharField("phone number", max_length=32, blank=True)
    contact_times = models.CharField(
        "best times to contact you",
        max_length=200,
        blank=True,
        help_text="For example: weekday mornings, not after 7pm.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("display_name", "id")
        indexes = [models.Index(fields=["community", "display_name"])]

    def __str__(self) -> str:
        return self.display_name
