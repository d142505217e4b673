"""The matching engine: a pure core on numpy and scipy.sparse, importing nothing from Django.

A :class:`Pool` holds the candidates of one kind (people who can help, people
to help, peers, groups, events, services, opportunities), encoded once into
arrays and sparse matrices by an :class:`Encoder` (the taxonomy, the fitted
text vocabulary and the consent purposes of a community). ``pool.suggest``
takes one seeker (a :class:`Profile`) and returns the top k
:class:`Suggestion` s, each with its score, the parts of the score and 1-3
reasons in plain English; ``pool.suggest_many`` does the same for many
seekers at once, as arrays.

Every seeker goes the same two steps, one at a time or in a batch:

1. **retrieve**: candidates that share a *key* with the seeker — a taxonomy
   term (or its parent or child), a distinctive word or concept of their
   text, or, for peers, a purpose both opted in to — from an inverted index;
2. **score** those pairs: hard constraints first (a pair that breaks one is
   dropped, never down-weighted), then the weighted parts, ties broken by
   candidate id.

See docs/matching.md for each signal, constraint and reason.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntFlag, StrEnum
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]
from numpy.typing import NDArray

from ginnel.matching.text import LEXICON, Vectoriser, stem, words

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

_OWNER_SPACE = np.int64(1 << 31)  # owner ids are below this: pairs pack into one int64
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PERIODS = ("mornings", "afternoons", "evenings")
ALL_WEEK = (1 << 21) - 1


def gettext_noop(message: str) -> str:
    """Mark a message for the translation catalogue; it is translated where it is shown."""
    return message


def _same(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True)
class Words:
    """How reasons are worded: the translation functions to use.

    The engine imports nothing from Django, so it is handed them: English as
    written by default; the adapter passes Django's ``gettext`` and ``ngettext``
    so a reason reads in the language of the page.
    """

    gettext: Callable[[str], str] = _same
    ngettext: Callable[[str, str, int], str] = _english_plural


ENGLISH = Words()


def slot(day: int, period: int) -> int:
    """The availability bit of a day (0 = Monday) and period (0 morning, 1 afternoon, 2 evening)."""
    return 1 << (day * 3 + period)


class Place(IntFlag):
    """Where a meeting can happen (the flags of a timebank listing)."""

    GIVER_HOME = 1
    RECEIVER_HOME = 2
    PUBLIC = 4
    ONLINE = 8
    PHONE = 16


IN_PERSON = Place.GIVER_HOME | Place.RECEIVER_HOME | Place.PUBLIC
HOMES = Place.GIVER_HOME | Place.RECEIVER_HOME
ANYWHERE = IN_PERSON | Place.ONLINE | Place.PHONE


class Kind(StrEnum):
    HELPER = "helper"  # people who can help the seeker (their offers meet the seeker's needs)
    HELPEE = "helpee"  # people the seeker could help (their requests meet the seeker's offers)
    PEER = "peer"  # peers with the same concern, both opted in
    GROUP = "group"
    EVENT = "event"
    SERVICE = "service"
    OPPORTUNITY = "opportunity"


class Giver(StrEnum):
    CANDIDATE = "candidate"
    SEEKER = "seeker"
    NONE = "none"


@dataclass(frozen=True)
class Rules:
    """What differs between kinds of candidate; the scoring is the same."""

    giver: Giver
    consent: bool = False  # peers: retrieve and keep only on a purpose both opted in to
    #: The taxonomy reason, marked for translation; ``{term}`` is the term as a sentence reads it.
    tag_reason: str = gettext_noop("You both chose {term}")
    #: The reason already says "help with": a term named "IT help" reads "IT", not "IT help help".
    says_help: bool = False
    reciprocity: bool = False  # lift candidates who have received more than they gave


RULES: Mapping[Kind, Rules] = {
    Kind.HELPER: Rules(
        Giver.CANDIDATE,
        tag_reason=gettext_noop("Can help with {term}"),
        says_help=True,
        reciprocity=True,
    ),
    Kind.HELPEE: Rules(
        Giver.SEEKER, tag_reason=gettext_noop("Would like help with {term}"), says_help=True
    ),
    Kind.PEER: Rules(Giver.NONE, consent=True, tag_reason=gettext_noop("You both enjoy {term}")),
    Kind.GROUP: Rules(Giver.NONE, tag_reason=gettext_noop("A group for {term}")),
    Kind.EVENT: Rules(Giver.NONE, tag_reason=gettext_noop("An event about {term}")),
    Kind.SERVICE: Rules(Giver.CANDIDATE, tag_reason=gettext_noop("Offers {term}")),
    Kind.OPPORTUNITY: Rules(Giver.SEEKER, tag_reason=gettext_noop("Needs people for {term}")),
}


@dataclass(frozen=True)
class Weights:
    """How much each part counts; ``load`` is subtracted. See docs/matching.md."""

    taxonomy: float = 0.40
    text: float = 0.30
    peer: float = 0.40
    distance: float = 0.25
    availability: float = 0.20
    reciprocity: float = 0.03
    lift: float = 0.03
    load: float = 0.06
    #: A pair needs at least this much taxonomy, text or shared concern to be suggested.
    min_relevance: float = 0.03
    #: In-person meetings only within this many miles; online and phone have no limit.
    max_miles: float = 5.0
    #: Distance at which the distance part has fallen to 1/e of its best.
    miles_scale: float = 1.5
    #: A load (recent suggestions and open exchanges) of this many halves the most it costs.
    load_half: float = 3.0
    #: Minutes received beyond given at which reciprocity counts in full.
    reciprocity_minutes: float = 600.0


#: The order parts are listed in, and reasons are chosen in when they tie.
PARTS = ("peer", "taxonomy", "text", "distance", "availability", "reciprocity", "lift", "load")


@dataclass(frozen=True)
class Taxonomy:
    """Terms (names) and each one's parent index (-1: a top-level term).

    A term's vector holds the term at 1 and each ancestor at ``partial`` to the
    power of how far up it is, so a parent partially matches its children
    (and siblings match a little, through their parent).
    """

    names: tuple[str, ...]
    parents: tuple[int, ...]
    partial: float = 0.5

    def __post_init__(self) -> None:
        if len(self.names) != len(self.parents):
            raise ValueError("Taxonomy needs one parent (or -1) for each name.")
        for term in range(len(self.names)):
            self.ancestors(term)  # raises on a cycle

    @property
    def size(self) -> int:
        return len(self.names)

    def ancestors(self, term: int) -> list[int]:
        out: list[int] = []
        parent = self.parents[term]
        while parent >= 0:
            if parent in out or parent == term:
                raise ValueError(f"The taxonomy has a cycle through {self.names[term]!r}.")
            out.append(parent)
            parent = self.parents[parent]
        return out

    def expansion(self) -> Any:
        """CSR (terms x terms): row t is term t's vector."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for term in range(self.size):
            rows.append(term)
            cols.append(term)
            vals.append(1.0)
            for depth, ancestor in enumerate(self.ancestors(term), start=1):
                rows.append(term)
                cols.append(ancestor)
                vals.append(self.partial**depth)
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.size, self.size))

    def related(self, a: int, b: int) -> bool:
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)


@dataclass(frozen=True)
class Profile:
    """A seeker or a candidate, as the engine sees them.

    ``id`` names the candidate (a listing, group, service…) and breaks ties;
    ``owner`` is the person behind it (-1: none, e.g. a service), used for
    self, blocking, fairness and safeguarding. ``tags`` are taxonomy term
    indices; ``availability`` a 21-bit week grid (:func:`slot`; 0: unknown);
    ``places`` :class:`Place` flags; ``consent`` a bit per purpose (a concern)
    the person opted in to connect about; ``blocked`` owner ids this person
    blocked. ``given``/``received`` are minutes in the timebank; ``load`` recent
    suggestions and open exchanges; ``connections`` recent ties.
    """

    id: int
    owner: int = -1
    tags: tuple[int, ...] = ()
    text: str = ""
    lat: float | None = None
    lon: float | None = None
    neighbourhood: int = -1
    availability: int = 0
    places: int = int(ANYWHERE)
    active: bool = True
    vetted: bool = False
    needs_support: bool = False
    consent: int = 0
    blocked: frozenset[int] = frozenset()
    given: int = 0
    received: int = 0
    load: int = 0
    connections: int = 0


