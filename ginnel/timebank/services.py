"""Timebank use-cases: one function each, one transaction, permission checked.

An exchange moves proposed → agreed → completed (hours claimed by one party)
→ confirmed (by the other party, or by a coordinator on their behalf), or ends
declined or cancelled. A claim that waits can be turned down (declined by the
other party, rejected by a coordinator: back to agreed, with the reason for the
claimant) or withdrawn by the claimant (back to agreed). Only a confirmed
exchange posts hours; only a coordinator can reverse it, with a reason, by a
reversing transfer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Community, MembershipStatus
from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.timebank import ledger, notifications, sql
from ginnel.timebank.models import (
    Account,
    AccountKind,
    Category,
    Exchange,
    ExchangeState,
    Listing,
    ListingKind,
    ListingStatus,
    Safeguarding,
    ThankYou,
    TimebankAction,
    TimebankSettings,
    Transfer,
    TransferKind,
    Where,
)

DEFAULT_CATEGORIES = [
    "Befriending",
    "Gardening",
    "DIY and repairs",
    "Lifts and transport",
    "Shopping and errands",
    "IT help",
    "Form filling",
    "Cooking",
    "Language and conversation",
    "Music",
    "Pet care",
    "Sewing and mending",
    "Childcare",
    "Cleaning and tidying",
    "Arts and crafts",
    "Reading and writing",
    "Sport and exercise",
    "Teaching and tutoring",
    "Admin and paperwork",
    "Walking and outings",
]

MAX_EXCHANGE_MINUTES = 24 * 60


def categories_seed(*, community: Community) -> list[Category]:
    """Give a community the default skill taxonomy (idempotent)."""
    existing = set(Category.objects.filter(community=community).values_list("name", flat=True))
    Category.objects.bulk_create(
        [Category(community=community, name=n) for n in DEFAULT_CATEGORIES if n not in existing]
    )
    return list(Category.objects.filter(community=community))


@transaction.atomic
def category_rename(*, access: Access, category_id: int, name: str) -> Category:
    """An administrator renames a category; everything filed under it follows."""
    require(access, Perm.MANAGE_COMMUNITY)
    name = " ".join(name.split())
    if not name:
        raise GinnelError(_("Enter the category's new name."), field="name")
    category = _category_locked(access, category_id)
    clash = (
        Category.objects.filter(community=access.community, name__iexact=name)
        .exclude(pk=category.pk)
        .first()
    )
    if clash is not None:
        raise GinnelError(
            _("There is already a category called %(name)s.") % {"name": clash.name},
            field="name",
        )
    before = category.name
    category.name = name
    category.save(update_fields=["name"])
    _log(access, "category_renamed", category=category.pk, before=before, after=name)
    return category


@transaction.atomic
def category_retire(*, access: Access, category_id: int, retired: bool = True) -> Category:
    """Retire a category (not offered for new listings, kept on history), or bring it back."""
    require(access, Perm.MANAGE_COMMUNITY)
    category = _category_locked(access, category_id)
    if category.retired == retired:
        raise GinnelError(
            _("%(name)s is already retired.") % {"name": category.name}
            if retired
            else _("%(name)s is already in use.") % {"name": category.name}
        )
    category.retired = retired
    category.save(update_fields=["retired"])
    _log(
        access,
        "category_retired" if retired else "category_restored",
        category=category.pk,
        name=category.name,
    )
    return category


def _category_locked(access: Access, category_id: int) -> Category:
    category = (
        Category.objects.select_for_update()
        .filter(community=access.community, pk=category_id)
        .first()
    )
    if category is None:
        raise GinnelError(_("There is no such category in this community."))
    return category


def _me(access: Access) -> Person:
    if access.membership is None or not access.is_member:
        raise GinnelError(_("Only members of this community can do this."))
    return access.membership.person


def _person_in(access: Access, person_id: int) -> Person:
    person = (
        Person.objects.filter(
            community=access.community, pk=person_id, membership__status=MembershipStatus.ACTIVE
        )
        .select_related("membership")
        .first()
    )
    if person is None:
        raise GinnelError(_("There is no such member in this community."))
    return person


def _log(
    access: Access,
    action: str,
    *,
    exchange: Exchange | None = None,
    person: Person | None = None,
    **detail: Any,
) -> None:
    TimebankAction.objects.create(
        community=access.community,
        actor=access.membership,
        action=action,
        exchange=exchange,
        person=person,
        detail=detail,
    )


def _check_minutes(minutes: int) -> None:
    if minutes <= 0:
        raise GinnelError(_("Enter the time as more than 0 minutes."), field="minutes")
    if minutes > MAX_EXCHANGE_MINUTES:
        raise GinnelError(_("One exchange can be at most 24 hours."), field="minutes")


# Offers and requests -------------------------------------------------------------------------


@transaction.atomic
def listing_save(
    *,
    access: Access,
    listing: Listing | None = None,
    kind: str,
    title: str,
    description: str,
    categories: Sequence[Category],
    where: Iterable[str],
    availability: str,
    expires_on: date | None,
) -> Listing:
    require(access, Perm.USE_TIMEBANK)
    me = _me(access)
    if listing is not None and listing.owner_id != me.pk:
        raise GinnelError(_("You can only change your own offers and requests."))
    if expires_on is not None and expires_on < timezone.localdate():
        raise GinnelError(_("The end date cannot be in the past."), field="expires_on")
    if any(c.community_id != access.community.pk for c in categories):
        raise GinnelError(_("Choose categories of this community."), field="categories")
    kept = set(listing.categories.values_list("pk", flat=True)) if listing is not None else set()
    if any(c.retired and c.pk not in kept for c in categories):
        raise GinnelError(
            _("One of these categories is no longer used. Choose another."), field="categories"
        )
    where = set(where)
    values = {f: (w in where) for w, f in Listing.WHERE_FIELDS.items()}
    if listing is None:
        listing = Listing(community=access.community, owner=me, kind=kind)
    listing.title = title
    listing.description = description
    listing.availability = availability
    listing.expires_on = expires_on
    listing.reminded_at = None
    for name, value in values.items():
        setattr(listing, name, value)
    listing.save()
    listing.categories.set(categories)
    return listing


@transaction.atomic
def listing_close(*, access: Access, listing: Listing) -> Listing:
    me = _me(access)
    if listing.owner_id != me.pk and not access.can(Perm.COORDINATE_TIMEBANK):
        raise GinnelError(_("You can only close your own offers and requests."))
    listing.status = ListingStatus.CLOSED
    listing.save(update_fields=["status"])
    if listing.owner_id != me.pk:
        _log(access, "listing_closed", person=listing.owner, listing=listing.pk)
    return listing


# Exchanges -----------------------------------------------------------------------------------


def _safeguarding_check(exchange: Exchange) -> None:
    """Home visits and members who need support: only with a vetted giver."""
    receiver_flag = Safeguarding.objects.filter(person=exchange.receiver).first()
    giver_flag = Safeguarding.objects.filter(person=exchange.giver).first()
    giver_vetted = giver_flag is not None and giver_flag.is_vetted
    needs_support = any(f is not None and f.needs_support for f in (receiver_flag, giver_flag))
    if giver_vetted:
        return
    if exchange.where == Where.YOUR_HOME:
        raise GinnelError(
            _(
                "Help at %(name)s's home can only be agreed with a giver a coordinator has "
                "vetted. Ask a coordinator about vetting, or meet in a public place."
            )
            % {"name": exchange.receiver.display_name}
        )
    if needs_support:
        raise GinnelError(
            _(
                "One of you has asked for extra support, so this exchange can only be agreed "
                "with a giver a coordinator has vetted. A coordinator can help arrange it."
            )
        )


@transaction.atomic
def exchange_propose(
    *,
    access: Access,
    listing: Listing | None = None,
    other_id: int | None = None,
    i_give: bool | None = None,
    title: str = "",
    message: str = "",
    where: str,
    category: Category | None = None,
    for_person_id: int | None = None,
) -> Exchange:
    """Start an exchange from an offer or a request, or with a named member.

    Its headline is the listing's title (or ``title``); ``message`` is the
    proposer's note to the other person. A link worker or coordinator
    proposes for someone they help with ``for_person_id``: the exchange is
    that person's, and it records who started it for them.
    """
    require(access, Perm.USE_TIMEBANK)
    me = _me(access)
    proposer = me
    if for_person_id is not None and for_person_id != me.pk:
        if not access.can(Perm.COACH):
            raise GinnelError(
                _("Only a link worker or a coordinator can propose for someone else.")
            )
        proposer = _person_in(access, for_person_id)
    if listing is not None:
        if listing.community_id != access.community.pk or not listing.is_live():
            raise GinnelError(_("This offer or request is no longer open."))
        other = listing.owner
        i_give = listing.kind == ListingKind.REQUEST
        category = category or listing.categories.first()
        title = title or listing.title
    elif other_id is not None and i_give is not None:
        other = _person_in(access, other_id)
    else:
        raise GinnelError(_("Choose who the exchange is with."))
    if other.pk == proposer.pk:
        if proposer.pk == me.pk:
            raise GinnelError(_("You cannot start an exchange with yourself."))
        raise GinnelError(
            _("This is %(name)s's own offer or request.") % {"name": proposer.display_name}
        )
    if not title.strip():
        raise GinnelError(_("Say what the exchange is."), field="title")
    exchange = Exchange.objects.create(
        community=access.community,
        listing=listing,
        giver=proposer if i_give else other,
        receiver=other if i_give else proposer,
        proposed_by=proposer,
        acting_by=me if proposer.pk != me.pk else None,
        description=title.strip()[:300],
        message=message,
        where=where,
        category=category,
    )
    if proposer.pk != me.pk:
        _log(access, "proposed_for", exchange=exchange, person=proposer)
    notifications.proposed(access.community, exchange, actor=me)
    return exchange


@transaction.atomic
def exchange_broker(
    *,
    access: Access,
    giver_id: int,
    receiver_id: int,
    description: str,
    where: str,
    category: Category | None = None,
) -> Exchange:
    """A coordinator suggests an exchange between two members; either can then agree."""
    require(access, Perm.COORDINATE_TIMEBANK)
    me = _me(access)
    giver, receiver = _person_in(access, giver_id), _person_in(access, receiver_id)
    if giver.pk == receiver.pk:
        raise GinnelError(_("Choose two different people."), field="receiver")
    exchange = Exchange.objects.create(
        community=access.community,
        giver=giver,
        receiver=receiver,
        proposed_by=me,
        description=description,
        where=where,
        category=category,
    )
    _log(access, "brokered", exchange=exchange)
    notifications.proposed(access.community, exchange, actor=me)
    return exchange


def _lock(exchange: Exchange, access: Access) -> Exchange:
    # of=("self",): lock the exchange row only, not the people joined to it,
    # which other exchanges' transactions lock in a different order.
    locked = (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("giver", "receiver")
        .filter(pk=exchange.pk, community=access.community)
        .first()
    )
    if locked is None:
        raise GinnelError(_("There is no such exchange in this community."))
    return locked


def _party(exchange: Exchange, me: Person) -> bool:
    return me.pk in (exchange.giver_id, exchange.receiver_id)


def _touch(exchange: Exchange, *fields: str) -> None:
    """Save the changed fields of an exchange whose row this transaction has locked."""
    exchange.updated_at = timezone.now()
    exchange.version += 1
    exchange.save(update_fields=[*fields, "updated_at", "version"])


@transaction.atomic
def exchange_agree(*, access: Access, exchange: Exchange) -> Exchange:
    me = _me(access)
    exchange = _lock(exchange, access)
    coordinating = access.can(Perm.COORDINATE_TIMEBANK) and not _party(exchange, me)
    if exchange.state != ExchangeState.PROPOSED:
        raise GinnelError(_("Only a proposed exchange can be agreed."))
    if not coordinating and (not _party(exchange, me) or exchange.proposed_by_id == me.pk):
        raise GinnelError(_("The other person agrees to an exchange you proposed."))
    _safeguarding_check(exchange)
    exchange.state = ExchangeState.AGREED
    _touch(exchange, "state")
    if coordinating:
        _log(access, "agreed_on_behalf", exchange=exchange)
    notifications.agreed(access.community, exchange, actor=me)
    return exchange


@transaction.atomic
def exchange_decline(*, access: Access, exchange: Exchange) -> Exchange:
    me = _me(access)
    exchange = _lock(exchange, access)
    if exchange.state != ExchangeState.PROPOSED:
        raise GinnelError(_("Only a proposed exchange can be declined."))
    if not _party(exchange, me) or exchange.proposed_by_id == me.pk:
        raise GinnelError(_("Only the person asked can decline; you can cancel your proposal."))
    exchange.state = ExchangeState.DECLINED
    _touch(exchange, "state")
    notifications.proposal_answered(access.community, exchange)
    return exchange


@transaction.atomic
def exchange_cancel(*, access: Access, exchange: Exchange) -> Exchange:
    me = _me(access)
    exchange = _lock(exchange, access)
    coordinating = access.can(Perm.COORDINATE_TIMEBANK)
    if exchange.state not in (ExchangeState.PROPOSED, ExchangeState.AGREED):
        raise GinnelError(_("Only an exchange that has not happened yet can be cancelled."))
    if not _party(exchange, me) and not coordinating:
        raise GinnelError(_("Only the two people in an exchange can cancel it."))
    exchange.state = ExchangeState.CANCELLED
    _touch(exchange, "state")
    if not _party(exchange, me):
        _log(access, "cancelled_on_behalf", exchange=exchange)
    notifications.proposal_answered(access.community, exchange)
    return exchange


@transaction.atomic
def exchange_complete(
    *,
    access: Access,
    exchange: Exchange,
    minutes: int,
    happened_on: date,
    on_behalf_of: int | None = None,
) -> Exchange:
    """One party (or a coordinator for them) records the hours; the other confirms."""
    me = _me(access)
    _check_minutes(minutes)
    if happened_on > timezone.localdate():
        raise GinnelError(_("The date cannot be in the future."), field="happened_on")
    exchange = _lock(exchange, access)
    if exchange.state != ExchangeState.AGREED:
        raise GinnelError(_("Hours can be recorded once an exchange has been agreed."))
    claimant = me
    if on_behalf_of is not None:
        require(access, Perm.COORDINATE_TIMEBANK)
        claimant = _person_in(access, on_behalf_of)
    if not _party(exchange, claimant):
        raise GinnelError(_("Only the two people in an exchange can record its hours."))
    exchange.minutes = minutes
    exchange.happened_on = happened_on
    exchange.claimed_by = claimant
    exchange.state = ExchangeState.COMPLETED
    exchange.claim_declined_by = None
    exchange.claim_declined_minutes = None
    exchange.claim_declined_reason = ""
    _touch(
        exchange,
        "minutes",
        "happened_on",
        "claimed_by",
        "state",
        "claim_declined_by",
        "claim_declined_minutes",
        "claim_declined_reason",
    )
    if claimant.pk != me.pk:
        _log(access, "recorded_on_behalf", exchange=exchange, person=claimant, minutes=minutes)
    notifications.hours_recorded(access.community, exchange, actor=me)
    return exchange


@transaction.atomic
def exchange_record(
    *,
    access: Access,
    other_id: int,
    i_gave: bool,
    minutes: int,
    happened_on: date,
    description: str,
    where: str = Where.PUBLIC,
    category: Category | None = None,
    on_behalf_of: int | None = None,
) -> Exchange:
    """Record an exchange after the fact ("Sam helped me for 2 hours on Tuesday").

    It waits for the other person (or a coordinator) to confirm. A coordinator
    records for a member who is not online with ``on_behalf_of``.
    """
    require(access, Perm.USE_TIMEBANK)
    me = _me(access)
    claimant = me
    if on_behalf_of is not None:
        require(access, Perm.COORDINATE_TIMEBANK)
        claimant = _person_in(access, on_behalf_of)
    _check_minutes(minutes)
    if happened_on > timezone.localdate():
        raise GinnelError(_("The date cannot be in the future."), field="happened_on")
    other = _person_in(access, other_id)
    if other.pk == claimant.pk:
        raise GinnelError(_("An exchange needs two different people."), field="other")
    if category is not None and category.community_id != access.community.pk:
        raise GinnelError(_("Choose a category of this community."), field="category")
    exchange = Exchange(
        community=access.community,
        giver=claimant if i_gave else other,
        receiver=other if i_gave else claimant,
        proposed_by=claimant,
        claimed_by=claimant,
        description=description,
        where=where,
        category=category,
        minutes=minutes,
        happened_on=happened_on,
        state=ExchangeState.AGREED,
    )
    _safeguarding_check(exchange)
    exchange.state = ExchangeState.COMPLETED
    exchange.save()
    if claimant.pk != me.pk:
        _log(access, "recorded_on_behalf", exchange=exchange, person=claimant, minutes=minutes)
    notifications.hours_recorded(access.community, exchange, actor=me)
    return exchange


@transaction.atomic
def exchange_confirm(*, access: Access, exchange: Exchange) -> Exchange:
    """The other party, or a coordinator on their behalf, confirms: the hours move."""
    me = _me(access)
    locked = sql.lock_exchange(exchange_id=exchange.pk, community_id=access.community.pk)
    if locked is None:
        raise GinnelError(_("There is no such exchange in this community."))
    exchange = locked
    if exchange.state != ExchangeState.COMPLETED:
        raise GinnelError(_("Only recorded hours that wait for confirmation can be confirmed."))
    if exchange.claimed_by_id == me.pk:
        raise GinnelError(
            _("You cannot confirm hours you recorded yourself; the other person does.")
        )
    coordinating = access.can(Perm.COORDINATE_TIMEBANK)
    if not _party(exchange, me) and not coordinating:
        raise GinnelError(
            _("Only the other person in the exchange, or a coordinator, can confirm.")
        )
    assert exchange.minutes is not None  # noqa: S101 (a completed exchange has its minutes)
    assert exchange.happened_on is not None  # noqa: S101
    accounts = ledger.member_account_ids(
        access.community, [exchange.giver_id, exchange.receiver_id]
    )
    transfer = ledger.post(
        community=access.community,
        legs=[
            ledger.Leg(accounts[exchange.giver_id], exchange.minutes),
            ledger.Leg(accounts[exchange.receiver_id], -exchange.minutes),
        ],
        kind=TransferKind.EXCHANGE,
        description=exchange.description,
        happened_on=exchange.happened_on,
        created_by=access.membership,
    )
    sql.mark_exchanges_confirmed({exchange.pk: transfer.pk}, transfer.created_at)
    exchange.transfer = transfer
    exchange.state = ExchangeState.CONFIRMED
    exchange.updated_at = transfer.created_at
    exchange.version += 1
    if not _party(exchange, me):
        _log(access, "confirmed_on_behalf", exchange=exchange, minutes=exchange.minutes)
    notifications.hours_confirmed(access.community, exchange, actor=me)
    return exchange


def _claim_open(exchange: Exchange, verb: str) -> None:
    """The rule every answer to a claim shares: it must still wait for confirmation."""
    if exchange.state == ExchangeState.CONFIRMED:
        raise GinnelError(
            _(
                "These hours are confirmed and on both statements. If they are wrong, "
                "a coordinator can reverse them."
            )
        )
    if exchange.state != ExchangeState.COMPLETED:
        messages = {
            "decline": _("Only recorded hours that wait for confirmation can be declined."),
            "withdraw": _("Only recorded hours that wait for confirmation can be withdrawn."),
            "reject": _("Only recorded hours that wait for confirmation can be rejected."),
        }
        raise GinnelError(messages[verb])


def _claim_turned_down(exchange: Exchange, *, by: Person, reason: str) -> None:
    """Back to agreed: no hours move; the claimant sees who turned the claim down and why."""
    exchange.claim_declined_by = by
    exchange.claim_declined_minutes = exchange.minutes
    exchange.claim_declined_reason = reason.strip()[:300]
    exchange.minutes = None
    exchange.happened_on = None
    exchange.state = ExchangeState.AGREED
    _touch(
        exchange,
        "claim_declined_by",
        "claim_declined_minutes",
        "claim_declined_reason",
        "minutes",
        "happened_on",
        "state",
    )


@transaction.atomic
def claim_decline(*, access: Access, exchange: Exchange, reason: str = "") -> Exchange:
    """The other person says the recorded hours are wrong: nothing moves, the claimant sees why.

    The exchange is agreed again: the claimant can record the right time, or
    either of them can cancel it.
    """
    me = _me(access)
    exchange = _lock(exchange, access)
    _claim_open(exchange, "decline")
    if exchange.claimed_by_id == me.pk:
        raise GinnelError(
            _("You cannot decline hours you recorded yourself; you can withdraw them.")
        )
    if not _party(exchange, me):
        raise GinnelError(_("Only the other person in the exchange can decline these hours."))
    minutes = exchange.minutes
    _claim_turned_down(exchange, by=me, reason=reason)
    _log(access, "claim_declined", exchange=exchange, minutes=minutes, reason=reason.strip())
    notifications.hours_declined(
        access.community, exchange, actor=me, minutes=minutes, reason=reason, rejected=False
    )
    return exchange


@transaction.atomic
def claim_withdraw(*, access: Access, exchange: Exchange) -> Exchange:
    """The claimant takes back the hours they recorded, until they are confirmed."""
    me = _me(access)
    exchange = _lock(exchange, access)
    _claim_open(exchange, "withdraw")
    if exchange.claimed_by_id != me.pk:
        raise GinnelError(_("Only the person who recorded these hours can withdraw them."))
    minutes = exchange.minutes
    exchange.minutes = None
    exchange.happened_on = None
    exchange.claimed_by = None
    exchange.state = ExchangeState.AGREED
    _touch(exchange, "minutes", "happened_on", "claimed_by", "state")
    _log(access, "claim_withdrawn", exchange=exchange, minutes=minutes)
    notifications.hours_withdrawn(access.community, exchange)
    return exchange


@transaction.atomic
def claim_reject(*, access: Access, exchange: Exchange, reason: str) -> Exchange:
    """A coordinator turns down recorded hours from the confirmation queue, with a reason."""
    require(access, Perm.COORDINATE_TIMEBANK)
    me = _me(access)
    if not reason.strip():
        raise GinnelError(
            _("Give the reason, so the person who recorded the hours knows why."), field="reason"
        )
    exchange = _lock(exchange, access)
    _claim_open(exchange, "reject")
    if exchange.claimed_by_id == me.pk:
        raise GinnelError(_("You recorded these hours yourself; withdraw them instead."))
    minutes = exchange.minutes
    _claim_turned_down(exchange, by=me, reason=reason)
    _log(
        access,
        "claim_rejected",
        exchange=exchange,
        person=exchange.claimed_by,
        minutes=minutes,
        reason=reason.strip(),
    )
    notifications.hours_declined(
        access.community, exchange, actor=me, minutes=minutes, reason=reason, rejected=True
    )
    return exchange


@transaction.atomic
def exchanges_confirm_many(*, access: Access, exchange_ids: Sequence[int]) -> list[Exchange]:
    """A coordinator confirms many recorded exchanges at once (all or none).

    For paper timesheets and members who are not online. The same rules as
    one confirmation: only completed exchanges, never the coordinator's own
    claims, limits checked in order; one refusal refuses the batch with its reason.
    """
    require(access, Perm.COORDINATE_TIMEBANK)
    me = _me(access)
    exchanges = list(
        Exchange.objects.select_for_update(of=("self",))
        .filter(community=access.community, pk__in=exchange_ids)
        .order_by("pk")
    )
    if len(exchanges) != len(set(exchange_ids)):
        raise GinnelError(_("Some of these exchanges are not in this community."))
    for exchange in exchanges:
        if exchange.state != ExchangeState.COMPLETED:
            raise GinnelError(
                _("“%(exchange)s” is not waiting for confirmation.")
                % {"exchange": exchange.description}
            )
        if exchange.claimed_by_id == me.pk:
            raise GinnelError(
                _("“%(exchange)s” was recorded by you; someone else must confirm it.")
                % {"exchange": exchange.description}
            )
    accounts = ledger.member_account_ids(
        access.community, {p for e in exchanges for p in (e.giver_id, e.receiver_id)}
    )
    transfers = ledger.post_many(
        community=access.community,
        planned=[
            ledger.Planned(
                legs=[
                    ledger.Leg(accounts[e.giver_id], e.minutes or 0),
                    ledger.Leg(accounts[e.receiver_id], -(e.minutes or 0)),
                ],
                description=e.description,
                happened_on=e.happened_on or timezone.localdate(),
            )
            for e in exchanges
        ],
        kind=TransferKind.EXCHANGE,
        created_by=access.membership,
    )
    now = timezone.now()
    for exchange, transfer in zip(exchanges, transfers, strict=True):
        exchange.transfer = transfer
        exchange.state = ExchangeState.CONFIRMED
        exchange.updated_at = now
        exchange.version += 1
    sql.mark_exchanges_confirmed(
        {e.pk: t.pk for e, t in zip(exchanges, transfers, strict=True)}, now
    )
    TimebankAction.objects.bulk_create(
        [
            TimebankAction(
                community=access.community,
                actor=access.membership,
                action="confirmed_on_behalf",
                exchange=e,
                detail={"minutes": e.minutes, "batch": len(exchanges)},
            )
            for e in exchanges
        ]
    )
    for exchange in exchanges:
        notifications.hours_confirmed(access.community, exchange, actor=me)
    return exchanges


@transaction.atomic
def exchange_reverse(*, access: Access, exchange: Exchange, reason: str) -> Exchange:
    require(access, Perm.COORDINATE_TIMEBANK)
    if not reason.strip():
        raise GinnelError(_("Give the reason for reversing these hours."), field="reason")
    exchange = _lock(exchange, access)
    if exchange.state != ExchangeState.CONFIRMED or exchange.transfer is None:
        raise GinnelError(_("Only confirmed exchanges can be reversed."))
    ledger.reverse(
        transfer=exchange.transfer,
        reason=reason,
        by=access.membership,  # type: ignore[arg-type]
        happened_on=timezone.localdate(),
    )
    exchange.state = ExchangeState.REVERSED
    _touch(exchange, "state")
    _log(access, "reversed", exchange=exchange, reason=reason, minutes=exchange.minutes)
    notifications.reversed_(access.community, exchange, actor=_me(access), reason=reason)
    return exchange


# Other transfers -----------------------------------------------------------------------------


@transaction.atomic
def donation_make(
    *, access: Access, minutes: int, to_person_id: int | None = None, note: str = ""
) -> Transfer:
    """Give some of your hours to the community pot, or to another member.

    Giving hours is giving: the hours leave the giver's balance, which may not
    go below the community's debit limit, like any other transfer (and the
    member given to may not pass the credit limit).
    """
    require(access, Perm.USE_TIMEBANK)
    me = _me(access)
    if minutes <= 0:
        raise GinnelError(_("Enter the time as more than 0 minutes."), field="minutes")
    other: Person | None = None
    if to_person_id is None:
        recipient = ledger.pot_for(access.community).pk
        description = (
            _("Given to the community pot: %(note)s") % {"note": note}
            if note
            else _("Given to the community pot")
        )
    else:
        other = _person_in(access, to_person_id)
        if other.pk == me.pk:
            raise GinnelError(_("You cannot give hours to yourself."), field="to")
        recipient = ledger.account_for(other).pk
        description = (
            _("Given to %(name)s: %(note)s") % {"name": other.display_name, "note": note}
            if note
            else _("Given to %(name)s") % {"name": other.display_name}
        )
    mine = ledger.account_for(me).pk
    try:
        return ledger.post(
            community=access.community,
            legs=[ledger.Leg(mine, -minutes), ledger.Leg(recipient, minutes)],
            kind=TransferKind.DONATION,
            description=description,
            happened_on=timezone.localdate(),
            created_by=access.membership,
        )
    except ledger.LimitExceeded as over:
        raise _donation_refused(over, mine=mine, other=other, minutes=minutes) from over


def _donation_refused(
    over: ledger.LimitExceeded, *, mine: int, other: Person | None, minutes: int
) -> GinnelError:
    """The limit a donation would pass, said to the giver."""
    values = {
        "hours": ledger.format_minutes(minutes).lstrip("+"),
        "balance": ledger.format_minutes(over.before),
        "after": ledger.format_minutes(over.after),
        "limit": ledger.format_minutes(-over.limit).lstrip("+"),
    }
    if over.account_id == mine:
        room = over.before - over.limit
        if room > 0:
            values["room"] = ledger.format_minutes(room).lstrip("+")
            message = _(
                "You cannot give %(hours)s hours: your balance is %(balance)s, and in this "
                "community a balance may go down to no more than %(limit)s hours owed. You can "
                "give up to %(room)s hours."
            )
        else:
            message = _(
                "You cannot give %(hours)s hours: your balance is %(balance)s, and in this "
                "community a balance may go down to no more than %(limit)s hours owed. Give "
                "hours once you have helped someone."
            )
        return GinnelError(message % values, field="minutes")
    values["name"] = other.display_name if other is not None else ""
    values["limit"] = ledger.format_minutes(over.limit).lstrip("+")
    return GinnelError(
        _(
            "%(name)s cannot be given %(hours)s hours: it would take their balance to "
            "%(after)s, above the most anyone may be owed in this community (%(limit)s hours)."
        )
        % values,
        field="minutes",
    )


@transaction.atomic
def group_activity_record(
    *,
    access: Access,
    organiser_id: int,
    receiver_ids: Sequence[int],
    minutes: int,
    happened_on: date,
    description: str,
) -> Transfer:
    """A coordinator records a group activity: the organiser gives, each receiver receives."""
    require(access, Perm.COORDINATE_TIMEBANK)
    _check_minutes(minutes)
    organiser = _person_in(access, organiser_id)
    receivers = [_person_in(access, pk) for pk in dict.fromkeys(receiver_ids)]
    if not receivers:
        raise GinnelError(_("Choose at least one person who took part."), field="receivers")
    if any(r.pk == organiser.pk for r in receivers):
        raise GinnelError(
            _("The organiser cannot also be one of the receivers."), field="receivers"
        )
    accounts = ledger.member_account_ids(
        access.community, [organiser.pk, *(r.pk for r in receivers)]
    )
    transfer = ledger.post(
        community=access.community,
        legs=[
            ledger.Leg(accounts[organiser.pk], minutes * len(receivers)),
            *[ledger.Leg(accounts[r.pk], -minutes) for r in receivers],
        ],
        kind=TransferKind.GROUP,
        description=description,
        happened_on=happened_on,
        created_by=access.membership,
    )
    _log(
        access,
        "group_activity",
        person=organiser,
        transfer=transfer.pk,
        receivers=len(receivers),
        minutes=minutes,
    )
    return transfer


@transaction.atomic
def limits_set(*, access: Access, credit_limit: int, debit_limit: int) -> TimebankSettings:
    require(access, Perm.MANAGE_COMMUNITY)
    settings = TimebankSettings.objects.select_for_update().get(
        pk=ledger.settings_for(access.community).pk
    )
    before = {"credit_limit": settings.credit_limit, "debit_limit": settings.debit_limit}
    settings.credit_limit = credit_limit
    settings.debit_limit = debit_limit
    settings.save(update_fields=["credit_limit", "debit_limit"])
    _log(
        access,
        "limits_set",
        before=before,
        after={"credit_limit": credit_limit, "debit_limit": debit_limit},
    )
    return settings


@transaction.atomic
def organisation_account_add(*, access: Access, name: str) -> Account:
    require(access, Perm.COORDINATE_TIMEBANK)
    if Account.objects.filter(
        community=access.community, kind=AccountKind.ORGANISATION, name__iexact=name
    ).exists():
        raise GinnelError(
            _("There is already an account for %(name)s.") % {"name": name}, field="name"
        )
    account = Account.objects.create(
        community=access.community, kind=AccountKind.ORGANISATION, name=name
    )
    _log(access, "organisation_account_added", name=name)
    return account


@transaction.atomic
def organisation_time_record(
    *,
    access: Access,
    organisation_id: int,
    person_id: int,
    member_gave: bool,
    minutes: int,
    happened_on: date,
    description: str,
) -> Transfer:
    """A coordinator records time between a member and an organisation taking part.

    A member volunteering at the food bank gives the organisation time; an
    organisation's staff helping a member gives the member time. The
    coordinator vouches for it, so it posts at once.
    """
    require(access, Perm.COORDINATE_TIMEBANK)
    _check_minutes(minutes)
    if happened_on > timezone.localdate():
        raise GinnelError(_("The date cannot be in the future."), field="happened_on")
    organisation = Account.objects.filter(
        community=access.community, kind=AccountKind.ORGANISATION, pk=organisation_id
    ).first()
    if organisation is None:
        raise GinnelError(
            _("There is no such organisation in this community."), field="organisation"
        )
    person = _person_in(access, person_id)
    member_account = ledger.member_account_ids(access.community, [person.pk])[person.pk]
    sign = 1 if member_gave else -1
    transfer = ledger.post(
        community=access.community,
        legs=[
            ledger.Leg(member_account, sign * minutes),
            ledger.Leg(organisation.pk, -sign * minutes),
        ],
        kind=TransferKind.EXCHANGE,
        description=description,
        happened_on=happened_on,
        created_by=access.membership,
    )
    _log(
        access,
        "organisation_time",
        person=person,
        organisation=organisation.name,
        minutes=minutes,
        member_gave=member_gave,
    )
    return transfer


# Thanks and safeguarding ---------------------------------------------------------------------


@transaction.atomic
def thank_you_leave(*, access: Access, exchange: Exchange, text: str) -> ThankYou:
    me = _me(access)
    exchange = _lock(exchange, access)
    if exchange.community_id != access.community.pk or exchange.receiver_id != me.pk:
        raise GinnelError(_("Only the person who was helped can leave a thank-you note."))
    if exchange.state != ExchangeState.CONFIRMED:
        raise GinnelError(_("You can say thank you once the hours are confirmed."))
    if ThankYou.objects.filter(exchange=exchange).exists():
        raise GinnelError(_("You have already said thank you for this exchange."), field="text")
    thank_you = ThankYou.objects.create(community=access.community, exchange=exchange, text=text)
    notifications.thanked(access.community, exchange, actor=me, text=text)
    return thank_you


@transaction.atomic
def thank_you_show(*, access: Access, thank_you: ThankYou, show: bool) -> ThankYou:
    me = _me(access)
    if thank_you.exchange.giver_id != me.pk:
        raise GinnelError(_("Only the person thanked chooses whether the note shows."))
    thank_you.show_on_profile = show
    thank_you.save(update_fields=["show_on_profile"])
    return thank_you


@transaction.atomic
def safeguarding_set(
    *,
    access: Access,
    person_id: int,
    vetted_on: date | None,
    checks: str,
    needs_support: bool,
) -> Safeguarding:
    require(access, Perm.COORDINATE_TIMEBANK)
    person = _person_in(access, person_id)
    if vetted_on is not None and not checks.strip():
        raise GinnelError(_("Say what was checked when vetting someone."), field="checks")
    if vetted_on is not None and vetted_on > timezone.localdate():
        raise GinnelError(_("The vetting date cannot be in the future."), field="vetted_on")
    record, _created = Safeguarding.objects.select_for_update().get_or_create(
        person=person, defaults={"community": access.community}
    )
    record.vetted_on = vetted_on
    record.checks = checks
    record.vetted_by = access.membership if vetted_on else None
    record.needs_support = needs_support
    record.save()
    _log(
        access,
        "safeguarding_set",
        person=person,
        vetted=vetted_on is not None,
        needs_support=needs_support,
    )
    return record


REMIND_DAYS_BEFORE = 3


def listings_remind_expiring(*, today: date | None = None) -> int:
    """Tell each owner once whose offer or request ends within a few days or has ended.

    Run daily (``ginnel remind_listings``, from cron, a systemd timer or the job
    queue). The reminder is a ``timebank.listing_expiring`` notification: in the
    owner's inbox, and by email (or as they chose) from the outbox; its dedupe
    key (the listing and its end date) makes it once, even if two runs overlap.
    Choosing a new date clears ``reminded_at``, so the new date is reminded of too.
    """
    today = today or timezone.localdate()
    due = (
        Listing.objects.filter(
            status=ListingStatus.OPEN,
            reminded_at__isnull=True,
            expires_on__isnull=False,
            expires_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("owner", "community")
        .order_by("pk")
    )
    sent = 0
    for listing in due.iterator(chunk_size=500):
        with transaction.atomic():
            claimed = Listing.objects.filter(pk=listing.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            ended = listing.expires_on is not None and listing.expires_on < today
            if notifications.listing_expiring(listing, ended=ended):
                sent += 1
    return sent
