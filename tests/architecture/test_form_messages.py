"""Every required field of every form says in its own words what is missing.

A message built from a label ("Choose who was it with?") reads badly and cannot
be translated whole, so each form writes its own ("Choose who it was with").
The test finds every form class in Ginnel, builds it as its page would where
it can (to see fields made in ``__init__``), and otherwise reads its declared
fields.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms

import ginnel

SKIP_MODULES = ("ginnel.cli", "ginnel.__main__")


def _import_everything() -> None:
    for info in pkgutil.walk_packages(ginnel.__path__, "ginnel."):
        name = info.name
        if ".tests" in name or ".migrations" in name or name.startswith(SKIP_MODULES):
            continue
        importlib.import_module(name)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _form_classes() -> list[type[forms.BaseForm]]:
    _import_everything()
    classes = _subclasses(forms.Form) | _subclasses(forms.ModelForm)
    return sorted(
        (
            c
            for c in classes
            if c.__module__.startswith("ginnel.")
            and ".tests" not in c.__module__  # forms made up by tests to try the design system
            and not inspect.isabstract(c)
        ),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def _fields(form_class: type[forms.BaseForm]) -> dict[str, forms.Field]:
    for args in ((), (None,)):  # (None,): Django's password forms take the user first
        try:
            return dict(form_class(*args).fields)
        except Exception:  # noqa: S112 - forms that need their page's arguments
            continue
    return dict(form_class.base_fields)


DEFAULT = str(forms.Field.default_error_messages["required"])


def test_the_forms_are_found():
    names = {c.__name__ for c in _form_classes()}

    assert {"PersonForm", "GoalStatusForm", "LoginForm"} <= names


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: c.__qualname__)
def test_each_required_field_has_a_message_of_its_own(form_class):
    missing = [
        name
        for name, field in _fields(form_class).items()
        if field.required
        and not isinstance(field.widget, forms.HiddenInput)
        and str(field.error_messages.get("required", DEFAULT)) == DEFAULT
    ]

    assert missing == [], f"{form_class.__module__}.{form_class.__qualname__}: write a message"