@dataclass(frozen=True, eq=False)
class Rows:
    """Profiles encoded: one entry per row in every array and matrix."""

    ids: Ints
    owner: Ints
    lat: Floats  # radians, NaN unknown
    lon: Floats
    hood: Ints
    avail: Ints
    places: Ints
    active: Bools
    vetted: Bools
    support: Bools
    consent: Ints
    given: Ints
    received: Ints
    load: Ints
    connections: Ints
    tax: Any  # CSR rows x terms, L2-normalised
    text: Any  # CSR rows x vocabulary, L2-normalised
    keys: Any  # CSR rows x key columns, 1.0 where a key: the row as a seeker
    ckeys: Any  # the same columns, the row as a candidate
    blocked: Ints  # sorted owner * 2**31 + blocked owner
    blocked_row: Ints  # the row each of ``blocked`` comes from

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def concat(parts: Sequence[Rows]) -> Rows:
        if len(parts) == 1:
            return parts[0]
        arrays: dict[str, Any] = {}
        for name in Rows.__dataclass_fields__:
            values = [getattr(p, name) for p in parts]
            if name in ("tax", "text", "keys", "ckeys"):
                arrays[name] = sp.vstack(values, format="csr")
            elif name == "blocked_row":
                offsets = np.cumsum([0, *(len(p) for p in parts[:-1])])
                arrays[name] = np.concatenate([v + o for v, o in zip(values, offsets, strict=True)])
            else:
                arrays[name] = np.concatenate(values)
        order = np.argsort(arrays["blocked"], kind="stable")
        arrays["blocked"] = arrays["blocked"][order]
        arrays["blocked_row"] = arrays["blocked_row"][order]
        return Rows(**arrays)

    def take(self, rows: Ints) -> Rows:
        """The given rows (ascending), renumbered from 0."""
        arrays: dict[str, Any] = {}
        for name in Rows.__dataclass_fields__:
            if name not in ("blocked", "blocked_row"):
                arrays[name] = getattr(self, name)[rows]
        position = np.full(len(self), -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        kept = position[self.blocked_row] >= 0
        arrays["blocked"] = self.blocked[kept]
        arrays["blocked_row"] = position[self.blocked_row[kept]]
        return Rows(**arrays)


PURPOSE_BITS = 63


@dataclass(frozen=True, eq=False)
class Encoder:
    """What a community's profiles are encoded against: taxonomy, vocabulary, purposes.

    ``purposes`` name the consent bits, as they read after "Also":
    ``("living with diabetes", "caring for someone")``.
    """

    taxonomy: Taxonomy
    vectoriser: Vectoriser
    purposes: tuple[str, ...] = ()
    expansion: Any = field(init=False, repr=False)
    text_keys: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.purposes) > PURPOSE_BITS:
            raise ValueError(f"At most {PURPOSE_BITS} consent purposes.")
        object.__setattr__(self, "expansion", self.taxonomy.expansion())
        object.__setattr__(
            self, "text_keys", sp.diags(self.vectoriser.key.astype(np.float64), format="csr")
        )

    @classmethod
    def fit(
        cls,
        taxonomy: Taxonomy,
        texts: Iterable[str],
        purposes: tuple[str, ...] = (),
        *,
        max_df: float = 0.05,
    ) -> Encoder:
        """Fit the vocabulary on a corpus (a community's listings and profiles) and the names
        of its taxonomy terms, so that a text naming a term meets a tag of it."""
        corpus = [*texts, *taxonomy.names]
        return cls(taxonomy, Vectoriser.fit(corpus, max_df=max_df), purposes)

    @property
    def key_width(self) -> int:
        return 2 * self.taxonomy.size + self.vectoriser.size + PURPOSE_BITS

    @property
    def purpose_start(self) -> int:
        """The first key column of the purposes; the columns before are terms and words."""
        return 2 * self.taxonomy.size + self.vectoriser.size

    def encode(self, profiles: Sequence[Profile]) -> Rows:
        n = len(profiles)
        t = self.taxonomy.size
        tag_rows = [i for i, p in enumerate(profiles) for _ in p.tags]
        tag_cols = [term for p in profiles for term in p.tags]
        if any(c < 0 or c >= t for c in tag_cols):
            raise ValueError("A tag is not a term of the taxonomy.")
        tags = sp.csr_matrix(
            (np.ones(len(tag_cols)), (tag_rows, tag_cols)), shape=(n, t), dtype=np.float64
        )
        tags.data[:] = 1.0  # a tag given twice counts once
        tax = _normalise(tags @ self.expansion)
        text = self.vectoriser.transform([p.text for p in profiles])
        consent = np.array([p.consent for p in profiles], dtype=np.int64)
        bits = ((consent[:, None] >> np.arange(PURPOSE_BITS)) & 1).astype(np.float64)
        # Term keys in two blocks, so that a term meets itself, its ancestors and its
        # descendants but not its siblings: block A holds a seeker's term and its ancestors
        # and a candidate's own term; block B a seeker's own term and a candidate's ancestors.
        ancestors = self.expansion - sp.identity(t, format="csr")
        own, up = tags, tags @ ancestors
        rest = [text @ self.text_keys, sp.csr_matrix(bits)]
        keys = _binary(sp.hstack([own + up, own, *rest], format="csr"))
        ckeys = _binary(sp.hstack([own, up, *rest], format="csr"))
        pairs = sorted(
            (p.owner * int(_OWNER_SPACE) + b, row)
            for row, p in enumerate(profiles)
            if p.owner >= 0
            for b in p.blocked
        )

        def column(name: str, dtype: Any) -> Any:
            return np.array([getattr(p, name) for p in profiles], dtype=dtype)

        lat = np.array([math.nan if p.lat is None else p.lat for p in profiles], dtype=np.float64)
        lon = np.array([math.nan if p.lon is None else p.lon for p in profiles], dtype=np.float64)
        return Rows(
            ids=column("id", np.int64),
            owner=column("owner", np.int64),
            lat=np.radians(lat),
            lon=np.radians(lon),
            hood=column("neighbourhood", np.int64),
            avail=column("availability", np.int64),
            places=column("places", np.int64),
            active=column("active", bool),
            vetted=column("vetted", bool),
            support=column("needs_support", bool),
            consent=consent,
            given=column("given", np.int64),
            received=column("received", np.int64),
            load=column("load", np.int64),
            connections=column("connections", np.int64),
            tax=tax,
            text=text,
            keys=keys,
            ckeys=ckeys,
            blocked=np.array([key for key, _ in pairs], dtype=np.int64),
            blocked_row=np.array([row for _, row in pairs], dtype=np.int64),
        )


def _binary(matrix: Any) -> Any:
    out = sp.csr_matrix(matrix, dtype=np.float64)
    out.eliminate_zeros()
    out.data[:] = 1.0
    out.sort_indices()
    return out


def _normalise(matrix: Any) -> Any:
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    out = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
    out.sort_indices()
    return out


