"""The adapter: a community's rows as the engine's Profiles, and its suggestions as pages show them.

Each kind of candidate comes from one or more **candidate sources** (the
:class:`CandidateSource` protocol, registered with :func:`register`): a source
knows which rows are candidates, turns rows into :class:`~ginnel.matching.engine.Profile`
s, and renders a candidate for a page (its title, whose it is, where it links,
the one action a person can take). The timebank's offers, requests and
strengths, and peers, are registered here; the directory (services, groups,
events) registers its own the same way, and nothing else changes.

A community's :class:`Built` (encoder, one engine pool per kind) is built once
and cached in the process. It is rebuilt when the community's stamp changes
(rows added or removed, consent given or withdrawn) or after ``TTL`` seconds.
Whatever the cache holds, every suggestion shown is checked against the
database first: the candidates the engine returns are read afresh from their
source, and any that changed are upserted (or removed) and the seeker asked
again, so a pool can be late to learn of a new candidate, never wrong about
one it shows (consent, blocks, safeguarding and "not for me" are always as
they are now). See docs/matching.md.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ginnel.communities.models import Community, Membership, MembershipStatus, Neighbourhood
from ginnel.matching.availability import week_grid
from ginnel.matching.engine import (
    ANYWHERE,
    Encoder,
    Kind,
    Matcher,
    Place,
    Profile,
    Suggestion,
    Taxonomy,
    Words,
)
from ginnel.matching.models import Block, Dismissal
from ginnel.people.models import Consent, ConsentPurpose, Person, StrengthsProfile
from ginnel.timebank.models import (
    Category,
    Exchange,
    ExchangeState,
    Listing,
    ListingKind,
    ListingStatus,
    Safeguarding,
)

#: Seconds a built matcher is trusted for recall (new wording, edited rows).
TTL = 300.0
#: Engine ids are ``row id * SLOTS + the source's slot``: up to this many sources.
SLOTS = 64
#: How many concerns (peer-support topics) a community can have bits for.
MAX_PURPOSES = 63
_PLACES = {
    "at_my_home": Place.GIVER_HOME,
    "at_your_home": Place.RECEIVER_HOME,
    "in_public": Place.PUBLIC,
    "online": Place.ONLINE,
    "by_phone": Place.PHONE,
}
#: Where a person with no listing can meet: not at home until they have said so.
_AWAY_FROM_HOME = int(Place.PUBLIC | Place.ONLINE | Place.PHONE)


# -- facts about people, shared by every source -------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the engine needs to know about a person, whatever they are a candidate for."""

    active: bool = False
    # False until a person with an account has checked their email address: they are
    # then suggested to no one, though they still get suggestions themselves.
    shown: bool = True
    neighbourhood: int = -1
    vetted: bool = False
    needs_support: bool = False
    blocked: frozenset[int] = frozenset()
    given: int = 0
    received: int = 0
    load: int = 0
    connections: int = 0


