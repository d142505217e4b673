"""The timebank: offers and requests, exchanges, and the hours ledger.

The ledger is double entry. Every Account (member, organisation, community
pot) has Entries; a Transfer is a set of Entries that sum to zero. Entries are
never updated or deleted: a correction is a reversing Transfer. An account's
``balance`` caches the sum of its entries and is only changed under a row lock
in the same transaction that writes them. All amounts are whole minutes.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A skill category of a community's taxonomy (gardening, DIY, lifts…)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # A retired category is not offered for new listings; what used it keeps it.
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Where(models.TextChoices):
    MY_HOME = "my_home", _("At the giver's home")
    YOUR_HOME = "your_home", _("At the receiver's home")
    PUBLIC = "public", _("In a public place")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone")


class ListingKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    REQUEST = "request", _("Request")


class ListingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Listing(models.Model):
    """An offer ("I can…") or a request ("I'd like help with…")."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="listings"
    )
    owner = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="listings")
    kind = models.CharField(max_length=8, choices=ListingKind.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    categories = models.ManyToManyField(Category, related_name="listings", blank=True)
    # Where it can happen: several may apply, so one flag each (filterable on any database).
    at_my_home = models.BooleanField(default=False)
    at_your_home = models.BooleanField(default=False)
    in_public = models.BooleanField(default=False)
    online = models.BooleanField(default=False)
    by_phone = models.BooleanField(default=False)
    availability = models.CharField(max_length=200, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=ListingStatus.choices, default=ListingStatus.OPEN
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    WHERE_FIELDS: ClassVar[dict[str, str]] = {
        Where.MY_HOME: "at_my_home",
        Where.YOUR_HOME: "at_your_home",
        Where.PUBLIC: "in_public",
        Where.ONLINE: "online",
        Where.PHONE: "by_phone",
    }

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["community", "kind", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def places(self) -> list[str]:
        return [str(Where(w).label) for w, f in self.WHERE_FIELDS.items() if getattr(self, f)]

    def is_live(self, today: object | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == ListingStatus.OPEN and (
            self.expires_on is None or self.expires_on >= today  # type: ignore[operator]
        )


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANISATION = "organisation", _("Organisation")
    POT = "pot", _("Community pot")


class Account(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="accounts"
    )
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    name = models.CharField(max_length=120, help_text=_("For organisations and the pot."))
    # Cached sum of this account's entries, changed only under select_for_update.
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the member leaves the community (timebank/leaving.py). The account and its
    # entries stay, so its balance and the community's sum of zero are unchanged.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["community"], condition=Q(kind="pot"), name="account_one_pot"
            ),
            models.CheckConstraint(
                condition=Q(kind="member", person__isnull=False)
                | (~Q(kind="member") & Q(person__isnull=True)),
                name="account_member_has_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TransferKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange")
    GROUP = "group", _("Group activity")
    DONATION = "donation", _("Donation")
    REVERSAL = "reversal", _("Reversal")


class Transfer(models.Model):
    """A set of entries that sum to zero. Never changed once written."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="transfers"
    )
    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    description = models.CharField(max_length=300, blank=True)
    happened_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Entry(models.Model):
    """One leg of a transfer: positive credits the account (hours given), negative debits it."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    minutes = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["account", "created_at", "id"])]
        constraints = [models.CheckConstraint(condition=~Q(minutes=0), name="entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.minutes:+d} min to {self.account_id}"


class ExchangeState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    COMPLETED = "completed", _("Hours recorded, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    REVERSED = "reversed", _("Reversed by a coordinator")


class Exchange(models.Model):
    """One person helping another, from proposal to confirmed hours."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="exchanges"
    )
    listing = models.ForeignKey(
        Listing, on_delete=models.SET_NULL, null=True, blank=True, related_name="exchanges"
    )
    giver = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # Who recorded the hours (the claim): the other party, or a coordinator, confirms it.
    claimed_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the exchange is (the listing's title, or what was done): its headline.
    description = models.CharField(max_length=300)
    # The proposer's note to the other person ("Could you help on Saturday?").
    message = models.CharField(max_length=300, blank=True)
    # A link worker or coordinator who started it for one of the two people.
    acting_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    where = models.CharField(max_length=16, choices=Where.choices, default=Where.PUBLIC)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="exchanges"
    )
    state = models.CharField(
        max_length=16, choices=ExchangeState.choices, default=ExchangeState.PROPOSED
    )
    minutes = models.PositiveIntegerField(null=True, blank=True)
    happened_on = models.DateField(null=True, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="exchange"
    )
    # The last claim turned down (by the other person, or rejected by a coordinator):
    # the exchange is agreed again, and the claimant (still ``claimed_by``) sees why.
    claim_declined_by = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim_declined_minutes = models.PositiveIntegerField(null=True, blank=True)
    claim_declined_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-updated_at", "-id")
        indexes = [
            models.Index(fields=["community", "state", "updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")), name="exchange_two_people"
            ),
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(transfer__isnull=False),
                name="exchange_confirmed_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class ThankYou(models.Model):
    """The receiver's short note after a confirmed exchange; the giver chooses if it shows."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    exchange = models.OneToOneField(Exchange, on_delete=models.CASCADE, related_name="thank_you")
    text = models.CharField(max_length=500)
    show_on_profile = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.text[:40]


class Safeguarding(models.Model):
    """A coordinator's record that a member is vetted, or needs support."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="safeguarding"
    )
    vetted_on = models.DateField(null=True, blank=True)
    checks = models.CharField(
        _("what was checked"),
        max_length=300,
        blank=True,
        help_text=_("For example: enhanced DBS certificate seen, two references."),
    )
    vetted_by = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    needs_support = models.BooleanField(
        default=False,
        help_text=_("Only vetted members can agree exchanges with this person."),
    )

    def __str__(self) -> str:
        return f"Safeguarding for {self.person_id}"

    @property
    def is_vetted(self) -> bool:
        return self.vetted_on is not None


class TimebankSettings(models.Model):
    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="timebank_settings"
    )
    # The most a member may be owed, and the most they may owe, in minutes.
    credit_limit = models.PositiveIntegerField(default=40 * 60)
    debit_limit = models.PositiveIntegerField(default=20 * 60)

    def __str__(self) -> str:
        return f"Timebank settings of {self.community_id}"


class TimebankAction(models.Model):
    """Append-only record of every coordinator action in the timebank, and of claims of
    hours turned down or withdrawn by members."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        "communities.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    exchange = models.ForeignKey(
        Exchange, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
