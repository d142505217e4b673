"""UK postcodes and distances: pure helpers, and one lookup in the Postcode table.

Postcodes are stored upper case without spaces ("HX78AA"); people write them
any way ("hx7 8aa", "HX7  8AA"). Distances are great-circle (haversine) on a
sphere of the Earth's mean radius, in metres: within 0.5% of the true
distance, plenty for "within 2 miles".
"""

from __future__ import annotations

import math
import re

from ginnel.directory.models import Postcode
from ginnel.errors import GinnelError

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_MILE = 1609.344
# Metres in one degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180

# The shape of a full UK postcode (outward code, then a digit and two letters), and GIR 0AA.
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")


def normalise(text: str) -> str | None:
    """The stored form of a postcode ("hx7 8aa" -> "HX78AA"), or None if it is not one."""
    code = re.sub(r"\s+", "", text).upper()
    return code if _POSTCODE.match(code) else None


def display(code: str) -> str:
    """A postcode as people write it: "HX78AA" -> "HX7 8AA"."""
    code = re.sub(r"\s+", "", code).upper()
    return f"{code[:-3]} {code[-3:]}" if len(code) > 3 else code


def postcode_locate(*, text: str, field: str = "postcode") -> tuple[float, float]:
    """The centre (latitude, longitude) of the postcode written in ``text``.

    Raises GinnelError (naming ``field``) when it is not a postcode or not one we know.
    """
    code = normalise(text)
    if code is None:
        raise GinnelError(
            f"“{text.strip()}” is not a UK postcode. Write it like HX7 8AA.", field=field
        )
    row = Postcode.objects.filter(postcode=code).values_list("latitude", "longitude").first()
    if row is None:
        raise GinnelError(
            f"We do not know where {display(code)} is. Check it, or try a nearby postcode.",
            field=field,
        )
    return row[0], row[1]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(south, north, west, east): a box that holds every point within ``metres`` of the point.

    Slightly larger than needed, never smaller; callers check the exact distance after.
    """
    dlat = metres / METRES_PER_DEGREE
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    # Longitude degrees shrink with latitude; use the widest latitude of the box.
    widest = max(abs(south), abs(north))
    cos = math.cos(math.radians(widest))
    if widest >= 89.9 or metres / (METRES_PER_DEGREE * cos) >= 180:
        return south, north, -180.0, 180.0
    dlon = metres / (METRES_PER_DEGREE * cos)
    return south, north, lon - dlon, lon + dlon
