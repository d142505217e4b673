"""The report page and its CSV: who may see them, what they show, and that they agree."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from ginnel.referrals.models import Referral
from ginnel.referrals.tests import test_reports as worked

FEWER = worked.FEWER
#: The small community of test_reports, its numbers worked by hand there.
town = worked.town

MARCH = {"start": "2026-03", "end": ""}


def page_url(community, name="referrals:report"):
    return reverse(name, args=[community.slug])


class Tables(HTMLParser):
    """The text of every cell of every table: [table][row][cell]."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_an_analyst_sees_the_months_counts_and_nobody_s_name(town, client_for, analyst):
    names = list(Referral.objects.values_list("person__display_name", flat=True).distinct())
    assert "Client 1" in names
    response = client_for(analyst).get(page_url(town.community), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Referrals in March 2026" in html
    assert FEWER in html
    for name in [*names, "Mo Member", "Walking group", "Dr Shah"]:
        assert name not in html
    csv_text = client_for(analyst).get(page_url(town.community, "referrals:report_csv"), MARCH)
    body = csv_text.content.decode()
    for name in [*names, "Mo Member", "Walking group", "Dr Shah"]:
        assert name not in body


def test_the_csv_holds_the_same_tables_as_the_page(town, client_for, coordinator):
    client = client_for(coordinator)
    parser = Tables()
    parser.feed(client.get(page_url(town.community), MARCH).content.decode())
    response = client.get(page_url(town.community, "referrals:report_csv"), MARCH)
    assert response["Content-Type"].startswith("text/csv")
    assert "referrals-2026-03-to-2026-03.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    from_csv: dict[str, list[list[str]]] = {}
    for title, *cells in rows:
        # A cell a spreadsheet would take for a formula ("+1.04 to +4.96") carries the
        # apostrophe of ginnel/ui/spreadsheet.py; its words are the page's.
        from_csv.setdefault(title, []).append([c.removeprefix("'") for c in cells])
    assert any(c.startswith("'+") for row in rows for c in row)
    # Each table on the page: a header row, then its rows; the CSV names its table in front.
    assert len(parser.tables) == len(from_csv)
    for page_table, csv_table in zip(parser.tables, from_csv.values(), strict=True):
        assert page_table == csv_table
    assert ["GP practice", "not shown"] in from_csv["Where referrals came from"]
    assert ["The person themselves", FEWER] in from_csv["Where referrals came from"]


def test_without_a_month_it_shows_the_last_complete_month(town, client_for, analyst):
    response = client_for(analyst).get(page_url(town.community))
    assert response.status_code == 200
    assert "Referrals in" in response.content.decode()


def test_a_range_of_months_is_shown_whole(town, client_for, analyst):
    response = client_for(analyst).get(
        page_url(town.community), {"start": "2026-03", "end": "2026-04"}
    )
    assert "Referrals from March 2026 to April 2026" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "March", "end": ""}, "start", "Enter the first month as year and month"),
        ({"start": "2026-03", "end": "2026-13"}, "end", "Enter the last month as year and month"),
        ({"start": "2026-04", "end": "2026-03"}, "end", "must not be before the first"),
    ],
)
def test_a_month_that_is_not_one_is_refused_by_its_field(
    seeded, client_for, analyst, query, field, message
):
    response = client_for(analyst).get(page_url(seeded), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    csv_response = client_for(analyst).get(page_url(seeded, "referrals:report_csv"), query)
    assert csv_response.status_code == 400


@pytest.mark.parametrize("name", ["referrals:report", "referrals:report_csv"])
def test_a_member_and_a_link_worker_are_refused(seeded, client_for, member, link_worker, name):
    for person in (member, link_worker):
        assert client_for(person).get(page_url(seeded, name), MARCH).status_code == 403


@pytest.mark.parametrize("name", ["referrals:report", "referrals:report_csv"])
def test_someone_from_another_community_and_a_visitor_are_kept_out(
    seeded, client_for, outsider, name
):
    assert client_for(outsider).get(page_url(seeded, name)).status_code in (403, 404)
    response = client_for(None).get(page_url(seeded, name))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_referrals(
    town, client_for, analyst, django_assert_max_num_queries
):
    client = client_for(analyst)
    client.get(page_url(town.community), MARCH)  # the session, once
    with django_assert_max_num_queries(20):
        assert client.get(page_url(town.community), MARCH).status_code == 200
    for i in range(10):
        town.accepted(received=worked.at(3, 1 + i))
    with django_assert_max_num_queries(20):
        assert client.get(page_url(town.community), MARCH).status_code == 200
