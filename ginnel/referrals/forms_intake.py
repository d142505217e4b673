"""The referral forms: a member asking for a link worker, a member or staff referring
someone who agreed, and someone at a referring organisation sending one in.

The forms check what a person can put right on the page (a reason chosen, the
phone number a phone call needs, a consent date not in the future) with a
message next to each field; the services check the same rules again and any
refusal of theirs lands on the field it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access
from ginnel.communities.selectors import PersonMatch, people_search
from ginnel.people.models import ContactMethod, Person
from ginnel.referrals.models import ContactBy, ReferralReason, Referrer, ReferrerKind, Urgency
from ginnel.referrals.services import ReferralDetails
from ginnel.ui.forms import Form
from ginnel.ui.ids import is_id
from ginnel.ui.picker import Match, PickerField

TOO_LONG = _("Shorten this to %(limit_value)d characters or fewer (it has %(show_value)d).")
PICKER_KEY = "person"


def _text(
    label: Any, max_length: int, *, rows: int = 0, help_text: Any = "", tel: bool = False
) -> forms.CharField:
    """An optional text field with the length of its column and a plain message when too long."""
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": rows, "maxlength": max_length})
        if rows
        else forms.TextInput(attrs={"maxlength": max_length, **({"type": "tel"} if tel else {})})
    )
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=widget,
        error_messages={"max_length": TOO_LONG},
    )


class ReasonChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """The community's active reasons as checkboxes, each label through the catalogue."""

    def label_from_instance(self, obj: Any) -> str:
        return gettext(obj.label)


def reasons_offered(community: Community) -> QuerySet[ReferralReason]:
    return ReferralReason.objects.filter(community=community, is_active=True)


class ReferrerChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.job_title:
            return gettext("%(name)s, %(job)s, at %(organisation)s") % {
                "name": obj.name,
                "job": obj.job_title,
                "organisation": obj.organisation.name,
            }
        return gettext("%(name)s at %(organisation)s") % {
            "name": obj.name,
            "organisation": obj.organisation.name,
        }


class OrganisationChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One's own referrer records, each named by its organisation."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.organisation.name)


def external_referrers(access: Access) -> QuerySet[Referrer]:
    """Referrers at this community's referring organisations that still send referrals."""
    return Referrer.objects.filter(
        community=access.community,
        kind=ReferrerKind.EXTERNAL,
        organisation__is_active=True,
    ).select_related("organisation")


# Choosing the person --------------------------------------------------------------------------


def _as_match(found: PersonMatch) -> Match:
    details: list[str] = []
    if found.neighbourhood:
        details.append(found.neighbourhood)
    if found.email_name:
        details.append(gettext("email %(start)s@…") % {"start": found.email_name})
    else:
        details.append(gettext("member no. %(number)s") % {"number": found.member_number})
    return Match(
        value=str(found.person.pk),
        label=found.person.display_name,
        details=tuple(details),
        obj=found.person,
    )


def person_field(*, access: Access, exclude: Person | None, required: bool) -> PickerField:
    """Who is referred: a search of this community's members (never a list of everyone)."""
    exclude_ids = [exclude.pk] if exclude is not None else []

    def search(text: str, limit: int) -> list[Match]:
        found = people_search(access=access, text=text, exclude_ids=exclude_ids, limit=limit + 1)
        return [_as_match(m) for m in found]

    def get(values: Sequence[str]) -> list[Match]:
        ids = [int(v) for v in values if is_id(v)]
        if not ids:
            return []
        found = people_search(access=access, ids=ids, exclude_ids=exclude_ids, limit=len(ids))
        return [_as_match(m) for m in found]

    return PickerField(
        search=search,
        get=get,
        search_url=reverse("referrals:refer_person_search", args=[access.community.slug]),
        required=required,
        label=gettext("Who are you referring?"),
        help_text=gettext("Type part of their name and search, then choose them from the list."),
        error_messages={
            "required": gettext("Search for the person you are referring, then choose them."),
            "not_chosen": gettext("Choose the person you are referring from the list."),
            "no_match": gettext(
                "No member's name matches what you typed. Check the spelling, "
                "or type part of the name."
            ),
            "invalid_choice": gettext(
                "That person cannot be chosen here. Search again and choose from the list."
            ),
        },
    )