def _distinct(values: Ints, size: int) -> tuple[Ints, Ints]:
    """`np.unique(values, return_inverse=True)` for row numbers below `size`, unsorted."""
    present = np.zeros(size, dtype=bool)
    present[values] = True
    distinct = np.flatnonzero(present)
    position = np.zeros(size, dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    return distinct, position[values]


def _pairdot(a: Any, ai: Ints, b: Any, bi: Ints) -> Floats:
    """The dot product of row ``a[ai[i]]`` with row ``b[bi[i]]``, for every i.

    One sparse product of the distinct rows on each side, read at the pairs.
    Each value sums over ``a``'s columns in order, whichever other rows are in
    the product, so a seeker alone and a seeker in a batch get the same bits.
    """
    if len(ai) == 0:
        return np.zeros(0, dtype=np.float64)
    ua, at_a = _distinct(ai, a.shape[0])
    ub, at_b = _distinct(bi, b.shape[0])
    product = sp.csr_matrix(a[ua] @ b[ub].T)
    if len(ua) * len(ub) <= 8_000_000:
        dense: Floats = product.toarray()
        return dense[at_a, at_b]
    product.sort_indices()
    rows = np.repeat(np.arange(len(ua), dtype=np.int64), np.diff(product.indptr))
    keys = rows * len(ub) + product.indices
    wanted = at_a.astype(np.int64) * len(ub) + at_b
    where = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = (keys[where] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    values: Floats = np.where(found, product.data[where] if len(keys) else 0.0, 0.0)
    return values


def _contains(sorted_keys: Ints, queries: Ints) -> Bools:
    if len(sorted_keys) == 0:
        return np.zeros(len(queries), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, queries), len(sorted_keys) - 1)
    found: Bools = sorted_keys[at] == queries
    return found


def miles_between(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    """Distance in miles between points given in radians.

    Equirectangular: within a town or county (tens of miles) it is within a
    fraction of a percent of the great circle, at a fraction of the cost.
    """
    dx = (lon2 - lon1) * np.cos((lat1 + lat2) / 2)
    dy = lat2 - lat1
    miles: Floats = 3958.8 * np.sqrt(dx * dx + dy * dy)
    return miles


@dataclass(frozen=True)
class Reason:
    part: str
    text: str


@dataclass(frozen=True)
class Suggestion:
    id: int
    owner: int
    score: float
    parts: Mapping[str, float]  # weighted contributions, summing to score; load negative
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, eq=False)
class Scored:
    """Pairs (seeker row, candidate row) that passed every constraint, with their parts."""

    seeker: Ints
    candidate: Ints
    score: Floats
    parts: dict[str, Floats]
    miles: Floats
    same_hood: Bools
    common_places: Ints


@dataclass(frozen=True, eq=False)
class Batch:
    """Top k per seeker: ``ids[i]``, ``scores[i]`` for seeker row i, padded with -1 / NaN."""

    ids: Ints
    scores: Floats


class Pool:
    """The candidates of one kind, encoded, with an inverted index of their keys.

    ``upsert`` and ``remove`` change one candidate without re-encoding the
    others: the old row is retired and the new one waits in a small buffer,
    joined to the matrices at the next query.
    """

    def __init__(
        self,
        kind: Kind,
        encoder: Encoder,
        profiles: Sequence[Profile] = (),
        *,
        weights: Weights | None = None,
        rules: Rules | None = None,
    ) -> None:
        self.kind = kind
        self.encoder = encoder
        self.weights = weights or Weights()
        self.rules = rules or RULES[kind]
        self._profiles: dict[int, Profile] = {}
        self._row: dict[int, int] = {}
        self._rows = encoder.encode([])
        self._alive = np.zeros(0, dtype=bool)
        self._pending: list[tuple[Profile, Rows]] = []
        self._inverted: Any = None
        self._key_mask = self._make_key_mask()
        self._blocked_cache: Ints | None = None
        if profiles:
            self._load(profiles)

    def _make_key_mask(self) -> Any:
        """Which key columns retrieve for this kind: purposes for peers, else terms and words."""
        width = self.encoder.key_width
        mask = np.zeros(width, dtype=np.float64)
        split = self.encoder.purpose_start
        if self.rules.consent:
            mask[split:] = 1.0
        else:
            mask[:split] = 1.0
        return sp.diags(mask, format="csr")

    def _load(self, profiles: Sequence[Profile]) -> None:
        seen: dict[int, Profile] = {}
        for p in profiles:
            seen[p.id] = p  # the last one of an id wins, as with upsert
        ordered = list(seen.values())
        self._rows = self.encoder.encode(ordered)
        self._alive = np.ones(len(ordered), dtype=bool)
        self._profiles = dict(seen)
        self._row = {p.id: i for i, p in enumerate(ordered)}
        self._inverted = None
        self._blocked_cache = None

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, candidate_id: object) -> bool:
        return candidate_id in self._profiles

    def profile(self, candidate_id: int) -> Profile:
        return self._profiles[candidate_id]

    def upsert(self, profile: Profile) -> None:
        """Add a candidate, or replace the one with its id."""
        self.remove(profile.id)
        self._profiles[profile.id] = profile
        self._pending.append((profile, self.encoder.encode([profile])))

    def remove(self, candidate_id: int) -> None:
        """Take a candidate out (nothing happens if it is not there)."""
        if candidate_id not in self._profiles:
            return
        del self._profiles[candidate_id]
        row = self._row.pop(candidate_id, None)
        if row is not None:
            self._alive[row] = False
        else:
            self._pending = [(p, r) for p, r in self._pending if p.id != candidate_id]
        self._blocked_cache = None

    def _flush(self) -> None:
        if not self._pending:
            return
        start = len(self._rows)
        self._rows = Rows.concat([self._rows, *(r for _, r in self._pending)])
        self._alive = np.concatenate([self._alive, np.ones(len(self._pending), dtype=bool)])
        for i, (p, _) in enumerate(self._pending):
            self._row[p.id] = start + i
        self._pending = []
        self._inverted = None
        self._blocked_cache = None

    def compact(self) -> None:
        """Drop retired rows (re-encodes nothing)."""
        self._flush()
        keep = np.flatnonzero(self._alive)
        if len(keep) == len(self._alive):
            return
        self._rows = self._rows.take(keep)
        self._alive = np.ones(len(keep), dtype=bool)
        self._row = {int(cid): i for i, cid in enumerate(self._rows.ids)}
        self._inverted = None
        self._blocked_cache = None

    @property
    def rows(self) -> Rows:
        self._flush()
        return self._rows

    def _index(self) -> Any:
        """Keys x candidate rows (CSR): the inverted index, only live rows."""
        self._flush()
        if self._inverted is None:
            live = self._alive & self._rows.active
            keys = sp.diags(live.astype(np.float64)) @ self._rows.ckeys
            self._inverted = sp.csr_matrix((keys @ self._key_mask).T)
            self._inverted.eliminate_zeros()
        return self._inverted

    def _blocked(self) -> Ints:
        """Owner pairs (a candidate's owner blocked someone) from the live rows, sorted."""
        self._flush()
        if self._blocked_cache is None:
            rows = self._rows
            self._blocked_cache = rows.blocked[self._alive[rows.blocked_row]]
        return self._blocked_cache

    # ------------------------------------------------------------------ scoring

    def retrieve(self, seekers: Rows, rows: Ints) -> tuple[Ints, Ints]:
        """(seeker row, candidate row) pairs that share a key, candidate rows ascending."""
        index = self._index()
        rows = rows[seekers.active[rows]]  # an inactive seeker gets nothing: skip the work
        hits = sp.csr_matrix(seekers.keys[rows] @ self._key_mask @ index)
        hits.sort_indices()
        counts = np.diff(hits.indptr)
        seeker = np.repeat(rows.astype(np.int64), counts)
        return seeker, hits.indices.astype(np.int64)

    def score(self, seekers: Rows, si: Ints, ci: Ints) -> Scored:
        """Apply the hard constraints to the pairs and score those that pass."""
        w = self.weights
        c = self._rows
        # -- hard constraints: who may be suggested at all
        ok = seekers.active[si] & c.active[ci] & self._alive[ci]
        s_owner, c_owner = seekers.owner[si], c.owner[ci]
        ok &= ~((s_owner >= 0) & (s_owner == c_owner))  # not yourself
        people = (s_owner >= 0) & (c_owner >= 0)
        ok &= ~(people & _contains(seekers.blocked, s_owner * _OWNER_SPACE + c_owner))
        ok &= ~(people & _contains(self._blocked(), c_owner * _OWNER_SPACE + s_owner))
        common = seekers.places[si] & c.places[ci]
        if self.rules.giver == Giver.CANDIDATE:
            giver_vetted, receiver_support = c.vetted[ci], seekers.support[si]
        elif self.rules.giver == Giver.SEEKER:
            giver_vetted, receiver_support = seekers.vetted[si], c.support[ci]
        else:  # no giver: nobody's home, and extra support needs the other side vetted
            giver_vetted = np.zeros(len(si), dtype=bool)
            receiver_support = (seekers.support[si] & ~c.vetted[ci]) | (
                c.support[ci] & ~seekers.vetted[si]
            )
        # Home visits (either home) only with a vetted giver.
        common = np.where(giver_vetted, common, common & ~int(HOMES))
        ok &= ~(receiver_support & ~giver_vetted)  # extra support: only vetted givers
        miles = miles_between(seekers.lat[si], seekers.lon[si], c.lat[ci], c.lon[ci])
        same_hood = (seekers.hood[si] >= 0) & (seekers.hood[si] == c.hood[ci])
        too_far = miles > w.max_miles  # NaN (unknown) is not too far
        common = np.where(too_far, common & ~int(IN_PERSON), common)
        ok &= common != 0
        shared_purpose = seekers.consent[si] & c.consent[ci]
        if self.rules.consent:
            ok &= shared_purpose != 0  # both opted in to the same purpose
        si, ci = si[ok], ci[ok]
        common, miles, same_hood = common[ok], miles[ok], same_hood[ok]
        shared_purpose = shared_purpose[ok]
        # -- relevance
        parts: dict[str, Floats] = {}
        parts["peer"] = (
            w.peer * (shared_purpose != 0)
            if self.rules.consent
            else np.zeros(len(si), dtype=np.float64)
        )
        parts["taxonomy"] = w.taxonomy * _pairdot(seekers.tax, si, c.tax, ci)
        parts["text"] = w.text * _pairdot(seekers.text, si, c.text, ci)
        relevant = parts["peer"] + parts["taxonomy"] + parts["text"] >= w.min_relevance
        # -- the rest
        in_person = (common & int(IN_PERSON)) != 0
        near = np.where(
            np.isnan(miles), np.where(same_hood, 0.8, 0.0), np.exp(-miles / w.miles_scale)
        )
        parts["distance"] = w.distance * np.where(in_person, near, 0.0)
        s_av, c_av = seekers.avail[si], c.avail[ci]
        overlap = np.bitwise_count(s_av & c_av).astype(np.float64)
        # One shared slot is most of it; a second and third add a little.
        parts["availability"] = w.availability * np.where(
            overlap > 0, 0.6 + 0.2 * (np.minimum(overlap, 3.0) - 1.0), 0.0
        )
        if self.rules.reciprocity:
            owed = (c.received[ci] - c.given[ci]) / w.reciprocity_minutes
            parts["reciprocity"] = w.reciprocity * np.clip(owed, 0.0, 1.0)
        else:
            parts["reciprocity"] = np.zeros(len(si), dtype=np.float64)
        person = c.owner[ci] >= 0
        parts["lift"] = w.lift * (person & (c.connections[ci] == 0))
        load = c.load[ci].astype(np.float64)
        parts["load"] = -w.load * np.where(person, load / (load + w.load_half), 0.0)
        keep = relevant
        parts = {name: parts[name][keep] for name in PARTS}
        # Rounded, so that sums taken in another order cannot reorder near-equal scores.
        score = np.round(sum(parts.values(), np.zeros(int(keep.sum()))), 6) + 0.0
        return Scored(
            seeker=si[keep],
            candidate=ci[keep],
            score=score,
            parts=parts,
            miles=miles[keep],
            same_hood=same_hood[keep],
            common_places=common[keep],
        )

    def _top(self, scored: Scored, k: int) -> Ints:
        """Positions in ``scored`` of each seeker's top k: by score, then candidate id.

        Pairs come grouped by seeker. Each seeker's k-th best score is found by
        partitioning; everything scoring at least that (ties included) is then
        sorted, so a tie at the k-th place is settled by id, never by position.
        """
        n = len(scored.seeker)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        seeker = scored.seeker
        first = np.ones(n, dtype=bool)
        first[1:] = seeker[1:] != seeker[:-1]
        starts = np.flatnonzero(first)
        sizes = np.diff(np.append(starts, n))
        group = np.repeat(np.arange(len(starts)), sizes)
        at = np.arange(n) - starts[group]
        width = int(sizes.max())
        if width > k:
            grid = np.full((len(starts), width), -np.inf)
            grid[group, at] = scored.score
            kth = np.partition(grid, width - k, axis=1)[:, width - k]
            keep = np.flatnonzero(scored.score >= kth[group])
        else:
            keep = np.arange(n)
        ids = self._rows.ids[scored.candidate[keep]]
        order = keep[np.lexsort((ids, -scored.score[keep], seeker[keep]))]
        g = group[order]
        lead = np.ones(len(order), dtype=bool)
        lead[1:] = g[1:] != g[:-1]
        heads = np.flatnonzero(lead)
        rank = np.arange(len(order)) - np.repeat(heads, np.diff(np.append(heads, len(order))))
        result: Ints = order[rank < k]
        return result

    def suggest_many(
        self,
        seekers: Rows,
        k: int = 10,
        *,
        chunk: int = 256,
        workers: int = 1,
        compiled: bool | None = None,
    ) -> Batch:
        """Top k for every seeker row.

        Each seeker gets what :meth:`suggest` gives them alone; the work per
        pair is less. By default (``compiled`` None or True) one compiled loop
        (:func:`_top_k_kernel`) goes through the pairs, in ``workers`` threads.
        ``compiled=False`` takes the numpy path (see :class:`_Ranker`) in chunks
        of ``chunk`` seekers, and ``workers`` > 1 shares the chunks out to that
        many forked processes, which read the pool and the seekers without
        copying them (where fork exists).
        """
        self._flush()
        n = len(seekers)
        ids = np.full((n, k), -1, dtype=np.int64)
        scores = np.full((n, k), np.nan, dtype=np.float64)
        # Seekers sharing their first key go together, so each chunk meets fewer candidates.
        keys = sp.csr_matrix(seekers.keys @ self._key_mask)
        keys.sort_indices()
        lead = np.full(n, -1, dtype=np.int64)
        filled = np.diff(keys.indptr) > 0
        lead[filled] = keys.indices[keys.indptr[:-1][filled]]
        # ...and, within a key, seekers near each other (who meet the same candidates).
        cell = np.nan_to_num(np.floor(np.stack([seekers.lat, seekers.lon]) * 2000.0), nan=-1.0)
        by_key = np.lexsort((cell[1], cell[0], lead)).astype(np.int64)
        kernel = _kernel() if compiled is not False else None
        if compiled and kernel is None:  # pragma: no cover (numba is a dependency)
            raise RuntimeError("The compiled batch needs numba.")
        if kernel is not None:
            _Ranker(self, seekers, keys, k).compiled(kernel, by_key, ids, scores, workers)
            return Batch(ids=ids, scores=scores)
        chunks = [np.sort(by_key[start : start + chunk]) for start in range(0, n, chunk)]
        ranker = _Ranker(self, seekers, keys, k)
        if workers > 1 and len(chunks) > 1 and "fork" in multiprocessing.get_all_start_methods():
            global _SHARED  # read by the forked workers only
            _SHARED = ranker
            try:
                with multiprocessing.get_context("fork").Pool(workers) as processes:
                    results = processes.map(_chunk_in_worker, chunks, chunksize=1)
            finally:
                _SHARED = None
        else:
            results = [ranker.chunk(rows) for rows in chunks]
        for seeker, rank, found, score in results:
            ids[seeker, rank] = found
            scores[seeker, rank] = score
        return Batch(ids=ids, scores=scores)

    def _chunk(self, seekers: Rows, rows: Ints, k: int) -> tuple[Ints, Ints, Ints, Floats]:
        """The top k of some seekers the plain way (retrieve, score, _top): the reference
        the batch path is checked against."""
        si, ci = self.retrieve(seekers, rows)
        scored = self.score(seekers, si, ci)
        top = self._top(scored, k)
        seeker = scored.seeker[top]
        first = np.ones(len(top), dtype=bool)
        first[1:] = seeker[1:] != seeker[:-1]
        heads = np.flatnonzero(first)
        rank = np.arange(len(top)) - np.repeat(heads, np.diff(np.append(heads, len(top))))
        return seeker, rank, self._rows.ids[scored.candidate[top]], scored.score[top]

    def suggest(self, seeker: Profile, k: int = 10, *, words: Words = ENGLISH) -> list[Suggestion]:
        """One seeker's top k, with their parts and reasons (worded with ``words``)."""
        self._flush()
        rows = self.encoder.encode([seeker])
        si, ci = self.retrieve(rows, np.zeros(1, dtype=np.int64))
        scored = self.score(rows, si, ci)
        out = []
        for at in self._top(scored, k).tolist():
            parts = {
                name: round(float(values[at]), 6) + 0.0 for name, values in scored.parts.items()
            }
            candidate = self._profiles[int(self._rows.ids[scored.candidate[at]])]
            out.append(
                Suggestion(
                    id=candidate.id,
                    owner=candidate.owner,
                    score=float(scored.score[at]),
                    parts=parts,
                    reasons=self.reasons(
                        seeker,
                        candidate,
                        parts,
                        miles=float(scored.miles[at]),
                        same_hood=bool(scored.same_hood[at]),
                        words=words,
                    ),
                )
            )
        return out

    # ------------------------------------------------------------------ reasons

    def reasons(
        self,
        seeker: Profile,
        candidate: Profile,
        parts: Mapping[str, float],
        *,
        miles: float,
        same_hood: bool,
        words: Words = ENGLISH,
    ) -> tuple[Reason, ...]:
        """1-3 reasons, one per part that added to the score, the largest first."""
        ranked = sorted(
            (name for name in PARTS if parts.get(name, 0.0) > 0),
            key=lambda name: (-parts[name], PARTS.index(name)),
        )
        out: list[Reason] = []
        for name in ranked:
            text = self._reason(name, seeker, candidate, miles=miles, words=words)
            if text:
                out.append(Reason(name, text))
            if len(out) == 3:
                break
        return tuple(out)

    def _reason(
        self, part: str, seeker: Profile, candidate: Profile, *, miles: float, words: Words
    ) -> str:
        _ = words.gettext
        if part == "peer":
            shared = seeker.consent & candidate.consent
            labels = [
                self.encoder.purposes[b]
                for b in range(len(self.encoder.purposes))
                if shared >> b & 1
            ]
            if not labels:
                return _("You both chose to connect about the same concern")
            return _("Also {concern} (you both chose to connect about this)").format(
                concern=labels[0]
            )
        if part == "taxonomy":
            term = self._term(seeker, candidate, says_help=self.rules.says_help, words=words)
            return _(self.rules.tag_reason).format(term=term or _("this"))
        if part == "text":
            met = shared_words(seeker.text, candidate.text)
            if not met:
                return _("Uses words like yours")
            if len(met) == 1:
                return _("Mentions “{word}”").format(word=met[0])
            return _("Mentions “{word}” and “{other}”").format(word=met[0], other=met[1])
        if part == "distance":
            if math.isnan(miles):
                return _("In your neighbourhood")
            if miles < 0.1:
                return _("Less than 0.1 miles away")
            if round(miles, 1) == 1.0:
                return _("1 mile away")
            return _("{miles} miles away").format(miles=f"{miles:.1f}")
        if part == "availability":
            common = seeker.availability & candidate.availability
            bits = [b for b in range(21) if common >> b & 1]
            return _free_on(bits[0] // 3, bits[0] % 3, len(bits) - 1, words)
        if part == "reciprocity":
            return _("Would like the chance to give back")
        if part == "lift":
            return _("Looking to make a first connection")
        return ""

    def _term(
        self,
        seeker: Profile,
        candidate: Profile,
        *,
        says_help: bool = False,
        words: Words = ENGLISH,
    ) -> str:
        """The taxonomy term the two share, as a sentence reads it ("gardening", "DIY");
        empty when the candidate has no term."""
        names = self.encoder.taxonomy.names

        def said(term: int) -> str:
            return term_in_sentence(names[term], says_help=says_help)

        shared = sorted(set(seeker.tags) & set(candidate.tags), key=lambda t: names[t])
        if shared:
            return said(shared[0])
        taxonomy = self.encoder.taxonomy
        for c in sorted(candidate.tags, key=lambda t: names[t]):
            for s in sorted(seeker.tags, key=lambda t: names[t]):
                if taxonomy.related(c, s):
                    if s not in taxonomy.ancestors(c):
                        return said(c)
                    return words.gettext("{term} (part of {wider})").format(
                        term=said(c), wider=said(s)
                    )
        for c in sorted(candidate.tags, key=lambda t: names[t]):
            for s in seeker.tags:
                if set(taxonomy.ancestors(c)) & set(taxonomy.ancestors(s)):
                    return words.gettext("{term} (close to {other})").format(
                        term=said(c), other=said(s)
                    )
        return said(candidate.tags[0]) if candidate.tags else ""


#: "Free on <day> <period>", each written whole; the day's name is put in.
_FREE_ON = (
    gettext_noop("Free on {day} mornings"),
    gettext_noop("Free on {day} afternoons"),
    gettext_noop("Free on {day} evenings"),
)
_DAY_NAMES = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)


