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

from ginnel.communities.models import Community, Membership
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.timebank.models import (
    Account,
    AccountKind,
    Entry,
    TimebankSettings,
    Transfer,
    TransferKind,
)


class LimitExceeded(GinnelError):
    """A transfer would take a member past the community's credit or debit limit."""


def format_minutes(minutes: int) -> str:
    """-150 → "−2:30" (a true minus sign, read aloud as "minus")."""  # noqa: RUF002
    minus = "\u2212"
    sign = minus if minutes < 0 else ("+" if minutes > 0 else "")
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{mins:02d}"


def settings_for(community: Community) -> TimebankSettings:
    found, _ = TimebankSettings.objects.get_or_create(community=community)
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
        account, _ = Account.objects.get_or_create(
            person=person,
            defaults={
                "community_id": person.community_id,
                "kind": AccountKind.MEMBER,
                "name": person.display_name,
            },
        )
        return account


def pot_for(community: Community) -> Account:
    pot, _ = Account.objects.get_or_create(
        community=community, kind=AccountKind.POT, defaults={"name": "Community pot"}
    )
    return pot


@dataclass(frozen=True)
class Leg:
    account: Account
    minutes: int


def _check_limits(*, settings: TimebankSettings, account: Account, before: int, after: int) -> None:
    """A member's balance may not pass the limits; a transfer that moves an
    out-of-bounds balance back towards them (after a limit was lowered) is allowed."""
    if account.kind != AccountKind.MEMBER:
        return
    floor, ceiling = -settings.debit_limit, settings.credit_limit
    if after < floor and after < before:
        raise LimitExceeded(
            f"This would take {account.name}'s balance to {format_minutes(after)}, below the "
            f"limit of {format_minutes(floor)} in this community. A coordinator can help.",
            field="minutes",
        )
    if after > ceiling and after > before:
        raise LimitExceeded(
            f"This would take {account.name}'s balance to {format_minutes(after)}, above the "
            f"limit of {format_minutes(ceiling)} in this community. "
            "Consider donating some hours to the community pot.",
            field="minutes",
        )


@transaction.atomic
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
    """Write one transfer whose entries sum to zero, and update the cached balances."""
    by_account: dict[int, int] = defaultdict(int)
    for leg in legs:
        if leg.account.community_id != community.pk:
            raise GinnelError("Every account in a transfer must belong to the same community.")
        if leg.minutes != 0:
            by_account[leg.account.pk] += leg.minutes
    moves = {pk: m for pk, m in by_account.items() if m != 0}
    if len(moves) < 2:
        raise GinnelError("A transfer needs at least two accounts and some time.")
    if sum(moves.values()) != 0:
        raise GinnelError("The entries of a transfer must sum to zero.")

    settings = settings_for(community)
    # Lock in a fixed order so concurrent transfers never deadlock.
    locked = list(Account.objects.select_for_update().filter(pk__in=moves.keys()).order_by("pk"))
    for account in locked:
        after = account.balance + moves[account.pk]
        _check_limits(settings=settings, account=account, before=account.balance, after=after)
    transfer = Transfer.objects.create(
        community=community,
        kind=kind,
        description=description[:300],
        happened_on=happened_on,
        created_by=created_by,
        reverses=reverses,
        reason=reason,
    )
    Entry.objects.bulk_create(
        [
            Entry(
                community=community, transfer=transfer, account=account, minutes=moves[account.pk]
            )
            for account in locked
        ]
    )
    for account in locked:
        account.balance += moves[account.pk]
        account.save(update_fields=["balance"])
    return transfer


@transaction.atomic
def reverse(*, transfer: Transfer, reason: str, by: Membership, happened_on: date) -> Transfer:
    """Post the mirror image of a transfer; the original stays as it was."""
    original = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if Transfer.objects.filter(reverses=original).exists():
        raise GinnelError("This transfer has already been reversed.")
    if original.kind == TransferKind.REVERSAL:
        raise GinnelError("A reversal cannot itself be reversed; record a new exchange instead.")
    entries = list(original.entries.select_related("account"))
    return post(
        community=original.community,
        legs=[Leg(e.account, -e.minutes) for e in entries],
        kind=TransferKind.REVERSAL,
        description=f"Reversal of: {original.description}",
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
