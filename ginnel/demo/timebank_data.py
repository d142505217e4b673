"""Demo step: offers, requests and a year of exchanges shaped like a real timebank.

Most members are active a little and a few very active (activity is drawn from
a heavy-tailed distribution); most exchanges stay within a neighbourhood and
some cross. Hours are posted through the same double-entry shape as the
ledger (one transfer, two entries), written in bulk, with the community's
limits respected, so every invariant the ledger keeps holds for the demo too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from tqdm import tqdm

from ginnel.timebank.models import (
    Account,
    AccountKind,
    Entry,
    Exchange,
    ExchangeState,
    Listing,
    ListingKind,
    Safeguarding,
    ThankYou,
    TimebankSettings,
    Transfer,
    TransferKind,
    Where,
)
from ginnel.timebank.services import categories_seed
from ginnel.timebank.sql import set_balances

if TYPE_CHECKING:
    from ginnel.demo.generator import DemoContext

BATCH = 5_000
EXCHANGES_PER_PERSON_PER_YEAR = 4

OFFERS = {
    "Befriending": ["A cuppa and a chat", "Company for a walk", "Regular phone calls"],
    "Gardening": ["Help with your garden", "Weeding and mowing", "Pruning fruit trees"],
    "DIY and repairs": [
        "Putting up shelves",
        "Small repairs around the house",
        "Flat-pack furniture",
    ],
    "Lifts and transport": ["Lifts to appointments", "A lift to the shops on Fridays"],
    "Shopping and errands": ["Picking up shopping", "Collecting prescriptions"],
    "IT help": ["Help with your phone or tablet", "Setting up video calls", "Sorting out email"],
    "Form filling": ["Help filling in forms", "Reading official letters with you"],
    "Cooking": ["Batch cooking for the freezer", "Teaching simple recipes"],
    "Language and conversation": [
        "Conversation practice in English",
        "Learn some Urdu",
        "Polish conversation",
    ],
    "Music": ["Guitar lessons for beginners", "Piano practice partner"],
    "Pet care": ["Dog walking", "Feeding cats while you're away"],
    "Sewing and mending": ["Taking up hems", "Mending clothes"],
}
REQUESTS = {
    "Gardening": ["Someone to tidy my front garden", "Help clearing an allotment"],
    "IT help": ["Help setting up my new phone", "Show me how to shop online"],
    "Lifts and transport": ["Lift to the hospital on Tuesday", "Lift to church on Sundays"],
    "Befriending": ["Someone to chat with in the afternoons", "A walking buddy"],
    "DIY and repairs": ["Fix a dripping tap", "Hang some curtains"],
    "Form filling": ["Help with a blue badge form", "Help with a housing form"],
    "Pet care": ["Walk my dog while I recover", "Look after my rabbit for a week"],
    "Shopping and errands": ["Weekly shop while my leg heals"],
}
THANKS = [
    "Thank you so much, it made my week.",
    "Brilliant help, and lovely company too.",
    "I couldn't have managed without you.",
    "The garden looks wonderful - thank you!",
    "So patient with me. Thank you.",
]
WHERE_BY_CATEGORY = {
    "IT help": Where.YOUR_HOME,
    "Gardening": Where.YOUR_HOME,
    "DIY and repairs": Where.YOUR_HOME,
    "Befriending": Where.PUBLIC,
    "Lifts and transport": Where.PUBLIC,
    "Language and conversation": Where.ONLINE,
    "Form filling": Where.PUBLIC,
}


def generate_timebank(ctx: DemoContext) -> None:
    from ginnel.communities.models import Role, RoleGrant
    from ginnel.people.models import Person

    rng = ctx.rng("timebank")
    community = ctx.community
    bar = tqdm(total=6, desc="Timebank: vetting", unit="step", disable=not ctx.progress)
    categories = {c.name: c for c in categories_seed(community=community)}
    limits, _ = TimebankSettings.objects.get_or_create(community=community)
    people = list(
        Person.objects.filter(pk__in=ctx.person_ids)
        .order_by("pk")
        .values_list("pk", "neighbourhood_id", "membership_id", "display_name")
    )
    if len(people) < 2:
        return
    by_place: dict[int | None, list[int]] = defaultdict(list)
    place_of, membership_of, name_of = {}, {}, {}
    for pk, place, membership_id, name in people:
        by_place[place].append(pk)
        place_of[pk], membership_of[pk], name_of[pk] = place, membership_id, name
    ids = [p[0] for p in people]
    # Heavy-tailed activity: most a little, a few very active.
    weight = {pk: rng.paretovariate(1.6) for pk in ids}
    # Each neighbourhood has a shape of its own, so the network dashboards tell a
    # story: the first is tight-knit (small circles who help each other), the
    # second fragmented (less active, scattered pairs), the third held together
    # by a few brokers who do most of the helping across neighbourhoods.
    order = {place: i for i, place in enumerate(ctx.neighbourhood_ids)}
    shape = {pk: order.get(place_of[pk], -1) % 3 if place_of[pk] in order else -1 for pk in ids}
    circle: dict[int, list[int]] = {}
    brokers: dict[int | None, list[int]] = defaultdict(list)
    for hood_id, members in by_place.items():
        if hood_id not in order:
            continue
        if order[hood_id] % 3 == 0:
            for start in range(0, len(members), 5):
                ring = members[start : start + 5]
                for pk in ring:
                    circle[pk] = ring
        if order[hood_id] % 3 == 2:
            brokers[hood_id] = members[:: max(1, len(members) // 4)][:4]
    is_broker = {pk for group in brokers.values() for pk in group}
    for pk in ids:
        if shape[pk] == 1:
            weight[pk] *= 0.35
        if pk in is_broker:
            weight[pk] *= 8
    now = timezone.now()
    today = timezone.localdate()

    coordinators = set(
        RoleGrant.objects.filter(community=community, role=Role.COORDINATOR).values_list(
            "membership_id", flat=True
        )
    )
    vetted = {pk for pk in ids if membership_of[pk] in coordinators or rng.random() < 0.12}
    needs_support = {pk for pk in ids if pk not in vetted and rng.random() < 0.03}
    coordinator_membership = next(iter(sorted(coordinators)), None)
    Safeguarding.objects.bulk_create(
        [
            Safeguarding(
                community=community,
                person_id=pk,
                vetted_on=today - timedelta(days=rng.randint(10, 700)) if pk in vetted else None,
                checks="Enhanced DBS certificate seen; two references" if pk in vetted else "",
                vetted_by_id=coordinator_membership if pk in vetted else None,
                needs_support=pk in needs_support,
            )
            for pk in sorted(vetted | needs_support)
        ],
        batch_size=BATCH,
    )

    bar.update()
    bar.set_description("Timebank: offers and requests")
    # Offers and requests.
    listings, listing_categories = [], []
    for pk in ids:
        for kind, catalogue, chance in (
            (ListingKind.OFFER, OFFERS, 0.45),
            (ListingKind.REQUEST, REQUESTS, 0.2),
        ):
            if rng.random() >= chance:
                continue
            category = rng.choice(sorted(catalogue))
            where = WHERE_BY_CATEGORY.get(category, Where.PUBLIC)
            listing = Listing(
                community=community,
                owner_id=pk,
                kind=kind,
                title=rng.choice(catalogue[category]),
                description="Happy to help - just get in touch."
                if kind == ListingKind.OFFER
                else "I'd be very grateful for a hand with this.",
                availability=rng.choice(
                    ["Weekday mornings", "Weekends", "Evenings after 6", "Most afternoons", ""]
                ),
                created_at=now - timedelta(days=rng.randint(0, 300)),
                expires_on=today + timedelta(days=rng.randint(10, 120))
                if rng.random() < 0.3
                else None,
                **{Listing.WHERE_FIELDS[where]: True, Listing.WHERE_FIELDS[Where.PUBLIC]: True},
            )
            listings.append(listing)
            listing_categories.append(categories[category])
    Listing.objects.bulk_create(listings, batch_size=BATCH)
    through = Listing.categories.through
    through.objects.bulk_create(
        [
            through(listing_id=listing.pk, category_id=category.pk)
            for listing, category in zip(listings, listing_categories, strict=True)
        ],
        batch_size=BATCH,
    )

    bar.update()
    bar.set_description("Timebank: a year of exchanges")
    # Accounts and a year of exchanges, oldest first so limits hold as they would have.
    accounts = {
        pk: Account(community=community, kind=AccountKind.MEMBER, person_id=pk, name=name_of[pk])
        for pk in ids
    }
    pot = Account(community=community, kind=AccountKind.POT, name="Community pot")
    Account.objects.bulk_create([*accounts.values(), pot], batch_size=BATCH)
    balance: dict[int, int] = defaultdict(int)
    total = int(len(ids) * EXCHANGES_PER_PERSON_PER_YEAR)
    givers = rng.choices(ids, weights=[weight[pk] for pk in ids], k=total)
    days = sorted(rng.randint(1, 365) for _ in range(total))
    category_names = sorted(OFFERS)
    exchanges: list[Exchange] = []
    transfers: list[Transfer] = []
    for giver, ago in zip(givers, reversed(days), strict=True):
        local = by_place[place_of[giver]]
        roll = rng.random()
        if giver in is_broker:
            pool = ids if roll < 0.6 else local
        elif shape[giver] == 0 and len(circle.get(giver, [])) > 1:
            pool = circle[giver] if roll < 0.9 else (local if roll < 0.98 else ids)
        elif shape[giver] == 2 and brokers[place_of[giver]]:
            pool = local if roll < 0.8 else brokers[place_of[giver]]
        else:
            pool = local if roll < 0.9 and len(local) > 1 else ids
        receiver = rng.choice(pool)
        if receiver == giver:
            continue
        minutes = rng.choice([30, 45, 60, 60, 60, 90, 120, 120, 180])
        if (
            balance[giver] + minutes > limits.credit_limit
            or balance[receiver] - minutes < -limits.debit_limit
        ):
            continue
        category = rng.choice(category_names)
        where = WHERE_BY_CATEGORY.get(category, Where.PUBLIC)
        if where == Where.YOUR_HOME and giver not in vetted:
            where = Where.PUBLIC
        if (receiver in needs_support or giver in needs_support) and giver not in vetted:
            continue
        on = today - timedelta(days=ago)
        at = timezone.make_aware(datetime.combine(on, time(10 + rng.randint(0, 8))))
        pending = ago <= 10 and rng.random() < 0.4
        exchange = Exchange(
            community=community,
            giver_id=giver,
            receiver_id=receiver,
            proposed_by_id=receiver,
            claimed_by_id=giver,
            description=rng.choice(OFFERS[category]),
            where=where,
            category=categories[category],
            minutes=minutes,
            happened_on=on,
            state=ExchangeState.COMPLETED if pending else ExchangeState.CONFIRMED,
            created_at=at - timedelta(days=2),
            updated_at=at,
        )
        exchanges.append(exchange)
        if not pending:
            balance[giver] += minutes
            balance[receiver] -= minutes
            transfers.append(
                Transfer(
                    community=community,
                    kind=TransferKind.EXCHANGE,
                    description=exchange.description,
                    happened_on=on,
                    created_at=at,
                    created_by_id=membership_of[receiver],
                )
            )
    # A few proposals and agreements still in flight.
    for _ in range(max(2, len(ids) // 40)):
        giver, receiver = rng.sample(ids, 2)
        if (receiver in needs_support or giver in needs_support) and giver not in vetted:
            continue
        category = rng.choice(category_names)
        exchanges.append(
            Exchange(
                community=community,
                giver_id=giver,
                receiver_id=receiver,
                proposed_by_id=receiver,
                description=rng.choice(OFFERS[category]),
                where=Where.PUBLIC,
                category=categories[category],
                state=rng.choice([ExchangeState.PROPOSED, ExchangeState.AGREED]),
                created_at=now - timedelta(days=rng.randint(0, 6)),
                updated_at=now,
            )
        )
    bar.update()
    bar.set_description("Timebank: writing the ledger")
    Transfer.objects.bulk_create(transfers, batch_size=BATCH)
    confirmed = [e for e in exchanges if e.state == ExchangeState.CONFIRMED]
    entries = []
    for exchange, transfer in zip(confirmed, transfers, strict=True):
        exchange.transfer = transfer
        assert exchange.minutes is not None  # noqa: S101 (confirmed ones have minutes)
        entries.append(
            Entry(
                community=community,
                transfer=transfer,
                account=accounts[exchange.giver_id],
                minutes=exchange.minutes,
                created_at=transfer.created_at,
            )
        )
        entries.append(
            Entry(
                community=community,
                transfer=transfer,
                account=accounts[exchange.receiver_id],
                minutes=-exchange.minutes,
                created_at=transfer.created_at,
            )
        )
    bar.update()
    Exchange.objects.bulk_create(exchanges, batch_size=BATCH)
    Entry.objects.bulk_create(entries, batch_size=BATCH)
    bar.update()
    set_balances({account.pk: balance[pk] for pk, account in accounts.items()})
    ThankYou.objects.bulk_create(
        [
            ThankYou(
                community=community,
                exchange=e,
                text=rng.choice(THANKS),
                show_on_profile=rng.random() < 0.7,
            )
            for e in confirmed
            if rng.random() < 0.15
        ],
        batch_size=BATCH,
    )
    bar.update()
    bar.close()
