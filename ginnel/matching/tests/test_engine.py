"""The pure matching engine: constraints that never break, reasons that match, stable order.

No database: these tests build Profiles directly.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.matching.engine import (
    ANYWHERE,
    HOMES,
    Encoder,
    Kind,
    Place,
    Pool,
    Profile,
    Rows,
    Suggestion,
    Taxonomy,
    Words,
    slot,
)
from ginnel.matching.text import stem, tokens

# Gardening > Lawn mowing, Allotments; DIY > Shelves; IT help; Befriending
TAXONOMY = Taxonomy(
    ("Gardening", "Lawn mowing", "Allotments", "DIY", "Shelves", "IT help", "Befriending"),
    (-1, 0, 0, -1, 3, -1, -1),
)
PURPOSES = ("living with diabetes", "caring for someone", "living with long COVID")
PHRASES = (
    "I can help with your garden",
    "allotment digging",
    "weeding and tidying borders",
    "gardening",
    "lawn mowing",
    "putting up shelves",
    "fix your laptop",
    "a chat over a cuppa",
    "help with email",
    "flatpack furniture",
    "",
)
LEEDS = (53.80, -1.55)
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def encoder() -> Encoder:
    return Encoder.fit(TAXONOMY, PHRASES, PURPOSES)


def person(pid: int, **fields: object) -> Profile:
    base: dict[str, object] = {"id": pid, "owner": pid, "lat": LEEDS[0], "lon": LEEDS[1]}
    base.update(fields)
    return Profile(**base)


@st.composite
def profiles(draw: st.DrawFn, pid: int, owners: int) -> Profile:
    owner = draw(st.integers(-1, owners)) if pid >= 1000 else pid
    located = draw(st.booleans())
    return Profile(
        id=pid,
        owner=owner,
        tags=tuple(draw(st.sets(st.integers(0, TAXONOMY.size - 1), max_size=2))),
        text=draw(st.sampled_from(PHRASES)),
        lat=LEEDS[0] + draw(st.floats(-0.1, 0.1)) if located else None,
        lon=LEEDS[1] + draw(st.floats(-0.15, 0.15)) if located else None,
        neighbourhood=draw(st.integers(-1, 3)),
        availability=draw(st.integers(0, (1 << 21) - 1)) & draw(st.integers(0, 255)),
        places=draw(st.integers(1, int(ANYWHERE))),
        active=draw(st.booleans()) or draw(st.booleans()),
        vetted=draw(st.booleans()),
        needs_support=draw(st.integers(0, 3)) == 0,
        consent=draw(st.integers(0, 7)),
        blocked=frozenset(draw(st.sets(st.integers(0, owners), max_size=3))),
        given=draw(st.integers(0, 1200)),
        received=draw(st.integers(0, 1200)),
        load=draw(st.integers(0, 9)),
        connections=draw(st.integers(0, 2)),
    )


@st.composite
def populations(draw: st.DrawFn) -> tuple[list[Profile], list[Profile]]:
    owners = 12
    seekers = [draw(profiles(pid, owners)) for pid in range(draw(st.integers(1, 4)))]
    count = draw(st.integers(0, 25))
    candidates = [draw(profiles(1000 + i, owners)) for i in range(count)]
    return seekers, candidates


def reason(suggestion: Suggestion, part: str) -> str:
    (text,) = [r.text for r in suggestion.reasons if r.part == part]
    return text


def check_allowed(pool: Pool, seeker: Profile, candidate: Profile) -> None:
    """Every hard constraint, written out again from the rules, not from the engine."""
    assert seeker.active
    assert candidate.active
    if seeker.owner >= 0:
        assert candidate.owner != seeker.owner
    if seeker.owner >= 0 and candidate.owner >= 0:
        assert candidate.owner not in seeker.blocked
        assert seeker.owner not in candidate.blocked
    if pool.kind == Kind.PEER:
        assert seeker.consent & candidate.consent
    giver, receiver = {
        Kind.HELPER: (candidate, seeker),
        Kind.HELPEE: (seeker, candidate),
    }.get(pool.kind, (None, None))
    common = seeker.places & candidate.places
    if giver is not None and receiver is not None:
        if receiver.needs_support:
            assert giver.vetted
        if not giver.vetted:
            assert common & ~int(HOMES)
    else:
        assert common & ~int(HOMES)
        if seeker.needs_support:
            assert candidate.vetted
        if candidate.needs_support:
            assert seeker.vetted


def check_suggestions(pool: Pool, seeker: Profile, k: int = 5) -> list[int]:
    found = pool.suggest(seeker, k)
    assert len(found) <= k
    for s in found:
        check_allowed(pool, seeker, pool.profile(s.id))
        assert s.score == pytest.approx(sum(s.parts.values()), abs=1e-5)
        assert 1 <= len(s.reasons) <= 3
        parts = [r.part for r in s.reasons]
        assert len(set(parts)) == len(parts)
        for reason in s.reasons:
            assert s.parts[reason.part] > 0, (reason, s.parts)
            assert reason.text
        weights = [s.parts[p] for p in parts]
        assert weights == sorted(weights, reverse=True)
        others = [v for name, v in s.parts.items() if v > 0 and name not in parts]
        assert all(v <= min(weights) for v in others)
    keys = [(-s.score, s.id) for s in found]
    assert keys == sorted(keys)
    return [s.id for s in found]


@pytest.mark.parametrize("kind", [Kind.HELPER, Kind.HELPEE, Kind.PEER, Kind.GROUP])
def test_no_suggestion_ever_breaks_a_constraint_and_reasons_match_the_parts(kind: Kind) -> None:
    enc = encoder()

    @SETTINGS
    @given(populations())
    def run(population: tuple[list[Profile], list[Profile]]) -> None:
        seekers, candidates = population
        pool = Pool(kind, enc, candidates)
        for seeker in seekers:
            check_suggestions(pool, seeker)

    run()


@SETTINGS
@given(populations(), st.randoms(use_true_random=False))
def test_the_same_input_gives_the_same_order_whatever_the_order_of_candidates(
    population: tuple[list[Profile], list[Profile]], rnd: random.Random
) -> None:
    seekers, candidates = population
    enc = encoder()
    shuffled = list(candidates)
    rnd.shuffle(shuffled)
    a, b = Pool(Kind.HELPER, enc, candidates), Pool(Kind.HELPER, enc, shuffled)
    for seeker in seekers:
        assert a.suggest(seeker, 8) == a.suggest(seeker, 8) == b.suggest(seeker, 8)


def test_ties_are_broken_by_id() -> None:
    twins = [person(i, text="lawn mowing", tags=(1,), connections=1) for i in (30, 10, 20)]
    pool = Pool(Kind.HELPER, encoder(), twins)
    found = pool.suggest(person(1, text="lawn mowing", tags=(1,)), 2)
    assert [s.id for s in found] == [10, 20]
    assert found[0].score == found[1].score


@SETTINGS
@given(populations(), st.data())
def test_an_incremental_update_gives_the_same_results_as_a_rebuild(
    population: tuple[list[Profile], list[Profile]], data: st.DataObject
) -> None:
    seekers, candidates = population
    enc = encoder()
    pool = Pool(Kind.HELPER, enc, candidates)
    current = {c.id: c for c in candidates}
    for step in range(data.draw(st.integers(1, 8))):
        action = data.draw(st.sampled_from(["add", "replace", "remove"]))
        if action == "add" or not current:
            new = data.draw(profiles(2000 + step, 12))
        elif action == "replace":
            old = current[data.draw(st.sampled_from(sorted(current)))]
            new = data.draw(profiles(old.id, 12))
        else:
            gone = data.draw(st.sampled_from(sorted(current)))
            pool.remove(gone)
            del current[gone]
            continue
        pool.upsert(new)
        current[new.id] = new
        if data.draw(st.booleans()):
            for seeker in seekers:  # queries in between join the pending rows
                pool.suggest(seeker, 3)
    rebuilt = Pool(Kind.HELPER, enc, list(current.values()))
    assert len(pool) == len(rebuilt)
    for seeker in seekers:
        assert pool.suggest(seeker, 10) == rebuilt.suggest(seeker, 10)
    pool.compact()
    for seeker in seekers:
        assert pool.suggest(seeker, 10) == rebuilt.suggest(seeker, 10)


@SETTINGS
@given(populations())
def test_a_batch_gives_each_seeker_what_they_get_alone(
    population: tuple[list[Profile], list[Profile]],
) -> None:
    seekers, candidates = population
    enc = encoder()
    pool = Pool(Kind.HELPER, enc, candidates)
    batch = pool.suggest_many(enc.encode(seekers), 4, chunk=2)
    for i, seeker in enumerate(seekers):
        alone = pool.suggest(seeker, 4)
        assert [int(x) for x in batch.ids[i] if x >= 0] == [s.id for s in alone]
        assert [float(x) for x in batch.scores[i] if not np.isnan(x)] == [s.score for s in alone]


@pytest.mark.parametrize("kind", [Kind.HELPER, Kind.HELPEE, Kind.PEER, Kind.GROUP])
def test_the_pruned_batch_of_every_kind_gives_each_seeker_what_they_get_alone(kind: Kind) -> None:
    """The batch skips the text of pairs that cannot reach a seeker's top k; it must
    never change what anyone gets, for any k, chunk size or kind."""
    enc = encoder()

    @SETTINGS
    @given(populations(), st.integers(1, 6), st.integers(1, 5))
    def run(population: tuple[list[Profile], list[Profile]], k: int, chunk: int) -> None:
        seekers, candidates = population
        pool = Pool(kind, enc, candidates)
        batch = pool.suggest_many(enc.encode(seekers), k, chunk=chunk)
        for i, seeker in enumerate(seekers):
            alone = pool.suggest(seeker, k)
            assert [int(x) for x in batch.ids[i] if x >= 0] == [s.id for s in alone]
            assert [float(x) for x in batch.scores[i] if not np.isnan(x)] == [
                s.score for s in alone
            ]

    run()


def test_a_batch_in_threads_or_worker_processes_equals_a_batch_in_one() -> None:
    enc = encoder()
    rng = random.Random(5)
    candidates = [
        person(100 + i, tags=(rng.randrange(TAXONOMY.size),), text=rng.choice(PHRASES))
        for i in range(60)
    ]
    seekers = enc.encode(
        [
            person(i, tags=(rng.randrange(TAXONOMY.size),), text=rng.choice(PHRASES))
            for i in range(40)
        ]
    )
    pool = Pool(Kind.HELPER, enc, candidates)
    one = pool.suggest_many(seekers, 5, chunk=8)
    for compiled in (True, False):  # threads for the compiled loop, processes for numpy
        two = pool.suggest_many(seekers, 5, chunk=8, workers=2, compiled=compiled)
        assert (one.ids == two.ids).all()
        assert np.array_equal(one.scores, two.scores, equal_nan=True)
    assert (one.ids[:, 0] >= 0).any()


def test_gardening_meets_garden_and_allotment_help_through_text() -> None:
    enc = encoder()
    candidates = [
        person(10, text="I can help with your garden"),
        person(11, text="allotment help"),
        person(12, text="fix your laptop"),
        person(13, text="putting up shelves"),
    ]
    pool = Pool(Kind.HELPER, enc, candidates)
    found = pool.suggest(person(1, text="gardening"), 5)
    assert {s.id for s in found} == {10, 11}
    for s in found:
        assert s.parts["text"] > 0
        assert s.parts["taxonomy"] == 0
    reasons = {s.id: [r.text for r in s.reasons if r.part == "text"] for s in found}
    assert reasons == {10: ["Mentions “garden”"], 11: ["Mentions “allotment”"]}


def test_words_meet_through_stems_concepts_and_character_grams() -> None:
    assert stem("gardening") == stem("gardener") == stem("gardens") == "garden"
    assert "c:garden" in tokens("allotment")
    assert "c:garden" in tokens("weeding")
    assert set(tokens("gardening")) & set(tokens("garden")) >= {"w:garden", "g: gard"}


def test_a_parent_term_partly_matches_its_children_and_not_its_cousins() -> None:
    pool = Pool(
        Kind.HELPER,
        encoder(),
        [
            person(10, tags=(1,)),  # lawn mowing
            person(11, tags=(0,)),  # gardening
            person(12, tags=(2,)),  # allotments: a sibling of lawn mowing
            person(13, tags=(4,)),  # shelves
        ],
    )
    by_id = {s.id: s for s in pool.suggest(person(1, tags=(1,)), 5)}
    assert set(by_id) == {10, 11}
    assert by_id[10].parts["taxonomy"] > by_id[11].parts["taxonomy"] > 0
    assert reason(by_id[11], "taxonomy") == "Can help with gardening"
    parent = {s.id: s for s in pool.suggest(person(2, tags=(0,)), 5)}
    assert set(parent) == {10, 11, 12}
    assert reason(parent[10], "taxonomy") == "Can help with lawn mowing (part of gardening)"


def test_home_visits_are_suggested_only_with_vetted_givers() -> None:
    seeker = person(1, tags=(1,), places=int(Place.RECEIVER_HOME))
    pool = Pool(
        Kind.HELPER,
        encoder(),
        [
            person(10, tags=(1,), places=int(Place.RECEIVER_HOME), vetted=False),
            person(11, tags=(1,), places=int(Place.RECEIVER_HOME), vetted=True),
            person(12, tags=(1,), places=int(ANYWHERE), vetted=False),
        ],
    )
    assert [s.id for s in pool.suggest(seeker, 5)] == [11]
    anywhere = person(2, tags=(1,), places=int(Place.RECEIVER_HOME | Place.PUBLIC))
    assert {s.id for s in pool.suggest(anywhere, 5)} == {11, 12}
    supported = person(3, tags=(1,), needs_support=True)
    assert [s.id for s in pool.suggest(supported, 5)] == [11]


def test_peers_are_suggested_only_about_a_purpose_both_opted_in_to() -> None:
    pool = Pool(
        Kind.PEER,
        encoder(),
        [
            person(10, consent=0b001),
            person(11, consent=0b010),
            person(12, consent=0),
            person(13, consent=0b011, active=False),
        ],
    )
    found = pool.suggest(person(1, consent=0b001), 5)
    assert [s.id for s in found] == [10]
    assert found[0].reasons[0].text == (
        "Also living with diabetes (you both chose to connect about this)"
    )
    assert pool.suggest(person(2, consent=0), 5) == []


def test_nobody_is_suggested_to_themselves_or_across_a_block() -> None:
    pool = Pool(
        Kind.HELPER,
        encoder(),
        [
            person(1, tags=(1,)),  # the seeker's own offer
            person(10, tags=(1,)),
            person(11, tags=(1,), blocked=frozenset({1})),  # blocked the seeker
            person(12, tags=(1,)),
        ],
    )
    seeker = person(1, tags=(1,), blocked=frozenset({12}))
    assert [s.id for s in pool.suggest(seeker, 5)] == [10]
    assert pool.suggest(person(2, tags=(1,), active=False), 5) == []


def test_distance_availability_and_neighbourhood_give_their_reasons() -> None:
    thursday_afternoon = slot(3, 1)
    near = person(10, tags=(1,), lat=LEEDS[0] + 0.0087, availability=thursday_afternoon)
    pool = Pool(Kind.HELPER, encoder(), [near])
    seeker = person(1, tags=(1,), availability=thursday_afternoon | slot(0, 0))
    (found,) = pool.suggest(seeker, 5)
    texts = {r.part: r.text for r in found.reasons}
    assert texts["distance"] == "0.6 miles away"
    assert texts["availability"] == "Free on Thursday afternoons"
    hood = Pool(
        Kind.HELPER, encoder(), [person(10, tags=(1,), lat=None, lon=None, neighbourhood=2)]
    )
    (found,) = hood.suggest(person(1, tags=(1,), lat=None, lon=None, neighbourhood=2), 5)
    assert "In your neighbourhood" in [r.text for r in found.reasons]


def test_reasons_are_worded_by_the_translation_functions_they_are_given() -> None:
    # A catalogue of two messages, as a Welsh one would hold them.
    catalogue = {
        "Can help with {term}": "Gall helpu gyda {term}",
        "Thursday": "Dydd Iau",
        "Free on {day} afternoons and {count} more time": "Ar gael {day} brynhawn a {count} arall",
    }
    welsh = Words(
        gettext=lambda message: catalogue.get(message, message),
        ngettext=lambda one, many, n: catalogue.get(one if n == 1 else many, one),
    )
    helper = person(10, tags=(5,), availability=slot(3, 1) | slot(4, 1))
    pool = Pool(Kind.HELPER, encoder(), [helper])
    seeker = person(1, tags=(5,), availability=slot(3, 1) | slot(4, 1))

    (english,) = pool.suggest(seeker, 5)
    (cymraeg,) = pool.suggest(seeker, 5, words=welsh)

    assert reason(english, "taxonomy") == "Can help with IT"
    assert reason(cymraeg, "taxonomy") == "Gall helpu gyda IT"
    assert reason(english, "availability") == "Free on Thursday afternoons and 1 more time"
    assert reason(cymraeg, "availability") == "Ar gael Dydd Iau brynhawn a 1 arall"


def test_in_person_help_is_not_suggested_from_too_far_away_but_a_phone_call_is() -> None:
    far = LEEDS[0] + 0.2  # about 14 miles north
    pool = Pool(
        Kind.HELPER,
        encoder(),
        [
            person(10, tags=(1,), lat=far, places=int(Place.PUBLIC)),
            person(11, tags=(1,), lat=far, places=int(Place.PUBLIC | Place.PHONE)),
        ],
    )
    (found,) = pool.suggest(person(1, tags=(1,)), 5)
    assert found.id == 11
    assert found.parts["distance"] == 0


def test_fairness_spreads_requests_and_lifts_people_with_no_recent_connections() -> None:
    pool = Pool(
        Kind.HELPER,
        encoder(),
        [
            person(10, tags=(1,), load=8, connections=3),
            person(11, tags=(1,), load=0, connections=3),
            person(12, tags=(1,), load=0, connections=0),
        ],
    )
    found = pool.suggest(person(1, tags=(1,)), 5)
    assert [s.id for s in found] == [12, 11, 10]
    assert found[2].parts["load"] < 0
    assert found[0].parts["lift"] > 0
    assert "Looking to make a first connection" in [r.text for r in found[0].reasons]


def test_someone_who_has_received_a_lot_is_offered_the_chance_to_give() -> None:
    pool = Pool(
        Kind.HELPER,
        encoder(),
        [
            person(10, tags=(1,), given=600, received=0, connections=1),
            person(11, tags=(1,), given=0, received=900, connections=1),
        ],
    )
    found = pool.suggest(person(1, tags=(1,)), 5)
    assert [s.id for s in found] == [11, 10]
    assert found[0].parts["reciprocity"] > 0 == found[1].parts["reciprocity"]


def test_a_taxonomy_with_a_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="cycle"):
        Taxonomy(("a", "b"), (1, 0))


def reference(pool: Pool, seekers: Rows, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top k per seeker row the plain way (retrieve, score, _top), padded as a Batch is."""
    ids = np.full((len(seekers), k), -1, dtype=np.int64)
    scores = np.full((len(seekers), k), np.nan)
    seeker, rank, found, score = pool._chunk(seekers, np.arange(len(seekers)), k)
    ids[seeker, rank] = found
    scores[seeker, rank] = score
    return ids, scores


