"""Searching a community's directory: by need, text, place, time, cost and age.

The search pages and the ORUK API both describe a search as a
:class:`SearchQuery` and call :func:`services_search` (one result a service)
or :func:`service_at_locations_search` (one result a service at a location).
Only active services are found. Every filter is SQL on indexed or cached
columns; Python only touches the candidates inside a proximity box and the
page it returns, so the number of queries is fixed whatever the size of the
directory:

- text: every word must appear in ``Service.search_text`` (lower case);
- taxonomy terms: a service linked to any of the terms or to any of their
  descendants; a taxonomy: to any term of it;
- place: a box of latitude and longitude around the point first (indexed),
  then the exact great-circle distance; nearest first;
- schedules: a service is open on a day and time when one of its schedules —
  on the service, on one of its service-at-locations or on one of its
  locations — names that weekday in ``byday`` (weekly, or monthly with an
  ordinal such as "2TH", which counts as that weekday), its hours overlap the
  asked times, and it is in force (``valid_from``–``valid_to``) on that date:
  the date asked, or the next such weekday from today.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar

from django.db import connection
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import CombinedExpression, RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Community
from ginnel.directory import search_index
from ginnel.directory.hsds.values import DAY_CODES
from ginnel.directory.models import (
    Attribute,
    Kind,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceOpening,
    ServiceStatus,
    TaxonomyTerm,
)
from ginnel.directory.postcodes import bounding_box, haversine_m
from ginnel.errors import GinnelError

MAX_PER_PAGE = 200
# The API's day names are English whatever the reader's language (parameters are data).
_ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS: dict[str, int] = {}
for _number, (_code, _name) in enumerate(zip(DAY_CODES, _ENGLISH_DAYS, strict=True)):
    _DAYS.update({_code.lower(): _number, _name.lower(): _number, _name[:3].lower(): _number})
    _DAYS[str(_number)] = _number


def parse_day(value: int | str) -> int:
    """A weekday (0 = Monday) from 0–6, "MO", "Mon", "Monday" (any case)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    found = _DAYS.get(str(value).strip().lower())
    if found is None:
        raise GinnelError(
            _("“%(value)s” is not a day of the week. Use a name such as Monday.")
            % {"value": value},
            field="day",
        )
    return found


def words(text: str) -> list[str]:
    """The words of a text search, lower case, each at most once."""
    return list(dict.fromkeys(re.findall(r"\w+", text.lower())))


@dataclass(frozen=True)
class SearchQuery:
    """What a person is looking for. Every field is optional; they all have to hold.

    ``day`` is 0 (Monday)–6 or a day name; ``on_date`` a date (its weekday is the day);
    ``open_at`` a moment ("open now"); ``start_time``/``end_time`` a span of the day
    that must overlap the opening hours (``times_within``: the opening hours must lie
    inside it, as the ORUK API's ``start_time``/``end_time`` say).
    ``age`` is a person's age (the service's minimum–maximum must allow it);
    ``minimum_age``/``maximum_age`` are the ORUK filters (a service's minimum age at
    least, its maximum age at most, the value).
    """

    text: str = ""
    taxonomy_terms: tuple[uuid.UUID, ...] = ()
    taxonomy: uuid.UUID | None = None
    kinds: tuple[str, ...] = ()
    near: tuple[float, float] | None = None
    within_metres: float | None = None
    day: int | str | None = None
    on_date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    times_within: bool = False
    open_at: datetime | None = None
    free_only: bool = False
    age: int | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    modified_after: datetime | None = None
    page: int = 1
    per_page: int = 20
    # The weekday as a number once checked (0 = Monday); set from ``day``.
    weekday: int | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        if self.day is not None and self.day != "":
            object.__setattr__(self, "weekday", parse_day(self.day))
        if self.page < 1:
            raise GinnelError(_("The page number must be 1 or more."), field="page")
        if self.per_page < 1:
            raise GinnelError(_("The page size must be 1 or more."), field="per_page")
        object.__setattr__(self, "per_page", min(self.per_page, MAX_PER_PAGE))
        if self.within_metres is not None:
            if self.near is None:
                raise GinnelError(_("A distance needs a place to measure from."), field="near")
            if not self.within_metres > 0:
                raise GinnelError(_("The distance must be more than 0."), field="within_metres")
        for kind in self.kinds:
            if kind not in Kind.values:
                raise GinnelError(
                    _("“%(kind)s” is not a kind of entry.") % {"kind": kind}, field="kinds"
                )
        if self.start_time and self.end_time and self.start_time > self.end_time:
            raise GinnelError(_("The end time must be after the start time."), field="end_time")
        for name in ("age", "minimum_age", "maximum_age"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise GinnelError(_("An age cannot be less than 0."), field=name)

    @property
    def has_schedule_filter(self) -> bool:
        return (
            self.weekday is not None
            or self.on_date is not None
            or self.open_at is not None
            or self.start_time is not None
            or self.end_time is not None
        )


T = TypeVar("T")


@dataclass(frozen=True)
class Hit(Generic[T]):
    """One result, with its distance in metres from the asked place (when asked and known)."""

    item: T
    distance_m: float | None = None


@dataclass(frozen=True)
class ResultPage(Generic[T]):
    """A page of results and the arithmetic around it."""

    hits: list[Hit[T]]
    total: int
    page: int
    per_page: int

    @property
    def items(self) -> list[T]:
        return [hit.item for hit in self.hits]

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.per_page)

    @property
    def is_first(self) -> bool:
        return self.page == 1

    @property
    def is_last(self) -> bool:
        return self.page >= self.total_pages

    @property
    def empty(self) -> bool:
        return self.total == 0

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