def _free_on(day: int, period: int, more: int, words: Words) -> str:
    day_name = words.gettext(_DAY_NAMES[day])
    if more == 0:
        return words.gettext(_FREE_ON[period]).format(day=day_name)
    if period == 0:
        text = words.ngettext(
            "Free on {day} mornings and {count} more time",
            "Free on {day} mornings and {count} more times",
            more,
        )
    elif period == 1:
        text = words.ngettext(
            "Free on {day} afternoons and {count} more time",
            "Free on {day} afternoons and {count} more times",
            more,
        )
    else:
        text = words.ngettext(
            "Free on {day} evenings and {count} more time",
            "Free on {day} evenings and {count} more times",
            more,
        )
    return text.format(day=day_name, count=more)


def term_in_sentence(name: str, *, says_help: bool = False) -> str:
    """A taxonomy term's name as it reads inside a sentence: lower case except for
    words written in capitals ("IT help" stays "IT help", "Gardening" is "gardening");
    after "help with", a name ending in "help" drops it ("IT help" reads "IT")."""
    said = " ".join(
        word if len(word) > 1 and word.isupper() else word.lower() for word in name.split()
    )
    if says_help:
        head, _, last = said.rpartition(" ")
        if head and last == "help":
            said = head
    return said


def shared_words(seeker_text: str, candidate_text: str) -> list[str]:
    """The candidate's own words that meet the seeker's (by stem or concept), in order."""

    def keys(word: str) -> set[str]:
        s = stem(word)
        out = {s}
        concept = LEXICON.get(word) or LEXICON.get(s)
        if concept:
            out.add(f"c:{concept}")
        return out

    mine: set[str] = set()
    for word in words(seeker_text):
        mine |= keys(word)
    out: list[str] = []
    for word in words(candidate_text):
        if keys(word) & mine and word not in out:
            out.append(word)
    return out


