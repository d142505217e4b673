"""Matching benchmarks: quality against a shared-category baseline, speed against brute force.

    ginnel bench matching --quality   # precision@5 and recall@10, engine vs baseline
    ginnel bench matching             # one seeker's top 10 and a batch of everyone

Both are seeded and generate their own synthetic population (no database):
people in a city about 16 miles across, a two-level skill taxonomy, offers and
needs written in varied everyday wording. See docs/matching.md for the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ginnel.matching.engine import (
    Encoder,
    Kind,
    Place,
    Pool,
    Profile,
    Rows,
    Taxonomy,
    Weights,
    miles_between,
)

# parent → leaf → (ways of offering it, ways of asking for it)
TOPICS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "Gardening": {
        "Lawn mowing": (
            ("I can mow your lawn", "lawn cutting with my own mower", "grass cutting in summer"),
            ("my lawn needs mowing", "the grass is out of control", "someone to cut the grass"),
        ),
        "Allotment and vegetables": (
            ("allotment digging", "I grow veg and can show you how", "help on your allotment"),
            ("help digging my allotment", "starting to grow vegetables", "allotment is too much"),
        ),
        "Weeding and tidying": (
            ("weeding", "I can help with your garden", "tidying borders and hedges"),
            ("garden is overgrown", "weeding the borders", "keeping the garden tidy"),
        ),
    },
    "DIY": {
        "Shelves and pictures": (
            ("putting up shelves", "I have a drill and can hang pictures", "shelf fitting"),
            ("need shelves put up", "hanging a mirror and pictures", "shelves in the kitchen"),
        ),
        "Flatpack furniture": (
            ("flatpack assembly", "I build flat-pack furniture", "wardrobe and bed assembly"),
            ("a flatpack wardrobe to build", "assembling a bed", "furniture arrived in boxes"),
        ),
        "Small repairs": (
            ("small repairs around the house", "fixing dripping taps", "odd jobs and fixing"),
            ("a dripping tap", "door handle is broken", "small repairs I cannot manage"),
        ),
    },
    "IT help": {
        "Laptops and email": (
            ("help with laptops and email", "computer troubleshooting", "setting up email"),
            ("my laptop is slow", "learning to use email", "computer keeps crashing"),
        ),
        "Smartphones": (
            ("smartphone help", "showing people how to use their phone apps", "WhatsApp setup"),
            ("how to video call my grandchildren", "new smartphone confuses me", "phone apps"),
        ),
        "Online forms": (
            ("filling in online forms", "booking things online", "online shopping orders"),
            ("online form for the council", "booking a GP appointment online", "online banking"),
        ),
    },
    "Shopping": {
        "Grocery shopping": (
            ("weekly grocery shopping", "I can pick up your shopping", "supermarket runs"),
            ("someone to do my food shopping", "cannot carry groceries", "supermarket trip"),
        ),
        "Prescriptions": (
            ("collecting prescriptions", "pharmacy pick ups", "fetching medicines"),
            ("prescription collection", "pick up my medicine from the chemist", "pharmacy"),
        ),
    },
    "Lifts": {
        "Hospital lifts": (
            ("lifts to hospital appointments", "I drive and can take you to the clinic"),
            ("a lift to the hospital", "getting to my clinic appointment", "transport to hospital"),
        ),
        "Days out": (
            ("driving for days out", "trips to the seaside in my car", "outings by car"),
            ("a day out by car", "getting out of the house for a trip", "visit the coast"),
        ),
    },
    "Befriending": {
        "Phone chats": (
            ("a friendly phone call", "regular chats on the phone", "telephone befriending"),
            ("someone to talk to on the phone", "a weekly phone chat", "lonely evenings"),
        ),
        "Visits and a cuppa": (
            ("popping round for a cuppa", "friendly visits and company", "a chat over tea"),
            ("company at home", "a visitor for a cup of tea", "lonely since my wife died"),
        ),
    },
    "Cooking": {
        "Meals": (
            ("cooking healthy meals", "batch cooking for the freezer", "home-cooked dinners"),
            ("meals I can heat up", "learning to cook simple dinners", "cooking for one"),
        ),
        "Baking": (
            ("baking cakes and bread", "teaching baking", "bread making"),
            ("learn to bake bread", "a birthday cake", "baking with the kids"),
        ),
    },
    "Pet care": {
        "Dog walking": (
            ("dog walking", "I love dogs and walk them daily", "walkies for your dog"),
            ("someone to walk my dog", "dog needs exercise", "dog walking while I recover"),
        ),
        "Cat sitting": (
            ("cat sitting", "feeding cats while you are away", "pet sitting for cats"),
            ("cat feeding while on holiday", "someone to check on my cat", "cat sitter"),
        ),
    },
    "Sewing": {
        "Alterations": (
            ("clothes alterations", "taking up trousers", "sewing repairs and hems"),
            ("trousers need taking up", "a zip to mend", "altering a dress"),
        ),
        "Knitting": (
            ("teaching knitting", "knitting and crochet", "knit and natter"),
            ("learn to knit", "crochet lessons", "knitting a blanket"),
        ),
    },
    "Languages": {
        "English conversation": (
            ("English conversation practice", "helping with spoken English", "ESOL support"),
            ("practise my English", "improve my spoken English", "English for my job interview"),
        ),
        "Spanish": (
            ("Spanish lessons", "I speak Spanish fluently", "conversational Spanish"),
            ("learn some Spanish", "Spanish before my holiday", "Spanish homework"),
        ),
    },
    "Music": {
        "Guitar": (
            ("guitar lessons", "teaching beginners guitar", "I play guitar"),
            ("learn the guitar", "guitar chords for beginners", "my old guitar"),
        ),
        "Singing": (
            ("singing lessons", "I run a community choir", "singing for fun"),
            ("join a choir", "learn to sing", "singing for my breathing"),
        ),
    },
    "Paperwork": {
        "Benefit forms": (
            ("help with benefit forms", "filling in PIP forms", "universal credit claims"),
            ("PIP form is confusing", "benefit claim help", "attendance allowance form"),
        ),
        "Letters and bills": (
            ("reading and writing letters", "sorting out bills", "letters from the council"),
            ("letters I do not understand", "bills piling up", "writing a complaint letter"),
        ),
    },
}

OFFER_FILLERS = (
    "",
    "I'm retired and have time on my hands.",
    "Weekends suit me best.",
    "Happy to help a neighbour.",
    "I've done this for years.",
    "Evenings after work are fine.",
)
NEED_FILLERS = (
    "",
    "I live on my own.",
    "Since my operation I can't manage.",
    "It would be a big help.",
    "I'm new to the area.",
    "My family live far away.",
)

CENTRE = (53.80, -1.55)
SPREAD = (0.12, 0.20)  # degrees either side: about 8 miles each way


@dataclass(frozen=True)
class World:
    taxonomy: Taxonomy
    leaves: list[int]
    offers: dict[int, tuple[str, ...]]  # leaf → offer phrases
    needs: dict[int, tuple[str, ...]]


def world() -> World:
    names: list[str] = []
    parents: list[int] = []
    leaves: list[int] = []
    offers: dict[int, tuple[str, ...]] = {}
    needs: dict[int, tuple[str, ...]] = {}
    for parent, children in TOPICS.items():
        p = len(names)
        names.append(parent)
        parents.append(-1)
        for leaf, (offer, need) in children.items():
            leaves.append(len(names))
            offers[len(names)] = offer
            needs[len(names)] = need
            names.append(leaf)
            parents.append(p)
    return World(Taxonomy(tuple(names), tuple(parents)), leaves, offers, needs)


def _place(rng: np.random.Generator) -> tuple[float, float]:
    return (
        CENTRE[0] + float(rng.uniform(-SPREAD[0], SPREAD[0])),
        CENTRE[1] + float(rng.uniform(-SPREAD[1], SPREAD[1])),
    )


def _near(rng: np.random.Generator, at: tuple[float, float], miles: float) -> tuple[float, float]:
    r = miles * float(np.sqrt(rng.uniform(0, 1)))
    angle = float(rng.uniform(0, 2 * np.pi))
    dlat = r * np.cos(angle) / 69.0
    dlon = r * np.sin(angle) / (69.0 * np.cos(np.radians(at[0])))
    return at[0] + float(dlat), at[1] + float(dlon)


def _slots(rng: np.random.Generator, count: int, avoid: int = 0) -> int:
    free = [b for b in range(21) if not avoid >> b & 1]
    chosen = rng.choice(free, size=min(count, len(free)), replace=False)
    return int(sum(1 << int(b) for b in chosen))


def _text(rng: np.random.Generator, phrases: tuple[str, ...], fillers: tuple[str, ...]) -> str:
    text = str(phrases[int(rng.integers(len(phrases)))])
    filler = str(fillers[int(rng.integers(len(fillers)))])
    return f"{text}. {filler}".strip()


def _hood(at: tuple[float, float]) -> int:
    row = int((at[0] - CENTRE[0] + SPREAD[0]) / (2 * SPREAD[0]) * 6)
    col = int((at[1] - CENTRE[1] + SPREAD[1]) / (2 * SPREAD[1]) * 6)
    return min(max(row, 0), 5) * 6 + min(max(col, 0), 5)


IN_PERSON_CHOICES = (
    int(Place.RECEIVER_HOME | Place.PUBLIC),
    int(Place.PUBLIC),
    int(Place.RECEIVER_HOME),
    int(Place.GIVER_HOME | Place.PUBLIC),
)


def quality_population(
    *, seekers: int = 300, noise: int = 6000, planted: int = 8, seed: int = 1
) -> tuple[World, list[Profile], list[Profile], dict[int, set[int]]]:
    """Seekers, offers, and for each seeker the ids of the offers planted to fit them.

    A planted offer is for the seeker's need (tagged with it, with its parent
    only, or not tagged but worded for it), within 1.2 miles, free at one of the
    seeker's times, somewhere the seeker can meet, vetted where that is needed.
    Noise: offers of every kind anywhere, and for each seeker three near
    offers for the same need that do not fit (no shared time, closed, or only
    somewhere the seeker cannot meet).
    """
    w = world()
    rng = np.random.default_rng(seed)
    offers: list[Profile] = []
    people: list[Profile] = []
    good: dict[int, set[int]] = {}
    next_id = iter(range(1, 10_000_000))

    leaf_of_old: dict[int, int] = {}

    def offer(leaf: int, at: tuple[float, float], **fields: Any) -> Profile:
        oid = next(next_id)
        leaf_of_old[oid] = leaf
        base = Profile(
            id=oid,
            owner=oid,
            tags=(leaf,),
            text=_text(rng, w.offers[leaf], OFFER_FILLERS),
            lat=at[0],
            lon=at[1],
            neighbourhood=_hood(at),
            availability=_slots(rng, int(rng.integers(1, 5))),
            places=int(rng.choice(IN_PERSON_CHOICES)) | int(rng.choice([0, int(Place.PHONE)])),
            vetted=bool(rng.uniform() < 0.4),
            load=int(rng.integers(0, 8)),
            connections=int(rng.integers(0, 4)),
            given=int(rng.integers(0, 1200)),
            received=int(rng.integers(0, 1200)),
        )
        return replace(base, **fields)

    for _ in range(noise):
        offers.append(offer(int(rng.choice(w.leaves)), _place(rng)))
    for _ in range(seekers):
        sid = next(next_id)
        leaf = int(rng.choice(w.leaves))
        at = _place(rng)
        avail = _slots(rng, int(rng.integers(2, 5)))
        places = int(rng.choice(IN_PERSON_CHOICES))
        support = bool(rng.uniform() < 0.1)
        seeker = Profile(
            id=sid,
            owner=sid,
            tags=(leaf,),
            text=_text(rng, w.needs[leaf], NEED_FILLERS),
            lat=at[0],
            lon=at[1],
            neighbourhood=_hood(at),
            availability=avail,
            places=places,
            needs_support=support,
        )
        people.append(seeker)
        fits: set[int] = set()
        free = [b for b in range(21) if avail >> b & 1]
        for _ in range(planted):
            roll = rng.uniform()
            tags = (leaf,) if roll < 0.7 else (w.taxonomy.parents[leaf],) if roll < 0.85 else ()
            good_offer = offer(
                leaf,
                _near(rng, at, 1.2),
                tags=tags,
                availability=(1 << int(rng.choice(free))) | _slots(rng, int(rng.integers(0, 3))),
                places=places | int(rng.choice([0, int(Place.PHONE)])),
                vetted=True if support else bool(rng.uniform() < 0.5),
            )
            if not good_offer.vetted and not places & int(Place.PUBLIC):
                good_offer = replace(good_offer, vetted=True)  # a home visit needs vetting
            offers.append(good_offer)
            fits.add(good_offer.id)
        good[sid] = fits
        # Near, for the same need, but not a fit.
        offers.append(offer(leaf, _near(rng, at, 1.5), availability=_slots(rng, 2, avoid=avail)))
        offers.append(offer(leaf, _near(rng, at, 1.5), active=False))
        offers.append(offer(leaf, _near(rng, at, 1.5), places=int(Place.GIVER_HOME), vetted=False))
    # Ids in a random order, so that no one is ahead because of when it was made.
    order = rng.permutation(len(offers))
    new_id = {offer.id: int(order[i]) + 1 for i, offer in enumerate(offers)}
    offers = [replace(o, id=new_id[o.id]) for o in offers]
    leaf_of = {new_id[oid]: leaf for oid, leaf in leaf_of_old.items()}
    # A noise offer that happens to fit a seeker as well as a planted one counts as good too.
    for seeker in people:
        good[seeker.id] = {new_id[o] for o in good[seeker.id]} | _fitting(seeker, offers, leaf_of)
    return w, offers, people, good


def _fitting(seeker: Profile, offers: list[Profile], leaf_of: dict[int, int]) -> set[int]:
    """Offers that fit the seeker by the rule planted offers are made with."""
    leaf = seeker.tags[0]
    out: set[int] = set()
    for o in offers:
        if leaf_of[o.id] != leaf or not o.active or o.lat is None or o.lon is None:
            continue
        if not o.availability & seeker.availability:
            continue
        places = o.places & seeker.places
        if not o.vetted:
            places &= ~int(Place.GIVER_HOME | Place.RECEIVER_HOME)
        if not places & int(Place.PUBLIC | Place.GIVER_HOME | Place.RECEIVER_HOME):
            continue
        if seeker.needs_support and not o.vetted:
            continue
        at = np.radians([seeker.lat or 0.0, seeker.lon or 0.0, o.lat, o.lon])
        if float(miles_between(*at)) <= 1.2:
            out.add(o.id)
    return out


def baseline(seeker: Profile, offers: list[Profile], k: int) -> list[int]:
    """Shared-category match only: most categories in common, then by id."""
    mine = set(seeker.tags)
    scored = [(-len(mine & set(o.tags)), o.id) for o in offers if mine & set(o.tags)]
    scored = [s for s in scored if s[1] != seeker.id]
    return [oid for _, oid in sorted(scored)[:k]]


def bench_quality(*, seed: int, seekers: int, noise: int) -> dict[str, Any]:
    w, offers, people, good = quality_population(seekers=seekers, noise=noise, planted=8, seed=seed)
    texts = [o.text for o in offers] + [p.text for p in people]
    started = time.perf_counter()
    encoder = Encoder.fit(w.taxonomy, texts)
    pool = Pool(Kind.HELPER, encoder, offers)
    built = time.perf_counter() - started

    def measure(top: Callable[[Profile], list[int]]) -> tuple[float, float]:
        p5: list[float] = []
        r10: list[float] = []
        for seeker in people:
            found = top(seeker)
            p5.append(len(set(found[:5]) & good[seeker.id]) / 5)
            r10.append(len(set(found[:10]) & good[seeker.id]) / len(good[seeker.id]))
        return float(np.mean(p5)), float(np.mean(r10))

    ours = measure(lambda s: [x.id for x in pool.suggest(s, 10)])
    base = measure(lambda s: baseline(s, offers, 10))
    return {
        "seekers": len(people),
        "offers": len(offers),
        "planted fits per seeker": 8,
        "good matches per seeker (planted and fitting by chance)": round(
            float(np.mean([len(g) for g in good.values()])), 2
        ),
        "engine precision@5": round(ours[0], 3),
        "engine recall@10": round(ours[1], 3),
        "baseline precision@5": round(base[0], 3),
        "baseline recall@10": round(base[1], 3),
        "precision@5 ratio": round(ours[0] / base[0], 1) if base[0] else None,
        "fit and build s": round(built, 2),
    }


# ---------------------------------------------------------------- speed


def speed_population(
    *, people: int, offers: int, services: int, seed: int
) -> tuple[World, list[Profile], list[Profile]]:
    """Everyone's needs (the seekers), and offers and services (the candidates)."""
    w = world()
    rng = np.random.default_rng(seed)
    leaves = np.array(w.leaves)
    seekers: list[Profile] = []
    for pid in range(1, people + 1):
        leaf = int(rng.choice(leaves))
        at = _place(rng)
        blocked = frozenset({int(rng.integers(1, people + 1))}) if rng.uniform() < 0.02 else None
        seekers.append(
            Profile(
                id=pid,
                owner=pid,
                tags=(leaf,),
                text=_text(rng, w.needs[leaf], NEED_FILLERS),
                lat=at[0],
                lon=at[1],
                neighbourhood=_hood(at),
                availability=_slots(rng, int(rng.integers(1, 6))),
                places=int(rng.choice(IN_PERSON_CHOICES)) | int(Place.PHONE),
                needs_support=bool(rng.uniform() < 0.05),
                active=bool(rng.uniform() < 0.97),
                blocked=blocked or frozenset(),
            )
        )
    candidates: list[Profile] = []
    for oid in range(1, offers + 1):
        leaf = int(rng.choice(leaves))
        at = _place(rng)
        second = int(rng.choice(leaves)) if rng.uniform() < 0.3 else leaf
        candidates.append(
            Profile(
                id=oid,
                owner=int(rng.integers(1, people + 1)),
                tags=tuple(sorted({leaf, second})),
                text=_text(rng, w.offers[leaf], OFFER_FILLERS),
                lat=at[0],
                lon=at[1],
                neighbourhood=_hood(at),
                availability=_slots(rng, int(rng.integers(1, 6))),
                places=int(rng.choice(IN_PERSON_CHOICES)) | int(rng.choice([0, int(Place.PHONE)])),
                vetted=bool(rng.uniform() < 0.4),
                load=int(rng.integers(0, 8)),
                connections=int(rng.integers(0, 4)),
                given=int(rng.integers(0, 1200)),
                received=int(rng.integers(0, 1200)),
            )
        )
    for sid in range(offers + 1, offers + services + 1):
        leaf = int(rng.choice(leaves))
        at = _place(rng)
        candidates.append(
            Profile(
                id=sid,
                tags=(w.taxonomy.parents[leaf],),
                text=f"Community centre drop-in: {_text(rng, w.offers[leaf], ('',))}",
                lat=at[0],
                lon=at[1],
                neighbourhood=_hood(at),
                availability=_slots(rng, 3),
                places=int(Place.PUBLIC | Place.PHONE),
                vetted=True,
            )
        )
    return w, seekers, candidates