# Filters --------------------------------------------------------------------------------------


def _term_ids(community: Community, uuids: tuple[uuid.UUID, ...]) -> list[int]:
    """The terms with these uuids and all their descendants (one query: the community's terms)."""
    rows = TaxonomyTerm.objects.filter(community=community).values_list("id", "parent_id", "uuid")
    children: dict[int | None, list[int]] = defaultdict(list)
    found: list[int] = []
    wanted = set(uuids)
    for pk, parent_id, term_uuid in rows:
        children[parent_id].append(pk)
        if term_uuid in wanted:
            found.append(pk)
    seen: set[int] = set()
    stack = found
    while stack:
        pk = stack.pop()
        if pk not in seen:
            seen.add(pk)
            stack.extend(children[pk])
    return sorted(seen)


def _text_q(text: str, prefix: str) -> Q:
    """Every word in the service's search text: through the text index where there is one
    (see ``ginnel.directory.search_index``), ``LIKE`` for the rest."""
    found = words(text)
    indexed = [w for w in found if len(w) >= 3] if search_index.fts_ready(connection) else []
    where = Q()
    if indexed:
        match = " AND ".join(f'"{w}"' for w in indexed)
        rows = RawSQL(search_index.MATCH_SQL, [match])  # noqa: S611 (constant SQL, a parameter)
        where &= Q(**{f"{prefix}id__in": rows})
    for word in found:
        if word not in indexed:
            where &= Q(**{f"{prefix}search_text__contains": word})
    return where


