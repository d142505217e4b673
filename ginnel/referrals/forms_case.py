"""The steps on one referral's page, each a small form named as its service names its arguments.

Each form is drawn with a prefix (its step's name), so the page can hold them
all with ids that do not clash, and posts to its own address.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Membership
from ginnel.referrals.models import CloseOutcome, ContactBy, ContactOutcome
from ginnel.ui.forms import Form

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value: date | None) -> date | None:
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


class LinkWorkerChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.display_name)


class LinkWorkerForm(Form):
    """Accepting a referral, or giving it to another link worker: who takes it."""

    link_worker = LinkWorkerChoice(
        label=_("Link worker"),
        queryset=Membership.objects.none(),
        empty_label=_("Choose a link worker"),
        error_messages={
            "required": _("Choose the link worker to give it to"),
            "invalid_choice": _("Choose a link worker from the list"),
        },
    )

    def __init__(
        self, *args: Any, link_workers: QuerySet[Membership] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if link_workers is not None:
            field = self.fields["link_worker"]
            assert isinstance(field, LinkWorkerChoice)  # noqa: S101 (declared above)
            field.queryset = link_workers


class DeclineForm(Form):
    reason = forms.CharField(
        label=_("Why it is declined"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The referrer is told this."),
        error_messages={"required": _("Say why the referral is declined")},
    )


class RedirectForm(Form):
    to_service = forms.CharField(
        label=_("The service it is passed to"),
        max_length=200,
        error_messages={"required": _("Say which service the referral is passed to")},
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContactForm(Form):
    happened_on = forms.DateField(
        label=_("Date of the attempt"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Enter the date you tried to make contact"),
            "invalid": _("Enter a real date, for example 27/03/2026"),
        },
    )
    channel = forms.ChoiceField(
        label=_("How you tried"),
        choices=ContactBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you tried to make contact")},
    )
    outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_happened_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("happened_on"))


class ConversationForm(Form):
    happened_on = forms.DateField(
        label=_("Date of the conversation"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Enter the date of the first conversation"),
            "invalid": _("Enter a real date, for example 27/03/2026"),
        },
    )
    notes = forms.CharField(
        label=_("What you talked about"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_happened_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("happened_on"))


class FollowUpForm(Form):
    due_on = forms.DateField(
        label=_("Due on"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Enter the date the follow-up is due"),
            "invalid": _("Enter a real date, for example 27/03/2026"),
        },
    )
    purpose = forms.CharField(label=_("What it is for"), required=False, max_length=200)

    def clean_due_on(self) -> date | None:
        value = self.cleaned_data.get("due_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Choose a date today or later for a follow-up."))
        return value


class FollowUpDoneForm(Form):
    notes = forms.CharField(label=_("How it went"), required=False, max_length=4000)


class CloseForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome")), *CloseOutcome.choices],
        error_messages={"required": _("Choose the outcome the referral closes with")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CorrectionForm(Form):
    correction = forms.CharField(
        label=_("What was wrong and what is right"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The entry stays as it was; your correction is shown with it."),
        error_messages={"required": _("Say what was wrong and what is right")},
    )
