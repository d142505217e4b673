"""Forms of the directory's search pages (the editing and events forms are beside this file)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ginnel.communities.models import Community, Neighbourhood
from ginnel.directory.models import KINDS_TAXONOMY, Address, Kind, Postcode, TaxonomyTerm
from ginnel.directory.postcodes import (
    METRES_PER_MILE,
    display,
    normalise,
    outward,
    postcode_locate,
    postcodes_loaded,
)
from ginnel.directory.selectors.search import SearchQuery
from ginnel.directory.wording import DAY_NAMES
from ginnel.errors import GinnelError
from ginnel.ui.forms import Form

DISTANCES = (("", gettext_lazy("Any distance")), ("1", gettext_lazy("1 mile")),
             ("2", gettext_lazy("2 miles")), ("5", gettext_lazy("5 miles")),
             ("10", gettext_lazy("10 miles")))  # fmt: skip
NOW = "now"
WHEN = (("", gettext_lazy("Any day")), (NOW, gettext_lazy("Open now")),
        *((str(n), d) for n, d in enumerate(DAY_NAMES)))  # fmt: skip
# Parts of the day: the opening hours must overlap them.
StrOrPromise = str | Promise
TIMES: dict[str, tuple[StrOrPromise, time, time]] = {
    "morning": (gettext_lazy("In the morning (before 12 noon)"), time(6), time(12)),
    "afternoon": (gettext_lazy("In the afternoon (12 noon to 5pm)"), time(12), time(17)),
    "evening": (gettext_lazy("In the evening (after 5pm)"), time(17), time(23, 59)),
}


@dataclass(frozen=True)
class SearchPlace:
    """Where distances are measured from, and how to say it."""

    latitude: float
    longitude: float
    label: str


def need_choices(community: Community) -> list[tuple[str, Any]]:
    """The community's taxonomy terms as a select: one group per taxonomy, children indented.

    The kinds taxonomy is left out (the "kind" boxes say the same); a term also finds its
    descendants, so a parent is a useful choice too.
    """
    terms = list(
        TaxonomyTerm.objects.filter(community=community)
        .exclude(taxonomy__name=KINDS_TAXONOMY)
        .select_related("taxonomy")
        .order_by("taxonomy__name", "taxonomy_id", "name")
    )
    children: dict[int | None, list[TaxonomyTerm]] = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    ids = {t.pk for t in terms}
    groups: dict[str, list[tuple[str, str]]] = {}

    def walk(term: TaxonomyTerm, depth: int) -> None:
        if depth > 8:
            return
        prefix = "\u2003" * depth + ("– " if depth else "")
        groups.setdefault(term.taxonomy.name, []).append((str(term.uuid), prefix + term.name))
        for child in children.get(term.pk, []):
            walk(child, depth + 1)

    for term in terms:
        if term.parent_id is None or term.parent_id not in ids:
            walk(term, 0)
    choices: list[tuple[str, Any]] = [("", _("Any need"))]
    if len(groups) == 1:
        choices.extend(next(iter(groups.values())))
    else:
        choices.extend(groups.items())
    return choices


def postcode_example(community: Community) -> str:
    """A loaded postcode to give as an example: one of the community's own addresses if
    the table knows it, else the first one loaded ("" when none are)."""
    codes = [
        c
        for c in (
            normalise(p)
            for p in Address.objects.filter(community=community)
            .order_by("id")
            .values_list("postal_code", flat=True)[:50]
        )
        if c
    ]
    found = (
        Postcode.objects.filter(postcode__in=codes)
        .order_by("postcode")
        .values_list("postcode", flat=True)
        .first()
        if codes
        else None
    )
    if found is None:
        found = Postcode.objects.order_by("postcode").values_list("postcode", flat=True).first()
    return display(found) if found else ""


def postcode_hint(community: Community) -> str:
    """The postcode field's hint: an example that works here, and which postcodes we know."""
    loaded = postcodes_loaded()
    if loaded.count == 0:
        return _("No postcodes are loaded yet, so choose a neighbourhood instead.")
    example = postcode_example(community)
    district = outward(example[:-4]) if example else None
    if district:
        said = _("For example %(postcode)s, or just the first part, %(district)s.") % {
            "postcode": example,
            "district": district,
        }
    else:
        said = _("For example %(postcode)s.") % {"postcode": example}
    count = number_format(loaded.count, force_grouping=True)
    if loaded.districts:
        known = ngettext(
            "Postcodes loaded: %(districts)s (%(count)s postcode).",
            "Postcodes loaded: %(districts)s (%(count)s postcodes).",
            loaded.count,
        ) % {"districts": loaded.ranges, "count": count}
    else:
        known = ngettext(
            "%(count)s postcode loaded, from %(first)s to %(last)s.",
            "%(count)s postcodes loaded, from %(first)s to %(last)s.",
            loaded.count,
        ) % {"count": count, "first": display(loaded.first), "last": display(loaded.last)}
    return f"{said} {known}"


