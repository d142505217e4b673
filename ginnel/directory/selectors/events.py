"""Events: their occurrences in a week, the calendar, and clashes between organisations.

A recurring event is expanded with ``dateutil.rrule`` in local time, so a
group that meets at 10:00 every Tuesday still meets at 10:00 after the clocks
change. A week is an ISO week ("2026-W48": Monday to Sunday).

A *clash* is two or more events in the same week, run by different
organisations, whose themes overlap: they share a term, or one's term is the
parent of the other's ("Befriending" under "Loneliness"). Clashes on the same
day matter most, so they come first.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil import rrule
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ginnel.communities.models import Community
from ginnel.directory.models import Event, Freq, Organization, Service, TaxonomyTerm

_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{1,2})$", re.ASCII)
# The weeks a calendar shows, with room for the weeks before and after it links to:
# 9999-W52 (or 0001-W01) plus or minus a week is past the last (or first) date there is.
_YEARS = range(1900, 3000)
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_WEEKDAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}


def week_parse(text: str | None, *, today: date | None = None) -> date:
    """The Monday of an ISO week written "2026-W48"; this week when absent or not a week."""
    match = _WEEK.match((text or "").strip().upper())
    if match and int(match[1]) in _YEARS:
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def byday_parse(byday: str) -> list[rrule.weekday]:
    """iCal day codes ("MO,TH", "2TU", "-1FR") → dateutil weekdays; bad codes are skipped."""
    days = []
    for code in byday.replace(" ", "").upper().split(","):
        match = _BYDAY.match(code)
        if match:
            day = _WEEKDAYS[match[2]]
            days.append(day(int(match[1])) if match[1] else day)
    return days


def event_rule(event: Event) -> rrule.rrule | None:
    """The event's recurrence in naive local time (None for a one-off event)."""
    if not event.freq:
        return None
    start = timezone.localtime(event.starts_at).replace(tzinfo=None)
    until = datetime.combine(event.until, time.max) if event.until else None
    return rrule.rrule(
        rrule.WEEKLY if event.freq == Freq.WEEKLY else rrule.MONTHLY,
        dtstart=start,
        interval=event.interval or 1,
        byweekday=byday_parse(event.byday) or None,
        until=until,
    )


@dataclass(frozen=True)
class Occurrence:
    event: Event
    starts_at: datetime
    ends_at: datetime

    @property
    def day(self) -> date:
        return timezone.localdate(self.starts_at)

    @property
    def key(self) -> tuple[int, datetime]:
        return (self.event.pk, self.starts_at)

    @property
    def organization(self) -> Organization | None:
        event = self.event
        if event.organization is not None:
            return event.organization
        return event.service.organization if event.service is not None else None


def occurrences(event: Event, start: datetime, end: datetime) -> list[Occurrence]:
    """The event's occurrences that overlap [start, end) (aware datetimes)."""
    length = event.ends_at - event.starts_at
    rule = event_rule(event)
    if rule is None:
        if event.starts_at < end and event.ends_at > start:
            return [Occurrence(event, event.starts_at, event.ends_at)]
        return []
    zone = timezone.get_current_timezone()
    local_start = timezone.localtime(start).replace(tzinfo=None) - length
    local_end = timezone.localtime(end).replace(tzinfo=None)
    found = []
    for naive in rule.between(local_start, local_end, inc=True):
        begins = timezone.make_aware(naive, zone)
        ends = begins + length
        if begins < end and ends > start:
            found.append(Occurrence(event, begins, ends))
    return found


def events_in(
    *, community: Community, start: datetime, end: datetime, cancelled: bool = False
) -> QuerySet[Event]:
    """Events that may have an occurrence in [start, end): narrowed in SQL, exact in Python."""
    once = Q(freq="", ends_at__gt=start)
    repeats = ~Q(freq="") & (Q(until__isnull=True) | Q(until__gte=timezone.localdate(start)))
    found = Event.objects.filter(community=community, starts_at__lt=end).filter(once | repeats)
    if not cancelled:
        found = found.filter(cancelled_at__isnull=True)
    return found.select_related(
        "organization", "service__organization", "location"
    ).prefetch_related("themes")


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(monday, time.min), zone)
    end = timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min), zone)
    return start, end


