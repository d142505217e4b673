"""Directory values in plain words: "Thursdays 10am to 12 noon", "0.8 miles", "£4.50 a week".

Used by the search and service pages; pure functions of the rows' values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from decimal import Decimal
from typing import Protocol

from ginnel.directory.hsds.values import DAY_CODES
from ginnel.directory.postcodes import METRES_PER_MILE

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
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
    """10am, 1:30pm, 12 noon, 12 midnight (GOV.UK style)."""
    if value.hour == 12 and value.minute == 0:
        return "12 noon"
    if value.hour == 0 and value.minute == 0:
        return "12 midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def hours(opens: time | None, closes: time | None) -> str:
    if opens and closes:
        return f"{clock(opens)} to {clock(closes)}"
    if opens:
        return f"from {clock(opens)}"
    if closes:
        return f"until {clock(closes)}"
    return ""


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _days(numbers: list[int], *, plural: bool) -> str:
    """Mondays to Fridays; Tuesdays and Thursdays; every day."""
    numbers = sorted(set(numbers))
    if numbers == list(range(7)):
        return "Every day"
    names = [DAY_NAMES[n] + ("s" if plural else "") for n in numbers]
    if len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{names[0]} to {names[-1]}"
    return _join(names)


def _ordinal_day(ordinal: int, day: int) -> str:
    return f"the {_ORDINALS.get(ordinal, f'{ordinal}th')} {DAY_NAMES[day]} of the month"


def _month_days(days: str) -> str:
    """ "1,15" -> "the 1st and 15th of each month"; "-1" -> "the last day of the month"."""
    said = []
    for day in (d.strip() for d in days.split(",")):
        if not re.fullmatch(r"-?\d{1,2}", day):
            continue
        number = int(day)
        if number == -1:
            said.append("last day")
        elif number > 0:
            teen = 10 <= number % 100 <= 20
            suffix = "th" if teen else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
            said.append(f"{number}{suffix}")
    return f"the {_join(said)} of each month" if said else ""


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
            monthly.append(_ordinal_day(int(found.group(1)), day))
        else:
            weekly.append(day)
    span = hours(schedule.opens_at, schedule.closes_at)
    if schedule.freq == "MONTHLY" and (monthly or weekly or schedule.bymonthday):
        if monthly:
            days = _join(monthly)
        elif weekly:
            days = f"one {_days(weekly, plural=False)} a month"
        else:
            days = _month_days(schedule.bymonthday)
        text = days[0].upper() + days[1:] if days else ""
    elif weekly:
        every = schedule.interval or 1
        if every == 2:
            text = f"Every other {_days(weekly, plural=False)}"
        elif every > 2:
            text = f"Every {every} weeks on {_days(weekly, plural=False)}"
        else:
            text = _days(weekly, plural=True)
    elif schedule.description:
        return schedule.description
    else:
        return span[0].upper() + span[1:] if span else ""
    return " ".join(p for p in (text, span) if p)


def whens(schedules: Iterable[ScheduleLike]) -> list[str]:
    """Each schedule in plain words, without repeats (blank ones left out)."""
    return list(dict.fromkeys(w for w in (when(s) for s in schedules) if w))


def miles(metres: float) -> str:
    """A distance as people say it: "0.8 miles", "1 mile", "less than 0.1 miles"."""
    value = metres / METRES_PER_MILE
    if value < 0.05:
        return "less than 0.1 miles"
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    shown = shown.removesuffix(".0")
    return f"{shown} mile" if shown == "1" else f"{shown} miles"


def money(amount: Decimal, currency: str = "GBP") -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency or "GBP", f"{currency} ")
    if amount == amount.to_integral_value():
        return f"{symbol}{amount:.0f}"
    return f"{symbol}{amount:.2f}"


def ages(minimum: int | None, maximum: int | None) -> str:
    """Who it is for by age, or "" when anyone is."""
    if minimum is not None and maximum is not None:
        return f"Ages {minimum} to {maximum}"
    if minimum is not None:
        return f"Aged {minimum} and over"
    if maximum is not None:
        return f"Aged {maximum} and under"
    return ""


def tel(number: str) -> str:
    """A phone number as a tel: link's target: digits and a leading +."""
    cleaned = re.sub(r"[^\d+]", "", number)
    return f"tel:{cleaned}"
