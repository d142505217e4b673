"""Every page carries a Content-Security-Policy, and no template needs an exemption."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

import ginnel

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def test_a_page_carries_the_policy_with_every_directive(member, client_for):
    response = client_for(member).get(reverse("web:home"), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain  # the community's own home page
    assert directives(response["Content-Security-Policy"]) == EXPECTED


def test_the_sign_in_page_carries_it_too_and_the_other_headers():
    response = Client().get(reverse("web:login"))

    assert directives(response["Content-Security-Policy"]) == EXPECTED
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(GINNEL_MAP_TILES="https://tiles.example.org/{z}/{x}/{y}.png")
def test_with_map_tiles_images_may_come_from_the_tile_server_and_nowhere_else():
    response = Client().get(reverse("web:login"))

    found = directives(response["Content-Security-Policy"])
    assert found["img-src"] == ["'self'", "data:", "https://tiles.example.org"]
    assert found["script-src"] == ["'self'"]


COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
TEMPLATES = sorted(Path(ginnel.__file__).parent.glob("**/templates/**/*.html"))
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), 'a style="" attribute'),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on…= event handler"),
    (re.compile(r"\shx-on", re.IGNORECASE), "an hx-on handler (htmx evaluates it)"),
    (re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE), "a javascript: address"),
]


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("ginnel/", 1)[-1])
def test_no_template_needs_what_the_policy_forbids(template):
    text = COMMENTS.sub("", template.read_text(encoding="utf-8"))
    if "/email/" in str(template) or "/emails/" in str(template) or "_pdf" in template.name:
        pytest.skip("sent or printed, never served as a page")
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{template.name} has {what}"
