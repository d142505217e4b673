"""Times as people type them: "2pm", "14:00", "2.30pm", "2:30 pm", "noon".

Pure: no Django. :func:`time_parse` reads a time of day; the event form uses it,
and :func:`ginnel.directory.wording.clock` writes one back ("2pm", "2.30pm").
"""

from __future__ import annotations

import re
from datetime import time

_WORDS = {
    "noon": time(12),
    "midday": time(12),
    "12noon": time(12),
    "12midday": time(12),
    "midnight": time(0),
    "12midnight": time(0),
}
# An hour, optional minutes after ":" or ".", optional am/pm ("a.m.", "PM").
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$")
# "1430" or "0900": four digits, a 24-hour clock.
_COMPACT = re.compile(r"^(\d{2})(\d{2})$")


def time_parse(text: str) -> time | None:
    """The time of day written in ``text``, or None if it is not one.

    Without am or pm the hour is on the 24-hour clock ("14:00"; "9" is 9am);
    with it, the hour is 1 to 12 ("12am" is midnight, "12pm" noon).
    """
    cleaned = re.sub(r"\s+", "", text.strip().lower()).replace("a.m.", "am").replace("p.m.", "pm")
    cleaned = cleaned.removesuffix("hrs")  # "1430hrs"
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    compact = _COMPACT.match(cleaned)
    if compact:
        hour, minute = int(compact[1]), int(compact[2])
        return time(hour, minute) if hour < 24 and minute < 60 else None
    match = _TIME.match(cleaned)
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)
