"""The hours ledger: the only code that writes Transfers and Entries.

Rules (DESIGN.md): double entry; entries are never updated or deleted; a
correction is a reversing transfer; a balance is the sum of its entries,
cached on the account and changed only under a row lock in the transaction
that writes the entries. The entries of a community always sum to zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Community, Membership
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.timebank import sql
from ginnel.timebank.models import (
    Account,
    AccountKind,
    Entry,
    TimebankSettings,
    Transfer,
    TransferKind,
)


class LimitExceeded(GinnelError):
    """A transfer would take a member past the community's credit or debit limit.

    Carries what a caller needs to say it in its own words: whose account
    (``account_id``), its balance ``before`` and ``after``, and ``limit``
    (signed: the floor is negative) on the ``side`` passed ("debit" or "credit").
    """

    def __init__(
        self, message: str, *, account_id: int, side: str, before: int, after: int, limit: int
    ) -> None:
        super().__init__(message, field="minutes")
        self.account_id = account_id
        self.side = side
        self.before = before
        self.after = after
        self.limit = limit


def format_minutes(minutes: int) -> str:
    """-150 → "−2:30" (a true minus sign, read aloud as "minus")."""
    minus = "\u2212"
    sign = minus if minutes < 0 else ("+" if minutes > 0 else "")
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{mins:02d}"


def settings_for(community: Community) -> TimebankSettings:
    found, _created = TimebankSettings.objects.get_or_create(community=community)
    return found


def settings_read(community: Community) -> TimebankSettings:
    """The community's limits without writing anything (defaults if never set)."""
    return TimebankSettings.objects.filter(community=community).first() or TimebankSettings(
        community=community
    )


def balance_of(person: Person) -> int:
    """A member's balance, read without creating their account."""
    return int(Account.objects.filter(person=person).values_list("balance", flat=True).first() or 0)


def pot_balance(community: Community) -> int:
    return int(
        Account.objects.filter(community=community, kind=AccountKind.POT)
        .values_list("balance", flat=True)
        .first()
        or 0
    )


def account_for(person: Person) -> Account:
    """The member's account, created on first use."""
    try:
        return person.account
    except Account.DoesNotExist:
        account, _created = Account.objects.get_or_create(
            person=person,
            defaults={
                "community_id": person.community_id,
                "kind": AccountKind.MEMBER,
                "name": person.display_name,
            },
        )
        return account


def pot_for(community: Community) -> Account:
    pot, _created = Account.objects.get_or_create(
        community=community, kind=AccountKind.POT, defaults={"name": _("Community pot")}
    )
    return pot


@dataclass(frozen=True)
class Leg:
    account_id: int
    minutes: int


def member_account_ids(community: Community, person_ids: Iterable[int]) -> dict[int, int]:
    """Person id → account id for these members, creating any account not yet opened."""
    wanted = set(person_ids)
    found = sql.account_ids_for_people(community_id=community.pk, person_ids=wanted)
    missing = wanted - found.keys()
    if missing:
        for person in Person.objects.filter(community=community, pk__in=missing):
            found[person.pk] = account_for(person).pk
    if set(found) != wanted:
        raise GinnelError(_("Every account in a transfer must belong to the same community."))
    return found


def _check_limits(
    *,
    limits: tuple[int, int],
    account_id: int,
    kind: str,
    name: str,
    before: int,
    after: int,
) -> None:
    """A member's balance may not pass the limits; a transfer that moves an
    out-of-bounds balance back towards them (after a limit was lowered) is allowed."""
    if kind != AccountKind.MEMBER:
        return
    ceiling, floor = limits[0], -limits[1]
    if after < floor and after < before:
        raise LimitExceeded(
            _(
                "This would take %(name)s's balance to %(after)s, below the limit of "
                "%(limit)s in this community. A coordinator can help."
            )
            % {"name": name, "after": format_minutes(after), "limit": format_minutes(floor)},
            account_id=account_id,
            side="debit",
            before=before,
            after=after,
            limit=floor,
        )
    if after > ceiling and after > before:
        raise LimitExceeded(
            _(
                "This would take %(name)s's balance to %(after)s, above the limit of "
                "%(limit)s in this community. Consider giving some hours to the community pot."
            )
            % {"name": name, "after": format_minutes(after), "limit": format_minutes(ceiling)},
            account_id=account_id,
            side="credit",
            before=before,
            after=after,
            limit=ceiling,
        )


def _limits(community: Community) -> tuple[int, int]:
    """(credit limit, debit limit) in minutes, read in the posting transaction."""
    found = sql.read_limits(community.pk)
    if found is None:
        defaults = TimebankSettings(community=community)
        return defaults.credit_limit, defaults.debit_limit
    return found


