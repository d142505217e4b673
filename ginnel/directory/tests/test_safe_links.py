"""Only http, https, mailto and tel addresses are stored or shown as links (issue 14).

A feed once carried ``javascript:`` web addresses and the service page made links
of them: now an import leaves such an address out with a warning naming the row and
the field, a bare ``example.com`` is stored as ``https://example.com``, the page
never links an unsafe address (even one stored before the rule) and neither does
the ORUK API.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from ginnel.directory.models import Organization, Service
from ginnel.directory.services.importing import ImportFailed, directory_import

pytestmark = pytest.mark.django_db


ORG = "6c7f0b7e-3c1a-4b57-9d0e-2f6a1b9c8d01"
SERVICE = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e05"


def write_feed(folder: Path, *, website: str, url: str) -> Path:
    folder.mkdir()
    (folder / "organizations.csv").write_text(
        f"id,name,description,website\n{ORG},Calder Lunch Club,Lunches,{website}\n",
        encoding="utf-8",
    )
    (folder / "services.csv").write_text(
        f"id,organization_id,name,status,url\n{SERVICE},{ORG},Lunch on Tuesdays,active,{url}\n",
        encoding="utf-8",
    )
    return folder


def test_a_javascript_address_in_a_feed_is_left_out_with_a_warning(community, tmp_path):
    feed = write_feed(tmp_path / "feed", website="example.com", url="javascript:alert(1)")

    result = directory_import(community=community, path=feed)

    service = Service.objects.get(community=community)
    assert service.url == ""
    warnings = [str(w) for w in result.warnings]
    assert any(
        w.startswith("services.csv, row 1, field url:") and "http, https, mailto" in w
        for w in warnings
    ), warnings


def test_a_bare_address_in_a_feed_is_stored_with_https(community, tmp_path):
    feed = write_feed(tmp_path / "feed", website="example.com", url="https://example.org/lunch")

    directory_import(community=community, path=feed)

    assert Organization.objects.get(community=community, name="Calder Lunch Club").website == (
        "https://example.com"
    )
    assert Service.objects.get(community=community).url == "https://example.org/lunch"


def test_mailto_and_tel_addresses_in_a_feed_are_kept(community, tmp_path):
    feed = write_feed(
        tmp_path / "feed", website="mailto:lunch@example.org", url="tel:+441134960000"
    )

    directory_import(community=community, path=feed)

    assert Organization.objects.get(community=community, name="Calder Lunch Club").website == (
        "mailto:lunch@example.org"
    )
    assert Service.objects.get(community=community).url == "tel:+441134960000"


def test_a_strict_import_refuses_a_javascript_address_and_writes_nothing(community, tmp_path):
    feed = write_feed(tmp_path / "feed", website="javascript:alert(1)", url="")
    before = Organization.objects.filter(community=community).count()

    with pytest.raises(ImportFailed) as failed:
        directory_import(community=community, path=feed, strict=True)

    assert any("field website:" in str(p) for p in failed.value.problems)
    assert Organization.objects.filter(community=community).count() == before


def test_the_service_page_does_not_link_an_unsafe_address_stored_before(
    community, member, client_for, tmp_path
):
    feed = write_feed(tmp_path / "feed", website="example.com", url="https://example.org/x")
    directory_import(community=community, path=feed)
    service = Service.objects.get(community=community)
    # As if stored before the rule, or by a path that missed it.
    Service.objects.filter(pk=service.pk).update(url="javascript:alert(1)")
    Organization.objects.filter(pk=service.organization_id).update(website="example.com")

    page = client_for(member).get(reverse("directory:service", args=[community.slug, service.uuid]))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as text, not as a link
    assert 'href="https://example.com"' in html


def test_the_api_leaves_out_an_unsafe_address_stored_before(
    community, member, client_for, tmp_path
):
    feed = write_feed(tmp_path / "feed", website="example.com", url="https://example.org/x")
    directory_import(community=community, path=feed)
    service = Service.objects.get(community=community)
    Service.objects.filter(pk=service.pk).update(url="javascript:alert(1)")

    answer = client_for(member).get(f"/api/oruk/{community.slug}/services/{service.uuid}")

    assert answer.status_code == 200
    body = answer.json()
    assert "url" not in body
    assert body["organization"]["website"] == "https://example.com"
