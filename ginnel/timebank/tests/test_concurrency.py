"""16 threads confirming and reversing against the same accounts at once.

On PostgreSQL rows are locked (accounts in id order, so no deadlock); on
SQLite writers take the database lock in turn. Either way: no lost update, no
double posting, and every thread finishes.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from ginnel.communities.models import Role
from ginnel.communities.permissions import access_for
from ginnel.errors import GinnelError
from ginnel.timebank import ledger, services
from ginnel.timebank.models import Account, Entry, Exchange, ExchangeState, Transfer, TransferKind

THREADS = 16
EXCHANGES = 48


@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_confirming_and_reversing_never_lose_or_double_an_hour(
    community, make_member
):
    people = [make_member(community) for _ in range(4)]
    coordinator = make_member(community, roles=[Role.COORDINATOR])
    settings = ledger.settings_for(community)
    settings.credit_limit = settings.debit_limit = 10_000 * 60
    settings.save()
    for person in people:
        ledger.account_for(person)
    rng = random.Random(7)
    yesterday = timezone.localdate() - timedelta(days=1)
    exchanges = []
    for i in range(EXCHANGES):
        giver, receiver = rng.sample(people, 2)
        exchanges.append(
            services.exchange_record(
                access=access_for(giver.membership.user, community),
                other_id=receiver.pk,
                i_gave=True,
                minutes=rng.randint(15, 240),
                happened_on=yesterday,
                description=f"Exchange {i}",
            )
        )
    # Every thread tries to confirm every exchange (as its receiver or as the
    # coordinator) and to reverse some: each must post exactly once.
    outcomes: Counter[str] = Counter()
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)
    lock = threading.Lock()

    def work(seed: int) -> None:
        local = random.Random(seed)
        try:
            start.wait(timeout=30)
            order = exchanges[:]
            local.shuffle(order)
            for exchange in order:
                as_coordinator = local.random() < 0.3
                who = coordinator if as_coordinator else exchange.receiver
                access = access_for(who.membership.user, community)
                action = "reverse" if local.random() < 0.25 else "confirm"
                try:
                    if action == "reverse":
                        services.exchange_reverse(
                            access=access_for(coordinator.membership.user, community),
                            exchange=exchange,
                            reason="Testing",
                        )
                    else:
                        services.exchange_confirm(access=access, exchange=exchange)
                except GinnelError:
                    action += " refused"
                with lock:
                    outcomes[action] += 1
        except (OperationalError, threading.BrokenBarrierError) as error:  # deadlock, timeout
            failures.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not [t for t in threads if t.is_alive()], "a thread hung"
    assert failures == []
    confirmed = Exchange.objects.filter(
        community=community, state__in=[ExchangeState.CONFIRMED, ExchangeState.REVERSED]
    )
    reversed_ = Exchange.objects.filter(community=community, state=ExchangeState.REVERSED)
    assert outcomes["confirm"] == confirmed.count(), "each exchange confirmed exactly once"
    assert outcomes["reverse"] == reversed_.count(), "each reversal posted exactly once"
    exchange_transfers = Transfer.objects.filter(community=community, kind=TransferKind.EXCHANGE)
    assert exchange_transfers.count() == confirmed.count()
    assert (
        Transfer.objects.filter(community=community, kind=TransferKind.REVERSAL).count()
        == reversed_.count()
    )
    assert Entry.objects.filter(community=community).count() == 2 * (
        confirmed.count() + reversed_.count()
    )
    assert ledger.community_total(community) == 0
    expected: Counter[int] = Counter()
    for exchange in confirmed.exclude(state=ExchangeState.REVERSED):
        expected[exchange.giver_id] += exchange.minutes or 0
        expected[exchange.receiver_id] -= exchange.minutes or 0
    for account in Account.objects.filter(community=community, person__isnull=False):
        assert account.balance == ledger.balance_from_entries(account)
        assert account.balance == expected[account.person_id]
    assert confirmed.count() == EXCHANGES  # with 16 threads trying, every one got confirmed
