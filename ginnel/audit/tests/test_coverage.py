"""Every model that holds a person's data is in the export, or left out with a reason.

The test walks every installed model's fields. A field pointing at a Person or
a Membership must be named in ``export.COVERED`` (with the section that
exports its rows) or in ``export.EXCLUDED`` (with why). A new model, or a new
field on an old one, that is in neither fails here until its author decides.
"""

from __future__ import annotations

from django.apps import apps

from ginnel.audit import export
from ginnel.communities.models import Membership
from ginnel.people.models import Person


def _pointers() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        for f in model._meta.get_fields():
            if not f.is_relation or f.auto_created or not (f.concrete or f.many_to_many):
                continue
            if f.related_model in (Person, Membership):
                found.add(f"{model._meta.label}.{f.name}")
    return found


def test_every_field_pointing_at_a_person_or_membership_is_exported_or_excluded_with_a_reason():
    pointers = _pointers()
    undecided = pointers - set(export.COVERED) - set(export.EXCLUDED)
    assert not undecided, (
        "These fields point at a Person or Membership but are neither exported "
        "(export.COVERED) nor excluded with a reason (export.EXCLUDED): "
        f"{sorted(undecided)}"
    )


def test_no_field_is_both_exported_and_excluded_and_none_is_stale():
    assert not set(export.COVERED) & set(export.EXCLUDED)
    # A name for a field that no longer exists would hide a gap.
    assert set(export.COVERED) | set(export.EXCLUDED) <= _pointers()


def test_every_exclusion_says_why():
    assert all(len(reason.strip()) > 20 for reason in export.EXCLUDED.values())


def test_each_covering_section_is_a_section_of_the_export(member):
    data = export.subject_access(member)
    assert set(export.COVERED.values()) <= set(data)
    assert tuple(data) == export.SECTIONS
