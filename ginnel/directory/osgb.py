"""British National Grid eastings and northings to WGS84 latitude and longitude, in pure Python.

OS Code-Point Open gives each postcode's centre as an easting and northing on
the National Grid (OSGB36); the directory stores latitude and longitude
(WGS84, as GPS and web maps use). The conversion follows Ordnance Survey's
*A guide to coordinate systems in Great Britain*:

1. **Transverse Mercator, inverse** (the guide's annex C): easting and
   northing on the National Grid projection (Airy 1830 ellipsoid, true origin
   49°N 2°W, scale 0.9996012717, false origin 400 km west and 100 km north of
   it) to OSGB36 latitude and longitude, by iterating on the meridional arc
   to 0.01 mm;
2. **Helmert transformation**: OSGB36 latitude and longitude (height 0) to
   Earth-centred cartesian coordinates on Airy 1830, then the seven-parameter
   transformation OSGB36 → WGS84 (the published WGS84 → OSGB36 parameters
   with their signs reversed), then back to latitude and longitude on the
   GRS80/WGS84 ellipsoid.

The Helmert step is good to about 5 metres anywhere in Great Britain (the
guide's own figure); OS's rubber-sheet OSTN15 would be better to centimetres,
but it needs a 15 MB grid, and 5 metres is nothing next to "within 2 miles".
:func:`grid_from_osgb36` is the forward projection (annex B), used to check
the inverse. Nothing here imports Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Ellipsoid:
    a: float  # semi-major axis, metres
    b: float  # semi-minor axis, metres

    @property
    def e2(self) -> float:
        """The first eccentricity squared."""
        return 1 - (self.b * self.b) / (self.a * self.a)


AIRY_1830 = Ellipsoid(a=6_377_563.396, b=6_356_256.909)
WGS84 = Ellipsoid(a=6_378_137.0, b=6_356_752.314245)

# The National Grid's projection.
F0 = 0.9996012717
PHI0 = math.radians(49.0)
LAMBDA0 = math.radians(-2.0)
E0 = 400_000.0
N0 = -100_000.0

# OSGB36 → WGS84: metres, parts per million, arc-seconds.
TX, TY, TZ = 446.448, -125.157, 542.060
S_PPM = -20.4894
RX, RY, RZ = 0.1502, 0.2470, 0.8421


def _meridional_arc(phi: float) -> float:
    a, b = AIRY_1830.a, AIRY_1830.b
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n
    d, s = phi - PHI0, phi + PHI0
    return (
        b
        * F0
        * (
            (1 + n + 1.25 * n2 + 1.25 * n3) * d
            - (3 * n + 3 * n2 + 21 / 8 * n3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n2 + 15 / 8 * n3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _radii(phi: float) -> tuple[float, float, float]:
    """ν, ρ and η² at latitude ``phi`` on the projection's (scaled) Airy ellipsoid."""
    a, e2 = AIRY_1830.a, AIRY_1830.e2
    sin2 = math.sin(phi) ** 2
    nu = a * F0 / math.sqrt(1 - e2 * sin2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin2) ** 1.5
    return nu, rho, nu / rho - 1


def osgb36_from_grid(easting: float, northing: float) -> tuple[float, float]:
    """OSGB36 latitude and longitude, in degrees, of a National Grid easting and northing."""
    a = AIRY_1830.a
    phi = (northing - N0) / (a * F0) + PHI0
    arc = _meridional_arc(phi)
    while abs(northing - N0 - arc) >= 0.00001:  # 0.01 mm
        phi += (northing - N0 - arc) / (a * F0)
        arc = _meridional_arc(phi)
    nu, rho, eta2 = _radii(phi)
    tan, sec = math.tan(phi), 1 / math.cos(phi)
    t2, t4, t6 = tan**2, tan**4, tan**6
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - E0
    latitude = phi - vii * de**2 + viii * de**4 - ix * de**6
    longitude = LAMBDA0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return math.degrees(latitude), math.degrees(longitude)


def grid_from_osgb36(latitude: float, longitude: float) -> tuple[float, float]:
    """National Grid easting and northing of an OSGB36 latitude and longitude (degrees)."""
    phi, lam = math.radians(latitude), math.radians(longitude)
    nu, rho, eta2 = _radii(phi)
    sin, cos, tan = math.sin(phi), math.cos(phi), math.tan(phi)
    t2, t4 = tan**2, tan**4
    i = _meridional_arc(phi) + N0
    ii = nu / 2 * sin * cos
    iii = nu / 24 * sin * cos**3 * (5 - t2 + 9 * eta2)
    iiia = nu / 720 * sin * cos**5 * (61 - 58 * t2 + t4)
    iv = nu * cos
    v = nu / 6 * cos**3 * (nu / rho - t2)
    vi = nu / 120 * cos**5 * (5 - 18 * t2 + t4 + 14 * eta2 - 58 * t2 * eta2)
    p = lam - LAMBDA0
    northing = i + ii * p**2 + iii * p**4 + iiia * p**6
    easting = E0 + iv * p + v * p**3 + vi * p**5
    return easting, northing


def _to_cartesian(latitude: float, longitude: float, ellipsoid: Ellipsoid) -> tuple[float, ...]:
    phi, lam = math.radians(latitude), math.radians(longitude)
    nu = ellipsoid.a / math.sqrt(1 - ellipsoid.e2 * math.sin(phi) ** 2)
    return (
        nu * math.cos(phi) * math.cos(lam),
        nu * math.cos(phi) * math.sin(lam),
        nu * (1 - ellipsoid.e2) * math.sin(phi),
    )


def _from_cartesian(x: float, y: float, z: float, ellipsoid: Ellipsoid) -> tuple[float, float]:
    e2 = ellipsoid.e2
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = ellipsoid.a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        previous, phi = phi, math.atan2(z + e2 * nu * math.sin(phi), p)
        if abs(phi - previous) < 1e-12:
            break
    return math.degrees(phi), math.degrees(math.atan2(y, x))


def wgs84_from_osgb36(latitude: float, longitude: float) -> tuple[float, float]:
    """WGS84 latitude and longitude of an OSGB36 one (height 0), by Helmert transformation."""
    x, y, z = _to_cartesian(latitude, longitude, AIRY_1830)
    s = 1 + S_PPM * 1e-6
    arcsec = math.pi / (180 * 3600)
    rx, ry, rz = RX * arcsec, RY * arcsec, RZ * arcsec
    x2 = TX + s * x - rz * y + ry * z
    y2 = TY + rz * x + s * y - rx * z
    z2 = TZ - ry * x + rx * y + s * z
    return _from_cartesian(x2, y2, z2, WGS84)


def wgs84_from_grid(easting: float, northing: float) -> tuple[float, float]:
    """WGS84 latitude and longitude (degrees) of a National Grid easting and northing."""
    return wgs84_from_osgb36(*osgb36_from_grid(easting, northing))