def people_facts(community: Community, ids: Collection[int] | None = None) -> dict[int, Facts]:
    """Facts of the community's people (or only of ``ids``), read in six queries."""
    people = Person.objects.filter(community=community)
    if ids is not None:
        people = people.filter(pk__in=list(ids))
    rows = list(
        people.values_list(
            "pk",
            "neighbourhood_id",
            "membership__status",
            "membership__user_id",
            "membership__user__email_verified",
        )
    )
    wanted = [pk for pk, *_ in rows]
    guard = {
        pk: (vetted_on is not None, support)
        for pk, vetted_on, support in Safeguarding.objects.filter(
            community=community, person_id__in=wanted
        ).values_list("person_id", "vetted_on", "needs_support")
    }
    # Blocking goes both ways: a person never meets someone they blocked, or who blocked them.
    blocked: dict[int, set[int]] = defaultdict(set)
    for a, b in (
        Block.objects.filter(community=community)
        .filter(Q(person_id__in=wanted) | Q(blocked_id__in=wanted))
        .values_list("person_id", "blocked_id")
    ):
        blocked[a].add(b)
        blocked[b].add(a)
    confirmed = Exchange.objects.filter(community=community, state=ExchangeState.CONFIRMED)
    given = dict(
        confirmed.filter(giver_id__in=wanted)
        .values_list("giver_id")
        .annotate(total=Sum("minutes"))
        .values_list("giver_id", "total")
    )
    received = dict(
        confirmed.filter(receiver_id__in=wanted)
        .values_list("receiver_id")
        .annotate(total=Sum("minutes"))
        .values_list("receiver_id", "total")
    )
    # Load: exchanges a person has agreed to give in and not yet finished.
    load = dict(
        Exchange.objects.filter(
            community=community,
            giver_id__in=wanted,
            state__in=[ExchangeState.PROPOSED, ExchangeState.AGREED, ExchangeState.COMPLETED],
        )
        .values_list("giver_id")
        .annotate(n=Count("id"))
        .values_list("giver_id", "n")
    )
    since = timezone.localdate() - timedelta(days=90)
    connections: Counter[int] = Counter()
    for giver, receiver in (
        confirmed.filter(happened_on__gte=since)
        .filter(Q(giver_id__in=wanted) | Q(receiver_id__in=wanted))
        .values_list("giver_id", "receiver_id")
    ):
        connections[giver] += 1
        connections[receiver] += 1
    return {
        pk: Facts(
            active=status == MembershipStatus.ACTIVE,
            shown=user_id is None or bool(checked),
            neighbourhood=hood if hood is not None else -1,
            vetted=guard.get(pk, (False, False))[0],
            needs_support=guard.get(pk, (False, False))[1],
            blocked=frozenset(blocked.get(pk, ())),
            given=int(given.get(pk) or 0),
            received=int(received.get(pk) or 0),
            load=int(load.get(pk) or 0),
            connections=connections.get(pk, 0),
        )
        for pk, hood, status, user_id, checked in rows
    }


def _person_profile(facts: Facts, **values: Any) -> Profile:
    """A Profile with a person's facts; ``values`` hold the rest (id, owner, tags, text…)."""
    return Profile(
        active=facts.active and facts.shown and values.pop("active", True),
        neighbourhood=facts.neighbourhood,
        vetted=facts.vetted,
        needs_support=facts.needs_support,
        blocked=facts.blocked,
        given=facts.given,
        received=facts.received,
        load=facts.load,
        connections=facts.connections,
        **values,
    )


# -- peer-support topics (special category: only while consent stands) ---------------------


def topics_of(text: str) -> list[str]:
    """A person's peer-support topics, as keys: one per line, comma or semicolon."""
    out: list[str] = []
    for part in re.split(r"[,;\n]", text):
        topic = " ".join(re.sub(r"[^\w\s'-]", " ", part.lower()).split())
        if topic and topic not in out:
            out.append(topic)
    return out


def _label(topic: str) -> str:
    """A topic as it reads after "Also", said of someone else ("caring for their mum")."""
    return re.sub(r"\bmy\b", "their", re.sub(r"\bi\b|\bi'm\b", "", topic)).strip()


def consented_topics(community: Community, ids: Collection[int] | None = None) -> dict[int, str]:
    """Person -> their peer topics text, for people whose peer-support consent stands now."""
    consenting = Consent.objects.filter(
        community=community, purpose=ConsentPurpose.PEER_SUPPORT, withdrawn_at__isnull=True
    ).values("person_id")
    profiles = StrengthsProfile.objects.filter(
        community=community, person_id__in=consenting
    ).exclude(peer_topics="")
    if ids is not None:
        profiles = profiles.filter(person_id__in=list(ids))
    return dict(profiles.values_list("person_id", "peer_topics"))


# -- what a source is given to work with -----------------------------------------------------


@dataclass
class Context:
    """A community's vocabulary as of the last build: taxonomy terms and concern bits."""

    community: Community
    terms: dict[int, int]  # category id -> taxonomy term index
    taxonomy: Taxonomy
    purposes: dict[str, int]  # topic -> consent bit

    def tags(self, category_ids: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted({self.terms[c] for c in category_ids if c in self.terms}))

    def consent(self, topics_text: str) -> int:
        bits = 0
        for topic in topics_of(topics_text):
            if topic in self.purposes:
                bits |= 1 << self.purposes[topic]
        return bits