class SearchForm(Form):
    """What a member is looking for: every field optional, kept in the address (GET)."""

    mark_optional = False

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Words such as lunch club, befriending or debt advice."),
    )
    need = forms.ChoiceField(label=gettext_lazy("What it helps with"), required=False)
    kind = forms.MultipleChoiceField(
        label=gettext_lazy("What kind of thing"),
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    postcode = forms.CharField(
        label=gettext_lazy("Near a postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input--short"}),
    )
    within = forms.ChoiceField(
        label=gettext_lazy("How far away"), required=False, choices=DISTANCES
    )
    day = forms.ChoiceField(label=gettext_lazy("When"), required=False, choices=WHEN)
    time = forms.ChoiceField(
        label=gettext_lazy("Time of day"),
        required=False,
        choices=[("", gettext_lazy("Any time")), *((k, v[0]) for k, v in TIMES.items())],
    )
    free = forms.BooleanField(label=gettext_lazy("Free of charge only"), required=False)
    age = forms.IntegerField(
        label=gettext_lazy("Age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=gettext_lazy(
            "The age of the person it is for, to leave out what they are too young or too old for."
        ),
        widget=forms.NumberInput(attrs={"class": "input--short", "inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Enter an age in whole years, like 67"),
            "min_value": gettext_lazy("Enter an age of 0 or more"),
            "max_value": gettext_lazy("Enter an age of 120 or less"),
        },
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        need = self.fields["need"]
        assert isinstance(need, forms.ChoiceField)  # noqa: S101 (declared above)
        need.choices = need_choices(community)
        self.fields["neighbourhood"] = forms.ModelChoiceField(
            label=_("Or near a neighbourhood"),
            required=False,
            empty_label=_("Choose a neighbourhood"),
            queryset=Neighbourhood.objects.filter(
                community=community, latitude__isnull=False, longitude__isnull=False
            ),
            help_text=_("Distances are measured from its centre."),
        )
        # Keep the fields in reading order: the neighbourhood after the postcode.
        order = ["q", "need", "kind", "postcode", "neighbourhood", "within", "day", "time"]
        self.order_fields([*order, "free", "age"])
        self.fields["postcode"].help_text = postcode_hint(community)

    def clean_postcode(self) -> str:
        text: str = self.cleaned_data["postcode"].strip()
        if text and normalise(text) is None and outward(text) is None:
            raise forms.ValidationError(
                _(
                    "“%(text)s” is not a UK postcode. Enter a postcode like HX7 8AA, or the "
                    "first part of one like HX7, or choose your neighbourhood."
                )
                % {"text": text}
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place: SearchPlace | None = None
        postcode = data.get("postcode")
        neighbourhood: Neighbourhood | None = data.get("neighbourhood")
        if postcode:
            try:
                latitude, longitude = postcode_locate(text=postcode, districts=True)
            except GinnelError:
                self.add_error(
                    "postcode",
                    _(
                        "We do not know the postcode %(postcode)s; check it, or choose "
                        "your neighbourhood."
                    )
                    % {"postcode": display(postcode)},
                )
            else:
                place = SearchPlace(latitude, longitude, display(postcode))
        elif neighbourhood is not None:
            assert neighbourhood.latitude is not None  # noqa: S101 (the queryset says so)
            assert neighbourhood.longitude is not None  # noqa: S101
            place = SearchPlace(neighbourhood.latitude, neighbourhood.longitude, neighbourhood.name)
        if data.get("within") and place is None and "postcode" not in self.errors:
            self.add_error(
                "postcode",
                _("Enter a postcode, or choose your neighbourhood, to search within a distance."),
            )
        data["place"] = place
        return data

    def query(self, *, page: int, per_page: int, now: datetime) -> SearchQuery:
        """The selector's query for what was asked (call once the form is valid)."""
        data = self.cleaned_data
        place: SearchPlace | None = data.get("place")
        day = data.get("day") or ""
        span = TIMES.get(data.get("time") or "")
        return SearchQuery(
            text=data.get("q") or "",
            taxonomy_terms=(uuid.UUID(data["need"]),) if data.get("need") else (),
            kinds=tuple(data.get("kind") or ()),
            near=(place.latitude, place.longitude) if place else None,
            within_metres=float(data["within"]) * METRES_PER_MILE if data.get("within") else None,
            day=int(day) if day and day != NOW else None,
            open_at=now if day == NOW else None,
            start_time=span[1] if span and day != NOW else None,
            end_time=span[2] if span and day != NOW else None,
            free_only=bool(data.get("free")),
            age=data.get("age"),
            page=page,
            per_page=per_page,
        )
