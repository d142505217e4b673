from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def is_choice_group(field: forms.BoundField) -> bool:
    """Radios and checkbox lists are grouped in a fieldset with a legend."""
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def can(context: template.Context, perm: str) -> bool:
    access = context.get("access")
    return bool(access is not None and access.can(perm))