@pytest.mark.parametrize("kind", [Kind.HELPER, Kind.HELPEE, Kind.PEER, Kind.GROUP])
def test_the_compiled_batch_gives_what_the_numpy_paths_give(kind: Kind) -> None:
    """The compiled kernel against the plain path and the pruned numpy batch: the same
    ids and the same scores, bit for bit, for any k, number of threads and kind."""
    enc = encoder()

    @SETTINGS
    @given(populations(), st.integers(1, 6), st.integers(1, 3))
    def run(population: tuple[list[Profile], list[Profile]], k: int, workers: int) -> None:
        seekers, candidates = population
        pool = Pool(kind, enc, candidates)
        rows = enc.encode(seekers)
        compiled = pool.suggest_many(rows, k, workers=workers, compiled=True)
        numpy_batch = pool.suggest_many(rows, k, compiled=False)
        ids, scores = reference(pool, rows, k)
        assert np.array_equal(compiled.ids, ids)
        assert np.array_equal(compiled.scores, scores, equal_nan=True)
        assert np.array_equal(numpy_batch.ids, ids)
        assert np.array_equal(numpy_batch.scores, scores, equal_nan=True)

    run()


def test_the_compiled_batch_agrees_at_the_distance_limit() -> None:
    """Pairs just inside and just outside the in-person limit (where the kernel's quick
    bounds cannot decide and it works out the miles exactly) and far apart."""
    enc = encoder()
    rng = random.Random(7)
    miles_per_degree = 3958.8 * math.pi / 180
    candidates = []
    for i in range(300):
        miles = rng.choice([4.999, 4.9999999, 5.0, 5.0000001, 5.001, rng.uniform(0, 12)])
        bearing = rng.uniform(0, 2 * math.pi)
        lat = LEEDS[0] + miles * math.cos(bearing) / miles_per_degree
        lon = LEEDS[1] + miles * math.sin(bearing) / (
            miles_per_degree * math.cos(math.radians(LEEDS[0]))
        )
        candidates.append(
            person(
                100 + i,
                lat=lat,
                lon=lon,
                tags=(rng.randrange(TAXONOMY.size),),
                text=rng.choice(PHRASES),
                places=rng.choice([int(Place.PUBLIC), int(Place.PUBLIC | Place.PHONE)]),
                availability=rng.randrange(1 << 21),
            )
        )
    rows = enc.encode(
        [
            person(i, tags=(rng.randrange(TAXONOMY.size),), text=rng.choice(PHRASES))
            for i in range(30)
        ]
    )
    pool = Pool(Kind.HELPER, enc, candidates)
    compiled = pool.suggest_many(rows, 20, compiled=True)
    ids, scores = reference(pool, rows, 20)
    assert np.array_equal(compiled.ids, ids)
    assert np.array_equal(compiled.scores, scores, equal_nan=True)
    assert (compiled.ids[:, 0] >= 0).all()