def week_occurrences(*, community: Community, monday: date) -> list[Occurrence]:
    start, end = week_bounds(monday)
    found = [
        o
        for event in events_in(community=community, start=start, end=end)
        for o in occurrences(event, start, end)
    ]
    return sorted(found, key=lambda o: (o.starts_at, o.event.title, o.event.pk))


@dataclass
class Day:
    date: date
    occurrences: list[Occurrence] = field(default_factory=list)


def calendar_week(*, community: Community, monday: date) -> list[Day]:
    """Monday to Sunday, each with its occurrences in time order."""
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    for occurrence in week_occurrences(community=community, monday=monday):
        index = (occurrence.day - monday).days
        if 0 <= index < 7:
            days[index].occurrences.append(occurrence)
    return days


# Clashes -------------------------------------------------------------------------------------


@dataclass
class Clash:
    """Events about one theme, from several organisations, on one day (or in one week)."""

    term: TaxonomyTerm
    occurrences: list[Occurrence]
    day: date | None = None
    week_of: date | None = None

    @property
    def organisations(self) -> list[str]:
        names = []
        for occurrence in self.occurrences:
            org = occurrence.organization
            if org is not None and org.name not in names:
                names.append(org.name)
        return names

    @property
    def sentence(self) -> str:
        """ "3 events about befriending on Tuesday 1 December from Age UK, St Mary's and the
        Library"."""
        theme = self.term.name[:1].lower() + self.term.name[1:]
        said = {
            "count": len(self.occurrences),
            "theme": theme,
            "organisations": and_list(self.organisations),
        }
        count = len(self.occurrences)
        if self.day is not None:
            said["date"] = date_format(self.day, "l j F")
            return (
                ngettext(
                    "%(count)s event about %(theme)s on %(date)s from %(organisations)s",
                    "%(count)s events about %(theme)s on %(date)s from %(organisations)s",
                    count,
                )
                % said
            )
        if self.week_of is not None:
            said["date"] = date_format(self.week_of, "l j F")
            return (
                ngettext(
                    "%(count)s event about %(theme)s in the week of %(date)s "
                    "from %(organisations)s",
                    "%(count)s events about %(theme)s in the week of %(date)s "
                    "from %(organisations)s",
                    count,
                )
                % said
            )
        return (
            ngettext(
                "%(count)s event about %(theme)s this week from %(organisations)s",
                "%(count)s events about %(theme)s this week from %(organisations)s",
                count,
            )
            % said
        )


