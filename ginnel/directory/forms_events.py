"""The event form: a date with start and end times, how it repeats, where, its themes.

Times are typed as people write them ("2pm", "14:00", "2.30pm", "noon"); a monthly event
is on the first, second, third, fourth or last of a weekday ("the first Tuesday").
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ginnel.communities.models import Community
from ginnel.directory import wording
from ginnel.directory.forms_editing import DAY_CHOICES, TermChoice
from ginnel.directory.models import Event, Freq, Location, Organization, Service
from ginnel.directory.services.editing import DAYS
from ginnel.directory.services.events import MAX_INTERVAL, EventData
from ginnel.directory.times import time_parse
from ginnel.ui.forms import Form
from ginnel.ui.urls_safe import SafeURLField

MONTH_WEEKS = [
    ("", gettext_lazy("The same as the first date")),
    ("1", gettext_lazy("First")),
    ("2", gettext_lazy("Second")),
    ("3", gettext_lazy("Third")),
    ("4", gettext_lazy("Fourth")),
    ("-1", gettext_lazy("Last")),
]


def monthly_byday(day: date) -> str:
    """The same weekday of the month as ``day``: "2TU" for the second Tuesday, "-1FR" for
    a fifth (so last) Friday."""
    ordinal = (day.day - 1) // 7 + 1
    return f"{-1 if ordinal == 5 else ordinal}{DAYS[day.weekday()]}"


def nth_weekday(year: int, month: int, ordinal: int, weekday: int) -> date | None:
    """The ``ordinal``-th ``weekday`` (0 = Monday) of a month; -1 for the last."""
    if ordinal == -1:
        following = date(year + month // 12, month % 12 + 1, 1)
        last = following - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
    return day if day.month == month else None


def first_monthly_date(start: date, ordinal: int, weekday: int) -> date:
    """The first "``ordinal``-th ``weekday`` of a month" on or after ``start``."""
    year, month = start.year, start.month
    for _month in range(14):
        found = nth_weekday(year, month, ordinal, weekday)
        if found is not None and found >= start:
            return found
        year, month = year + month // 12, month % 12 + 1
    return start


class TimeTextField(forms.Field):
    """A time of day as people type it: "2pm", "14:00", "2.30pm", "2:30 pm", "noon"."""

    widget = forms.TextInput(attrs={"class": "input--short", "autocomplete": "off"})

    def to_python(self, value: Any) -> time | None:
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        parsed = time_parse(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed

    def prepare_value(self, value: Any) -> Any:
        return wording.clock(value) if isinstance(value, time) else value


class EventForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {
        "starts_at": "date",
        "ends_at": "ends",
        "byday": "days",
        "freq": "repeat",
    }

    title = forms.CharField(
        label=gettext_lazy("Name of the event"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the name of the event")},
    )
    description = forms.CharField(
        label=gettext_lazy("What happens"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    url = SafeURLField(
        label=gettext_lazy("Online link"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Where to join, if it happens online. For example https://…"),
        error_messages={"unsafe": gettext_lazy("Enter a web address, like https://example.org/")},
    )
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The first date, if it repeats. Today or later."),
        error_messages={"required": gettext_lazy("Enter the date of the event")},
    )
    starts = TimeTextField(
        label=gettext_lazy("Starts at"),
        help_text=gettext_lazy("For example 10am, 2.30pm or 14:30"),
        error_messages={
            "required": gettext_lazy("Enter the time it starts, like 10am"),
            "invalid": gettext_lazy("Enter the time it starts like 2pm, 2.30pm or 14:30"),
        },
    )
    ends = TimeTextField(
        label=gettext_lazy("Ends at"),
        help_text=gettext_lazy("For example 12 noon or 4pm"),
        error_messages={
            "required": gettext_lazy("Enter the time it ends, like 12 noon"),
            "invalid": gettext_lazy("Enter the time it ends like 4pm, 4.30pm or 16:30"),
        },
    )
    repeat = forms.ChoiceField(
        label=gettext_lazy("Does it repeat?"),
        choices=[
            ("", gettext_lazy("No, it happens once")),
            (Freq.WEEKLY.value, gettext_lazy("Every week (or every few weeks)")),
            (
                Freq.MONTHLY.value,
                gettext_lazy("Every month, on one weekday (for example the first Tuesday)"),
            ),
        ],
        widget=forms.RadioSelect,
        required=False,
        initial="",
    )
    interval = forms.IntegerField(
        label=gettext_lazy("How many weeks or months apart"),
        min_value=1,
        max_value=MAX_INTERVAL,
        initial=1,
        required=False,
        help_text=gettext_lazy("1 for every week or month, 2 for every other one."),
    )
    days = forms.MultipleChoiceField(
        label=gettext_lazy("Which days (weekly events)"),
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for the same day as the first date."),
    )
    month_week = forms.ChoiceField(
        label=gettext_lazy("Which week of the month (monthly events)"),
        choices=MONTH_WEEKS,
        required=False,
    )
    month_day = forms.ChoiceField(
        label=gettext_lazy("Which day of the week (monthly events)"),
        choices=[("", gettext_lazy("The same as the first date")), *DAY_CHOICES],
        required=False,
        help_text=gettext_lazy(
            "For example first and Tuesday for the first Tuesday of each month. The event "
            "starts on the first such day on or after the date."
        ),
    )
    until = forms.DateField(
        label=gettext_lazy("Last date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty if it carries on."),
    )
    free = forms.BooleanField(label=gettext_lazy("Free to attend"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        community: Community,
        organization: Organization,
        event: Event | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["service"] = forms.ModelChoiceField(
            label=_("Which of its groups or services runs it"),
            queryset=Service.objects.filter(organization=organization).order_by("name", "id"),
            required=False,
            empty_label=_("The organisation itself"),
            help_text=_("The event then takes place where that group meets, unless you choose."),
        )
        self.fields["location"] = forms.ModelChoiceField(
            label=_("Where"),
            queryset=Location.objects.filter(community=community)
            .filter(
                Q(organization=organization) | Q(at_locations__service__organization=organization)
            )
            .distinct()
            .order_by("name", "id"),
            required=False,
            empty_label=_("Where the group meets, or online"),
        )
        self.fields["themes"] = TermChoice(
            community,
            label=_("Themes"),
            help_text=_("So people can find it, and so clashes show."),
            keep=list(event.themes.all()) if event is not None else (),
        )
        self.order_fields(
            ["title", "description", "service", "location", "url", "date", "starts", "ends"]
        )

    def _first_date(self, data: dict[str, Any]) -> dt.date | None:
        """The date it first happens: a monthly event moves to its first chosen weekday."""
        first: dt.date | None = data.get("date")
        if first is None or (data.get("repeat") or "") != Freq.MONTHLY:
            return first
        week, day = data.get("month_week") or "", data.get("month_day") or ""
        if not week and not day:
            return first
        ordinal = int(week) if week else int(monthly_byday(first)[:-2])
        weekday = DAYS.index(day) if day else first.weekday()
        return first_monthly_date(first, ordinal, weekday)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends, first = data.get("starts"), data.get("ends"), self._first_date(data)
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", _("The event must end after it starts."))
        if first is not None and starts is not None:
            zone = timezone.get_current_timezone()
            begins = timezone.make_aware(datetime.combine(first, starts), zone)
            unchanged = self.event is not None and self.event.starts_at == begins
            if begins < timezone.now() and not unchanged:
                if first < timezone.localdate():
                    self.add_error(
                        "date", _("The date cannot be in the past. Choose today or a later date.")
                    )
                else:
                    self.add_error(
                        "starts",
                        _("That time today has passed. Choose a later time, or another date."),
                    )
        repeat = data.get("repeat") or ""
        if repeat and first is not None:
            until = data.get("until")
            if until is not None and until < first:
                self.add_error("until", _("The last date must be on or after the first date."))
            days = data.get("days") or []
            if repeat == Freq.WEEKLY and days and DAYS[first.weekday()] not in days:
                self.add_error(
                    "days",
                    _("Include the day of the first date (%(day)s) in the days.")
                    % {"day": wording.DAY_NAMES[first.weekday()]},
                )
        return data

    def to_data(self) -> EventData:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        first = self._first_date(data)
        assert first is not None  # noqa: S101 (the form is valid)
        repeat = data["repeat"] or ""
        byday = ""
        if repeat == Freq.WEEKLY:
            chosen = data["days"] or [DAYS[first.weekday()]]
            byday = ",".join(d for d in DAYS if d in chosen)
        elif repeat == Freq.MONTHLY:
            week = data.get("month_week") or ""
            byday = f"{week}{DAYS[first.weekday()]}" if week else monthly_byday(first)
        return EventData(
            title=data["title"],
            description=data["description"],
            url=data["url"],
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
        month_week, month_day = "", ""
        if event.freq == Freq.MONTHLY and event.byday:
            code = event.byday.split(",")[0]
            month_week, month_day = code[:-2], code[-2:]
        return {
            "title": event.title,
            "description": event.description,
            "url": event.url,
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
            "month_week": month_week,
            "month_day": month_day,
            "until": event.until,
            "free": event.free,
            "themes": list(event.themes.values_list("pk", flat=True)),
            "version": event.version,
        }


class CancelForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