@transaction.atomic(savepoint=False)
def post(
    *,
    community: Community,
    legs: Iterable[Leg],
    kind: TransferKind,
    description: str,
    happened_on: date,
    created_by: Membership | None,
    reverses: Transfer | None = None,
    reason: str = "",
) -> Transfer:
    """Write one transfer whose entries sum to zero, and update the cached balances.

    Runs inside the caller's transaction (no savepoint of its own: a refusal
    rolls back the whole use-case, which is what every caller wants).
    """
    moves: dict[int, int] = defaultdict(int)
    for leg in legs:
        moves[leg.account_id] += leg.minutes
    moves = {pk: m for pk, m in moves.items() if m != 0}
    if len(moves) < 2:
        raise GinnelError(_("A transfer needs at least two accounts and some time."))
    if sum(moves.values()) != 0:
        raise GinnelError(_("The entries of a transfer must sum to zero."))

    limits = _limits(community)
    # Lock in a fixed order so concurrent transfers never deadlock.
    locked = sql.lock_accounts(community_id=community.pk, account_ids=moves)
    if len(locked) != len(moves):
        raise GinnelError(_("Every account in a transfer must belong to the same community."))
    for pk, _person, account_kind, name, balance in locked:
        _check_limits(
            limits=limits,
            account_id=pk,
            kind=account_kind,
            name=name,
            before=balance,
            after=balance + moves[pk],
        )
    now = timezone.now()
    transfer = Transfer(
        community=community,
        kind=kind,
        description=description[:300],
        happened_on=happened_on,
        created_at=now,
        created_by=created_by,
        reverses=reverses,
        reason=reason,
    )
    transfer.pk = sql.insert_transfer(
        community_id=community.pk,
        kind=kind,
        description=transfer.description,
        happened_on=happened_on,
        created_at=now,
        created_by_id=created_by.pk if created_by else None,
        reverses_id=reverses.pk if reverses else None,
        reason=reason,
    )
    transfer._state.adding = False
    sql.insert_entries(
        community_id=community.pk, transfer_id=transfer.pk, created_at=now, moves=moves
    )
    sql.set_balances({pk: balance + moves[pk] for pk, _person, _kind, _name, balance in locked})
    return transfer


@dataclass(frozen=True)
class Planned:
    """One transfer of a batch: its legs and what to write on it."""

    legs: list[Leg]
    description: str
    happened_on: date


@transaction.atomic(savepoint=False)
def post_many(
    *,
    community: Community,
    planned: list[Planned],
    kind: TransferKind,
    created_by: Membership | None,
) -> list[Transfer]:
    """Post many transfers in one transaction, with the rules of :func:`post`.

    All the accounts involved are locked at once, in id order; each transfer's
    limits are checked against the balances as the earlier ones leave them;
    a refusal refuses the whole batch. The rows go in with a few bulk
    statements, so a coordinator confirming a month of paper timesheets does
    not wait for one commit per line.
    """
    if not planned:
        return []
    account_ids: set[int] = set()
    moves_per_transfer = []
    for plan in planned:
        moves: dict[int, int] = defaultdict(int)
        for leg in plan.legs:
            moves[leg.account_id] += leg.minutes
        moves = {pk: m for pk, m in moves.items() if m != 0}
        if len(moves) < 2 or sum(moves.values()) != 0:
            raise GinnelError(
                _("Every transfer needs two accounts, and its entries must sum to zero.")
            )
        moves_per_transfer.append(moves)
        account_ids.update(moves)
    limits = _limits(community)
    balances: dict[int, int] = {}
    about: dict[int, tuple[str, str]] = {}
    for pk, account_kind, name, balance in (
        Account.objects.select_for_update()
        .filter(community=community, pk__in=account_ids)
        .order_by("pk")
        .values_list("pk", "kind", "name", "balance")
    ):
        balances[pk], about[pk] = balance, (account_kind, name)
    if len(balances) != len(account_ids):
        raise GinnelError(_("Every account in a transfer must belong to the same community."))
    for moves in moves_per_transfer:
        for pk, minutes in moves.items():
            before = balances[pk]
            _check_limits(
                limits=limits,
                account_id=pk,
                kind=about[pk][0],
                name=about[pk][1],
                before=before,
                after=before + minutes,
            )
            balances[pk] = before + minutes
    now = timezone.now()
    transfers = Transfer.objects.bulk_create(
        [
            Transfer(
                community=community,
                kind=kind,
                description=plan.description[:300],
                happened_on=plan.happened_on,
                created_by=created_by,
                created_at=now,
            )
            for plan in planned
        ]
    )
    Entry.objects.bulk_create(
        [
            Entry(
                community=community,
                transfer=transfer,
                account_id=pk,
                minutes=minutes,
                created_at=now,
            )
            for transfer, moves in zip(transfers, moves_per_transfer, strict=True)
            for pk, minutes in sorted(moves.items())
        ]
    )
    sql.set_balances(balances)
    return transfers


@transaction.atomic
def reverse(*, transfer: Transfer, reason: str, by: Membership, happened_on: date) -> Transfer:
    """Post the mirror image of a transfer; the original stays as it was."""
    original = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if Transfer.objects.filter(reverses=original).exists():
        raise GinnelError(_("This transfer has already been reversed."))
    if original.kind == TransferKind.REVERSAL:
        raise GinnelError(_("A reversal cannot itself be reversed; record a new exchange instead."))
    entries = list(original.entries.values_list("account_id", "minutes"))
    return post(
        community=original.community,
        legs=[Leg(account_id, -minutes) for account_id, minutes in entries],
        kind=TransferKind.REVERSAL,
        description=_("Reversal of: %(what)s") % {"what": original.description},
        happened_on=happened_on,
        created_by=by,
        reverses=original,
        reason=reason,
    )


def balance_from_entries(account: Account) -> int:
    """The balance recomputed from the entries (what the cache must equal)."""
    return int(account.entries.aggregate(total=Sum("minutes"))["total"] or 0)


def community_total(community: Community) -> int:
    """The sum of every entry in a community: always zero."""
    return int(
        Entry.objects.filter(community=community).aggregate(total=Sum("minutes"))["total"] or 0
    )