def and_list(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def clashes_find(
    found: Iterable[Occurrence], terms: dict[int, TaxonomyTerm], *, monday: date
) -> tuple[list[Clash], list[Clash]]:
    """Same-day clashes, then the other same-week clashes.

    Each occurrence counts towards its themes and their parents, so an event
    about "Befriending" and one about its parent "Loneliness" meet under
    "Loneliness" (but two events about sibling terms alone do not). A group
    needs two organisations; a group with the same events as another keeps the
    narrower term, and a group inside a larger one on the same day is left out.
    """
    by_day: dict[tuple[date, int], list[Occurrence]] = defaultdict(list)
    by_week: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in found:
        keys = set()
        for theme in occurrence.event.themes.all():
            keys.add(theme.pk)
            if theme.parent_id is not None:
                keys.add(theme.parent_id)
        for key in keys:
            by_day[(occurrence.day, key)].append(occurrence)
            by_week[key].append(occurrence)

    def direct(occurrence: Occurrence) -> set[int]:
        return {t.pk for t in occurrence.event.themes.all()}

    def several(group: list[Occurrence]) -> bool:
        return len({o.organization.pk for o in group if o.organization is not None}) >= 2

    def narrowest(groups: dict[int, list[Occurrence]]) -> list[tuple[int, list[Occurrence]]]:
        kept: dict[frozenset[tuple[int, datetime]], tuple[int, list[Occurrence]]] = {}
        for term_id, group in groups.items():
            # Under a parent term only with an event about the parent itself: two siblings
            # ("Befriending", "Lunch clubs") are not about the same thing.
            if not several(group) or not any(term_id in direct(o) for o in group):
                continue
            members = frozenset(o.key for o in group)
            other = kept.get(members)
            # The same events under a parent and a child term: say the child.
            if other is None or terms[term_id].parent_id == other[0]:
                kept[members] = (term_id, group)
        sets = list(kept)
        return [kept[s] for s in sets if not any(s < other for other in sets)]

    days: dict[date, dict[int, list[Occurrence]]] = defaultdict(dict)
    for (day, term_id), group in by_day.items():
        days[day][term_id] = group
    same_day = [
        Clash(term=terms[term_id], occurrences=group, day=day)
        for day in sorted(days)
        for term_id, group in sorted(
            narrowest(days[day]), key=lambda item: (-len(item[1]), terms[item[0]].name)
        )
    ]
    shown = {frozenset(o.key for o in c.occurrences) for c in same_day}
    same_week = [
        Clash(term=terms[term_id], occurrences=group, week_of=monday)
        for term_id, group in sorted(
            narrowest(by_week), key=lambda item: (-len(item[1]), terms[item[0]].name)
        )
        if frozenset(o.key for o in group) not in shown and len({o.day for o in group}) > 1
    ]
    return same_day, same_week


def clashes_for_week(*, community: Community, monday: date) -> tuple[list[Clash], list[Clash]]:
    found = week_occurrences(community=community, monday=monday)
    ids: set[int] = set()
    for occurrence in found:
        for theme in occurrence.event.themes.all():
            ids.add(theme.pk)
            if theme.parent_id is not None:
                ids.add(theme.parent_id)
    terms = TaxonomyTerm.objects.in_bulk(ids)
    return clashes_find(found, terms, monday=monday)


# Lists and feeds -----------------------------------------------------------------------------


def event_get(*, community: Community, event_uuid: uuid.UUID) -> Event | None:
    return (
        Event.objects.filter(community=community, uuid=event_uuid)
        .select_related("organization", "service__organization", "location", "created_by")
        .prefetch_related("themes")
        .first()
    )


def organization_events(*, organization: Organization) -> QuerySet[Event]:
    """The organisation's events that have not ended (cancelled ones included, marked)."""
    now = timezone.now()
    current = Q(freq="", ends_at__gte=now) | (
        ~Q(freq="") & (Q(until__isnull=True) | Q(until__gte=timezone.localdate()))
    )
    return (
        Event.objects.filter(organization=organization)
        .filter(current)
        .select_related("service", "location")
        .order_by("starts_at", "id")
    )


def feed_events(
    *,
    community: Community,
    organization: Organization | None = None,
    term: TaxonomyTerm | None = None,
) -> QuerySet[Event]:
    """Every event of a feed, cancelled ones too (so calendars drop them)."""
    found = Event.objects.filter(community=community)
    if organization is not None:
        found = found.filter(organization=organization)
    if term is not None:
        found = found.filter(Q(themes=term) | Q(themes__parent=term)).distinct()
    return (
        found.select_related("organization", "service", "location")
        .prefetch_related("location__addresses", "themes")
        .order_by("starts_at", "id")
    )


def service_events(*, service: Service) -> QuerySet[Event]:
    """The events a service or group runs that are still to come (for its page)."""
    now = timezone.now()
    return Event.objects.filter(
        community_id=service.community_id, service=service, cancelled_at__isnull=True
    ).filter(
        Q(freq="", ends_at__gte=now)
        | (~Q(freq="") & (Q(until__isnull=True) | Q(until__gte=timezone.localdate())))
    )[:10]
