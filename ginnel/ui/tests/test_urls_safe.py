"""Only http, https, mailto and tel addresses are stored or shown as links."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from ginnel.ui.urls_safe import ALLOWED_SCHEMES, SafeURLField, safe_url


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("https://example.org/help", "https://example.org/help"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://Example.org/A", "https://Example.org/A"),
        ("example.com", "https://example.com"),
        ("www.example.co.uk/services?x=1", "https://www.example.co.uk/services?x=1"),
        ("//example.com/x", "https://example.com/x"),
        ("example.com:8080/x", "https://example.com:8080/x"),
        ("  https://example.org  ", "https://example.org"),
        ("mailto:help@example.org", "mailto:help@example.org"),
        ("tel:+441134960000", "tel:+441134960000"),
        ("TEL:01134960000", "tel:01134960000"),
    ],
)
def test_addresses_people_use_are_kept(given_value: str, expected: str) -> None:
    assert safe_url(given_value) == expected


@pytest.mark.parametrize(
    "given_value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.org",
        "localhost:8000",
        "mailto:",
        "tel:",
        "https://",
        "https:example.org",
        "/relative/path",
        "#top",
        "not a web address",
        "user@example.org",
        "",
        None,
    ],
)
def test_other_schemes_and_non_addresses_are_refused(given_value: str | None) -> None:
    assert safe_url(given_value) is None


@given(st.text(max_size=200))
def test_whatever_comes_in_what_comes_out_is_an_allowed_scheme_and_stable(value: str) -> None:
    out = safe_url(value)
    if out is not None:
        assert out.split(":", 1)[0] in ALLOWED_SCHEMES
        assert safe_url(out) == out


def test_the_form_field_gives_https_to_a_bare_address() -> None:
    assert SafeURLField(required=False).clean("example.com") == "https://example.com"
    assert SafeURLField(required=False).clean("") == ""


def test_the_form_field_refuses_a_javascript_address_with_a_message() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        SafeURLField(required=False).clean("javascript:alert(1)")
    assert "Enter a web address like https://example.org" in caught.value.messages[0]


def test_the_template_filter_links_only_safe_addresses() -> None:
    template = Template('{% load safe_links %}<a href="{{ url|safe_href }}">')

    assert template.render(Context({"url": "javascript:alert(1)"})) == '<a href="">'
    assert template.render(Context({"url": "example.com"})) == '<a href="https://example.com">'