# ---------------------------------------------------------------------- the batch path


class _Ranker:
    """Everyone's top k in one batch: the same pairs, constraints and scores as
    :meth:`Pool.score` and :meth:`Pool._top`, bit for bit, with less work per pair.

    Per chunk of seekers, the retrieved pairs go through the hard constraints
    with candidate-side flags worked out once per batch. The taxonomy part is
    read from a table of distinct term vectors (seekers' by candidates'), and
    the parts that depend on one candidate alone (reciprocity, lift, load) are
    worked out once. The text part, the costly one, is computed for few pairs:

    1. ``cheap``, the score without text, is exact for every pair, and text is
       at most ``w.text * bound``, where a seeker's ``bound`` is the dot
       product of their text with the largest weight each word has among the
       candidates (and at most 1, a cosine);
    2. the text is computed for the pairs best by ``cheap`` (``first`` a seeker)
       and their exact scores give ``floor``: at least k valid pairs score
       ``floor`` or more, so no seeker's k-th best is below it;
    3. the text is then computed only for pairs with ``cheap + w.text * bound``
       at least ``floor``: any other pair scores less than k others and cannot
       be in the top k. Nothing is approximated, so a batch gives each seeker
       exactly what :meth:`Pool.suggest` gives them alone (a test checks it).

    The text of the chosen pairs is computed by :func:`_pairdot` (so the same
    bits) a group of seekers at a time; seekers are ordered by their first key
    and then by where they are, so a group needs few distinct candidates.
    """

    #: Buckets a seeker's values are counted in, to find a k-th best without sorting.
    BUCKETS = 512
    #: Seekers whose text is multiplied together.
    GROUP = 64
    #: No pruning test may be closer than this (scores are rounded to 6 decimals).
    MARGIN = 1e-6

    def __init__(self, pool: Pool, seekers: Rows, keys: Any, k: int) -> None:
        pool._flush()
        self.index = pool._index()
        self.pool, self.seekers, self.keys, self.k = pool, seekers, keys, k
        self.first = 2 * k
        w, rules, c = pool.weights, pool.rules, pool._rows
        self.c = c
        homes = int(HOMES)
        no_one = np.zeros(len(c), dtype=bool)
        s_no_one = np.zeros(len(seekers), dtype=bool)
        self.live = pool._alive & c.active
        # Safeguarding, as in Pool.score: the places each side brings once home visits
        # without a vetted giver are taken out, and who needs the other side vetted.
        if rules.giver == Giver.CANDIDATE:
            self.c_places = np.where(c.vetted, c.places, c.places & ~homes)
            self.s_places = seekers.places
            self.s_needs, self.c_needs = seekers.support, no_one
        elif rules.giver == Giver.SEEKER:
            self.c_places = c.places
            self.s_places = np.where(seekers.vetted, seekers.places, seekers.places & ~homes)
            self.s_needs, self.c_needs = s_no_one, c.support
        else:
            self.c_places = c.places & ~homes
            self.s_places = seekers.places & ~homes
            self.s_needs, self.c_needs = seekers.support, c.support
        # Blocks are rare: only pairs where one side's owner blocked someone are looked up.
        self.blocked = pool._blocked()
        self.c_blocks = (c.owner >= 0) & np.isin(c.owner, self.blocked // _OWNER_SPACE)
        self.s_blocks = (seekers.owner >= 0) & np.isin(
            seekers.owner, seekers.blocked // _OWNER_SPACE
        )
        # The parts that depend on the candidate alone, computed as Pool.score does.
        person = c.owner >= 0
        if rules.reciprocity:
            owed = (c.received - c.given) / w.reciprocity_minutes
            self.reciprocity = w.reciprocity * np.clip(owed, 0.0, 1.0)
        else:
            self.reciprocity = np.zeros(len(c), dtype=np.float64)
        self.lift = w.lift * (person & (c.connections == 0))
        load = c.load.astype(np.float64)
        self.load = -w.load * np.where(person, load / (load + w.load_half), 0.0)
        # Taxonomy: a table of distinct seeker vectors by distinct candidate vectors.
        self.tax_table: Floats | None = None
        s_pattern, s_first = _patterns(seekers.tax)
        c_pattern, c_first = _patterns(c.tax)
        if len(s_first) * len(c_first) <= 4_000_000:
            product = sp.csr_matrix(seekers.tax[s_first] @ c.tax[c_first].T)
            self.tax_table = w.taxonomy * product.toarray()
            self.s_pattern, self.c_pattern = s_pattern, c_pattern
        # The most text can add for each seeker.
        live_text = sp.csr_matrix(sp.diags(self.live.astype(np.float64)) @ c.text)
        most = np.zeros(c.text.shape[1], dtype=np.float64)
        if live_text.nnz:
            np.maximum.at(most, live_text.indices, np.abs(live_text.data))
        bound = np.asarray(abs(seekers.text) @ most, dtype=np.float64).ravel()
        self.text_most = w.text * np.minimum(bound, 1.0)

    def chunk(self, rows: Ints) -> tuple[Ints, Ints, Ints, Floats]:
        """The top k of some seekers: (seeker row, rank, candidate id, score) per suggestion."""
        empty = np.zeros(0, dtype=np.int64)
        s, c, w, pool = self.seekers, self.c, self.pool.weights, self.pool
        rows = rows[s.active[rows]]  # an inactive seeker gets nothing
        if len(rows) == 0 or self.k <= 0:
            return empty, empty, empty, np.zeros(0)
        hits = sp.csr_matrix(self.keys[rows] @ self.index)
        si = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(hits.indptr))
        ci = hits.indices.astype(np.int64)
        # -- hard constraints, as in Pool.score
        sr = rows[si]
        s_owner, c_owner = s.owner[sr], c.owner[ci]
        ok = self.live[ci] & ~((s_owner >= 0) & (s_owner == c_owner))
        ok &= ~((self.s_needs[sr] & ~c.vetted[ci]) | (self.c_needs[ci] & ~s.vetted[sr]))
        if pool.rules.consent:
            ok &= (s.consent[sr] & c.consent[ci]) != 0
        check = np.flatnonzero(ok & (self.s_blocks[sr] | self.c_blocks[ci]))
        if len(check):
            so, co = s_owner[check], c_owner[check]
            people = (so >= 0) & (co >= 0)
            either = _contains(s.blocked, so * _OWNER_SPACE + co)
            either |= _contains(self.blocked, co * _OWNER_SPACE + so)
            ok[check] &= ~(people & either)
        keep = np.flatnonzero(ok)
        si, sr, ci = si[keep], sr[keep], ci[keep]
        common = self.s_places[sr] & self.c_places[ci]
        miles = miles_between(s.lat[sr], s.lon[sr], c.lat[ci], c.lon[ci])
        too_far = miles > w.max_miles  # NaN (unknown) is not too far
        common = np.where(too_far, common & ~int(IN_PERSON), common)
        keep = np.flatnonzero(common != 0)
        si, sr, ci, common, miles = si[keep], sr[keep], ci[keep], common[keep], miles[keep]
        # -- every part but text, exactly as Pool.score computes them
        if pool.rules.consent:
            peer = w.peer * ((s.consent[sr] & c.consent[ci]) != 0)
        else:
            peer = np.zeros(len(si), dtype=np.float64)
        if self.tax_table is not None:
            tax = self.tax_table[self.s_pattern[sr], self.c_pattern[ci]]
        else:
            tax = w.taxonomy * _pairdot(s.tax, sr, c.tax, ci)
        pre = peer + tax
        text_most = self.text_most[sr]
        keep = np.flatnonzero(pre + text_most >= w.min_relevance - self.MARGIN)
        si, sr, ci, common, miles = si[keep], sr[keep], ci[keep], common[keep], miles[keep]
        peer, tax, pre, text_most = peer[keep], tax[keep], pre[keep], text_most[keep]
        same_hood = (s.hood[sr] >= 0) & (s.hood[sr] == c.hood[ci])
        in_person = (common & int(IN_PERSON)) != 0
        near = np.where(
            np.isnan(miles), np.where(same_hood, 0.8, 0.0), np.exp(-miles / w.miles_scale)
        )
        distance = w.distance * np.where(in_person, near, 0.0)
        overlap = np.bitwise_count(s.avail[sr] & c.avail[ci]).astype(np.float64)
        availability = w.availability * np.where(
            overlap > 0, 0.6 + 0.2 * (np.minimum(overlap, 3.0) - 1.0), 0.0
        )
        rest = (self.reciprocity[ci] + self.lift[ci]) + self.load[
            ci
        ]  # for bounds only: the score adds them in order
        cheap = pre + distance + availability + rest
        # -- text for the pairs best without it, then for those that could still make it
        n = len(rows)
        s_text = s.text[rows]
        text = np.full(len(si), np.nan)
        parts = (peer, tax, text, distance, availability)
        first = _best_per_group(si, cheap, n, self.first)
        self._text(text, first, s_text, si, ci)
        first = first[pre[first] + text[first] >= w.min_relevance]
        floor = _floor_per_group(si[first], self._score(parts, ci, first), n, self.k)
        second = np.flatnonzero(np.isnan(text) & (cheap + text_most >= floor[si] - self.MARGIN))
        self._text(text, second, s_text, si, ci)
        done = np.flatnonzero(~np.isnan(text))
        done = done[pre[done] + text[done] >= w.min_relevance]
        score = self._score(parts, ci, done)
        # -- the top k, by score then candidate id
        best = _best_per_group(si[done], score, n, self.k)
        top, score = done[best], score[best]
        ids = c.ids[ci[top]]
        order = np.lexsort((ids, -score, si[top]))
        top, ids, score = top[order], ids[order], score[order]
        group = si[top]
        starts = np.searchsorted(group, np.arange(n))
        rank = np.arange(len(top)) - starts[group]
        kept = rank < self.k
        return rows[group[kept]], rank[kept], ids[kept], score[kept]

    def compiled(self, kernel: Any, order: Ints, ids: Ints, scores: Floats, workers: int) -> None:
        """Fill ``ids`` and ``scores`` (rows x k) for the seeker rows in ``order`` with the
        compiled kernel, in ``workers`` threads (it releases the GIL)."""
        s, c, w, pool = self.seekers, self.c, self.pool.weights, self.pool
        s_int = np.stack(
            [
                s.active,
                s.owner,
                self.s_places,
                self.s_needs,
                s.vetted,
                s.consent,
                s.hood,
                s.avail,
                self.s_blocks,
            ],
            axis=1,
        ).astype(np.int64)
        c_int = np.stack(
            [
                self.live,
                c.owner,
                self.c_places,
                self.c_needs,
                c.vetted,
                c.consent,
                c.hood,
                c.avail,
                self.c_blocks,
                c.ids,
            ],
            axis=1,
        ).astype(np.int64)
        s_flt = np.stack([s.lat, s.lon, self.text_most, np.cos(s.lat)], axis=1)
        c_flt = np.stack(
            [c.lat, c.lon, self.reciprocity, self.lift, self.load, np.cos(c.lat)], axis=1
        )
        weights = np.array(
            [
                w.taxonomy,
                w.text,
                w.peer,
                w.distance,
                w.availability,
                w.min_relevance,
                w.max_miles,
                w.miles_scale,
            ],
            dtype=np.float64,
        )
        keys = sp.csr_matrix(self.keys, copy=True)
        keys.eliminate_zeros()
        # Candidates renumbered by their first key, then where they are, as the seekers are
        # ordered: those a seeker meets then lie close together in memory. Ids break ties,
        # never rows, so the order changes nothing but the speed.
        by_candidate = sp.csr_matrix(self.index.T)
        by_candidate.sort_indices()
        lead = np.full(len(c), -1, dtype=np.int64)
        filled = np.diff(by_candidate.indptr) > 0
        lead[filled] = by_candidate.indices[by_candidate.indptr[:-1][filled]]
        cell = np.nan_to_num(np.floor(np.stack([c.lat, c.lon]) * 2000.0), nan=-1.0)
        renumber = np.lexsort((cell[1], cell[0], lead)).astype(np.int64)
        row_of = np.empty(len(c), dtype=np.int64)
        row_of[renumber] = np.arange(len(c))
        index = sp.csr_matrix(
            (self.index.data, row_of[self.index.indices], self.index.indptr),
            shape=self.index.shape,
        )
        index.sort_indices()
        c_int, c_flt = c_int[renumber], c_flt[renumber]
        none = np.zeros(0, dtype=np.int64)
        tables = (
            (np.zeros((0, 0)), none, none)
            if self.tax_table is None
            else (self.tax_table, self.s_pattern, self.c_pattern[renumber])
        )
        arrays = (
            *_csr(keys)[:2],
            *_csr(index)[:2],
            *_csr(s.text),
            *_csr(c.text[renumber]),
            *_csr(s.tax),
            *_csr(c.tax[renumber]),
            s_int,
            np.ascontiguousarray(s_flt, dtype=np.float64),
            c_int,
            np.ascontiguousarray(c_flt, dtype=np.float64),
            s.blocked,
            self.blocked,
            *tables,
            weights,
            bool(pool.rules.consent),
            self.k,
            int(c.tax.shape[1]),
            int(c.text.shape[1]),
        )
        order = order.astype(np.int64)

        def run(part: Ints) -> None:
            kernel(part, *arrays, ids, scores)

        parts = np.array_split(order, max(1, workers * 8)) if workers > 1 else [order]
        if workers > 1:
            with ThreadPoolExecutor(workers) as threads:
                list(threads.map(run, parts))
        else:
            run(order)

    def _text(self, text: Floats, at: Ints, s_text: Any, si: Ints, ci: Ints) -> None:
        """Fill ``text`` at the pairs ``at`` (grouped by seeker), a group of seekers at a time,
        so that each product is only by the candidates that group needs."""
        if len(at) == 0:
            return
        seeker = si[at]
        heads = np.concatenate([[0], np.flatnonzero(np.diff(seeker)) + 1])
        cuts = [*heads[self.GROUP :: self.GROUP].tolist(), len(at)]
        start = 0
        for end in cuts:
            part = at[start:end]
            text[part] = self.pool.weights.text * _pairdot(s_text, si[part], self.c.text, ci[part])
            start = end

    def _score(self, parts: tuple[Floats, ...], ci: Ints, at: Ints) -> Floats:
        """Scores of the pairs ``at``: the parts added in the order of PARTS, as Pool.score."""
        peer, tax, text, distance, availability = parts
        score = peer[at] + tax[at]
        score += text[at]
        score += distance[at]
        score += availability[at]
        c = ci[at]
        score += self.reciprocity[c]
        score += self.lift[c]
        score += self.load[c]
        rounded: Floats = np.round(score, 6) + 0.0
        return rounded