def _for_someone(label: str, person: str) -> str:
    return gettext("%(action)s, for %(person)s") % {"action": label, "person": person}


@dataclass(frozen=True)
class Action:
    """The one thing a person can do with a suggestion: follow a link, or post a small form.

    ``label_for`` words the action when someone (a link worker, a coordinator)
    takes it for a person, given that person's name: "Ask Carole for this, for
    Mo". A form a source gives no wording for gets "<label>, for <name>"; a
    plain link without one ("See the event") is the same for anyone and stays
    as it is.
    """

    label: str
    url: str
    post: bool = False
    label_for: Callable[[str], str] | None = None
    #: Set by :meth:`acting_for`: the person the action is taken for.
    person_id: int | None = None

    def acting_for(self, person: Person) -> Action:
        """The action taken for ``person``: it says so, and a link carries ``?for=<id>``
        (a form carries the person as a field)."""
        if self.label_for is None and not self.post:
            return self
        label = (self.label_for or partial(_for_someone, self.label))(person.display_name)
        url = self.url
        if not self.post:
            path, hash_mark, fragment = url.partition("#")
            joiner = "&" if "?" in path else "?"
            url = f"{path}{joiner}for={person.pk}{hash_mark}{fragment}"
        return replace(self, label=label, url=url, label_for=None, person_id=person.pk)


@dataclass(frozen=True)
class Candidate:
    """A candidate as a page shows it."""

    key: str  # "<source>:<row id>", what "not for me" remembers
    title: str
    url: str
    person: str = ""  # whose it is, if a person's
    person_id: int | None = None
    detail: str = ""
    action: Action | None = None


class CandidateSource(Protocol):
    """A kind of row that can be suggested. Register one with :func:`register`.

    ``name`` is unique and short ("offers", "peers", "services"); it starts every
    key of its candidates. ``stamp`` is a cheap summary that changes when rows
    are added or removed (counts and greatest ids), so a cached pool knows to
    rebuild. ``profiles`` reads candidates as Profiles (``id`` the row id; the
    adapter renumbers them): all of them for a build, or only ``ids`` to check
    what the engine returned against the database — a row no longer a
    candidate is simply left out. ``render`` reads the rows a page shows, for
    ``viewer`` (a Person, or None).
    """

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> Kind: ...

    def stamp(self, community: Community) -> tuple[Any, ...]: ...

    def profiles(self, ctx: Context, ids: Collection[int] | None = None) -> dict[int, Profile]: ...

    def render(self, ctx: Context, ids: Collection[int]) -> dict[int, Candidate]: ...


_SOURCES: dict[str, CandidateSource] = {}
_CACHE: dict[tuple[int, datetime], Built] = {}
_CACHE_LOCK = threading.Lock()


def register(source: CandidateSource) -> CandidateSource:
    """Add a candidate source (replacing one of the same name). Call it from an AppConfig.ready."""
    if source.name not in _SOURCES and len(_SOURCES) >= SLOTS:
        raise ValueError(f"At most {SLOTS} candidate sources.")
    _SOURCES[source.name] = source
    _CACHE.clear()
    return source


def sources(kind: Kind | None = None) -> list[CandidateSource]:
    return [s for s in _SOURCES.values() if kind is None or s.kind == kind]


def _slot(name: str) -> int:
    return list(_SOURCES).index(name)


def engine_id(source: str, row: int) -> int:
    return row * SLOTS + _slot(source)


def key_of(engine: int) -> tuple[str, int]:
    return list(_SOURCES)[engine % SLOTS], engine // SLOTS


# -- the timebank's sources ------------------------------------------------------------------


def _live_listings(community: Community, kind: str) -> Any:
    today = timezone.localdate()
    return (
        Listing.objects.filter(community=community, kind=kind, status=ListingStatus.OPEN)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .filter(owner__membership__status=MembershipStatus.ACTIVE)
    )


