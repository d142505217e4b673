"""Directory values in plain words: "Thursdays 10am to 12 noon", "0.8 miles", "£4.50 a week".

Used by the search and service pages; pure functions of the rows' values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from ginnel.directory.hsds.values import DAY_CODES
from ginnel.directory.postcodes import METRES_PER_MILE

DAY_NAMES: tuple[Promise, ...] = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
_DAY_PLURALS: tuple[Promise, ...] = (
    gettext_lazy("Mondays"),
    gettext_lazy("Tuesdays"),
    gettext_lazy("Wednesdays"),
    gettext_lazy("Thursdays"),
    gettext_lazy("Fridays"),
    gettext_lazy("Saturdays"),
    gettext_lazy("Sundays"),
)
ORDINALS: dict[int, Promise] = {
    1: pgettext_lazy("the first Tuesday of the month", "first"),
    2: pgettext_lazy("the second Tuesday of the month", "second"),
    3: pgettext_lazy("the third Tuesday of the month", "third"),
    4: pgettext_lazy("the fourth Tuesday of the month", "fourth"),
    5: pgettext_lazy("the fifth Tuesday of the month", "fifth"),
    -1: pgettext_lazy("the last Tuesday of the month", "last"),
}
_BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


class ScheduleLike(Protocol):
    freq: str
    interval: int | None
    byday: str
    bymonthday: str
    opens_at: time | None
    closes_at: time | None
    description: str


def clock(value: time) -> str:
    """10am, 2pm, 2.30pm, 12 noon, 12 midnight: how people write times."""
    if value.hour == 12 and value.minute == 0:
        return _("12 noon")
    if value.hour == 0 and value.minute == 0:
        return _("12 midnight")
    hour = value.hour % 12 or 12
    if value.minute == 0:
        if value.hour < 12:
            return _("%(hour)sam") % {"hour": hour}
        return _("%(hour)spm") % {"hour": hour}
    if value.hour < 12:
        return _("%(hour)s.%(minute)02dam") % {"hour": hour, "minute": value.minute}
    return _("%(hour)s.%(minute)02dpm") % {"hour": hour, "minute": value.minute}


def hours(opens: time | None, closes: time | None) -> str:
    if opens and closes:
        return _("%(opens)s to %(closes)s") % {"opens": clock(opens), "closes": clock(closes)}
    if opens:
        return _("from %(opens)s") % {"opens": clock(opens)}
    if closes:
        return _("until %(closes)s") % {"closes": clock(closes)}
    return ""


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _days(numbers: list[int], *, plural: bool) -> str:
    """Mondays to Fridays; Tuesdays and Thursdays; every day."""
    numbers = sorted(set(numbers))
    if numbers == list(range(7)):
        return _("Every day")
    names = [str((_DAY_PLURALS if plural else DAY_NAMES)[n]) for n in numbers]
    if len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return _("%(first)s to %(last)s") % {"first": names[0], "last": names[-1]}
    return _join(names)


def ordinal_day(ordinal: int, day: int) -> str:
    """ "the second Tuesday of the month" (ordinal 1–5, or -1 for the last)."""
    said = ORDINALS.get(ordinal)
    return _("the %(ordinal)s %(day)s of the month") % {
        "ordinal": said if said is not None else _("%(n)sth") % {"n": ordinal},
        "day": DAY_NAMES[day],
    }


def _month_days(days: str) -> str:
    """ "1,15" -> "the 1st and 15th of each month"; "-1" -> "the last day of the month"."""
    said = []
    for day in (d.strip() for d in days.split(",")):
        if not re.fullmatch(r"-?\d{1,2}", day):
            continue
        number = int(day)
        if number == -1:
            said.append(_("last day"))
        elif number > 0:
            teen = 10 <= number % 100 <= 20
            suffix = "th" if teen else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
            said.append(f"{number}{suffix}")
    return _("the %(days)s of each month") % {"days": _join(said)} if said else ""


def when(schedule: ScheduleLike) -> str:
    """One schedule in plain words, e.g. "Thursdays 10am to 12 noon"."""
    parts = [p.strip().upper() for p in schedule.byday.split(",") if p.strip()]
    weekly: list[int] = []
    monthly: list[str] = []
    for part in parts:
        found = _BYDAY.match(part)
        if found is None:
            continue
        day = DAY_CODES.index(found.group(2))
        if found.group(1) and schedule.freq == "MONTHLY":
            monthly.append(ordinal_day(int(found.group(1)), day))
        else:
            weekly.append(day)
    span = hours(schedule.opens_at, schedule.closes_at)
    if schedule.freq == "MONTHLY" and (monthly or weekly or schedule.bymonthday):
        if monthly:
            days = _join(monthly)
        elif weekly:
            days = _("one %(day)s a month") % {"day": _days(weekly, plural=False)}
        else:
            days = _month_days(schedule.bymonthday)
        text = days[0].upper() + days[1:] if days else ""
    elif weekly:
        every = schedule.interval or 1
        if every == 2:
            text = _("Every other %(days)s") % {"days": _days(weekly, plural=False)}
        elif every > 2:
            text = _("Every %(count)s weeks on %(days)s") % {
                "count": every,
                "days": _days(weekly, plural=False),
            }
        else:
            text = _days(weekly, plural=True)
    elif schedule.description:
        return schedule.description
    else:
        return span[0].upper() + span[1:] if span else ""
    if text and span:
        return _("%(days)s %(hours)s") % {"days": text, "hours": span}
    return text or span


def whens(schedules: Iterable[ScheduleLike]) -> list[str]:
    """Each schedule in plain words, without repeats (blank ones left out)."""
    return list(dict.fromkeys(w for w in (when(s) for s in schedules) if w))


def miles(metres: float) -> str:
    """A distance as people say it: "0.8 miles", "1 mile", "less than 0.1 miles"."""
    value = metres / METRES_PER_MILE
    if value < 0.05:
        return _("less than 0.1 miles")
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    shown = shown.removesuffix(".0")
    return ngettext("%(miles)s mile", "%(miles)s miles", 1 if shown == "1" else 2) % {
        "miles": shown
    }


def money(amount: Decimal, currency: str = "GBP") -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency or "GBP", f"{currency} ")
    if amount == amount.to_integral_value():
        return f"{symbol}{amount:.0f}"
    return f"{symbol}{amount:.2f}"


def ages(minimum: int | None, maximum: int | None) -> str:
    """Who it is for by age, or "" when anyone is."""
    if minimum is not None and maximum is not None:
        return _("Ages %(minimum)s to %(maximum)s") % {"minimum": minimum, "maximum": maximum}
    if minimum is not None:
        return _("Aged %(minimum)s and over") % {"minimum": minimum}
    if maximum is not None:
        return _("Aged %(maximum)s and under") % {"maximum": maximum}
    return ""


def tel(number: str) -> str:
    """A phone number as a tel: link's target: digits and a leading +."""
    cleaned = re.sub(r"[^\d+]", "", number)
    return f"tel:{cleaned}"


@dataclass
class _Repeat:
    """An event's recurrence in the shape of a schedule, for :func:`when`."""

    freq: str
    interval: int | None
    byday: str
    bymonthday: str = ""
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""


def repeats(*, freq: str, interval: int, byday: str, weekday: int) -> str:
    """How an event repeats: "Tuesdays", "Every other Monday", "The first Tuesday of the
    month" ("" for a one-off event). ``weekday`` is its first date's, for a rule without days."""
    if not freq:
        return ""
    if not byday:
        byday = DAY_CODES[weekday]
    if freq == "MONTHLY" and interval and interval > 1:
        said = when(_Repeat(freq, 1, byday))
        return _("%(days)s, every %(count)s months") % {"days": said, "count": interval}
    return when(_Repeat(freq, interval, byday))
