"""`ginnel bench ledger`: confirmed exchanges per second against 10,000 accounts.

Measured: ``services.exchange_confirm`` (the whole use-case: lock the exchange,
lock both accounts in id order, check limits, write one transfer and two
entries, update the cached balances) with 1 and 16 concurrent writers.

Baseline, in the same run: the same rows written with no locks and no checks
(insert a transfer and two entries, bump both balances with F()), one writer.
The ratio says what the ledger's guarantees cost.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from ginnel.communities.models import Community, Membership, Role, RoleGrant
from ginnel.communities.permissions import access_for
from ginnel.people.models import Person, User
from ginnel.timebank import ledger, services
from ginnel.timebank.models import (
    Account,
    AccountKind,
    Entry,
    Exchange,
    ExchangeState,
    TimebankSettings,
    Transfer,
    TransferKind,
)

BATCH = 5_000


def setup(*, accounts: int, exchanges: int, seed: int) -> tuple[Community, list[int], Any]:
    call_command("migrate", verbosity=0)
    community = Community.objects.create(name="Bench", slug="bench", kind="timebank")
    TimebankSettings.objects.create(community=community, credit_limit=10**9, debit_limit=10**9)
    users = User.objects.bulk_create(
        [User(email=f"b{i}@bench.example.org", password="!") for i in range(accounts + 1)],
        batch_size=BATCH,
    )
    memberships = Membership.objects.bulk_create(
        [Membership(community=community, user=u) for u in users], batch_size=BATCH
    )
    people = Person.objects.bulk_create(
        [
            Person(community=community, membership=m, display_name=f"P{i}")
            for i, m in enumerate(memberships)
        ],
        batch_size=BATCH,
    )
    coordinator = people.pop()
    RoleGrant.objects.create(
        community=community, membership=coordinator.membership, role=Role.COORDINATOR
    )
    Account.objects.bulk_create(
        [
            Account(community=community, kind=AccountKind.MEMBER, person=p, name=p.display_name)
            for p in people
        ],
        batch_size=BATCH,
    )
    rng = random.Random(seed)
    on = timezone.localdate() - timedelta(days=1)
    made = Exchange.objects.bulk_create(
        [
            Exchange(
                community=community,
                giver=g,
                receiver=r,
                proposed_by=r,
                claimed_by=g,
                description="Bench exchange",
                minutes=rng.randint(15, 180),
                happened_on=on,
                state=ExchangeState.COMPLETED,
            )
            for g, r in (rng.sample(people, 2) for _ in range(exchanges))
        ],
        batch_size=BATCH,
    )
    access = access_for(coordinator.membership.user, community)  # type: ignore[arg-type]
    return community, [e.pk for e in made], access


def _writer(
    ids: list[int], community_id: int, batch: int, ready: Any, go: Any, errors: Any
) -> None:
    """One writer process: like a web worker, its own connection and interpreter."""
    connections.close_all()  # never share the parent's connection
    try:
        community = Community.objects.get(pk=community_id)
        exchanges = list(
            Exchange.objects.filter(pk__in=ids).select_related("receiver__membership__user")
        )
        # Members confirm their own exchanges; a coordinator confirms timesheets.
        receivers = {
            e.receiver_id: access_for(e.receiver.membership.user, community)  # type: ignore[arg-type]
            for e in exchanges
        }
        coordinator = RoleGrant.objects.select_related("membership__user").get(
            community=community, role=Role.COORDINATOR
        )
        coordinating = access_for(coordinator.membership.user, community)  # type: ignore[arg-type]
        ready.release()
        go.wait()
        if batch == 1:
            for exchange in exchanges:
                services.exchange_confirm(access=receivers[exchange.receiver_id], exchange=exchange)
        else:
            for start in range(0, len(ids), batch):
                services.exchanges_confirm_many(
                    access=coordinating, exchange_ids=ids[start : start + batch]
                )
    except BaseException as error:
        errors.put(repr(error))
        ready.release()
    finally:
        connections.close_all()


def confirm_all(
    exchange_ids: list[int], community: Community, writers: int, batch: int = 1
) -> float:
    """Confirm every exchange with ``writers`` processes; return exchanges per second.

    ``batch`` 1: one confirmation per transaction (a member confirming);
    more: ``exchanges_confirm_many`` (a coordinator confirming a timesheet).
    Writers are processes, as a deployment's web workers are.
    """
    context = multiprocessing.get_context("fork")
    ready, go, errors = context.Semaphore(0), context.Event(), context.Queue()
    connections.close_all()
    chunks = [exchange_ids[i::writers] for i in range(writers)]
    processes = [
        context.Process(target=_writer, args=(chunk, community.pk, batch, ready, go, errors))
        for chunk in chunks
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if not errors.empty():
        raise RuntimeError(f"a writer failed: {errors.get()}")
    return len(exchange_ids) / elapsed


def unchecked_baseline(community: Community, count: int, seed: int) -> float:
    """The same rows with no locks and no checks: the floor the ledger pays for safety."""
    rng = random.Random(seed)
    ids = list(Account.objects.filter(community=community).values_list("pk", flat=True))
    on = timezone.localdate()
    started = time.perf_counter()
    for _ in range(count):
        giver, receiver = rng.sample(ids, 2)
        minutes = rng.randint(15, 180)
        with transaction.atomic():
            transfer = Transfer.objects.create(
                community=community,
                kind=TransferKind.EXCHANGE,
                description="Baseline",
                happened_on=on,
            )
            Entry.objects.bulk_create(
                [
                    Entry(
                        community=community, transfer=transfer, account_id=giver, minutes=minutes
                    ),
                    Entry(
                        community=community,
                        transfer=transfer,
                        account_id=receiver,
                        minutes=-minutes,
                    ),
                ]
            )
            Account.objects.filter(pk=giver).update(balance=F("balance") + minutes)
            Account.objects.filter(pk=receiver).update(balance=F("balance") - minutes)
    return count / (time.perf_counter() - started)


def run(
    *, accounts: int, exchanges: int, writers: list[int], batch: int, seed: int
) -> dict[str, Any]:
    modes = [1, batch]
    community, ids, _coordinator = setup(
        accounts=accounts, exchanges=exchanges * len(writers) * len(modes), seed=seed
    )
    results: dict[str, Any] = {"vendor": connection.vendor, "accounts": accounts}
    chunks = iter(ids[i : i + exchanges] for i in range(0, len(ids), exchanges))
    for size in modes:
        for n in writers:
            rate = confirm_all(next(chunks), community, n, batch=size)
            results[f"batch_{size}_writers_{n}"] = round(rate, 1)
    results["baseline_unchecked_1"] = round(unchecked_baseline(community, exchanges, seed), 1)
    assert ledger.community_total(community) == 0  # noqa: S101 (a benchmark that lost hours is void)
    return results
