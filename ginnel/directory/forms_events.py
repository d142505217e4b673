"""The event form: a date with start and end times, how it repeats, its themes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from ginnel.communities.models import Community
from ginnel.directory.forms_editing import DAY_CHOICES, TermChoice
from ginnel.directory.models import Event, Freq, Location, Organization, Service
from ginnel.directory.services.editing import DAYS
from ginnel.directory.services.events import MAX_INTERVAL, EventData
from ginnel.ui.forms import Form

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def monthly_byday(day: date) -> str:
    """The same weekday of the month as ``day``: "2TU" for the second Tuesday, "-1FR" for
    a fifth (so last) Friday."""
    ordinal = (day.day - 1) // 7 + 1
    return f"{-1 if ordinal == 5 else ordinal}{DAYS[day.weekday()]}"


class EventForm(Form):
    title = forms.CharField(label="Name of the event", max_length=200)
    description = forms.CharField(
        label="What happens",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The first date, if it repeats.",
    )
    starts = forms.TimeField(label="Starts at", help_text="For example 10:00")
    ends = forms.TimeField(label="Ends at", help_text="For example 12:30")
    repeat = forms.ChoiceField(
        label="Does it repeat?",
        choices=[
            ("", "No, it happens once"),
            (Freq.WEEKLY.value, "Every week (or every few weeks)"),
            (
                Freq.MONTHLY.value,
                "Every month, on the same weekday (for example the second Tuesday)",
            ),
        ],
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )
    interval = forms.IntegerField(
        label="How many weeks or months apart",
        min_value=1,
        max_value=MAX_INTERVAL,
        initial=1,
        required=False,
        help_text="1 for every week or month, 2 for every other one.",
    )
    days = forms.MultipleChoiceField(
        label="Which days (weekly events)",
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for the same day as the first date.",
    )
    until = forms.DateField(
        label="Last date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty if it carries on.",
    )
    free = forms.BooleanField(label="Free to attend", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, community: Community, organization: Organization, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"] = forms.ModelChoiceField(
            label="Which of its groups or services runs it",
            queryset=Service.objects.filter(organization=organization).order_by("name", "id"),
            required=False,
            empty_label="The organisation itself",
        )
        self.fields["location"] = forms.ModelChoiceField(
            label="Where",
            queryset=Location.objects.filter(community=community)
            .filter(
                Q(organization=organization) | Q(at_locations__service__organization=organization)
            )
            .distinct()
            .order_by("name", "id"),
            required=False,
            empty_label="Not a place (or online)",
        )
        self.fields["themes"] = TermChoice(
            community, label="Themes", help_text="So people can find it, and so clashes show."
        )
        self.order_fields(
            ["title", "description", "service", "location", "date", "starts", "ends", "repeat"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends, first = data.get("starts"), data.get("ends"), data.get("date")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", "The event must end after it starts.")
        repeat = data.get("repeat") or ""
        if repeat and first is not None:
            until = data.get("until")
            if until is not None and until < first:
                self.add_error("until", "The last date must be on or after the first date.")
            days = data.get("days") or []
            if repeat == Freq.WEEKLY and days and DAYS[first.weekday()] not in days:
                self.add_error(
                    "days", f"Include the day of the first date ({first:%A}) in the days."
                )
        return data

    def to_data(self) -> EventData:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        first: date = data["date"]
        repeat = data["repeat"] or ""
        byday = ""
        if repeat == Freq.WEEKLY:
            chosen = data["days"] or [DAYS[first.weekday()]]
            byday = ",".join(d for d in DAYS if d in chosen)
        elif repeat == Freq.MONTHLY:
            byday = monthly_byday(first)
        return EventData(
            title=data["title"],
            description=data["description"],
            service=data["service"],
            location=data["location"],
            starts_at=timezone.make_aware(datetime.combine(first, data["starts"]), zone),
            ends_at=timezone.make_aware(datetime.combine(first, data["ends"]), zone),
            freq=repeat,
            interval=data["interval"] or 1,
            byday=byday,
            until=data["until"] if repeat else None,
            free=data["free"],
            themes=list(data["themes"]),
        )

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        starts = timezone.localtime(event.starts_at)
        return {
            "title": event.title,
            "description": event.description,
            "service": event.service_id,
            "location": event.location_id,
            "date": starts.date(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": timezone.localtime(event.ends_at).time().replace(second=0, microsecond=0),
            "repeat": event.freq,
            "interval": event.interval,
            "days": [d for d in DAYS if d in event.byday.split(",")]
            if event.freq == Freq.WEEKLY
            else [],
            "until": event.until,
            "free": event.free,
            "themes": list(event.themes.values_list("pk", flat=True)),
            "version": event.version,
        }


class CancelForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