def _patterns(matrix: Any) -> tuple[Ints, Ints]:
    """Rows with the same entries share a pattern: (each row's pattern, a row of each)."""
    matrix = sp.csr_matrix(matrix)
    matrix.sort_indices()
    n = matrix.shape[0]
    counts = np.diff(matrix.indptr)
    width = int(counts.max()) if n else 0
    grid = np.full((n, 1 + 2 * width), -1, dtype=np.int64)
    grid[:, 0] = counts
    if matrix.nnz:
        row = np.repeat(np.arange(n), counts)
        at = np.arange(matrix.nnz) - np.repeat(matrix.indptr[:-1], counts)
        grid[row, 1 + at] = matrix.indices
        grid[row, 1 + width + at] = np.ascontiguousarray(matrix.data, dtype=np.float64).view(
            np.int64
        )
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    _, first, pattern = np.unique(grid, axis=0, return_index=True, return_inverse=True)
    return pattern.ravel().astype(np.int64), first.astype(np.int64)


def _buckets(group: Ints, values: Floats, groups: int, r: int) -> tuple[Ints, Ints, float, float]:
    """Each value's bucket (monotone in the value) and each group's bucket of its r-th best
    (0 when the group has fewer than r), with the scale: bucket = (value - low) * scale."""
    size = _Ranker.BUCKETS
    low, high = float(values.min()), float(values.max())
    scale = (size - 1) / (high - low) if high > low else 0.0
    bucket = ((values - low) * scale).astype(np.int64)
    np.clip(bucket, 0, size - 1, out=bucket)
    counts = np.bincount(group * size + bucket, minlength=groups * size).reshape(groups, size)
    reached = counts[:, ::-1].cumsum(axis=1) >= r
    at = size - 1 - np.argmax(reached, axis=1)
    rth: Ints = np.where(reached.any(axis=1), at, 0)
    return bucket, rth, low, scale