def _service_q(
    community: Community, query: SearchQuery, prefix: str = "", *, few: bool = False
) -> Q:
    """Active services that pass every filter except place and schedules, as a condition on
    the service (``prefix`` "service__" puts it on a service at a location's service: a join
    the database can drive from another index, such as the place's). ``few``: the services
    are already narrowed to a handful, so look up each one's terms (``EXISTS`` on the
    attribute's link index) rather than list every service with the terms."""

    def on(**conditions: object) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in conditions.items()})

    where = on(status=ServiceStatus.ACTIVE)
    where &= _text_q(query.text, prefix)
    if query.kinds:
        where &= on(kind__in=query.kinds)
    if query.free_only:
        where &= on(free=True)
    links = Attribute.objects.filter(community=community, link_type="service")
    if few and not prefix:
        links = links.filter(link_id=OuterRef("uuid"))
    if query.taxonomy_terms:
        term_ids = _term_ids(community, query.taxonomy_terms)
        with_terms = links.filter(taxonomy_term_id__in=term_ids)
        if few and not prefix:
            where &= Q(Exists(with_terms))
        else:
            where &= on(uuid__in=with_terms.values("link_id"))
    if query.taxonomy is not None:
        in_taxonomy = links.filter(taxonomy_term__taxonomy__uuid=query.taxonomy)
        if few and not prefix:
            where &= Q(Exists(in_taxonomy))
        else:
            where &= on(uuid__in=in_taxonomy.values("link_id"))
    if query.age is not None:
        where &= on(minimum_age__isnull=True) | on(minimum_age__lte=query.age)
        where &= on(maximum_age__isnull=True) | on(maximum_age__gte=query.age)
    if query.minimum_age is not None:
        at_least = on(minimum_age__gte=query.minimum_age)
        where &= at_least | on(minimum_age__isnull=True) if query.minimum_age <= 0 else at_least
    if query.maximum_age is not None:
        where &= on(maximum_age__lte=query.maximum_age)
    if query.modified_after is not None:
        where &= on(last_modified__gte=query.modified_after)
    return where


def _next(weekday: int, today: date) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _in_force(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def _when(query: SearchQuery) -> tuple[int | None, Q]:
    """The asked weekday (if any), and a condition on the hours and validity of a schedule
    (or of a :class:`ServiceOpening`, which has the same columns) that says "open" then."""
    weekday = query.weekday
    on = query.on_date
    start, end = query.start_time, query.end_time
    at: time | None = None
    if query.open_at is not None:
        local = timezone.localtime(query.open_at)
        on, weekday, at = local.date(), local.weekday(), local.time().replace(microsecond=0)
    if on is not None and weekday is None:
        weekday = on.weekday()
    today = timezone.localdate()
    if on is None and weekday is not None:
        on = _next(weekday, today)

    where = Q()
    if on is not None:
        where &= _in_force(on)
    else:
        where &= Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    # Closing before opening means closing after midnight: open until the end of the day.
    overnight = Q(closes_at__lt=F("opens_at"))
    if at is not None:
        where &= Q(opens_at__isnull=True) | Q(opens_at__lte=at)
        where &= Q(closes_at__isnull=True) | Q(closes_at__gt=at) | overnight
    elif query.times_within:
        if start is not None:
            where &= Q(opens_at__gte=start)
        if end is not None:
            where &= Q(closes_at__lte=end, opens_at__lte=F("closes_at"))
    else:
        if end is not None:
            where &= Q(opens_at__isnull=True) | Q(opens_at__lt=end)
        if start is not None:
            where &= Q(closes_at__isnull=True) | Q(closes_at__gt=start) | overnight
    return weekday, where


def _schedules(community: Community, query: SearchQuery) -> QuerySet[Schedule]:
    """The schedules that say "open" for the asked day and times."""
    weekday, when = _when(query)
    schedules = Schedule.objects.filter(when, community=community)
    if weekday is not None:
        schedules = schedules.filter(byday__icontains=DAY_CODES[weekday])
    return schedules


def _open_services(community: Community, query: SearchQuery, *, few: bool = False) -> Q:
    """Services open then, from their openings (kept by ``services_refresh`` from the
    schedules on the service, its services at a location and its locations): one
    indexed look-up (community, weekday, opening time) rather than three scans of every
    schedule's ``byday`` text."""
    weekday, when = _when(query)
    openings = ServiceOpening.objects.filter(when, community=community)
    if weekday is not None:
        openings = openings.filter(weekday=weekday)
    if few:  # a handful of services: look up each one's openings
        return Q(Exists(openings.filter(service_id=OuterRef("pk"))))
    return Q(pk__in=openings.values("service_id"))


def _open_service_at_locations(community: Community, query: SearchQuery) -> Q:
    schedules = _schedules(community, query)
    return (
        Q(service_id__in=schedules.values("service_id"))
        | Q(pk__in=schedules.values("service_at_location_id"))
        | Q(location_id__in=schedules.values("location_id"))
    )


# Place ----------------------------------------------------------------------------------------


def _squared_degrees(
    lat_field: str, lon_field: str, near: tuple[float, float]
) -> ExpressionWrapper[CombinedExpression]:
    """A value that orders points by distance from ``near`` (a flat-Earth approximation,
    plain arithmetic so every database indexes and computes it alike)."""
    lat0, lon0 = near
    k = math.cos(math.radians(lat0))
    dlat = F(lat_field) - Value(lat0)
    dlon = (F(lon_field) - Value(lon0)) * Value(k)
    return ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())


