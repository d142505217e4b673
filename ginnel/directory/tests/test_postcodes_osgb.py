"""National Grid eastings and northings to WGS84, checked against Ordnance Survey's worked example.

The reference point is the one in OS's *A guide to coordinate systems in Great
Britain* (annexes B and C): Caister water tower, E 651409.903 N 313177.270,
which is OSGB36 52°39′27.2531″N 1°43′4.5177″E. Its WGS84 position by the
same Helmert transformation is 52°39′28.7230″N 1°42′57.7870″E (as published
with the widely used movable-type.co.uk implementation of the guide).
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ginnel.directory.osgb import (
    grid_from_osgb36,
    osgb36_from_grid,
    wgs84_from_grid,
    wgs84_from_osgb36,
)
from ginnel.directory.postcodes import haversine_m

EASTING, NORTHING = 651_409.903, 313_177.270


def dms(degrees: int, minutes: int, seconds: float) -> float:
    return degrees + minutes / 60 + seconds / 3600


OSGB36 = (dms(52, 39, 27.2531), dms(1, 43, 4.5177))
WGS84 = (dms(52, 39, 28.7230), dms(1, 42, 57.7870))


def test_the_grid_reference_gives_os_worked_example_latitude_and_longitude() -> None:
    latitude, longitude = osgb36_from_grid(EASTING, NORTHING)
    # The guide gives them to 0.0001″: about 3 mm.
    assert math.isclose(latitude, OSGB36[0], abs_tol=0.0001 / 3600)
    assert math.isclose(longitude, OSGB36[1], abs_tol=0.0001 / 3600)


def test_the_forward_projection_gives_os_worked_example_grid_reference() -> None:
    easting, northing = grid_from_osgb36(*OSGB36)
    assert abs(easting - EASTING) < 0.01
    assert abs(northing - NORTHING) < 0.01


def test_the_helmert_transformation_gives_the_published_wgs84_position() -> None:
    latitude, longitude = wgs84_from_grid(EASTING, NORTHING)
    assert haversine_m(latitude, longitude, *WGS84) < 0.05


def test_osgb36_and_wgs84_differ_by_the_usual_hundred_metres_or_so() -> None:
    # In Great Britain the two datums are 70 to 130 metres apart.
    for lat, lon in [(50.1, -5.5), (51.5, -0.13), (53.74, -2.01), (57.15, -2.1), (60.2, -1.2)]:
        moved = wgs84_from_osgb36(lat, lon)
        assert 60 < haversine_m(lat, lon, *moved) < 140


@given(
    easting=st.floats(min_value=0, max_value=700_000),
    northing=st.floats(min_value=0, max_value=1_250_000),
)
def test_projecting_back_returns_the_same_grid_reference(easting: float, northing: float) -> None:
    back = grid_from_osgb36(*osgb36_from_grid(easting, northing))
    # The series are good to millimetres across the grid (a centimetre at its far corners).
    assert abs(back[0] - easting) < 0.01
    assert abs(back[1] - northing) < 0.01


def test_the_grid_origin_is_where_the_national_grid_puts_it() -> None:
    # The true origin, 49°N 2°W, is at E 400 km, N -100 km.
    latitude, longitude = osgb36_from_grid(400_000, -100_000)
    assert math.isclose(latitude, 49.0, abs_tol=1e-9)
    assert math.isclose(longitude, -2.0, abs_tol=1e-9)