# The parts every referral has -----------------------------------------------------------------


class DetailsForm(Form):
    """How to contact the person, what matters to them, and what helps them take part."""

    # Which contact fields are needed depends on the way chosen (the hints say so):
    # "(optional)" on a phone number that a phone call needs would mislead.
    mark_optional = False

    reasons = ReasonChoice(
        label=_("What is the referral about?"),
        help_text=_("Choose all that apply."),
        queryset=ReferralReason.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one reason for the referral."),
            "invalid_choice": _("Choose reasons from this community's list."),
            "invalid_pk_value": _("Choose reasons from this community's list."),
        },
    )
    what_matters = _text(
        _("What matters to them, in their own words"),
        4000,
        rows=5,
        help_text=_("For example: “I want to get back to my allotment”."),
    )
    contact_by = forms.ChoiceField(
        label=_("How should the link worker contact them?"),
        choices=ContactBy.choices,
        widget=forms.RadioSelect,
        initial=ContactBy.PHONE,
        error_messages={
            "required": _("Choose how to contact them."),
            "invalid_choice": _("Choose how to contact them."),
        },
    )
    phone = _text(
        _("Phone number"), 32, help_text=_("Needed for a phone call or a text."), tel=True
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        help_text=_("Needed for email."),
        error_messages={
            "invalid": _("Enter an email address like name@example.org."),
            "max_length": TOO_LONG,
        },
    )
    address = _text(_("Postal address"), 500, rows=3, help_text=_("Needed for letters."))
    carer_name = _text(
        _("Carer's name"), 120, help_text=_("Needed to contact them through a carer.")
    )
    carer_phone = _text(_("Carer's phone number"), 32, tel=True)
    carer_relationship = _text(
        _("How the carer is related to them"), 80, help_text=_("For example: daughter, neighbour.")
    )
    contact_notes = _text(_("Best times, and anything else about contacting them"), 300)
    accessibility_needs = _text(
        _("Accessibility needs"),
        2000,
        rows=3,
        help_text=_("For example: uses a wheelchair, large print, needs a quiet room."),
    )
    language = _text(_("Preferred language"), 60, help_text=_("For example: Urdu, BSL."))
    interpreter_needed = forms.BooleanField(label=_("They need an interpreter"), required=False)

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = self.fields["reasons"]
        assert isinstance(reasons, ReasonChoice)  # noqa: S101
        reasons.queryset = reasons_offered(community)

    def contact_needs(self) -> dict[str, list[tuple[str, Any]]]:
        """For each way of contact, the fields it needs and the message when one is empty."""
        phone = [("phone", _("Enter a phone number to call or text."))]
        return {
            ContactBy.PHONE: phone,
            ContactBy.TEXT: phone,
            ContactBy.EMAIL: [("email", _("Enter an email address."))],
            ContactBy.LETTER: [("address", _("Enter a postal address for letters."))],
            ContactBy.CARER: [
                ("carer_name", _("Enter the carer's name.")),
                ("carer_phone", _("Enter the carer's phone number.")),
            ],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        how = data.get("contact_by")
        for name, message in self.contact_needs().get(how or "", []):
            # A field that already has an error (too long, not an email) keeps that message.
            if name not in self.errors and not str(data.get(name) or "").strip():
                self.add_error(name, message)
        return data

    def details(self, **extra: Any) -> ReferralDetails:
        """What the form says, as the services take it; ``extra`` gives what the page adds."""
        data = self.cleaned_data
        names = (
            "contact_by",
            "phone",
            "email",
            "address",
            "carer_name",
            "carer_phone",
            "carer_relationship",
            "contact_notes",
            "what_matters",
            "risks",
            "urgency",
            "accessibility_needs",
            "language",
            "interpreter_needed",
            "consent_statement",
            "consent_given_on",
        )
        values = {n: data[n] for n in names if n in data and data[n] is not None}
        return ReferralDetails(**{**values, **extra})


class ReferralContentForm(DetailsForm):
    """What a referral for someone else adds: urgency, risks, and the person's agreement."""

    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
        error_messages={
            "required": _("Choose how urgent it is."),
            "invalid_choice": _("Choose how urgent it is."),
        },
    )
    risks = _text(
        _("Risks and safeguarding notes"),
        4000,
        rows=4,
        help_text=_("Anything a link worker should know before visiting or calling."),
    )
    consent_statement = forms.CharField(
        label=_("How did they agree to be referred?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=_("For example: “Agreed at her appointment with me today”."),
        error_messages={
            "required": _("Say how the person agreed to be referred."),
            "max_length": TOO_LONG,
        },
    )
    consent_given_on = forms.DateField(
        label=_("Date they agreed"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date the person agreed to be referred."),
            "invalid": _("Enter a real date, for example 2026-03-27."),
        },
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        kwargs["initial"] = {
            "consent_given_on": timezone.localdate(),
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, community=community, **kwargs)

    def clean_consent_given_on(self) -> Any:
        value = self.cleaned_data.get("consent_given_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The date they agreed cannot be in the future."))
        return value


# The three forms ------------------------------------------------------------------------------


class SelfReferralForm(DetailsForm):
    """A member asks for a link worker for themselves, in plain words."""

    def __init__(self, *args: Any, community: Community, me: Person, **kwargs: Any) -> None:
        kwargs["initial"] = {
            "phone": me.phone,
            "email": me.contact_email,
            "contact_by": _contact_by_for(me.contact_method),
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, community=community, **kwargs)
        fields = self.fields
        fields["reasons"].label = gettext("What would you like help with?")
        fields["reasons"].error_messages["required"] = gettext(
            "Choose at least one thing you would like help with."
        )
        fields["what_matters"].label = gettext("What matters to you right now?")
        fields["what_matters"].help_text = gettext(
            "In your own words. For example: “I want to get out more and meet people”."
        )
        fields["contact_by"].label = gettext("How would you like the link worker to contact you?")
        fields["contact_by"].error_messages["required"] = gettext(
            "Choose how you would like to be contacted."
        )
        assert isinstance(fields["contact_by"], forms.ChoiceField)  # noqa: S101
        fields["contact_by"].choices = [
            (ContactBy.PHONE, gettext("Phone call")),
            (ContactBy.TEXT, gettext("Text message")),
            (ContactBy.LETTER, gettext("Letter")),
            (ContactBy.EMAIL, gettext("Email")),
            (ContactBy.CARER, gettext("Through someone who cares for me")),
        ]
        fields["carer_name"].label = gettext("Their name")
        fields["carer_name"].help_text = gettext("If you chose someone who cares for you.")
        fields["carer_phone"].label = gettext("Their phone number")
        fields["carer_relationship"].label = gettext("Who they are to you")
        fields["contact_notes"].label = gettext("Best times to contact you")
        fields["accessibility_needs"].label = gettext("Anything that would make it easier for you")
        fields["accessibility_needs"].help_text = gettext(
            "For example: large print, a quiet room, step-free access, someone coming with you."
        )
        fields["language"].label = gettext("Language you would like to use")
        fields["interpreter_needed"].label = gettext("I would like an interpreter")

    def contact_needs(self) -> dict[str, list[tuple[str, Any]]]:
        """The same rules as for anyone, in words for the person themselves."""
        phone = [("phone", gettext("Enter your phone number, so we can call or text you."))]
        return {
            ContactBy.PHONE: phone,
            ContactBy.TEXT: phone,
            ContactBy.EMAIL: [("email", gettext("Enter your email address."))],
            ContactBy.LETTER: [("address", gettext("Enter your postal address for letters."))],
            ContactBy.CARER: [
                ("carer_name", gettext("Enter the name of the person who cares for you.")),
                ("carer_phone", gettext("Enter their phone number.")),
            ],
        }


class SomeoneReferralForm(ReferralContentForm):
    """A member, link worker or coordinator refers someone who agreed.

    Staff (``may_write_down``) also choose an outside referrer whose phone call
    they are writing down, and may refer someone new who is not in Ginnel yet.
    """

    field_aliases = {"display_name": "new_person_name"}

    def __init__(
        self, *args: Any, access: Access, me: Person | None, may_write_down: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, community=access.community, **kwargs)
        self.may_write_down = may_write_down
        self.fields["person"] = person_field(access=access, exclude=me, required=not may_write_down)
        order = ["person"]
        if may_write_down:
            self.fields["person"].help_text = gettext(
                "Type part of their name and search, then choose them from the list. "
                "If they are not in Ginnel yet, give their name below instead."
            )
            self.fields["new_person_name"] = forms.CharField(
                label=gettext("Or, if they are not in Ginnel yet: their name"),
                required=False,
                max_length=80,
                widget=forms.TextInput(attrs={"maxlength": 80}),
                help_text=gettext("They are recorded without a login; they can claim it later."),
                error_messages={"max_length": TOO_LONG},
            )
            self.fields["referrer"] = ReferrerChoice(
                label=gettext("Writing down a referral from someone at an organisation?"),
                help_text=gettext("Leave this empty if you are referring them yourself."),
                required=False,
                empty_label=gettext("No, I am referring them myself"),
                queryset=external_referrers(access),
                error_messages={
                    "invalid_choice": gettext("Choose a referrer from the list."),
                },
            )
            order = ["referrer", "person", "new_person_name"]
        self.order_fields(order)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.may_write_down and "person" not in self.errors:
            chosen = data.get("person")
            new_name = (data.get("new_person_name") or "").strip()
            if chosen is None and not new_name and "new_person_name" not in self.errors:
                self.add_error(
                    "person",
                    gettext(
                        "Search for the person you are referring and choose them, "
                        "or give the name of someone new."
                    ),
                )
            elif chosen is not None and new_name:
                self.add_error(
                    "new_person_name",
                    gettext(
                        "Either choose someone already in Ginnel or give a new name, not both."
                    ),
                )
        return data


class OrganisationReferralForm(ReferralContentForm):
    """Someone at a referring organisation refers a person, who is recorded without a login."""

    display_name = forms.CharField(
        label=_("Name of the person you are referring"),
        max_length=80,
        widget=forms.TextInput(attrs={"maxlength": 80, "autocomplete": "off"}),
        help_text=_("The name they like to be called by, and their family name."),
        error_messages={
            "required": _("Enter the name of the person you are referring."),
            "max_length": TOO_LONG,
        },
    )

    def __init__(
        self, *args: Any, community: Community, referrers: Sequence[Referrer] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, community=community, **kwargs)
        order = ["display_name"]
        if len(referrers) > 1:
            # Someone who refers for two organisations here says which this one is from.
            self.fields["send_as"] = OrganisationChoice(
                label=gettext("Which organisation are you referring for?"),
                queryset=Referrer.objects.filter(pk__in=[r.pk for r in referrers]).select_related(
                    "organisation"
                ),
                initial=referrers[0].pk,
                empty_label=None,
                error_messages={
                    "required": gettext("Choose the organisation you are referring for."),
                    "invalid_choice": gettext("Choose an organisation from the list."),
                },
            )
            order = ["send_as", "display_name"]
        self.order_fields(order)


def _contact_by_for(method: str) -> str:
    ways: dict[str, str] = {
        ContactMethod.PHONE: ContactBy.PHONE,
        ContactMethod.TEXT: ContactBy.TEXT,
        ContactMethod.POST: ContactBy.LETTER,
        ContactMethod.EMAIL: ContactBy.EMAIL,
    }
    return ways.get(method, ContactBy.PHONE)