def listing_places(listing: Listing) -> int:
    places = 0
    for name, flag in _PLACES.items():
        if getattr(listing, name):
            places |= int(flag)
    return places or int(ANYWHERE)  # none ticked: "to be agreed", anywhere


@dataclass(frozen=True)
class ListingSource:
    """Live offers (people who can help) or live requests (people one could help)."""

    name: str
    kind: Kind
    listing_kind: str

    def stamp(self, community: Community) -> tuple[Any, ...]:
        found = _live_listings(community, self.listing_kind).aggregate(n=Count("id"), top=Max("id"))
        return (found["n"], found["top"])

    def profiles(self, ctx: Context, ids: Collection[int] | None = None) -> dict[int, Profile]:
        listings = _live_listings(ctx.community, self.listing_kind).prefetch_related("categories")
        if ids is not None:
            listings = listings.filter(pk__in=list(ids))
        found = list(listings)
        facts = people_facts(ctx.community, {x.owner_id for x in found})
        return {
            x.pk: _person_profile(
                facts[x.owner_id],
                id=x.pk,
                owner=x.owner_id,
                tags=ctx.tags(c.pk for c in x.categories.all()),
                text=f"{x.title}. {x.description}",
                availability=week_grid(x.availability),
                places=listing_places(x),
            )
            for x in found
            if x.owner_id in facts
        }

    def render(self, ctx: Context, ids: Collection[int]) -> dict[int, Candidate]:
        slug = ctx.community.slug
        out = {}
        for x in (
            _live_listings(ctx.community, self.listing_kind)
            .filter(pk__in=list(ids))
            .select_related("owner")
        ):
            url = reverse("timebank:listing", args=[slug, x.pk])
            owner = x.owner.display_name
            if self.listing_kind == ListingKind.OFFER:
                label = gettext("Ask %(owner)s for this") % {"owner": owner}
                label_for = partial(_ask_for, owner)
            else:
                label = gettext("Offer to help %(owner)s") % {"owner": owner}
                label_for = None  # a coach is never shown people a person could help
            out[x.pk] = Candidate(
                key=f"{self.name}:{x.pk}",
                title=x.title,
                url=url,
                person=owner,
                person_id=x.owner_id,
                detail=x.get_kind_display(),
                action=Action(label, f"{url}#propose", label_for=label_for),
            )
        return out


def _ask_for(owner: str, person: str) -> str:
    return gettext("Ask %(owner)s for this, for %(person)s") % {"owner": owner, "person": person}


def _introduce(other: str, person: str) -> str:
    return gettext("Ask a coordinator to introduce %(person)s to %(other)s") % {
        "person": person,
        "other": other,
    }


def _strengths(community: Community) -> Any:
    return StrengthsProfile.objects.filter(
        community=community,
        share_skills=True,
        person__membership__status=MembershipStatus.ACTIVE,
    )


@dataclass(frozen=True)
class SkillsSource:
    """People who said what they are good at and chose to share it, offer or no offer."""

    name: str = "skills"
    kind: Kind = Kind.HELPER

    def stamp(self, community: Community) -> tuple[Any, ...]:
        found = _strengths(community).aggregate(n=Count("id"), top=Max("id"))
        return (found["n"], found["top"])

    def profiles(self, ctx: Context, ids: Collection[int] | None = None) -> dict[int, Profile]:
        rows = _strengths(ctx.community).prefetch_related("skills")
        if ids is not None:
            rows = rows.filter(person_id__in=list(ids))
        found = [r for r in rows if r.skills_own_words.strip() or r.skills.all()]
        facts = people_facts(ctx.community, {r.person_id for r in found})
        return {
            r.person_id: _person_profile(
                facts[r.person_id],
                id=r.person_id,
                owner=r.person_id,
                tags=ctx.tags(c.pk for c in r.skills.all()),
                text=r.skills_own_words,
                places=_AWAY_FROM_HOME,
            )
            for r in found
            if r.person_id in facts
        }

    def render(self, ctx: Context, ids: Collection[int]) -> dict[int, Candidate]:
        return _people_cards(ctx, self.name, ids, detail=gettext("Good at"))