def _box(community: Community, near: tuple[float, float], metres: float) -> Q:
    """Locations inside a box around ``near`` (the location index: community, latitude…)."""
    prefix = "location__"
    south, north, west, east = bounding_box(near[0], near[1], metres)
    return Q(
        **{
            f"{prefix}community": community,
            f"{prefix}latitude__gte": south,
            f"{prefix}latitude__lte": north,
            f"{prefix}longitude__gte": west,
            f"{prefix}longitude__lte": east,
        }
    )


def _distance(near: tuple[float, float], lat: float | None, lon: float | None) -> float | None:
    if lat is None or lon is None:
        return None
    return haversine_m(near[0], near[1], lat, lon)


# Searches -------------------------------------------------------------------------------------


def _page_slice(query: SearchQuery) -> slice:
    start = (query.page - 1) * query.per_page
    return slice(start, start + query.per_page)


def _with_places(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.select_related("organization__parent_organization").prefetch_related(
        "at_locations__location"
    )


def _page_by_name(services: QuerySet[Service], query: SearchQuery) -> list[tuple[int, int]]:
    """The page's service ids in name order, each with the number of matches.

    One pass of the filters on the service's own columns, kept aside (a materialised
    ``WITH``), then counted and sorted: a window count under ``LIMIT`` would do the same
    in one statement, but PostgreSQL (15) costs it as if the limit cut the count short and
    picks a plan that sorts every service by name first."""
    matching, params = services.order_by().values_list("id", "name").query.sql_with_params()
    sql = (
        f"WITH matching (id, name) AS MATERIALIZED ({matching}) "  # noqa: S608 (compiled ORM SQL)
        "SELECT id, (SELECT COUNT(*) FROM matching) FROM matching "
        "ORDER BY name, id LIMIT %s OFFSET %s"
    )
    offset = (query.page - 1) * query.per_page
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, query.per_page, offset])
        return [(int(pk), int(total)) for pk, total in cursor.fetchall()]