def _bytes(rows: Rows) -> int:
    total = 0
    for name in Rows.__dataclass_fields__:
        value = getattr(rows, name)
        if isinstance(value, np.ndarray):
            total += value.nbytes
        else:
            total += value.data.nbytes + value.indices.nbytes + value.indptr.nbytes
    return total


def _peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _percentiles(times: list[float]) -> dict[str, float]:
    ms = np.array(times) * 1000
    return {
        "p50 ms": round(float(np.percentile(ms, 50)), 2),
        "p95 ms": round(float(np.percentile(ms, 95)), 2),
    }


class BruteForce:
    """The floor: every candidate scored for every seeker with dense numpy arrays.

    Same relevance (taxonomy and text cosine), distance and availability parts
    and the same active/self filters, no retrieval, no sparse matrices.
    """

    def __init__(self, pool: Pool, weights: Weights) -> None:
        rows = pool.rows
        self.rows = rows
        self.w = weights
        self.tax = rows.tax.toarray().astype(np.float32)
        self.text = rows.text.toarray().astype(np.float32)

    def top(self, seekers: Rows, at: np.ndarray, k: int) -> np.ndarray:
        c = self.rows
        w = self.w
        sim = w.taxonomy * (seekers.tax[at].toarray().astype(np.float32) @ self.tax.T)
        sim += w.text * (seekers.text[at].toarray().astype(np.float32) @ self.text.T)
        miles = miles_between(
            seekers.lat[at][:, None], seekers.lon[at][:, None], c.lat[None, :], c.lon[None, :]
        )
        score = sim + w.distance * np.exp(-miles / w.miles_scale)
        overlap = np.bitwise_count(seekers.avail[at][:, None] & c.avail[None, :])
        score += w.availability * np.minimum(overlap, 3) / 3
        bad = ~c.active[None, :] | (seekers.owner[at][:, None] == c.owner[None, :])
        score[bad | (sim < w.min_relevance)] = -np.inf
        best = np.argpartition(-score, k, axis=1)[:, :k]
        return np.asarray(c.ids[best])