@dataclass(frozen=True)
class PeerSource:
    """People who chose to connect with others about a concern they live with."""

    name: str = "peers"
    kind: Kind = Kind.PEER

    def stamp(self, community: Community) -> tuple[Any, ...]:
        found = Consent.objects.filter(
            community=community, purpose=ConsentPurpose.PEER_SUPPORT
        ).aggregate(n=Count("id", filter=Q(withdrawn_at__isnull=True)), top=Max("id"))
        return (found["n"], found["top"])

    def profiles(self, ctx: Context, ids: Collection[int] | None = None) -> dict[int, Profile]:
        topics = consented_topics(ctx.community, ids)
        facts = people_facts(ctx.community, set(topics))
        out = {}
        for pk, text in topics.items():
            bits = ctx.consent(text)
            if bits and pk in facts:
                out[pk] = _person_profile(
                    facts[pk], id=pk, owner=pk, consent=bits, places=_AWAY_FROM_HOME
                )
        return out

    def render(self, ctx: Context, ids: Collection[int]) -> dict[int, Candidate]:
        return _people_cards(ctx, self.name, ids, detail=gettext("Shares a concern"))


def _people_cards(
    ctx: Context, source: str, ids: Collection[int], *, detail: str
) -> dict[int, Candidate]:
    slug = ctx.community.slug
    return {
        p.pk: Candidate(
            key=f"{source}:{p.pk}",
            title=p.display_name,
            url=reverse("people:about", args=[slug, p.pk]),
            person=p.display_name,
            person_id=p.pk,
            detail=detail,
            action=Action(
                gettext("Ask a coordinator to introduce you"),
                reverse("matching:introduce", args=[slug]),
                post=True,
                label_for=partial(_introduce, p.display_name),
            ),
        )
        for p in Person.objects.filter(
            community=ctx.community, pk__in=list(ids), membership__status=MembershipStatus.ACTIVE
        )
    }


register(ListingSource("offers", Kind.HELPER, ListingKind.OFFER))
register(SkillsSource())
register(ListingSource("requests", Kind.HELPEE, ListingKind.REQUEST))
register(PeerSource())


# -- building and caching a community's matcher -----------------------------------------------


@dataclass
class Built:
    ctx: Context
    matcher: Matcher
    stamp: tuple[Any, ...]
    at: float
    lock: threading.Lock = field(default_factory=threading.Lock)


def _stamp(community: Community) -> tuple[Any, ...]:
    people = Membership.objects.filter(community=community).aggregate(
        n=Count("id", filter=Q(status=MembershipStatus.ACTIVE)),
        top=Max("id"),
        unchecked=Count("id", filter=Q(user__email_verified=False)),
    )
    categories = Category.objects.filter(community=community).aggregate(
        n=Count("id"), top=Max("id")
    )
    return (
        tuple(_SOURCES),
        (people["n"], people["top"], people["unchecked"]),
        (categories["n"], categories["top"]),
        *(s.stamp(community) for s in _SOURCES.values()),
    )


def context_for(community: Community) -> Context:
    categories = list(Category.objects.filter(community=community).order_by("pk"))
    terms = {c.pk: i for i, c in enumerate(categories)}
    taxonomy = Taxonomy(
        names=tuple(c.name for c in categories),
        parents=tuple(terms.get(c.parent_id, -1) if c.parent_id else -1 for c in categories),
    )
    held: Counter[str] = Counter()
    for text in consented_topics(community).values():
        held.update(topics_of(text))
    # A concern only one person holds can match no one: those shared come first.
    ranked = sorted(held, key=lambda t: (-held[t], t))[:MAX_PURPOSES]
    return Context(
        community=community,
        terms=terms,
        taxonomy=taxonomy,
        purposes={topic: bit for bit, topic in enumerate(ranked)},
    )


