"""The picker of the design system, on its own: a search step, a short list, a choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import QueryDict

from ginnel.ui.forms import Form
from ginnel.ui.picker import Match, PickerField

PLANETS = [f"Planet {n}" for n in range(1, 31)] + ["Mars", "Marsh"]


def search(text: str, limit: int) -> list[Match]:
    found = [p for p in PLANETS if text.lower() in p.lower()]
    return [Match(value=str(PLANETS.index(p)), label=p, details=("far",), obj=p) for p in found][
        : limit + 1
    ]


def get(values: Sequence[str]) -> list[Match]:
    return [
        Match(value=v, label=PLANETS[int(v)], obj=PLANETS[int(v)])
        for v in values
        if v.isdigit() and int(v) < len(PLANETS)
    ]


class TripForm(Form):
    note = forms.CharField(label="Note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"] = PickerField(search=search, get=get, label="Where to?")
        self.fields["via"] = PickerField(
            search=search, get=get, label="Through", multiple=True, required=False
        )


def data(**values: str | list[str]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in values.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def test_the_search_button_brings_the_form_back_as_typed_with_matches_and_no_errors():
    form = TripForm(data(note="", to_q="mars", to_find="1"))

    html = form.as_div()

    assert not form.is_valid()
    assert form.errors == {}
    assert 'name="to_q" id="id_to_q" value="mars"' in html
    assert html.count('type="radio" name="to"') == 2
    assert "2 matches." in html


def test_a_search_shows_at_most_twenty_and_asks_to_type_more():
    html = TripForm(data(to_q="planet", to_find="1")).as_div()

    assert html.count('type="radio" name="to"') == 20
    assert "Type more of the name to narrow the list." in html


def test_a_choice_comes_back_as_the_object_the_app_gave():
    form = TripForm(data(note="Soon", to=str(PLANETS.index("Marsh"))))

    assert form.is_valid()
    assert form.cleaned_data["to"] == "Marsh"
    assert form.cleaned_data["via"] == []


def test_a_value_the_app_does_not_offer_is_refused_by_the_field():
    form = TripForm(data(note="Soon", to="999"))

    assert not form.is_valid()
    assert "That choice is not available" in form.errors["to"][0]


def test_ticked_choices_stay_ticked_while_searching_for_more():
    mars = str(PLANETS.index("Mars"))

    html = TripForm(data(to_q="mars", via=[mars], via_q="planet 1", via_find="1")).as_div()

    assert f'type="checkbox" name="via" value="{mars}" id="id_via_{mars}" checked' in html
    assert html.count('type="checkbox" name="via"') == 1 + 11  # Mars, then Planet 1 and 10 to 19


def test_nothing_matching_says_so_when_the_form_is_sent():
    form = TripForm(data(note="Soon", to_q="Pluto"))

    assert not form.is_valid()
    assert form.errors["to"] == [PickerField.default_error_messages["no_match"]]
