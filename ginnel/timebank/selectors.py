"""Timebank reads: listings, exchanges, statements and reports, scoped first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ginnel.communities.models import Membership, MembershipStatus
from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.timebank.models import (
    Account,
    Category,
    Entry,
    Exchange,
    ExchangeState,
    Listing,
    ListingStatus,
    ThankYou,
    TimebankAction,
    TransferKind,
)


def categories_of(access: Access) -> QuerySet[Category]:
    """Every category of the community, retired ones included (for the settings page)."""
    return Category.objects.filter(community=access.community).order_by("retired", "name")


def categories_in_use(*, access: Access) -> QuerySet[Category]:
    """The community's categories for administrators: in use first, each with how often used."""
    require(access, Perm.MANAGE_COMMUNITY)
    return (
        categories_of(access)
        .annotate(
            listing_count=Count("listings", distinct=True),
            exchange_count=Count("exchanges", distinct=True),
        )
        .order_by("retired", "name")
    )


def category_get(*, access: Access, category_id: int) -> Category | None:
    require(access, Perm.MANAGE_COMMUNITY)
    return Category.objects.filter(community=access.community, pk=category_id).first()


def listings_search(
    *,
    access: Access,
    text: str = "",
    kind: str = "",
    category_id: int | None = None,
    neighbourhood_id: int | None = None,
    where: str = "",
    sort: str = "newest",
) -> QuerySet[Listing]:
    require(access, Perm.USE_TIMEBANK)
    today = timezone.localdate()
    listings = (
        Listing.objects.filter(community=access.community, status=ListingStatus.OPEN)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .filter(owner__membership__status=MembershipStatus.ACTIVE)
        .select_related("owner__neighbourhood")
        .prefetch_related("categories")
    )
    if text:
        listings = listings.filter(Q(title__icontains=text) | Q(description__icontains=text))
    if kind:
        listings = listings.filter(kind=kind)
    if category_id is not None:
        listings = listings.filter(categories__id=category_id)
    if neighbourhood_id is not None:
        listings = listings.filter(owner__neighbourhood_id=neighbourhood_id)
    if where in Listing.WHERE_FIELDS:
        listings = listings.filter(**{Listing.WHERE_FIELDS[where]: True})
    mine = access.membership.person.neighbourhood_id if access.membership else None
    if sort == "nearest" and mine is not None:
        listings = listings.annotate(
            distance=Case(
                When(owner__neighbourhood_id=mine, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("distance", "-created_at", "-id")
    else:
        listings = listings.order_by("-created_at", "-id")
    return listings.distinct()


def listing_get(*, access: Access, listing_id: int) -> Listing | None:
    require(access, Perm.USE_TIMEBANK)
    return (
        Listing.objects.filter(community=access.community, pk=listing_id)
        .select_related("owner__neighbourhood")
        .prefetch_related("categories")
        .first()
    )


def listings_of(*, access: Access, person: Person) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(community=access.community, owner=person)
        .prefetch_related("categories")
        .order_by("status", "-created_at")
    )


def _exchanges(access: Access) -> QuerySet[Exchange]:
    return Exchange.objects.filter(community=access.community).select_related(
        "giver",
        "receiver",
        "proposed_by",
        "claimed_by",
        "category",
        "listing",
        "acting_by",
        "claim_declined_by",
    )


def exchanges_of(*, access: Access, person: Person) -> QuerySet[Exchange]:
    return (
        _exchanges(access)
        .filter(Q(giver=person) | Q(receiver=person))
        .order_by("-updated_at", "-id")
    )


def exchange_get(*, access: Access, exchange_id: int) -> Exchange | None:
    """An exchange its two people, whoever started it for one of them, and coordinators, may see."""
    exchange = _exchanges(access).filter(pk=exchange_id).first()
    if exchange is None:
        return None
    me = access.membership.person.pk if access.membership else None
    if me in (exchange.giver_id, exchange.receiver_id, exchange.acting_by_id) or access.can(
        Perm.COORDINATE_TIMEBANK
    ):
        return exchange
    return None


def pending_confirmations(*, access: Access, older_than_days: int = 0) -> QuerySet[Exchange]:
    require(access, Perm.COORDINATE_TIMEBANK)
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return (
        _exchanges(access)
        .filter(state=ExchangeState.COMPLETED, updated_at__lte=cutoff)
        .order_by("updated_at", "id")
    )


def actions_recent(*, access: Access, limit: int = 50) -> QuerySet[TimebankAction]:
    require(access, Perm.COORDINATE_TIMEBANK)
    return (
        TimebankAction.objects.filter(community=access.community)
        .select_related("actor__person", "person", "exchange")
        .order_by("-at", "-id")[:limit]
    )


@dataclass(frozen=True)
class StatementRow:
    on: date
    description: str
    counterpart: str
    minutes: int
    balance: int
    kind: str  # the kind of transfer, as people read it
    type: str = TransferKind.EXCHANGE  # the kind of transfer, as stored
    given: int = 0
    received: int = 0


@dataclass(frozen=True)
class Statement:
    person: Person
    rows: list[StatementRow]
    balance: int
    given: int
    received: int


def statement(*, access: Access, person: Person) -> Statement:
    """Every posting to a member's account, oldest first, with the running balance.

    A member sees their own; coordinators see anyone's in their community.
    """
    own = access.membership is not None and access.membership.person.pk == person.pk
    if person.community_id != access.community.pk:
        raise GinnelError(_("There is no such member in this community."))
    if not own:
        require(access, Perm.COORDINATE_TIMEBANK)
    return _statement_of(person)


def given_and_received(kind: str, minutes: int) -> tuple[int, int]:
    """What one entry adds to (hours given, hours received).

    An exchange credits the giver of time; a donation debits the giver of
    hours: either way the giver gave. Reversals undo, and count as neither.
    """
    if kind == TransferKind.REVERSAL:
        return 0, 0
    if kind == TransferKind.DONATION:
        return (-minutes, 0) if minutes < 0 else (0, minutes)
    return (minutes, 0) if minutes > 0 else (0, -minutes)


def _statement_of(person: Person) -> Statement:
    account = Account.objects.filter(person=person).first()
    if account is None:
        return Statement(person=person, rows=[], balance=0, given=0, received=0)
    entries = list(
        Entry.objects.filter(account=account)
        .select_related("transfer")
        .order_by("transfer__happened_on", "created_at", "id")
    )
    others: dict[int, list[str]] = {}
    for other in (
        Entry.objects.filter(transfer_id__in=[e.transfer_id for e in entries])
        .exclude(account=account)
        .select_related("account")
        .order_by("id")
    ):
        others.setdefault(other.transfer_id, []).append(other.account.name)
    rows, running, given, received = [], 0, 0, 0
    for entry in entries:
        running += entry.minutes
        gave, got = given_and_received(entry.transfer.kind, entry.minutes)
        given, received = given + gave, received + got
        names = others.get(entry.transfer_id, [])
        counterpart = (
            names[0]
            if len(names) == 1
            else ngettext("%(n)d person", "%(n)d people", len(names)) % {"n": len(names)}
        )
        rows.append(
            StatementRow(
                on=entry.transfer.happened_on,
                description=(
                    _("%(what)s (reason: %(reason)s)")
                    % {"what": entry.transfer.description, "reason": entry.transfer.reason}
                    if entry.transfer.reason
                    else entry.transfer.description
                ),
                counterpart=counterpart,
                minutes=entry.minutes,
                balance=running,
                kind=str(entry.transfer.get_kind_display()),
                type=entry.transfer.kind,
                given=gave,
                received=got,
            )
        )
    return Statement(person=person, rows=rows, balance=running, given=given, received=received)


def totals_of(*, person: Person) -> tuple[int, int]:
    """(Hours given, hours received) of a member, in minutes, counted as the statement does."""
    given = received = 0
    for kind, credits, debits in (
        Entry.objects.filter(account__person=person)
        .values("transfer__kind")
        .annotate(
            credits=Sum(Case(When(minutes__gt=0, then="minutes"), default=Value(0))),
            debits=Sum(Case(When(minutes__lt=0, then="minutes"), default=Value(0))),
        )
        .values_list("transfer__kind", "credits", "debits")
    ):
        for minutes in (int(credits or 0), int(debits or 0)):
            gave, got = given_and_received(kind, minutes)
            given, received = given + gave, received + got
    return given, received


def organisation_accounts(*, access: Access) -> QuerySet[Account]:
    require(access, Perm.COORDINATE_TIMEBANK)
    return Account.objects.filter(community=access.community, kind="organisation").order_by("name")


def thank_yous_shown(*, access: Access, person: Person) -> QuerySet[ThankYou]:
    return ThankYou.objects.filter(
        community=access.community, exchange__giver=person, show_on_profile=True
    ).select_related("exchange__receiver")


@dataclass
class MonthReport:
    month: date
    minutes: int = 0
    exchanges: int = 0
    active_members: int = 0
    new_members: int = 0
    donated: int = 0  # hours given to the pot or to another member
    by_category: dict[str, int] = field(default_factory=dict)
    by_neighbourhood: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    months: list[MonthReport]
    quiet_members: list[Person]


def report(*, access: Access, months: int = 12, quiet_days: int = 90) -> Report:
    """Coordinator report by month, and members with no exchange in ``quiet_days``."""
    require(access, Perm.COORDINATE_TIMEBANK)
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    confirmed = Exchange.objects.filter(
        community=access.community, state=ExchangeState.CONFIRMED, happened_on__gte=start
    )
    by_month: dict[date, MonthReport] = {}

    def month_of(value: date) -> MonthReport:
        key = value.replace(day=1)
        return by_month.setdefault(key, MonthReport(month=key))

    for totals in (
        confirmed.annotate(m=TruncMonth("happened_on"))
        .values("m")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
    ):
        report_month = month_of(totals["m"])
        report_month.minutes, report_month.exchanges = int(totals["minutes"] or 0), totals["n"]
    active: dict[date, set[int]] = {}
    for month, giver_id, receiver_id in confirmed.annotate(m=TruncMonth("happened_on")).values_list(
        "m", "giver_id", "receiver_id"
    ):
        active.setdefault(month.replace(day=1), set()).update((giver_id, receiver_id))
    for key, people in active.items():
        by_month[key].active_members = len(people)
    for by_cat in (
        confirmed.annotate(m=TruncMonth("happened_on"))
        .values("m", "category__name")
        .annotate(n=Count("id"))
    ):
        name = by_cat["category__name"] or _("Uncategorised")
        month_of(by_cat["m"]).by_category[name] = by_cat["n"]
    for by_place in (
        confirmed.annotate(m=TruncMonth("happened_on"))
        .values("m", "receiver__neighbourhood__name")
        .annotate(n=Count("id"))
    ):
        name = by_place["receiver__neighbourhood__name"] or _("Not given")
        month_of(by_place["m"]).by_neighbourhood[name] = by_place["n"]
    for donated in (
        Entry.objects.filter(
            community=access.community,
            transfer__kind=TransferKind.DONATION,
            transfer__happened_on__gte=start,
            minutes__gt=0,
        )
        .annotate(m=TruncMonth("transfer__happened_on"))
        .values("m")
        .annotate(minutes=Sum("minutes"))
    ):
        month_of(donated["m"]).donated = int(donated["minutes"] or 0)
    for joined in (
        Membership.objects.filter(
            community=access.community,
            status=MembershipStatus.ACTIVE,
            created_at__date__gte=start,
        )
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(n=Count("id"))
    ):
        joined_month = joined["m"].date() if hasattr(joined["m"], "date") else joined["m"]
        month_of(joined_month).new_members = joined["n"]

    since = today - timedelta(days=quiet_days)
    recent = Exchange.objects.filter(
        community=access.community, state=ExchangeState.CONFIRMED, happened_on__gte=since
    )
    quiet = (
        Person.objects.filter(
            community=access.community, membership__status=MembershipStatus.ACTIVE
        )
        .exclude(Exists(recent.filter(giver=OuterRef("pk"))))
        .exclude(Exists(recent.filter(receiver=OuterRef("pk"))))
        .select_related("neighbourhood")
        .order_by("display_name", "id")
    )
    return Report(
        months=[by_month[k] for k in sorted(by_month, reverse=True)],
        quiet_members=list(quiet),
    )
