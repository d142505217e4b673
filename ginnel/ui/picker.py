"""Choosing one (or a few) from many: a search box, then a short list to choose from.

A picker never lists everything. Without JavaScript it is a search step: the
person types part of a name and presses "Search"; the same form comes back,
every value kept, with at most ``limit`` matches as radio buttons (checkboxes
when several may be chosen); they choose one and send the form. With htmx the
matches appear as they type, from a small GET endpoint the app provides, which
renders :func:`picker_results` for the same field.

The app supplies what to search: a ``search(text, limit)`` callable returning
:class:`Match` rows (at most ``limit + 1``, so the picker knows there are more)
and a ``get(values)`` callable returning the matches for chosen values that
the asker may still choose. The design system knows nothing of people.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

#: The most matches a search shows; "type more of the name" beyond it.
LIMIT = 20
QUERY_LENGTH = 80


@dataclass(frozen=True)
class Match:
    """One thing that can be chosen, with what tells it apart from others of the same name."""

    value: str
    label: str
    details: tuple[str, ...] = ()
    obj: Any = field(default=None, compare=False)


Search = Callable[[str, int], Sequence[Match]]
Get = Callable[[Sequence[str]], Sequence[Match]]


@dataclass(frozen=True)
class PickerValue:
    """What the browser sent for one picker: the chosen values, the text searched, the button."""

    chosen: tuple[str, ...] = ()
    query: str = ""
    searching: bool = False


def query_name(name: str) -> str:
    return f"{name}_q"


def button_name(name: str) -> str:
    return f"{name}_find"


class PickerWidget(forms.Widget):
    template_name = "ui/picker/picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        # Set by PickerField, which owns the search.
        self.picker: PickerField | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> PickerValue:
        if hasattr(data, "getlist"):
            chosen = [v for v in data.getlist(name) if v]
        else:
            raw = data.get(name)
            chosen = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if v]
        query = str(data.get(query_name(name)) or "").strip()[:QUERY_LENGTH]
        return PickerValue(
            chosen=tuple(dict.fromkeys(str(v)[:40] for v in chosen)),
            query=query,
            searching=button_name(name) in data,
        )

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and query_name(name) not in data

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_

    def format_value(self, value: Any) -> Any:
        return value

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        assert self.picker is not None  # noqa: S101 (a PickerWidget is made by a PickerField)
        context.update(self.picker.results_context(name, _as_value(value), context["widget"]))
        return context


def _as_value(value: Any) -> PickerValue:
    """The widget's value: what was sent, or an initial value (an object, an id, or several)."""
    if isinstance(value, PickerValue):
        return value
    if value in (None, "", [], ()):
        return PickerValue()
    values = value if isinstance(value, list | tuple) else [value]
    return PickerValue(chosen=tuple(str(getattr(v, "pk", v)) for v in values))


class PickerField(forms.Field):
    """A field chosen through a search: ``cleaned_data`` holds the match's ``obj``
    (a list of them when ``multiple``), or None when nothing was chosen and that is allowed."""

    widget = PickerWidget
    default_error_messages = {
        "required": _("Search for a name, then choose one from the list."),
        "not_chosen": _("Choose one from the list."),
        "no_match": _("Nothing matches what you typed. Check the spelling, or type less of it."),
        "invalid_choice": _("That choice is not available. Search again and choose from the list."),
    }

    def __init__(
        self,
        *,
        search: Search,
        get: Get,
        search_url: str = "",
        multiple: bool = False,
        empty_label: str = "",
        limit: int = LIMIT,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "help_text", _("Type part of the name and search, then choose from the list.")
        )
        super().__init__(**kwargs)
        self.search = search
        self.get = get
        self.search_url = search_url
        self.multiple = multiple
        self.empty_label = empty_label
        self.limit = limit
        assert isinstance(self.widget, PickerWidget)  # noqa: S101
        self.widget.picker = self

    def __deepcopy__(self, memo: dict[int, Any]) -> PickerField:
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        assert isinstance(result.widget, PickerWidget)  # noqa: S101
        result.widget.attrs = self.widget.attrs.copy()
        result.widget.picker = result
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result

    # Values ---------------------------------------------------------------------------------

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(_as_value(data).chosen) or bool(_as_value(initial).chosen)

    def clean(self, value: Any) -> Any:
        sent = _as_value(value)
        if not sent.chosen:
            if not self.required:
                return [] if self.multiple else None
            if sent.query:
                code = "not_chosen" if self.search(sent.query, 1) else "no_match"
                raise forms.ValidationError(self.error_messages[code], code=code)
            raise forms.ValidationError(self.error_messages["required"], code="required")
        wanted = sent.chosen if self.multiple else sent.chosen[:1]
        found = {m.value: m for m in self.get(list(wanted))}
        if any(v not in found for v in wanted):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        if self.multiple:
            return [found[v].obj for v in wanted]
        return found[wanted[0]].obj

    # Rendering ------------------------------------------------------------------------------

    def results_context(
        self, name: str, value: PickerValue, widget: Mapping[str, Any]
    ) -> dict[str, Any]:
        """What the results area shows: the chosen first, then the matches for the text."""
        chosen = list(self.get(list(value.chosen))) if value.chosen else []
        if not self.multiple:
            chosen = chosen[:1]
        chosen_values = {m.value for m in chosen}
        matches: list[Match] = []
        more = False
        if value.query:
            found = list(self.search(value.query, self.limit))
            more = len(found) > self.limit
            matches = [m for m in found[: self.limit] if m.value not in chosen_values]
        input_id = str(widget.get("attrs", {}).get("id") or f"id_{name}")
        return {
            "picker": {
                "name": name,
                "id": input_id,
                "query_name": query_name(name),
                "button_name": button_name(name),
                "query": value.query,
                "searched": bool(value.query),
                "chosen": chosen,
                "matches": matches,
                "more": more,
                "limit": self.limit,
                "multiple": self.multiple,
                "empty_label": self.empty_label,
                "nothing_chosen": not chosen,
                "search_url": self.search_url,
            }
        }


def is_searching(form: forms.BaseForm) -> bool:
    """True when the form was sent by a picker's "Search" button, not to be acted on."""
    if not form.is_bound:
        return False
    return any(
        button_name(form.add_prefix(name)) in form.data
        for name, f in form.fields.items()
        if isinstance(f, PickerField)
    )


def clear_errors_while_searching(form: forms.BaseForm) -> bool:
    """A search step shows the form again as typed, with no errors: nothing was sent yet."""
    if not is_searching(form):
        return False
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    form.cleaned_data = {}
    return True


def picker_results(request: HttpRequest, bound_field: forms.BoundField) -> HttpResponse:
    """The htmx fragment: the results area of one picker, for what has been typed so far."""
    field = bound_field.field
    if not isinstance(field, PickerField):
        raise TypeError("picker_results needs a PickerField")
    widget = field.widget
    assert isinstance(widget, PickerWidget)  # noqa: S101
    value = widget.value_from_datadict(
        bound_field.form.data, bound_field.form.files, bound_field.html_name
    )
    context = field.results_context(
        bound_field.html_name, value, {"attrs": {"id": bound_field.auto_id}}
    )
    context["picker"]["fragment"] = True
    return render(request, "ui/picker/_results.html", context)
