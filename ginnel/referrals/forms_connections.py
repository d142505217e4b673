"""Forms of a referral's connections page: record a suggestion, or something chosen by search.

Each of the small forms is posted on its own (``form`` names which); members,
directory entries and events are chosen with the design system's picker — a
search, never a list of everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ginnel.communities.permissions import Access
from ginnel.directory.models import Event, Service
from ginnel.referrals import selectors_connections as found
from ginnel.referrals.models import ConnectionKind, Referral
from ginnel.timebank.models import Where
from ginnel.timebank.picking import as_match
from ginnel.ui.forms import Form
from ginnel.ui.ids import is_id
from ginnel.ui.picker import Match, PickerField

#: The small forms of the page, by the ``form`` value each posts.
FORM_KEYS = ("suggestion", "member", "directory", "event", "other")


def _ids(values: Sequence[str]) -> list[int]:
    return [int(v) for v in values if is_id(v)]


def _service_match(service: Service) -> Match:
    return Match(
        value=str(service.pk),
        label=service.name,
        details=(str(service.get_kind_display()), service.organization.name),
        obj=service,
    )


def _event_match(event: Event) -> Match:
    when = date_format(timezone.localtime(event.starts_at), "j M Y")
    details = (when, event.organization.name) if event.organization else (when,)
    return Match(value=str(event.pk), label=event.title, details=details, obj=event)


class SuggestionForm(Form):
    """ "Record as a connection" on a suggestion: its kind, target and reasons, sealed."""

    suggestion = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This suggestion could not be read. Reload the page and try again.")
        },
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral

    def clean_suggestion(self) -> found.Unsealed:
        unsealed = found.unseal(self.cleaned_data["suggestion"], referral_id=self.referral.pk)
        if unsealed is None:
            raise forms.ValidationError(
                _("This suggestion could not be read. Reload the page and try again.")
            )
        return unsealed


class MemberForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {"target_id": "person"}
    mark_optional = False

    kind = forms.ChoiceField(
        label=_("Who are they to the person?"),
        choices=[
            (ConnectionKind.TIMEBANK_MEMBER.value, _("A timebank member who can help")),
            (ConnectionKind.PEER.value, _("A peer who shares a concern")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether they are a timebank member or a peer.")},
    )

    def __init__(self, *args: Any, access: Access, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        def search(text: str, limit: int) -> list[Match]:
            return [
                as_match(m)
                for m in found.members_search(
                    access=access, referral=referral, text=text, limit=limit + 1
                )
            ]

        def get(values: Sequence[str]) -> list[Match]:
            ids = _ids(values)
            if not ids:
                return []
            return [
                as_match(m)
                for m in found.members_search(
                    access=access, referral=referral, ids=ids, limit=len(ids)
                )
            ]

        self.fields["person"] = PickerField(
            search=search,
            get=get,
            label=_("The member"),
            error_messages={
                "required": _("Search for the member by name, then choose them from the list."),
                "not_chosen": _("Choose the member from the list."),
                "no_match": _(
                    "No member's name matches what you typed. Check the spelling, "
                    "or type part of the name."
                ),
                "invalid_choice": _(
                    "That person cannot be chosen here. Search again and choose from the list."
                ),
            },
        )


class DirectoryForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {"target_id": "entry"}
    mark_optional = False

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=[
            (ConnectionKind.SERVICE.value, _("A service")),
            (ConnectionKind.GROUP.value, _("A community group")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether it is a service or a group.")},
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        def search(text: str, limit: int) -> list[Match]:
            return [
                _service_match(s)
                for s in found.services_search(access=access, text=text, limit=limit + 1)
            ]

        def get(values: Sequence[str]) -> list[Match]:
            ids = _ids(values)
            if not ids:
                return []
            return [
                _service_match(s)
                for s in found.services_search(access=access, ids=ids, limit=len(ids))
            ]

        self.fields["entry"] = PickerField(
            search=search,
            get=get,
            label=_("The service or group"),
            error_messages={
                "required": _("Search the directory by name, then choose from the list."),
                "not_chosen": _("Choose the service or group from the list."),
                "no_match": _(
                    "Nothing in the directory matches what you typed. Check the spelling, "
                    "or type part of the name."
                ),
                "invalid_choice": _(
                    "That entry cannot be chosen here. Search again and choose from the list."
                ),
            },
        )


class EventForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {"target_id": "event"}
    mark_optional = False

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        def search(text: str, limit: int) -> list[Match]:
            return [
                _event_match(e)
                for e in found.events_search(access=access, text=text, limit=limit + 1)
            ]

        def get(values: Sequence[str]) -> list[Match]:
            ids = _ids(values)
            if not ids:
                return []
            return [
                _event_match(e) for e in found.events_search(access=access, ids=ids, limit=len(ids))
            ]

        self.fields["event"] = PickerField(
            search=search,
            get=get,
            label=_("The event"),
            error_messages={
                "required": _("Search the events by name, then choose one from the list."),
                "not_chosen": _("Choose the event from the list."),
                "no_match": _(
                    "No event's name matches what you typed. Check the spelling, "
                    "or type part of the name."
                ),
                "invalid_choice": _(
                    "That event cannot be chosen here. Search again and choose from the list."
                ),
            },
        )


class OtherForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {"target_label": "name"}
    mark_optional = False

    name = forms.CharField(
        label=_("Who or what they were connected to"),
        max_length=200,
        help_text=_("For example: the library's knit and natter, or a cousin who visits."),
        error_messages={
            "required": _("Say who or what they were connected to."),
            "max_length": _("The name can be at most 200 characters."),
        },
    )


class OutcomeForm(Form):
    """Did they go? Two buttons, one for each answer."""

    outcome = forms.ChoiceField(
        choices=[("went", _("Went")), ("did_not_go", _("Did not go"))],
        error_messages={
            "required": _("Choose whether they went or did not go."),
            "invalid_choice": _("Choose whether they went or did not go."),
        },
    )


class ProposeForm(Form):
    """Asking an offer's owner for help, for the person referred."""

    mark_optional = False

    message = forms.CharField(
        label=_("Message"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say hello for them, who you are, and suggest when and where."),
        error_messages={
            "required": _("Write a message: say hello and suggest when and where."),
            "max_length": _("The message can be at most 300 characters."),
        },
    )
    where = forms.ChoiceField(
        label=_("Where will it happen?"),
        choices=Where.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where it will happen.")},
    )
    # The suggestion this came from, if any: its reasons are recorded with the connection.
    suggestion = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral

    def clean_suggestion(self) -> found.Unsealed | None:
        token = self.cleaned_data["suggestion"]
        return found.unseal(token, referral_id=self.referral.pk) if token else None
