"""Read the week grid out of a listing's "when" text: pure, nothing from Django.

People write when they are free in their own words ("Weekday mornings",
"Thursday afternoons, weekends", "Evenings after 6"). :func:`week_grid` turns
that into the engine's 21-bit grid (:func:`ginnel.matching.engine.slot`: seven
days, three periods). Each part of the text between commas and semicolons is
read alone: the days it names (none: every day) at the periods it names (none:
all day), so "Mon and Wed evenings" is two evenings. Text it cannot read
gives 0, "unknown", which never adds to or takes from a score.
"""

from __future__ import annotations

import re

from ginnel.matching.engine import ALL_WEEK, slot

_DAYS = {
    "monday": (0,),
    "mon": (0,),
    "mondays": (0,),
    "tuesday": (1,),
    "tue": (1,),
    "tues": (1,),
    "tuesdays": (1,),
    "wednesday": (2,),
    "wed": (2,),
    "wednesdays": (2,),
    "thursday": (3,),
    "thu": (3,),
    "thur": (3,),
    "thurs": (3,),
    "thursdays": (3,),
    "friday": (4,),
    "fri": (4,),
    "fridays": (4,),
    "saturday": (5,),
    "sat": (5,),
    "saturdays": (5,),
    "sunday": (6,),
    "sun": (6,),
    "sundays": (6,),
    "weekday": (0, 1, 2, 3, 4),
    "weekdays": (0, 1, 2, 3, 4),
    "weekend": (5, 6),
    "weekends": (5, 6),
    "daily": (0, 1, 2, 3, 4, 5, 6),
    "everyday": (0, 1, 2, 3, 4, 5, 6),
}
_PERIODS = {
    "morning": (0,),
    "mornings": (0,),
    "afternoon": (1,),
    "afternoons": (1,),
    "lunchtime": (1,),
    "lunchtimes": (1,),
    "evening": (2,),
    "evenings": (2,),
    "night": (2,),
    "nights": (2,),
    "tonight": (2,),
    "daytime": (0, 1),
    "daytimes": (0, 1),
}
#: Phrases meaning "any time": the whole week.
_ANY = ("any time", "anytime", "most days", "every day", "any day", "flexible", "whenever")
_SPLIT = re.compile(r"[,;\n]")
_WORD = re.compile(r"[a-z]+|\d+")


def _hour_period(hour: int, pm: bool) -> int:
    if pm and hour < 12:
        hour += 12
    return 0 if hour < 12 else (1 if hour < 17 else 2)


def _clause(text: str) -> tuple[set[int], set[int], bool]:
    """(days, periods, whether anything was recognised) of one part of the text."""
    days: set[int] = set()
    periods: set[int] = set()
    found = any(phrase in text for phrase in _ANY)
    tokens = _WORD.findall(text)
    for i, token in enumerate(tokens):
        if token in _DAYS:
            days.update(_DAYS[token])
            found = True
        elif token in _PERIODS:
            periods.update(_PERIODS[token])
            found = True
        elif token.isdigit() and i > 0 and tokens[i - 1] in ("after", "from", "before", "until"):
            hour = int(token)
            if 1 <= hour <= 23:
                # "after 6" in everyday speech is the evening, not six in the morning.
                pm = hour < 8 or (i + 1 < len(tokens) and tokens[i + 1] == "pm")
                periods.add(_hour_period(hour, pm))
                found = True
    return days, periods, found


def week_grid(text: str) -> int:
    """The 21-bit week grid of a "when" text; 0 when nothing in it can be read."""
    grid = 0
    for part in _SPLIT.split(text.lower()):
        days, periods, found = _clause(part)
        if not found:
            continue
        if not days and not periods:
            return ALL_WEEK
        for day in sorted(days) or range(7):
            for period in sorted(periods) or range(3):
                grid |= slot(day, period)
    return grid
