"""The directory's candidate sources for suggestions: services, groups and events.

Registered with the matching adapter when the app is ready
(:class:`~ginnel.directory.apps.DirectoryConfig`), like the timebank's offers
and requests: a person's home and a link worker's "Suggested connections"
then show services, community groups and events beside people, with the same
engine and the same kind of reasons ("A group for befriending", "1.2 miles
away", "Open on Thursday mornings").

- **services**: active services, digital community hubs and care technology;
- **groups**: active community groups;
- **events**: events not cancelled that happen in the next eight weeks.

A directory entry belongs to no person (``owner`` -1), so self, blocking and
safeguarding never apply; "not for me" does, as for any suggestion. Terms
of the directory's taxonomies that share a name with a timebank category
become tags of that category, so a person who wants help with "gardening"
meets the gardening club by its term as well as by its words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ginnel.communities.models import Community
from ginnel.directory.hsds.values import DAY_CODES
from ginnel.directory.models import (
    Attribute,
    Event,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceStatus,
)
from ginnel.directory.models import (
    Kind as EntryKind,
)
from ginnel.directory.services.derived import weekdays
from ginnel.directory.wording import DAY_NAMES
from ginnel.matching.adapter import Action, Candidate, Context, register
from ginnel.matching.engine import Kind, Place, Profile, slot

#: Events further ahead than this are not suggested yet.
EVENT_HORIZON = timedelta(weeks=8)
_IN_PERSON = int(Place.PUBLIC)
_REMOTE = int(Place.ONLINE | Place.PHONE)


def periods(opens: time | None, closes: time | None) -> list[int]:
    """The engine's day periods (0 morning, 1 afternoon, 2 evening) an opening covers."""
    if opens is None:
        return [0, 1, 2]
    end = closes or opens
    starts = (time(0), time(12), time(17))
    ends = (time(12), time(17), time(23, 59, 59))
    return [i for i in range(3) if opens < ends[i] and (end > starts[i] or end == opens)]


def days_of(byday: str) -> list[int]:
    """Weekdays (0 = Monday) of an iCal BYDAY list, read as day search reads it."""
    return [day for day in weekdays(byday) if day is not None]


def week_grid(openings: Iterable[tuple[str, time | None, time | None]]) -> int:
    """The 21-bit week grid of (byday, opens, closes) openings; 0 (unknown) if none."""
    grid = 0
    for byday, opens, closes in openings:
        for day in days_of(byday):
            for period in periods(opens, closes):
                grid |= slot(day, period)
    return grid


def _term_tags(ctx: Context, names: Iterable[str]) -> tuple[int, ...]:
    index = {name.lower(): i for i, name in enumerate(ctx.taxonomy.names)}
    return tuple(sorted({index[n.lower()] for n in names if n.lower() in index}))


def _terms_of(community: Community, link_type: str, uuids: Collection[Any]) -> dict[Any, list[str]]:
    names: dict[Any, list[str]] = defaultdict(list)
    for link_id, name in Attribute.objects.filter(
        community=community, link_type=link_type, link_id__in=list(uuids)
    ).values_list("link_id", "taxonomy_term__name"):
        names[link_id].append(name)
    return names


@dataclass(frozen=True)
class ServiceSource:
    """Active directory entries of some kinds (services and the like, or groups)."""

    name: str
    kind: Kind
    entry_kinds: tuple[str, ...]

    def rows(self, community: Community) -> QuerySet[Service]:
        return Service.objects.filter(
            community=community, status=ServiceStatus.ACTIVE, kind__in=self.entry_kinds
        )

    def stamp(self, community: Community) -> tuple[Any, ...]:
        found = self.rows(community).aggregate(
            n=Count("id"), top=Max("id"), changed=Max("last_modified")
        )
        return (found["n"], found["top"], found["changed"])

    def profiles(self, ctx: Context, ids: Collection[int] | None = None) -> dict[int, Profile]:
        services = self.rows(ctx.community).select_related("organization")
        if ids is not None:
            services = services.filter(pk__in=list(ids))
        found = list(services)
        pks = [s.pk for s in found]
        terms = _terms_of(ctx.community, "service", [s.uuid for s in found])
        where: dict[int, tuple[float, float]] = {}
        virtual: set[int] = set()
        for service_id, kind, lat, lon in (
            Location.objects.filter(at_locations__service_id__in=pks)
            .order_by("at_locations__id")
            .values_list("at_locations__service_id", "location_type", "latitude", "longitude")
        ):
            if kind == LocationType.VIRTUAL:
                virtual.add(service_id)
            elif lat is not None and lon is not None and service_id not in where:
                where[service_id] = (lat, lon)
        openings: dict[int, list[tuple[str, time | None, time | None]]] = defaultdict(list)
        for service_id, sal_service, byday, opens, closes in Schedule.objects.filter(
            Q(service_id__in=pks) | Q(service_at_location__service_id__in=pks)
        ).values_list(
            "service_id", "service_at_location__service_id", "byday", "opens_at", "closes_at"
        ):
            openings[service_id or sal_service].append((byday, opens, closes))
        out = {}
        for s in found:
            lat, lon = where.get(s.pk, (None, None))
            places = (_IN_PERSON if s.pk in where or s.pk not in virtual else 0) | (
                _REMOTE if s.pk in virtual or s.pk not in where else 0
            )
            out[s.pk] = Profile(
                id=s.pk,
                tags=_term_tags(ctx, terms[s.uuid]),
                text=" ".join([s.name, s.description, *terms[s.uuid]]),
                lat=lat,
                lon=lon,
                availability=week_grid(openings[s.pk]),
                places=places,
            )
        return out

    def render(self, ctx: Context, ids: Collection[int]) -> dict[int, Candidate]:
        slug = ctx.community.slug
        out = {}
        for s in self.rows(ctx.community).filter(pk__in=list(ids)).select_related("organization"):
            url = reverse("directory:service", args=[slug, s.uuid])
            out[s.pk] = Candidate(
                key=f"{self.name}:{s.pk}",
                title=s.name,
                url=url,
                detail=f"{s.get_kind_display()} · {s.organization.name}",
                action=Action(
                    _("Save to the list"),
                    reverse("directory:save", args=[slug, s.uuid]),
                    post=True,
                ),
            )
        return out


