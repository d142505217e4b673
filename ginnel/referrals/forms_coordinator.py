"""Forms for a coordinator's pages: filters, giving and moving cases, settings, organisations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Membership, Neighbourhood
from ginnel.referrals.models import (
    OrganisationKind,
    ReferralReason,
    ReferringOrganisation,
)
from ginnel.referrals.selectors_coordinator import ReferralFilters
from ginnel.referrals.services import MAX_FAILED_CONTACTS
from ginnel.ui.forms import Form


class ReasonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        label = str(_(obj.label))
        return label if obj.is_active else str(_("%(reason)s (retired)") % {"reason": label})


class FilterForm(Form):
    """Narrow a list of referrals; every field is optional and the form works without JavaScript."""

    mark_optional = False

    reason = ReasonChoice(
        label=_("Reason"),
        required=False,
        queryset=ReferralReason.objects.none(),
        empty_label=_("Any reason"),
        error_messages={"invalid_choice": _("Choose a reason from the list")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Referring organisation"),
        required=False,
        queryset=ReferringOrganisation.objects.none(),
        empty_label=_("Any organisation"),
        error_messages={"invalid_choice": _("Choose an organisation from the list")},
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        required=False,
        queryset=Neighbourhood.objects.none(),
        empty_label=_("Any neighbourhood"),
        error_messages={"invalid_choice": _("Choose a neighbourhood from the list")},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        reasons: QuerySet[ReferralReason] | None = None,
        organisations: QuerySet[ReferringOrganisation] | None = None,
        neighbourhoods: QuerySet[Neighbourhood] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        if reasons is not None:
            self.fields["reason"].queryset = reasons  # type: ignore[attr-defined]
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if neighbourhoods is not None:
            self.fields["neighbourhood"].queryset = neighbourhoods  # type: ignore[attr-defined]

    def filters(self) -> ReferralFilters:
        """What was chosen; nothing when a choice was not valid (the page says which)."""
        if not self.is_bound or not self.is_valid():
            return ReferralFilters()
        return ReferralFilters(
            reason=self.cleaned_data.get("reason"),
            organisation=self.cleaned_data.get("organisation"),
            neighbourhood=self.cleaned_data.get("neighbourhood"),
        )


class LinkWorkerForm(Form):
    """Give a new referral to a link worker, or move an open one to another."""

    link_worker = forms.ModelChoiceField(
        label=_("Link worker"),
        queryset=Membership.objects.none(),
        error_messages={
            "required": _("Choose a link worker"),
            "invalid_choice": _("Choose a link worker from the list"),
        },
    )

    def __init__(
        self, data: Any = None, *, workers: QuerySet[Membership] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        if workers is not None:
            self.fields["link_worker"].queryset = workers  # type: ignore[attr-defined]


class SettingsForm(Form):
    failed_contacts_before_closing = forms.IntegerField(
        label=_("Failed contact attempts before a referral closes as “could not contact”"),
        help_text=_("A number from 1 to 10. The referrer is told when a referral closes this way."),
        error_messages={
            "required": _("Enter a number of attempts from 1 to 10"),
            "invalid": _("Enter a number of attempts from 1 to 10"),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--width-3"}),
    )

    def clean_failed_contacts_before_closing(self) -> int:
        value: int = self.cleaned_data["failed_contacts_before_closing"]
        if not 1 <= value <= MAX_FAILED_CONTACTS:
            raise forms.ValidationError(_("Enter a number of attempts from 1 to 10"))
        return value


class ReasonForm(Form):
    label = forms.CharField(
        label=_("New reason"),
        max_length=120,
        help_text=_("As referrers will read it in the list, for example “Pet care”."),
        error_messages={"required": _("Enter the reason")},
    )
    code = forms.SlugField(
        label=_("Code"),
        required=False,
        max_length=40,
        help_text=_(
            "For reports and exports: lower-case letters, numbers and underscores. "
            "Left blank, it is made from the reason."
        ),
        error_messages={
            "invalid": _("Use only lower-case letters, numbers, hyphens and underscores")
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("code") and cleaned.get("label"):
            made = slugify(cleaned["label"]).replace("-", "_")[:40]
            if not made:
                self.add_error(
                    "code", _("Enter a code: the reason has no letters to make one from")
                )
            cleaned["code"] = made
        return cleaned


class QuestionnaireSwitchForm(Form):
    on = forms.TypedChoiceField(
        label=_("In use"),
        choices=(("1", _("In use")), ("0", _("Not in use"))),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether it is in use")},
    )
    licence_registered = forms.BooleanField(
        label=_("We have registered for the licence this questionnaire needs"),
        required=False,
    )


class OrganisationForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=OrganisationKind.choices,
        error_messages={"required": _("Choose what kind of organisation it is")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=160,
        error_messages={"required": _("Enter the organisation's name")},
    )
    ods_code = forms.CharField(
        label=_("ODS code"),
        required=False,
        max_length=12,
        help_text=_("The NHS Organisation Data Service code, if it has one. For example, F84001."),
    )
    email = forms.EmailField(
        label=_("Email for letters"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address like name@example.org")},
    )


class ReferrerForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        error_messages={"required": _("Enter the referrer's name")},
    )
    job_title = forms.CharField(
        label=_("Job title"),
        required=False,
        max_length=120,
        help_text=_("For example: GP, housing officer."),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address like name@example.org")},
    )
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=32)
    give_login = forms.BooleanField(
        label=_("Give them a login to send referrals online"),
        required=False,
        help_text=_(
            "We email them a link to choose their password. Someone who already has a "
            "login here uses it."
        ),
    )