def build(community: Community) -> Built:
    """Read every source of the community and build its matcher (a pool per kind)."""
    stamp = _stamp(community)
    ctx = context_for(community)
    read: dict[Kind, list[Profile]] = defaultdict(list)
    for source in _SOURCES.values():
        for row, profile in source.profiles(ctx).items():
            read[source.kind].append(replace(profile, id=engine_id(source.name, row)))
    texts = [p.text for profiles in read.values() for p in profiles if p.text]
    texts += [
        s.help_wanted
        for s in StrengthsProfile.objects.filter(community=community).only("help_wanted")
        if s.help_wanted
    ]
    purposes = tuple(_label(t) for t, _ in sorted(ctx.purposes.items(), key=lambda kv: kv[1]))
    matcher = Matcher(Encoder.fit(ctx.taxonomy, texts, purposes))
    for kind in {s.kind for s in _SOURCES.values()}:
        matcher.add_pool(kind, read.get(kind, []))
    return Built(ctx=ctx, matcher=matcher, stamp=stamp, at=time.monotonic())


def built_for(community: Community) -> Built:
    """The community's matcher: cached, rebuilt when its stamp changes or it is older than TTL."""
    key = (community.pk, community.created_at)
    stamp = _stamp(community)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None and found.stamp == stamp and time.monotonic() - found.at < TTL:
        return found
    fresh = build(community)
    with _CACHE_LOCK:
        _CACHE[key] = fresh
    return fresh


def forget(community: Community | None = None) -> None:
    """Drop the cached matcher of a community (or of all), e.g. after the nightly job."""
    with _CACHE_LOCK:
        for key in list(_CACHE):
            if community is None or key[0] == community.pk:
                del _CACHE[key]


# -- seekers ----------------------------------------------------------------------------------


def _own_listings(person: Person, kind: str, only: Listing | None = None) -> list[Listing]:
    if only is not None:
        return [only] if only.is_live() else []
    return list(
        _live_listings(person.community, kind).filter(owner=person).prefetch_related("categories")
    )


def seeker_for(
    built: Built, person: Person, kind: Kind, *, listing: Listing | None = None
) -> Profile | None:
    """The person as a seeker of ``kind``, read now; None when there is nothing to match on."""
    ctx = built.ctx
    facts = people_facts(ctx.community, [person.pk]).get(person.pk)
    if facts is None or not facts.active:
        return None
    facts = replace(facts, shown=True)  # not suggested to others yet, but suggestions for them
    strengths = StrengthsProfile.objects.filter(person=person).first()
    tags: set[int] = set()
    texts: list[str] = []
    places = 0
    availability = 0
    consent = 0
    where: dict[str, float] = {}
    if kind in (Kind.HELPER, Kind.HELPEE):
        wanted = ListingKind.REQUEST if kind == Kind.HELPER else ListingKind.OFFER
        for own in _own_listings(person, wanted, listing):
            tags.update(ctx.tags(c.pk for c in own.categories.all()))
            texts.append(f"{own.title}. {own.description}")
            places |= listing_places(own)
            availability |= week_grid(own.availability)
        if listing is None and strengths is not None:
            if kind == Kind.HELPER:
                texts.append(strengths.help_wanted)
            else:
                tags.update(ctx.tags(c.pk for c in strengths.skills.all()))
                texts.append(strengths.skills_own_words)
    elif kind == Kind.PEER:
        topics = consented_topics(ctx.community, [person.pk]).get(person.pk, "")
        consent = ctx.consent(topics)
        if not consent:
            return None
        places = _AWAY_FROM_HOME
    else:  # kinds of the directory: what the person would like help with, and enjoys
        if strengths is not None:
            tags.update(ctx.tags(c.pk for c in strengths.skills.all()))
            texts += [strengths.help_wanted, strengths.interests]
        # Places have coordinates: measure from the centre of the person's neighbourhood.
        centre = (
            Neighbourhood.objects.filter(pk=facts.neighbourhood)
            .values_list("latitude", "longitude")
            .first()
        )
        if centre is not None and centre[0] is not None and centre[1] is not None:
            where = {"lat": centre[0], "lon": centre[1]}
    text = "\n".join(t for t in texts if t.strip())
    if not tags and not text and not consent:
        return None
    return _person_profile(
        facts,
        id=-1,
        owner=person.pk,
        tags=tuple(sorted(tags)),
        text=text,
        places=places or int(ANYWHERE),
        availability=availability,
        consent=consent,
        **where,
    )