def _services_within(
    community: Community,
    query: SearchQuery,
    near: tuple[float, float],
    within: float,
    window: slice,
) -> ResultPage[Service]:
    """Services within ``within`` metres of ``near``, nearest first (distance: to the
    service's nearest location). First the places inside a box around the point (the
    location index: a few hundred at most), their exact distances in Python; then the other
    filters on only those services, each looked up by key."""
    points = ServiceAtLocation.objects.filter(
        _box(community, near, within),
        community=community,
        service__status=ServiceStatus.ACTIVE,
    )
    coordinates = points.order_by().values_list(
        "service_id", "service__name", "location__latitude", "location__longitude"
    )
    nearest: dict[int, tuple[float, str]] = {}
    for service_id, name, lat, lon in coordinates:
        metres = _distance(near, lat, lon)
        if metres is None or metres > within:
            continue
        if service_id not in nearest or metres < nearest[service_id][0]:
            nearest[service_id] = (metres, name)
    if nearest:
        candidates = Service.objects.filter(_service_q(community, query, few=True))
        if query.has_schedule_filter:
            candidates = candidates.filter(_open_services(community, query, few=True))
        ids = list(nearest)
        passing: set[int] = set()
        for start in range(0, len(ids), 2000):  # in batches: a wide circle has thousands
            batch = candidates.filter(pk__in=ids[start : start + 2000])
            passing.update(batch.values_list("pk", flat=True))
        nearest = {pk: found for pk, found in nearest.items() if pk in passing}
    ranked = sorted(nearest.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
    chosen = ranked[window]
    chosen_rows = _with_places(Service.objects.filter(pk__in=[pk for pk, _ in chosen]))
    by_pk = {s.pk: s for s in chosen_rows}
    hits = [Hit(by_pk[pk], metres) for pk, (metres, _) in chosen]
    return ResultPage(hits, len(ranked), query.page, query.per_page)


def services_search(*, community: Community, query: SearchQuery) -> ResultPage[Service]:
    """A page of active services matching ``query``: nearest first when ``near`` is given
    (distance: to the service's nearest location), else by name.

    The services come with their organisation, and their locations prefetched.
    """
    window = _page_slice(query)
    if query.near is not None and query.within_metres is not None:
        return _services_within(community, query, query.near, query.within_metres, window)

    services = Service.objects.filter(_service_q(community, query), community=community)
    if query.has_schedule_filter:
        services = services.filter(_open_services(community, query))
    loaded = _with_places(services)

    if query.near is None:
        page_rows = _page_by_name(services, query)
        # Past the last page (or nothing found) there is no row to carry the count.
        total = page_rows[0][1] if page_rows else 0 if query.page == 1 else services.count()
        ids = [pk for pk, _ in page_rows]
        by_pk = {s.pk: s for s in _with_places(Service.objects.filter(pk__in=ids))}
        return ResultPage([Hit(by_pk[pk]) for pk in ids], total, query.page, query.per_page)

    near = query.near
    total = services.count()
    order = _squared_degrees(
        "at_locations__location__latitude", "at_locations__location__longitude", near
    )
    rows = list(
        loaded.annotate(closeness=Min(order)).order_by(
            F("closeness").asc(nulls_last=True), "name", "id"
        )[window]
    )
    hits: list[Hit[Service]] = []
    for service in rows:
        distances = [
            d
            for sal in service.at_locations.all()
            if (d := _distance(near, sal.location.latitude, sal.location.longitude)) is not None
        ]
        hits.append(Hit(service, min(distances) if distances else None))
    return ResultPage(hits, total, query.page, query.per_page)


def service_at_locations_search(
    *, community: Community, query: SearchQuery
) -> ResultPage[ServiceAtLocation]:
    """A page of services at locations matching ``query`` (their service active):
    nearest first when ``near`` is given, else by service and location name.

    Each comes with its location and its service and the service's organisation.
    """
    found = ServiceAtLocation.objects.filter(
        _service_q(community, query, "service__"), community=community
    )
    if query.has_schedule_filter:
        found = found.filter(_open_service_at_locations(community, query))
    loaded = found.select_related("location", "service__organization__parent_organization")
    window = _page_slice(query)

    if query.near is None:
        total = found.count()
        rows = list(loaded.order_by("service__name", "location__name", "id")[window])
        return ResultPage([Hit(r) for r in rows], total, query.page, query.per_page)

    near = query.near
    if query.within_metres is not None:
        within = query.within_metres
        points = (
            found.filter(_box(community, near, within))
            .order_by()
            .values_list("pk", "service__name", "location__latitude", "location__longitude")
        )
        inside = []
        for pk, name, lat, lon in points:
            metres = _distance(near, lat, lon)
            if metres is not None and metres <= within:
                inside.append((metres, name, pk))
        inside.sort()
        chosen = inside[window]
        chosen_rows = ServiceAtLocation.objects.filter(pk__in=[pk for _, _, pk in chosen])
        by_pk = {
            r.pk: r
            for r in chosen_rows.select_related(
                "location", "service__organization__parent_organization"
            )
        }
        hits = [Hit(by_pk[pk], metres) for metres, _, pk in chosen]
        return ResultPage(hits, len(inside), query.page, query.per_page)

    total = found.count()
    order = _squared_degrees("location__latitude", "location__longitude", near)
    rows = list(
        loaded.annotate(closeness=order).order_by(
            F("closeness").asc(nulls_last=True), "service__name", "id"
        )[window]
    )
    hits = [Hit(r, _distance(near, r.location.latitude, r.location.longitude)) for r in rows]
    return ResultPage(hits, total, query.page, query.per_page)