@dataclass(frozen=True)
class EventSource:
    """Events not cancelled that happen between now and the horizon."""

    name: str = "events"
    kind: Kind = Kind.EVENT

    def rows(self, community: Community) -> QuerySet[Event]:
        now = timezone.now()
        soon = now + EVENT_HORIZON
        events = Event.objects.filter(
            community=community, starts_at__lte=soon, cancelled_at__isnull=True
        )
        one_off = Q(freq="", ends_at__gte=now)
        repeating = ~Q(freq="") & (Q(until__isnull=True) | Q(until__gte=now.date()))
        return events.filter(one_off | repeating)

    def stamp(self, community: Community) -> tuple[Any, ...]:
        found = self.rows(community).aggregate(
            n=Count("id"), top=Max("id"), changed=Max("last_modified")
        )
        return (found["n"], found["top"], found["changed"])

    def profiles(self, ctx: Context, ids: Collection[int] | None = None) -> dict[int, Profile]:
        events = self.rows(ctx.community).select_related("location").prefetch_related("themes")
        if ids is not None:
            events = events.filter(pk__in=list(ids))
        out = {}
        for e in events:
            themes = [t.name for t in e.themes.all()]
            local = timezone.localtime(e.starts_at)
            ends = timezone.localtime(e.ends_at)
            byday = e.byday if e.freq and e.byday else DAY_CODES[local.weekday()]
            where = e.location
            in_person = where is None or where.location_type != LocationType.VIRTUAL
            out[e.pk] = Profile(
                id=e.pk,
                tags=_term_tags(ctx, themes),
                text=" ".join([e.title, e.description, *themes]),
                lat=where.latitude if where is not None else None,
                lon=where.longitude if where is not None else None,
                availability=week_grid([(byday, local.time(), ends.time())]),
                places=_IN_PERSON if in_person else _REMOTE,
            )
        return out

    def render(self, ctx: Context, ids: Collection[int]) -> dict[int, Candidate]:
        slug = ctx.community.slug
        out = {}
        for e in self.rows(ctx.community).filter(pk__in=list(ids)).select_related("organization"):
            url = reverse("directory:event", args=[slug, e.uuid])
            when = _when(e)
            out[e.pk] = Candidate(
                key=f"{self.name}:{e.pk}",
                title=e.title,
                url=url,
                detail=f"{when} · {e.organization.name}" if e.organization else when,
                action=Action(_("See the event"), url),
            )
        return out


def _when(event: Event) -> str:
    local: datetime = timezone.localtime(event.starts_at)
    if event.freq:
        days = days_of(event.byday) or [local.weekday()]
        names = _(" and ").join(str(DAY_NAMES[d]) for d in days)
        if event.freq == "WEEKLY":
            return _("Every %(days)s") % {"days": names}
        return _("Monthly on %(days)s") % {"days": names}
    return date_format(local, "l j F")


def register_sources() -> None:
    register(
        ServiceSource(
            "services",
            Kind.SERVICE,
            (EntryKind.SERVICE.value, EntryKind.HUB.value, EntryKind.CARE_TECH.value),
        )
    )
    register(ServiceSource("groups", Kind.GROUP, (EntryKind.GROUP.value,)))
    register(EventSource())