def _best_per_group(group: Ints, values: Floats, groups: int, r: int) -> Ints:
    """Positions of every value at least its group's r-th best (a few more may come along).

    ``group`` is ascending (pairs come grouped by seeker); the r-th best is found
    by counting values in buckets, not by sorting.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    bucket, rth, _, _ = _buckets(group, values, groups, r)
    return np.flatnonzero(bucket >= rth[group])


def _floor_per_group(group: Ints, values: Floats, groups: int, r: int) -> Floats:
    """For each group, a value that at least r of its values reach (-inf if it has fewer)."""
    floor = np.full(groups, -np.inf)
    if len(values) == 0:
        return floor
    _, rth, low, scale = _buckets(group, values, groups, r)
    counts = np.bincount(group, minlength=groups)
    full = counts >= r
    # value >= low + bucket / scale (up to rounding, which the caller's margin covers)
    floor[full] = low + (rth[full] / scale if scale > 0 else 0.0)
    return floor


# ---------------------------------------------------------------------- the compiled path


def _top_k_kernel(
    order: Any,
    k_ptr: Any,
    k_idx: Any,
    i_ptr: Any,
    i_idx: Any,
    st_ptr: Any,
    st_idx: Any,
    st_val: Any,
    ct_ptr: Any,
    ct_idx: Any,
    ct_val: Any,
    sx_ptr: Any,
    sx_idx: Any,
    sx_val: Any,
    cx_ptr: Any,
    cx_idx: Any,
    cx_val: Any,
    s_int: Any,
    s_flt: Any,
    c_int: Any,
    c_flt: Any,
    s_blocked: Any,
    c_blocked: Any,
    tax_table: Any,
    s_patterns: Any,
    c_pattern: Any,
    w: Any,
    consent_rule: bool,
    k: int,
    tax_width: int,
    text_width: int,
    out_ids: Any,
    out_scores: Any,
) -> None:
    """Each seeker's top k, one pair at a time: the constraints and scores of
    :meth:`Pool.score`, the order of :meth:`Pool._top`, and text (and exact distance)
    worked out only for pairs that could still reach the top k, as :class:`_Ranker` does.

    ``s_int`` columns: active, owner, places (safeguarded), needs a vetted other side,
    vetted, consent, neighbourhood, availability, blocks someone; ``s_flt``: lat, lon,
    the most text can add, cos(lat). ``c_int``: live, owner, places (safeguarded), needs
    a vetted other side, vetted, consent, neighbourhood, availability, blocks someone, id;
    ``c_flt``: lat, lon, reciprocity, lift, load, cos(lat). ``w``: taxonomy, text, peer,
    distance, availability, min_relevance, max_miles, miles_scale.

    Every score is summed in the order of the numpy path. Distance is first bounded
    (cos of the pair's mid-latitude lies between the cosines of the two latitudes,
    and a table gives exp from above); the exact miles decide "too far" wherever the
    bounds do not, and give the distance part of every pair that is scored.
    """
    n_cand = c_int.shape[0]
    use_table = tax_table.shape[0] > 0
    stamp = np.full(n_cand, -1, dtype=np.int64)
    found = np.empty(n_cand, dtype=np.int64)
    cand = np.empty(n_cand, dtype=np.int64)
    pre_of = np.empty(n_cand, dtype=np.float64)
    cheap_of = np.empty(n_cand, dtype=np.float64)
    dist_of = np.empty(n_cand, dtype=np.float64)
    exact_of = np.empty(n_cand, dtype=np.bool_)
    avail_of = np.empty(n_cand, dtype=np.float64)
    peer_of = np.empty(n_cand, dtype=np.float64)
    tax_of = np.empty(n_cand, dtype=np.float64)
    dense_tax = np.zeros(tax_width, dtype=np.float64)
    dense_text = np.zeros(text_width, dtype=np.float64)
    top_id = np.empty(k, dtype=np.int64)
    top_score = np.empty(k, dtype=np.float64)
    w_tax, w_text, w_peer, w_dist, w_avail = w[0], w[1], w[2], w[3], w[4]
    min_rel, max_miles, scale = w[5], w[6], w[7]
    margin = 1e-6
    in_person = 7  # IN_PERSON
    earth = 3958.8
    # the limit as a squared distance in radians, a little either side
    far = (max_miles / earth) ** 2 * (1.0 + 1e-9)
    near_enough = (max_miles / earth) ** 2 * (1.0 - 1e-9)
    # exp(-miles / scale) from above: steps[i] for squared radians in [i * step, (i + 1) * step)
    width = 4096
    step = (max_miles / earth) ** 2 / width if 0.0 < max_miles < 1e6 else 0.0
    steps = np.ones(width + 1, dtype=np.float64)
    if step > 0.0:
        for i in range(width + 1):
            steps[i] = np.exp(-(earth * np.sqrt(i * step)) / scale) * (1.0 + 1e-12)
    # set bits of 11 bits
    bits = np.zeros(2048, dtype=np.int64)
    for i in range(1, 2048):
        bits[i] = bits[i >> 1] + (i & 1)
    first = 2 * k
    best_cheap = np.empty(max(first, 1), dtype=np.float64)
    for s in order:
        if s_int[s, 0] == 0 or k <= 0:
            continue
        # -- retrieve: candidates sharing a key
        count = 0
        for p in range(k_ptr[s], k_ptr[s + 1]):
            key = k_idx[p]
            for q in range(i_ptr[key], i_ptr[key + 1]):
                c = i_idx[q]
                if stamp[c] != s:
                    stamp[c] = s
                    found[count] = c
                    count += 1
        if count == 0:
            continue
        # the seeker's vectors spread out: a dot product with them sums in column order
        for p in range(sx_ptr[s], sx_ptr[s + 1]):
            dense_tax[sx_idx[p]] = sx_val[p]
        s_owner, s_places, s_needs = s_int[s, 1], s_int[s, 2], s_int[s, 3]
        s_vetted, s_consent, s_hood, s_avail = s_int[s, 4], s_int[s, 5], s_int[s, 6], s_int[s, 7]
        s_blocks = s_int[s, 8]
        s_lat, s_lon, text_most, s_cos = s_flt[s, 0], s_flt[s, 1], s_flt[s, 2], s_flt[s, 3]
        s_pattern = s_patterns[s]
        kept = 0
        ranked = 0
        for at in range(count):
            c = found[at]
            # -- hard constraints
            if c_int[c, 0] == 0:
                continue
            c_owner = c_int[c, 1]
            if s_owner >= 0 and s_owner == c_owner:
                continue
            if (s_needs != 0 and c_int[c, 4] == 0) or (c_int[c, 3] != 0 and s_vetted == 0):
                continue
            shared = s_consent & c_int[c, 5]
            if consent_rule and shared == 0:
                continue
            if (s_blocks != 0 or c_int[c, 8] != 0) and s_owner >= 0 and c_owner >= 0:
                query = s_owner * 2147483648 + c_owner
                i = np.searchsorted(s_blocked, query)
                if i < s_blocked.shape[0] and s_blocked[i] == query:
                    continue
                query = c_owner * 2147483648 + s_owner
                i = np.searchsorted(c_blocked, query)
                if i < c_blocked.shape[0] and c_blocked[i] == query:
                    continue
            # -- relevance without text
            peer = w_peer * 1.0 if (consent_rule and shared != 0) else 0.0
            if use_table:
                tax = tax_table[s_pattern, c_pattern[c]]
            else:
                dot = 0.0
                for p in range(cx_ptr[c], cx_ptr[c + 1]):
                    dot += dense_tax[cx_idx[p]] * cx_val[p]
                tax = w_tax * dot
            pre = peer + tax
            if pre + text_most < min_rel - margin:
                continue
            # -- too far for in person? bounds first, the exact miles where they cannot tell
            c_lat, c_cos = c_flt[c, 0], c_flt[c, 5]
            dy = c_lat - s_lat
            dlon = c_flt[c, 1] - s_lon
            dx = dlon * min(s_cos, c_cos)
            lower = dx * dx + dy * dy
            exact = False
            miles = lower
            if lower > far:
                too_far = True
            else:
                dx = dlon * (max(s_cos, c_cos) if (s_lat >= 0.0) == (c_lat >= 0.0) else 1.0)
                if dx * dx + dy * dy < near_enough:
                    too_far = False
                else:  # close to the limit, or a place unknown (NaN)
                    dx = dlon * np.cos((s_lat + c_lat) / 2)
                    miles = earth * np.sqrt(dx * dx + dy * dy)
                    exact = True
                    too_far = miles > max_miles
            common = s_places & c_int[c, 2]
            if too_far:
                common = common & ~in_person
            if common == 0:
                continue
            if (common & in_person) == 0:
                distance = w_dist * 0.0
                exact = True
            elif np.isnan(miles):
                distance = w_dist * (0.8 if (s_hood >= 0 and s_hood == c_int[c, 6]) else 0.0)
                exact = True
            elif exact:
                distance = w_dist * np.exp(-miles / scale)
            elif w_dist < 0.0:
                distance = 0.0
            elif step > 0.0:
                distance = w_dist * steps[min(int(lower / step), width)]
            else:
                distance = w_dist
            both = s_avail & c_int[c, 7]
            overlap = bits[both & 2047] + bits[(both >> 11) & 2047]
            both >>= 22
            while both != 0:  # beyond the 21 slots of a week: never, but counted all the same
                both &= both - 1
                overlap += 1
            if overlap > 0:
                availability = w_avail * (0.6 + 0.2 * (min(float(overlap), 3.0) - 1.0))
            else:
                availability = w_avail * 0.0
            cheap = pre + distance + availability + ((c_flt[c, 2] + c_flt[c, 3]) + c_flt[c, 4])
            cand[kept] = c
            peer_of[kept] = peer
            tax_of[kept] = tax
            pre_of[kept] = pre
            dist_of[kept] = distance
            exact_of[kept] = exact
            avail_of[kept] = availability
            cheap_of[kept] = cheap
            kept += 1
            # the 2k best bounds so far, best first
            if ranked < first or cheap > best_cheap[first - 1]:
                j = ranked if ranked < first else first - 1
                ranked = min(ranked + 1, first)
                while j > 0 and best_cheap[j - 1] < cheap:
                    best_cheap[j] = best_cheap[j - 1]
                    j -= 1
                best_cheap[j] = cheap
        for p in range(sx_ptr[s], sx_ptr[s + 1]):
            dense_tax[sx_idx[p]] = 0.0
        if kept == 0:
            continue
        for p in range(st_ptr[s], st_ptr[s + 1]):
            dense_text[st_idx[p]] = st_val[p]
        # -- text, first for the pairs best without it, then for those that could still make it
        cut = best_cheap[first - 1] if ranked == first and kept > first else -np.inf
        size = 0
        for sweep in range(2):
            for at in range(kept):
                cheap = cheap_of[at]
                if (cheap >= cut) != (sweep == 0):
                    continue
                if size == k and cheap + text_most + margin < top_score[k - 1]:
                    continue
                c = cand[at]
                dot = 0.0
                for p in range(ct_ptr[c], ct_ptr[c + 1]):
                    dot += dense_text[ct_idx[p]] * ct_val[p]
                text = w_text * dot
                if pre_of[at] + text < min_rel:
                    continue
                distance = dist_of[at]
                if not exact_of[at]:  # as miles_between, then as Pool.score
                    c_lat = c_flt[c, 0]
                    dx = (c_flt[c, 1] - s_lon) * np.cos((s_lat + c_lat) / 2)
                    dy = c_lat - s_lat
                    distance = w_dist * np.exp(-(earth * np.sqrt(dx * dx + dy * dy)) / scale)
                score = peer_of[at] + tax_of[at]
                score += text
                score += distance
                score += avail_of[at]
                score += c_flt[c, 2]
                score += c_flt[c, 3]
                score += c_flt[c, 4]
                score = np.rint(score * 1e6) / 1e6 + 0.0
                cid = c_int[c, 9]
                # -- into the top k: by score, then candidate id
                if size == k:
                    last = top_score[k - 1]
                    if score < last or (score == last and cid > top_id[k - 1]):
                        continue
                    j = k - 1
                else:
                    j = size
                    size += 1
                while j > 0 and (
                    top_score[j - 1] < score or (top_score[j - 1] == score and top_id[j - 1] > cid)
                ):
                    top_score[j] = top_score[j - 1]
                    top_id[j] = top_id[j - 1]
                    j -= 1
                top_score[j] = score
                top_id[j] = cid
        for p in range(st_ptr[s], st_ptr[s + 1]):
            dense_text[st_idx[p]] = 0.0
        for j in range(size):
            out_ids[s, j] = top_id[j]
            out_scores[s, j] = top_score[j]


_COMPILED: list[Any] = []  # the kernel, compiled once per process (and cached on disk)


def _kernel() -> Any:
    """:func:`_top_k_kernel` compiled by numba (the first call in a process takes seconds,
    or less when numba's cache beside this file holds it), or None without numba."""
    if not _COMPILED:
        try:
            import numba  # type: ignore[import-untyped, unused-ignore]
        except ImportError:  # pragma: no cover (numba is a dependency)
            _COMPILED.append(None)
        else:
            _COMPILED.append(numba.njit(cache=True, nogil=True)(_top_k_kernel))
    return _COMPILED[0]


def _csr(matrix: Any) -> tuple[Any, Any, Any]:
    """indptr, indices, data of a CSR matrix, with each row's columns in order."""
    matrix = sp.csr_matrix(matrix)
    if not matrix.has_sorted_indices:
        matrix = matrix.copy()
        matrix.sort_indices()
    return matrix.indptr, matrix.indices, np.ascontiguousarray(matrix.data, dtype=np.float64)


# The ranker forked workers read (copy-on-write): set only around a batch.
_SHARED: _Ranker | None = None


def _chunk_in_worker(rows: Ints) -> tuple[Ints, Ints, Ints, Floats]:
    assert _SHARED is not None  # noqa: S101 (set by suggest_many before forking)
    return _SHARED.chunk(rows)


class Matcher:
    """The pools of a community, one per kind, sharing one encoder."""

    def __init__(self, encoder: Encoder, pools: Mapping[Kind, Pool] | None = None) -> None:
        self.encoder = encoder
        self.pools: dict[Kind, Pool] = dict(pools or {})

    def add_pool(self, kind: Kind, profiles: Sequence[Profile], **options: Any) -> Pool:
        pool = Pool(kind, self.encoder, profiles, **options)
        self.pools[kind] = pool
        return pool

    def suggest(self, seekers: Mapping[Kind, Profile], k: int = 10) -> dict[Kind, list[Suggestion]]:
        """For each kind asked, that kind's seeker profile (e.g. needs for helpers)."""
        return {kind: self.pools[kind].suggest(p, k) for kind, p in seekers.items()}
