"""Hardening (issue 14): hours typed as odd numbers are refused by the field, never a 500."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from ginnel.timebank.forms import MAX_MINUTES, HoursField, parse_hours

ODD = ["nan", "inf", "-inf", "1e400", "1e3", "1_0", "１２", "١٢", "0x10", "Infinity", "1:1_0"]


def snapshot():
    return {
        model.__name__: sorted(model._default_manager.values_list(), key=repr)
        for model in apps.get_app_config("timebank").get_models()
    }


@pytest.mark.parametrize("text", ODD)
def test_numbers_python_reads_but_people_do_not_write_are_not_hours(text):
    assert parse_hours(text) is None


def test_a_tenth_of_an_hour_is_six_minutes():
    assert parse_hours("0.1") == 6


def test_more_hours_than_anyone_could_give_are_refused():
    assert parse_hours(str(MAX_MINUTES // 60)) == MAX_MINUTES
    assert parse_hours(str(MAX_MINUTES // 60 + 1)) is None
    assert parse_hours("99999999999999999999") is None


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["nan", "inf", "1e400", "1_0", "１２"])
def test_odd_hours_on_a_form_are_explained_by_the_field(text, member, client_for, community):
    client = client_for(member)
    before = snapshot()

    response = client.post(
        reverse("timebank:donate", args=[community.slug]), {"hours": text, "note": "Kept note"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_hours_error"' in page
    assert "Enter the time in hours and minutes, like 1:30 or 2 hours." in page
    assert snapshot() == before


@given(st.text(max_size=30))
def test_any_text_is_whole_minutes_in_range_or_none(text):
    minutes = parse_hours(text)
    assert minutes is None or (type(minutes) is int and 0 <= minutes <= MAX_MINUTES)


@given(st.text(max_size=30))
def test_the_field_answers_any_text_with_minutes_or_a_clear_error(text):
    field = HoursField(required=False)
    if parse_hours(text.strip().lower()) is None and text.strip():
        with pytest.raises(ValidationError) as refused:
            field.clean(text)
        assert refused.value.messages == [
            "Enter the time in hours and minutes, like 1:30 or 2 hours."
        ]
    else:
        minutes = field.clean(text)
        assert minutes is None or 0 <= minutes <= MAX_MINUTES


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["1_0", "１２", "1e3", "nan"])
def test_limits_in_hours_take_plain_digits_only(text, administrator, client_for, community):
    client = client_for(administrator)
    before = snapshot()

    response = client.post(
        reverse("timebank:coordinate", args=[community.slug]),
        {"form": "limits", "limits-credit_limit": text, "limits-debit_limit": "10"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_limits-credit_limit_error"' in page
    assert "Enter the most hours a member may be owed as a whole number." in page
    assert snapshot() == before