def bench_speed(
    *,
    people: int,
    offers: int,
    services: int,
    singles: int,
    seed: int,
    brute_batch: int,
    workers: int,
    numpy_batch: int,
) -> dict[str, Any]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    w, seekers, candidates = speed_population(
        people=people, offers=offers, services=services, seed=seed
    )
    times["generate s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    encoder = Encoder.fit(w.taxonomy, [c.text for c in candidates] + [s.text for s in seekers])
    times["fit vocabulary s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    pool = Pool(Kind.HELPER, encoder, candidates)
    pool.rows  # noqa: B018 (build the index now, not in the first query)
    pool.retrieve(encoder.encode(seekers[:1]), np.zeros(1, dtype=np.int64))
    times["encode candidates s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    seeker_rows = encoder.encode(seekers)
    times["encode seekers s"] = round(time.perf_counter() - started, 2)
    rng = np.random.default_rng(seed + 1)
    sample = rng.choice(len(seekers), size=min(singles, len(seekers)), replace=False)
    single: list[float] = []
    for i in sample.tolist():
        t0 = time.perf_counter()
        pool.suggest(seekers[i], 10)
        single.append(time.perf_counter() - t0)
    load_before = os.getloadavg()[0]
    # The first compiled batch compiles the kernel (or loads it from numba's cache): not timed.
    started = time.perf_counter()
    pool.suggest_many(seeker_rows.take(np.arange(min(10, len(seekers)))), 10)
    times["compile or load kernel s"] = round(time.perf_counter() - started, 2)
    started, cpu = time.perf_counter(), time.process_time()
    batch = pool.suggest_many(seeker_rows, 10)
    batch_s = time.perf_counter() - started
    batch_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    parallel = pool.suggest_many(seeker_rows, 10, workers=workers)
    parallel_s = time.perf_counter() - started
    parallel_cpu = time.process_time() - cpu
    if not (
        np.array_equal(parallel.ids, batch.ids)
        and np.array_equal(parallel.scores, batch.scores, equal_nan=True)
    ):
        raise AssertionError("the batch in threads differs from the batch in one")
    # The numpy batch (the reference the kernel is tested against) on every n-th seeker.
    some = np.arange(0, len(seekers), max(1, len(seekers) // max(1, numpy_batch)))
    started, cpu = time.perf_counter(), time.process_time()
    plain = pool.suggest_many(seeker_rows.take(some), 10, compiled=False)
    plain_s = time.perf_counter() - started
    plain_cpu = time.process_time() - cpu
    if not (
        np.array_equal(plain.ids, batch.ids[some])
        and np.array_equal(plain.scores, batch.scores[some], equal_nan=True)
    ):
        raise AssertionError("the compiled batch differs from the numpy batch")
    update: list[float] = []
    for i in sample[:200].tolist():
        changed = replace(candidates[i % len(candidates)], text="I can help with your garden")
        t0 = time.perf_counter()
        pool.upsert(changed)
        pool.rows  # noqa: B018 (the update is joined at the next query: time it here)
        update.append(time.perf_counter() - t0)
    result: dict[str, Any] = {
        "people": people,
        "offers and services": len(candidates),
        "vocabulary": encoder.vectoriser.size,
        "times": times,
        "one seeker (engine, with reasons)": _percentiles(single),
        "batch people/s (engine, 1 thread)": round(len(seekers) / batch_s),
        "batch s (1 thread)": round(batch_s, 2),
        # CPU time is less sensitive than the clock to others sharing the machine.
        "batch people per CPU-second (1 thread)": round(len(seekers) / batch_cpu),
        f"batch people/s (engine, {workers} threads)": round(len(seekers) / parallel_s),
        f"batch s ({workers} threads)": round(parallel_s, 2),
        f"batch people per CPU-second ({workers} threads)": round(len(seekers) / parallel_cpu),
        "numpy batch seekers (same results as the compiled batch)": len(some),
        "numpy batch people/s (1 process)": round(len(some) / plain_s),
        "numpy batch people per CPU-second": round(len(some) / plain_cpu),
        "load average (1 minute) before the batches, after": [
            round(load_before, 1),
            round(os.getloadavg()[0], 1),
        ],
        "seekers with at least one suggestion": round(float((batch.ids[:, 0] >= 0).mean()), 3),
        "one update joined": _percentiles(update),
        "state MiB (candidates)": round(_bytes(pool.rows) / 2**20, 1),
        "state MiB (all seekers encoded)": round(_bytes(seeker_rows) / 2**20, 1),
    }
    dense_mib = pool.rows.text.shape[0] * pool.rows.text.shape[1] * 4 / 2**20
    result["brute force dense text MiB"] = round(dense_mib, 1)
    if dense_mib < 4096:
        brute = BruteForce(pool, pool.weights)
        single_b: list[float] = []
        for i in sample[: max(50, singles // 10)].tolist():
            t0 = time.perf_counter()
            brute.top(seeker_rows, np.array([i]), 10)
            single_b.append(time.perf_counter() - t0)
        started = time.perf_counter()
        chunk = 256
        for start in range(0, brute_batch, chunk):
            brute.top(seeker_rows, np.arange(start, min(start + chunk, brute_batch)), 10)
        result["one seeker (brute force)"] = _percentiles(single_b)
        brute_rate = brute_batch / (time.perf_counter() - started)
        result["batch people/s (brute force)"] = round(brute_rate)
        result["batch speed-up over brute force (1 thread, threads)"] = [
            round(len(seekers) / batch_s / brute_rate, 1),
            round(len(seekers) / parallel_s / brute_rate, 1),
        ]
    result["peak memory MiB"] = _peak_rss_mib()
    return result


def main(argv: list[str] | None = None, write: Callable[[str], Any] = print) -> None:
    parser = argparse.ArgumentParser(prog="ginnel bench matching", description=__doc__)
    parser.add_argument("--quality", action="store_true", help="precision and recall only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=18_000)
    parser.add_argument("--services", type=int, default=2_000)
    parser.add_argument("--singles", type=int, default=1_000, help="seekers timed one by one")
    parser.add_argument(
        "--brute-batch", type=int, default=2_000, help="seekers in the brute-force batch"
    )
    parser.add_argument("--workers", type=int, default=2, help="threads for the batch")
    parser.add_argument(
        "--numpy-batch",
        type=int,
        default=10_000,
        help="seekers in the numpy batch, checked against the compiled one",
    )
    parser.add_argument("--seekers", type=int, default=300, help="quality: seekers")
    parser.add_argument("--noise", type=int, default=6_000, help="quality: noise offers")
    options = parser.parse_args(argv)
    write(
        f"ginnel bench matching: seed {options.seed}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    if options.quality:
        result = bench_quality(seed=options.seed, seekers=options.seekers, noise=options.noise)
    else:
        result = bench_speed(
            people=options.people,
            offers=options.offers,
            services=options.services,
            singles=options.singles,
            seed=options.seed,
            brute_batch=options.brute_batch,
            workers=options.workers,
            numpy_batch=options.numpy_batch,
        )
    write(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
