"""The ledger's hot path in plain SQL: the statements a confirmation runs, and no more.

The ORM builds each query afresh (a few hundred microseconds of Python per
statement), which is most of what one confirmation costs. These few
statements are written once, with every value a parameter, and run on
PostgreSQL and SQLite alike (``RETURNING`` needs SQLite 3.35, ``UPDATE … FROM``
3.33). ``FOR UPDATE`` is added on PostgreSQL only: SQLite's transactions take
the database's write lock when they begin (``transaction_mode=IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import connection

from ginnel.timebank.models import Account, Entry, Exchange, TimebankSettings, Transfer


def _table(model: type[Any]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def lock_accounts(
    *, community_id: int, account_ids: Iterable[int] = (), person_ids: Iterable[int] = ()
) -> list[tuple[int, int | None, str, str, int]]:
    """(id, person_id, kind, name, balance) of these accounts, locked in id order."""
    accounts = list(account_ids)
    people = list(person_ids)
    column, wanted = ("id", accounts) if accounts else ("person_id", people)
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, person_id, kind, name, balance FROM {_table(Account)} "  # noqa: S608 (names are ours, values parameters)
            f"WHERE community_id = %s AND {column} IN ({marks}) ORDER BY id{_for_update()}",
            [community_id, *wanted],
        )
        return [(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in cursor.fetchall()]


def account_ids_for_people(*, community_id: int, person_ids: Iterable[int]) -> dict[int, int]:
    """Person id → account id, for the members who have an account."""
    wanted = list(person_ids)
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person_id, id FROM {_table(Account)} "  # noqa: S608
            f"WHERE community_id = %s AND person_id IN ({marks})",
            [community_id, *wanted],
        )
        return {int(person): int(account) for person, account in cursor.fetchall()}


def lock_exchange(*, exchange_id: int, community_id: int) -> Exchange | None:
    """The exchange, its row locked until the transaction ends."""
    found = list(
        Exchange.objects.raw(
            f"SELECT * FROM {_table(Exchange)} WHERE id = %s AND community_id = %s"  # noqa: S608
            f"{_for_update()}",
            [exchange_id, community_id],
        )
    )
    return found[0] if found else None


def read_limits(community_id: int) -> tuple[int, int] | None:
    """(credit limit, debit limit) in minutes, or None when never set."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT credit_limit, debit_limit FROM {_table(TimebankSettings)} "  # noqa: S608
            "WHERE community_id = %s",
            [community_id],
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def insert_transfer(
    *,
    community_id: int,
    kind: str,
    description: str,
    happened_on: date,
    created_at: datetime,
    created_by_id: int | None,
    reverses_id: int | None,
    reason: str,
) -> int:
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Transfer)} (community_id, kind, description, happened_on, "  # noqa: S608
            "created_at, created_by_id, reverses_id, reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [
                community_id,
                kind,
                description,
                ops.adapt_datefield_value(happened_on),
                ops.adapt_datetimefield_value(created_at),
                created_by_id,
                reverses_id,
                reason,
            ],
        )
        row = cursor.fetchone()
    assert row is not None  # noqa: S101 (RETURNING always returns the new row)
    return int(row[0])


def insert_entries(
    *, community_id: int, transfer_id: int, created_at: datetime, moves: dict[int, int]
) -> None:
    when = connection.ops.adapt_datetimefield_value(created_at)
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(moves))
    params: list[Any] = []
    for account_id, minutes in sorted(moves.items()):
        params += [community_id, transfer_id, account_id, minutes, when]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Entry)} (community_id, transfer_id, account_id, minutes, "  # noqa: S608
            f"created_at) VALUES {rows}",
            params,
        )


def set_balances(balances: dict[int, int], *, chunk: int = 5_000) -> None:
    """Write the new cached balances of locked accounts, a few thousand per statement.

    Django's bulk_update would build a CASE expression per row instead.
    """
    table = _table(Account)
    pairs = sorted(balances.items())
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), chunk):
            part = pairs[start : start + chunk]
            rows = ", ".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"UPDATE {table} SET balance = v.column2 FROM (VALUES {rows}) AS v "  # noqa: S608
                f"WHERE {table}.id = v.column1",
                [value for pair in part for value in pair],
            )


def mark_exchanges_confirmed(transfers: dict[int, int], now: datetime) -> None:
    """Exchange id → its transfer id: confirmed, in one statement."""
    table = _table(Exchange)
    rows = ", ".join(["(%s, %s)"] * len(transfers))
    params: list[Any] = ["confirmed", connection.ops.adapt_datetimefield_value(now)]
    params += [value for pair in sorted(transfers.items()) for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, updated_at = %s, version = version + 1, "  # noqa: S608
            f"transfer_id = v.column2 FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",
            params,
        )
