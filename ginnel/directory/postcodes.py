"""UK postcodes and distances: pure helpers, and one lookup in the Postcode table.

Postcodes are stored upper case without spaces ("HX78AA"); people write them
any way ("hx7 8aa", "HX7  8AA"). A search may also give only the outward
code (the district, "HX7"): its centre is the mean of the loaded postcodes
in that district, computed in the database. Distances are great-circle (haversine) on a
sphere of the Earth's mean radius, in metres: within 0.5% of the true
distance, plenty for "within 2 miles".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import Left, Length
from django.utils.translation import gettext as _

from ginnel.directory.models import Postcode
from ginnel.errors import GinnelError

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_MILE = 1609.344
# Metres in one degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180

# The shape of a full UK postcode (outward code, then a digit and two letters), and GIR 0AA.
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
# An outward code alone: the area's letters and the district ("HX7", "LS10", "EC1A").
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
# Up to this many postcodes, the districts loaded are listed by name.
LIST_DISTRICTS_UP_TO = 50_000
_LOADED_KEY = "directory:postcodes-loaded"


def normalise(text: str) -> str | None:
    """The stored form of a postcode ("hx7 8aa" -> "HX78AA"), or None if it is not one."""
    code = re.sub(r"\s+", "", text).upper()
    return code if _POSTCODE.match(code) else None


def outward(text: str) -> str | None:
    """The outward code written in ``text`` ("mb 2" -> "MB2"), or None if it is not one."""
    code = re.sub(r"\s+", "", text).upper()
    return code if _OUTWARD.match(code) else None


def display(code: str) -> str:
    """A postcode as people write it: "HX78AA" -> "HX7 8AA"."""
    code = re.sub(r"\s+", "", code).upper()
    if _OUTWARD.match(code):
        return code
    return f"{code[:-3]} {code[-3:]}" if len(code) > 3 else code


def district_centre(code: str) -> tuple[float, float] | None:
    """The mean position of the loaded postcodes of one outward code ("MB2"), or None.

    Read in the database through the primary key's order: a district's postcodes are the
    outward code, a digit and two letters, so they lie between "MB20AA" and "MB29ZZ"
    (the length leaves out "MB20 1AB" of district MB20).
    """
    row = (
        Postcode.objects.filter(postcode__gte=f"{code}0", postcode__lte=f"{code}9ZZ")
        .annotate(length=Length("postcode"))
        .filter(length=len(code) + 3)
        .aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"), n=Count("postcode"))
    )
    if not row["n"]:
        return None
    return row["latitude"], row["longitude"]


def postcode_locate(
    *, text: str, field: str = "postcode", districts: bool = False
) -> tuple[float, float]:
    """The centre (latitude, longitude) of the postcode written in ``text``.

    With ``districts``, an outward code alone ("MB2") gives its district's centre.
    Raises GinnelError (naming ``field``) when it is not a postcode or not one we know.
    """
    code = normalise(text)
    district = outward(text) if districts and code is None else None
    if district is not None:
        centre = district_centre(district)
        if centre is None:
            raise GinnelError(
                _("We have no postcodes in %(district)s. Check it, or try a full postcode.")
                % {"district": district},
                field=field,
            )
        return centre
    if code is None:
        raise GinnelError(
            _("“%(text)s” is not a UK postcode. Write it like HX7 8AA.") % {"text": text.strip()},
            field=field,
        )
    row = Postcode.objects.filter(postcode=code).values_list("latitude", "longitude").first()
    if row is None:
        raise GinnelError(
            _("We do not know where %(postcode)s is. Check it, or try a nearby postcode.")
            % {"postcode": display(code)},
            field=field,
        )
    return row[0], row[1]


@dataclass(frozen=True)
class LoadedPostcodes:
    """What the Postcode table holds, to tell people which postcodes a search knows."""

    count: int
    districts: tuple[str, ...]  # listed only when there are few postcodes
    first: str
    last: str

    @property
    def ranges(self) -> str:
        """The districts as ranges: "MB1–MB12", or "HX1–HX3, HX7, MB1–MB4"."""
        parsed: list[tuple[str, int, str]] = []
        for code in self.districts:
            match = re.match(r"^([A-Z]+)(\d+)([A-Z]?)$", code)
            if match is None or match[3]:
                parsed.append((code, -1, code))
            else:
                parsed.append((match[1], int(match[2]), code))
        parsed.sort(key=lambda p: (p[0], p[1], p[2]))
        said: list[str] = []
        run: list[tuple[str, int, str]] = []

        def flush() -> None:
            if run:
                first, last = run[0][2], run[-1][2]
                said.append(first if first == last else f"{first}–{last}")
                run.clear()

        for item in parsed:
            if run and (item[1] < 0 or item[0] != run[-1][0] or item[1] != run[-1][1] + 1):
                flush()
            run.append(item)
            if item[1] < 0:
                flush()
        flush()
        return ", ".join(said)

    @property
    def example(self) -> str:
        """A district that is loaded, to show in a hint ("MB1")."""
        return self.districts[0] if self.districts else outward(self.first[:-3]) or ""


def postcodes_loaded() -> LoadedPostcodes:
    """How many postcodes are loaded and (when few) their districts.

    Cached for ten minutes under the first and last postcode (read from the key's index),
    since counting the full UK list reads millions of rows; loading postcodes forgets it.
    """
    ends = Postcode.objects.aggregate(first=Min("postcode"), last=Max("postcode"))
    key = f"{_LOADED_KEY}:{ends['first']}:{ends['last']}"
    cached = cache.get(key)
    if isinstance(cached, LoadedPostcodes):
        return cached
    count = Postcode.objects.count()
    districts: tuple[str, ...] = ()
    if 0 < count <= LIST_DISTRICTS_UP_TO:
        districts = tuple(
            Postcode.objects.annotate(district=Left("postcode", Length("postcode") - 3))
            .values_list("district", flat=True)
            .distinct()
            .order_by("district")
        )
    loaded = LoadedPostcodes(count, districts, ends["first"] or "", ends["last"] or "")
    cache.set(key, loaded, 600)
    cache.set(_LOADED_KEY, key, 600)
    return loaded


def postcodes_loaded_forget() -> None:
    """After postcodes are loaded: the next page reads the table again."""
    key = cache.get(_LOADED_KEY)
    if isinstance(key, str):
        cache.delete(key)


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
