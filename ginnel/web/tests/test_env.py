"""Settings read the environment through helpers that fail loudly on a bad value."""

from __future__ import annotations

import pytest

from ginnel.env import ConfigurationError, env_bool, env_int, env_list, env_str


def test_a_misspelt_boolean_stops_with_the_variables_name(monkeypatch):
    monkeypatch.setenv("GINNEL_DEBUG", "ture")

    with pytest.raises(ConfigurationError, match="GINNEL_DEBUG"):
        env_bool("GINNEL_DEBUG", False)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("Yes", True), ("off", False)])
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("GINNEL_FLAG", raw)

    assert env_bool("GINNEL_FLAG", not expected) is expected


def test_a_number_that_is_not_a_number_stops(monkeypatch):
    monkeypatch.setenv("GINNEL_WORKERS", "four")

    with pytest.raises(ConfigurationError, match="whole number"):
        env_int("GINNEL_WORKERS", 2)


def test_a_number_below_its_minimum_stops(monkeypatch):
    monkeypatch.setenv("GINNEL_WORKERS", "0")

    with pytest.raises(ConfigurationError, match="at least 1"):
        env_int("GINNEL_WORKERS", 2, minimum=1)


def test_a_required_string_that_is_missing_stops(monkeypatch):
    monkeypatch.delenv("GINNEL_REQUIRED", raising=False)

    with pytest.raises(ConfigurationError, match="must be set"):
        env_str("GINNEL_REQUIRED")


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("GINNEL_ALLOWED_HOSTS", " ginnel.example.org, ,other.example.org ")

    assert env_list("GINNEL_ALLOWED_HOSTS", []) == ["ginnel.example.org", "other.example.org"]
