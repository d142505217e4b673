"""Reading one value of a feed: text to a typed value, or a message saying what is wrong."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ginnel.directory.hsds.records import Kind

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_INT = re.compile(r"^[+-]?[0-9]{1,30}$", re.ASCII)
# Every whole-number column (ages, intervals) is a small positive integer in the database.
LARGEST_INT = 32767
_HEX32 = re.compile(r"[0-9a-fA-F]{32}\Z")

WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQS = ("WEEKLY", "MONTHLY")
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")


class BadValue(ValueError):
    """A value that cannot be read; the message says what was expected."""


def parse(kind: Kind, raw: Any) -> Any:
    """The typed value of ``raw`` (text from a CSV cell or a JSON value); None when blank."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None if kind is not Kind.TEXT else ""
    if kind is Kind.TEXT:
        if isinstance(raw, dict | list):
            raise BadValue("is not text")
        return str(raw).strip() if isinstance(raw, str) else str(raw)
    if kind is Kind.INT:
        return parse_int(raw)
    if kind is Kind.FLOAT:
        return parse_float(raw)
    if kind is Kind.DECIMAL:
        return parse_decimal(raw)
    if kind is Kind.DATE:
        return parse_date(raw)
    if kind is Kind.DATETIME:
        return parse_datetime(raw)
    return parse_time(raw)


def parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise BadValue(f"{raw!r} is not a whole number")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = str(raw).strip()
        if not _INT.match(text):
            raise BadValue(f"{text[:40]!r} is not a whole number")
        value = int(text)
    if not 0 <= value <= LARGEST_INT:
        shown = (
            str(value) if len(str(value)) <= 12 else f"{str(value)[:6]}… ({len(str(value))} digits)"
        )
        raise BadValue(f"{shown} is not a whole number from 0 to {LARGEST_INT}")
    return value


def parse_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise BadValue(f"{raw!r} is not a number")
    try:
        value = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
    except ValueError:
        raise BadValue(f"{str(raw).strip()!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadValue(f"{raw!r} is not a number")
    return value


def parse_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise BadValue(f"{raw!r} is not an amount")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise BadValue(f"{str(raw).strip()!r} is not an amount") from None
    if not value.is_finite():
        raise BadValue(f"{raw!r} is not an amount")
    return value


def parse_date(raw: Any) -> date:
    text = str(raw).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime(raw: Any) -> datetime:
    text = str(raw).strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"{text!r} is not a date and time (ISO 8601)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def parse_time(raw: Any) -> time:
    text = str(raw).strip()
    match = _TIME.match(text)
    if not match:
        raise BadValue(f"{text!r} is not a time (HH:MM)")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise BadValue(f"{text!r} is not a time (HH:MM)")
    return time(hour, minute, second)


def is_uuid(text: str) -> bool:
    """32 hex digits, with or without hyphens (what ``uuid.UUID`` reads, braces aside)."""
    return _HEX32.match(text.replace("-", "")) is not None


def day_code(raw: Any) -> str:
    """An iCal day code ("MO") from a weekday name, a code, or a number (1 = Monday)."""
    text = str(raw).strip()
    if text.upper()[:2] in DAY_CODES and (len(text) == 2 or text.lower() in WEEKDAYS):
        return text.upper()[:2]
    if text.lower() in WEEKDAYS:
        return WEEKDAYS[text.lower()]
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 7:
        return DAY_CODES[int(text) - 1]
    raise BadValue(f"{text!r} is not a day of the week")


def check_choice(fld: str, value: Any) -> str | None:
    """What is wrong with an enumerated field's value, or None (and normalise nothing)."""
    if not value:
        return None
    if fld == "status" and value not in STATUSES:
        return f"{value!r} is not a status ({', '.join(STATUSES)})"
    if fld == "location_type" and value not in LOCATION_TYPES:
        return f"{value!r} is not a location type ({', '.join(LOCATION_TYPES)})"
    if fld == "address_type" and value not in LOCATION_TYPES:
        return f"{value!r} is not an address type ({', '.join(LOCATION_TYPES)})"
    if fld == "freq" and value not in FREQS:
        return f"{value!r} is not a frequency we keep ({', '.join(FREQS)})"
    if fld == "byday":
        for part in str(value).split(","):
            code = part.strip().lstrip("+-0123456789")
            if code not in DAY_CODES:
                return f"{part.strip()!r} is not a day code (MO … SU, 2TH)"
    return None
