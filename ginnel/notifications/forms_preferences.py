"""The preferences form: per kind and channel how often, quiet hours, and where."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ginnel.notifications.kinds import Channel, Frequency, Kind
from ginnel.notifications.models import ContactSettings
from ginnel.notifications.services_preferences import Contact
from ginnel.ui.forms import Form

FREQUENCY_CHOICES = [
    (Frequency.IMMEDIATELY.value, _("Straight away")),
    (Frequency.DAILY.value, _("In a daily digest")),
    (Frequency.WEEKLY.value, _("In a weekly digest")),
    (Frequency.OFF.value, _("Off")),
]

#: Texts are never gathered into digests: a digest is too long for a text message.
TEXT_CHOICES = [FREQUENCY_CHOICES[0], FREQUENCY_CHOICES[-1]]


def choices_for(channel: Channel) -> list[tuple[str, Any]]:
    return TEXT_CHOICES if channel == Channel.SMS else FREQUENCY_CHOICES


PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


def field_name(kind: Kind, channel: Channel) -> str:
    return f"{kind.code}:{channel.value}"


@dataclass(frozen=True)
class Cell:
    channel: Channel
    field: forms.BoundField


@dataclass(frozen=True)
class Row:
    kind: Kind
    cells: list[Cell]


class PreferencesForm(Form):
    """One select per kind and channel; the contact fields the community's channels need."""

    mark_optional = False  # everything here has a value or may be left empty

    quiet_from = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        help_text=_("For example 21:00"),
        error_messages={"invalid": _("Enter a time such as 21:00")},
    )
    quiet_until = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        help_text=_("For example 08:00"),
        error_messages={"invalid": _("Enter a time such as 08:00")},
    )
    email = forms.EmailField(
        label=_("Email address for notifications"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address such as name@example.org")},
    )
    phone = forms.CharField(
        label=_("Mobile number for text messages"), required=False, max_length=32
    )
    letter_name = forms.CharField(
        label=_("Name on letters"),
        required=False,
        max_length=120,
        help_text=_("For example the person's carer: “Sam Green (for Mo Member)”."),
    )
    letter_address = forms.CharField(
        label=_("Postal address for letters"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        kinds: Sequence[Kind],
        channels: Sequence[Channel],
        current: dict[tuple[str, Channel], Frequency],
        contact: ContactSettings | None,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = dict(kwargs.pop("initial", None) or {})
        for kind in kinds:
            for channel in channels:
                initial[field_name(kind, channel)] = current.get(
                    (kind.code, channel), kind.default_for(channel)
                ).value
        if contact is not None:
            for name in ("quiet_from", "quiet_until", "email", "phone"):
                initial[name] = getattr(contact, name)
            initial["letter_name"] = contact.letter_name
            initial["letter_address"] = contact.letter_address
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.kinds = list(kinds)
        self.channels = list(channels)
        for kind in self.kinds:
            for channel in self.channels:
                self.fields[field_name(kind, channel)] = forms.ChoiceField(
                    label=str(kind.label),
                    choices=choices_for(channel),
                    error_messages={
                        "required": _("Choose how often this comes, or Off"),
                        "invalid_choice": _("Choose one of the ways offered, or Off"),
                    },
                )
        if Channel.SMS not in self.channels:
            del self.fields["phone"]
        if Channel.LETTER not in self.channels:
            del self.fields["letter_name"]
            del self.fields["letter_address"]

    # For the template ---------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return [
            Row(
                kind=kind,
                cells=[Cell(channel, self[field_name(kind, channel)]) for channel in self.channels],
            )
            for kind in self.kinds
        ]

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        names = ("email", "phone", "letter_name", "letter_address")
        return [self[n] for n in names if n in self.fields]

    # Checking -----------------------------------------------------------------------------

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                _("Enter a mobile number such as 07700 900123"), code="invalid"
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_from"), data.get("quiet_until")
        if "quiet_from" not in self.errors and "quiet_until" not in self.errors:
            if start is not None and end is None:
                self.add_error("quiet_until", _("Enter when quiet hours end, or clear both times"))
            elif end is not None and start is None:
                self.add_error("quiet_from", _("Enter when quiet hours start, or clear both times"))
            elif start is not None and start == end:
                self.add_error(
                    "quiet_until", _("Quiet hours must end at a different time from their start")
                )
        if (
            "letter_address" in self.fields
            and data.get("letter_name")
            and not str(data.get("letter_address") or "").strip()
        ):
            self.add_error("letter_address", _("Enter the address letters go to"))
        return data

    # Results ------------------------------------------------------------------------------

    def choices(self) -> dict[tuple[str, Channel], Frequency]:
        return {
            (kind.code, channel): Frequency(self.cleaned_data[field_name(kind, channel)])
            for kind in self.kinds
            for channel in self.channels
        }

    def contact(self, keep: ContactSettings | None) -> Contact:
        """The contact settings posted; fields this page did not show keep their value."""
        data = self.cleaned_data

        def value(name: str) -> str:
            if name in self.fields:
                return str(data.get(name) or "").strip()
            return str(getattr(keep, name)) if keep is not None else ""

        return Contact(
            quiet_from=data.get("quiet_from"),
            quiet_until=data.get("quiet_until"),
            email=value("email"),
            phone=value("phone"),
            letter_name=value("letter_name"),
            letter_address=value("letter_address"),
        )
