"""Timebank list pages cost the same number of queries for a few rows or many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ginnel.timebank import services
from ginnel.timebank.models import ListingKind, Where

pytestmark = pytest.mark.django_db


def grow(as_, community, make_member, member, categories, yesterday, n):
    for i in range(n):
        other = make_member(community)
        services.listing_save(
            access=as_(other),
            kind=ListingKind.OFFER,
            title=f"Offer {i}",
            description="",
            categories=[categories["Gardening"], categories["Cooking"]],
            where=[Where.PUBLIC],
            availability="",
            expires_on=None,
        )
        exchange = services.exchange_record(
            access=as_(other),
            other_id=member.pk,
            i_gave=True,
            minutes=15,
            happened_on=yesterday,
            description=f"Exchange {i}",
        )
        services.exchange_confirm(access=as_(member), exchange=exchange)


@pytest.mark.parametrize("page", ["listings", "mine", "statement", "coordinate", "report"])
def test_a_timebank_page_does_not_query_per_row(
    page, as_, community, make_member, member, coordinator, categories, yesterday, client_for
):
    client = client_for(coordinator if page in {"coordinate", "report"} else member)
    url = reverse(f"timebank:{page}", args=[community.slug])
    grow(as_, community, make_member, member, categories, yesterday, 3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(as_, community, make_member, member, categories, yesterday, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many.captured_queries) <= len(few.captured_queries), [
        q["sql"][:120] for q in many.captured_queries
    ]
