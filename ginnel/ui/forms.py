"""Form rendering in the GOV.UK Design System pattern.

Every form renders each field with its label, hint and error through
``ui/forms/field.html``; pages put ``ui/partials/error_summary.html`` above
the form so the summary links to each field with an error.

Each required field writes its own message ("Enter the name to show",
"Choose who it was with"): a message is never built from a field's label,
which reads badly in English and cannot be translated whole.
``tests/architecture/test_form_messages.py`` fails on a field that has none.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.forms.renderers import DjangoTemplates

from ginnel.errors import GinnelError
from ginnel.ui.picker import clear_errors_while_searching, is_searching


class GinnelFormRenderer(DjangoTemplates):
    form_template_name = "ui/forms/form.html"
    field_template_name = "ui/forms/field.html"


class Form(forms.Form):
    """A form that can take a domain error on the right field."""

    # A service's name for a field, when the form calls it something else.
    field_aliases: ClassVar[dict[str, str]] = {}
    # Search and filter forms are all optional: saying so on each field is noise.
    mark_optional: ClassVar[bool] = True

    def full_clean(self) -> None:
        if clear_errors_while_searching(self):
            return  # a search step: nothing is checked, nothing acted on
        super().full_clean()

    def is_valid(self) -> bool:
        """Not while a picker's search step is asked for: the form comes back to choose from."""
        return super().is_valid() and not is_searching(self)

    def add_domain_error(self, error: GinnelError) -> None:
        name = self.field_aliases.get(error.field or "", error.field)
        field = name if name in self.fields else None
        self.add_error(field, error.message)


class ModelForm(forms.ModelForm):  # type: ignore[type-arg]
    def add_domain_error(self, error: GinnelError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


def strip_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class GinnelBoundField(forms.BoundField):
    """Points each input at its hint and its error message (aria-describedby)."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}_helptext")
        if self.errors:
            described.append(f"{self.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if described and not _is_choice_group(self.field.widget):
            attrs["aria-describedby"] = " ".join(described)
        else:
            attrs.pop("aria-describedby", None)
        return attrs


def _is_choice_group(widget: Any) -> bool:
    return isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


Form.bound_field_class = GinnelBoundField
ModelForm.bound_field_class = GinnelBoundField
