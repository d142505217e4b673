"""Events as an iCalendar (RFC 5545) feed that calendar apps subscribe to.

Each event is one VEVENT with a stable UID (``<event uuid>@<host>``), so a
changed event replaces itself in the subscriber's calendar rather than
appearing twice; a recurring event carries its RRULE; a cancelled one stays
with ``STATUS:CANCELLED`` so calendars remove it. Times are local (with the
VTIMEZONE they need); the ``icalendar`` library does the escaping and folding.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from ginnel.directory.models import Event
from ginnel.directory.selectors.events import byday_parse
from ginnel.ui.urls_safe import safe_url

PRODID = "-//Ginnel//Community directory events//EN"


def event_uid(event: Event, host: str) -> str:
    return f"{event.uuid}@{host}"


def _rrule(event: Event) -> dict[str, object]:
    rule: dict[str, object] = {"FREQ": event.freq}
    if event.interval and event.interval > 1:
        rule["INTERVAL"] = event.interval
    codes = [c for c in event.byday.replace(" ", "").upper().split(",") if c]
    if codes and len(byday_parse(event.byday)) == len(codes):
        rule["BYDAY"] = codes
    if event.until is not None:
        # With a zoned DTSTART, UNTIL must be in UTC (RFC 5545 3.3.10): the end of that day.
        last = timezone.make_aware(datetime.combine(event.until, time.max.replace(microsecond=0)))
        rule["UNTIL"] = last.astimezone(UTC)
    return rule


def _where(event: Event) -> str:
    location = event.location
    if location is None:
        return safe_url(event.url) or ""  # online, or nowhere said
    addresses = list(location.addresses.all())
    parts = [location.name, *(str(a) for a in addresses[:1])]
    return ", ".join(p for p in parts if p)


def calendar_build(
    events: Iterable[Event], *, host: str, name: str, now: datetime | None = None
) -> bytes:
    """The feed's bytes (text/calendar; UTF-8, CRLF line ends)."""
    stamp = (now or timezone.now()).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    first: date | None = None
    for event in events:
        day = timezone.localdate(event.starts_at)
        first = day if first is None or day < first else first
        item = VEvent()
        item.add("uid", event_uid(event, host))
        item.add("dtstamp", stamp)
        item.add("last-modified", event.last_modified.astimezone(UTC))
        item.add("summary", event.title)
        item.add("dtstart", timezone.localtime(event.starts_at))
        item.add("dtend", timezone.localtime(event.ends_at))
        if event.description:
            item.add("description", event.description)
        where = _where(event)
        if where:
            item.add("location", where)
        if safe_url(event.url):
            item.add("url", safe_url(event.url))
        if event.location is not None and event.location.latitude is not None:
            item.add("geo", (event.location.latitude, event.location.longitude))
        organization = event.organization
        if organization is not None and organization.email:
            item.add(
                "organizer", f"mailto:{organization.email}", parameters={"cn": organization.name}
            )
        themes = [t.name for t in event.themes.all()]
        if themes:
            item.add("categories", themes)
        if event.freq:
            item.add("rrule", _rrule(event))
        item.add("status", "CANCELLED" if event.cancelled_at is not None else "CONFIRMED")
        item.add("sequence", max(event.version - 1, 0))
        calendar.add_component(item)
    # The zone's rules from a year before the first event (not since 1970): a shorter feed.
    if first is not None:
        calendar.add_missing_timezones(first_date=first - timedelta(days=366))
    body: bytes = calendar.to_ical()
    return body