# -- suggesting -------------------------------------------------------------------------------

#: Reasons worded in the language of the page being answered.
WORDS = Words(gettext=gettext, ngettext=ngettext)


@dataclass(frozen=True)
class Shown:
    """A suggestion as a page shows it: the candidate, its reasons, its kind."""

    kind: Kind
    candidate: Candidate
    reasons: tuple[str, ...]
    score: float


def dismissed_keys(person: Person) -> set[tuple[str, str]]:
    return set(Dismissal.objects.filter(person=person).values_list("kind", "candidate"))


def _verify(built: Built, pool: Any, found: Sequence[Suggestion]) -> bool:
    """Read the returned candidates afresh; upsert or remove those that changed. Changed any?"""
    by_source: dict[str, list[int]] = defaultdict(list)
    for s in found:
        name, row = key_of(s.id)
        by_source[name].append(row)
    changed = False
    for name, rows in by_source.items():
        fresh = _SOURCES[name].profiles(built.ctx, rows)
        for row in rows:
            eid = engine_id(name, row)
            now = fresh.get(row)
            if now is None:
                pool.remove(eid)
                changed = True
            else:
                now = replace(now, id=eid)
                if now != pool.profile(eid):
                    pool.upsert(now)
                    changed = True
    return changed


def suggest(
    built: Built,
    seeker: Profile,
    kind: Kind,
    *,
    k: int = 3,
    exclude: Callable[[str], bool] | None = None,
    one_per_person: bool = True,
) -> list[Shown]:
    """The top ``k`` of a kind for a seeker: checked afresh, without those excluded,
    and (by default) one per person, the best of theirs."""
    pool = built.matcher.pools.get(kind)
    if pool is None:
        return []
    want = 3 * k + 10
    with built.lock:
        for _ in range(3):
            found = pool.suggest(seeker, want, words=WORDS)
            if not _verify(built, pool, found):
                break
        else:
            found = pool.suggest(seeker, want, words=WORDS)
    chosen: list[tuple[Suggestion, str, int]] = []
    owners: set[int] = set()
    for s in found:
        name, row = key_of(s.id)
        key = f"{name}:{row}"
        if (exclude is not None and exclude(key)) or (
            one_per_person and s.owner >= 0 and s.owner in owners
        ):
            continue
        owners.add(s.owner)
        chosen.append((s, name, row))
    by_source: dict[str, list[int]] = defaultdict(list)
    for _, name, row in chosen:
        by_source[name].append(row)
    cards = {name: _SOURCES[name].render(built.ctx, rows) for name, rows in by_source.items()}
    out = []
    for s, name, row in chosen:
        card = cards[name].get(row)
        if card is not None:
            out.append(Shown(kind, card, tuple(r.text for r in s.reasons), s.score))
        if len(out) == k:
            break
    return out


def suggestions_for(
    person: Person,
    kinds: Sequence[Kind],
    *,
    k: int = 3,
    listing: Listing | None = None,
    include_dismissed: bool = False,
) -> dict[Kind, list[Shown]]:
    """A person's suggestions of each kind asked (only kinds with a source), never one
    they said was not for them."""
    built = built_for(person.community)
    hidden = set() if include_dismissed else dismissed_keys(person)
    out: dict[Kind, list[Shown]] = {}
    for kind in kinds:
        if not sources(kind):
            continue
        seeker = seeker_for(built, person, kind, listing=listing)
        if seeker is None:
            out[kind] = []
            continue
        keys = {key for hidden_kind, key in hidden if hidden_kind == kind.value}
        out[kind] = suggest(built, seeker, kind, k=k, exclude=keys.__contains__)
    return out


def by_kind(found: Mapping[Kind, list[Shown]]) -> list[tuple[Kind, list[Shown]]]:
    return [(kind, shown) for kind, shown in found.items() if shown]
