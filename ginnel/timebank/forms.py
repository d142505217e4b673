from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ginnel.communities.forms import NeighbourhoodChoice
from ginnel.communities.models import Community
from ginnel.communities.permissions import Access
from ginnel.people.models import Person
from ginnel.timebank.models import (
    Account,
    AccountKind,
    Category,
    Exchange,
    ExchangeState,
    ListingKind,
    Where,
)
from ginnel.timebank.picking import person_field
from ginnel.ui.forms import Form


class HoursField(forms.Field):
    """Time as people write it: "2", "1.5", "1:30", "90m", "2h 15m" → whole minutes."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter the time in hours and minutes, like 1:30 or 2 hours."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy("In hours and minutes, for example 2 or 1:30."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 20, "spellcheck": "false"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip().lower()
        if not text:
            return None
        if len(text) > 20:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        minutes = parse_hours(text)
        if minutes is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return minutes


# More than anyone gives in a lifetime of exchanges, and far inside every column's range.
MAX_MINUTES = 10_000 * 60

# ASCII digits only: Python's int() and float() also read "1_0", "１２", "nan", "inf" and
# "1e400", none of which a person means as a time (and some of which overflow later).
_CLOCK = re.compile(r"([0-9]{0,5}):([0-9]{1,2})", re.ASCII)
_MINUTES = re.compile(r"([0-9]{1,7})m", re.ASCII)
_HOURS_MINUTES = re.compile(r"([0-9]{0,5}(?:\.[0-9]{1,4})?)h(?:([0-9]{1,7})m?)?", re.ASCII)
_DECIMAL_HOURS = re.compile(r"[0-9]{0,5}(?:\.[0-9]{1,4})?", re.ASCII)


def parse_hours(text: str) -> int | None:
    """Whole minutes from time as people write it, or None: never raises, never out of range."""
    text = text.strip().lower()
    text = text.replace("hours", "h").replace("hour", "h").replace("hrs", "h").replace("mins", "m")
    text = text.replace("minutes", "m").replace("min", "m").replace(" ", "")
    total: Decimal
    if match := _CLOCK.fullmatch(text):
        hours, mins = int(match[1] or 0), int(match[2])
        if mins >= 60:
            return None
        total = Decimal(hours * 60 + mins)
    elif match := _MINUTES.fullmatch(text):
        total = Decimal(match[1])
    elif (match := _HOURS_MINUTES.fullmatch(text)) and (match[1] or match[2]):
        total = Decimal(match[1] or 0) * 60 + int(match[2] or 0)
    elif text and text != "." and _DECIMAL_HOURS.fullmatch(text):
        total = Decimal(text) * 60
    else:
        return None
    if total != total.to_integral_value() or not 0 <= total <= MAX_MINUTES:
        return None
    return int(total)


class WholeHoursField(forms.IntegerField):
    """Whole hours in ASCII digits: Django's IntegerField also reads "1_0" and "１２"."""

    def to_python(self, value: Any) -> int | None:
        text = str(value if value is not None else "").strip()
        if text and not re.fullmatch(r"-?[0-9]{1,7}", text, re.ASCII):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


def categories_offered(community: Community, keep: Iterable[int] = ()) -> QuerySet[Category]:
    """The categories to choose from: those in use, and any retired one already chosen."""
    return Category.objects.filter(community=community).filter(
        Q(retired=False) | Q(pk__in=list(keep))
    )


class CategoryChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def __init__(self, community: Community, keep: Iterable[int] = (), **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset=categories_offered(community, keep), **kwargs)


class ListingForm(Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=120,
        help_text=gettext_lazy(
            "A few words, for example “Help with your garden” or “A lift to the shops”."
        ),
        error_messages={
            "required": gettext_lazy("Enter a title, a few words saying what it is."),
            "max_length": gettext_lazy("The title can be at most 120 characters."),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("More about it"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Say what you can do or what you need, in your own words."),
        error_messages={"max_length": gettext_lazy("Write at most 4,000 characters.")},
    )
    where = forms.MultipleChoiceField(
        label=gettext_lazy("Where can it happen?"),
        choices=Where.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick all that apply."),
        error_messages={
            "required": gettext_lazy("Choose at least one place where it can happen."),
            "invalid_choice": gettext_lazy("Choose places from the list."),
        },
    )
    availability = forms.CharField(
        label=gettext_lazy("When are you free?"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("For example: weekday mornings, or Saturday afternoons."),
        error_messages={"max_length": gettext_lazy("Write at most 200 characters.")},
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Show it until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Optional. After this date it leaves the listings and we remind you."
        ),
        error_messages={"invalid": gettext_lazy("Enter the end date as a real date.")},
    )

    def __init__(
        self, *args: Any, community: Community, kind: str, keep: Iterable[int] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"] = CategoryChoice(
            community,
            keep,
            label=gettext_lazy("Categories"),
            required=False,
            help_text=gettext_lazy("Tick any that fit, so people can find it."),
            error_messages={"invalid_choice": gettext_lazy("Choose categories from the list.")},
        )
        self.order_fields(["title", "description", "categories"])
        if kind == ListingKind.REQUEST:
            self.fields["title"].help_text = gettext_lazy(
                "A few words, for example “Someone to walk my dog”."
            )

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The date must be today or in the future."))
        return value


class ListingSearchForm(Form):
    mark_optional = False

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("Offers and requests")),
            ("offer", gettext_lazy("Offers only")),
            ("request", gettext_lazy("Requests only")),
        ],
    )
    where = forms.ChoiceField(
        label=gettext_lazy("Where"),
        required=False,
        choices=[("", gettext_lazy("Anywhere")), *Where.choices],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("newest", gettext_lazy("Newest first")),
            ("nearest", gettext_lazy("Nearest neighbourhood first")),
        ],
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = forms.ModelChoiceField(
            label=gettext_lazy("Category"),
            required=False,
            empty_label=gettext_lazy("All categories"),
            queryset=categories_offered(community),
        )
        self.fields["neighbourhood"] = NeighbourhoodChoice(
            community,
            retired=True,  # people still live in a retired one: search it too
            label=gettext_lazy("Neighbourhood"),
            empty_label=gettext_lazy("All neighbourhoods"),
            help_text="",
        )


class ProposeForm(Form):
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Say hello and suggest when and where."),
        error_messages={
            "required": gettext_lazy("Write a message: say hello and suggest when and where."),
            "max_length": gettext_lazy("The message can be at most 300 characters."),
        },
    )
    where = forms.ChoiceField(
        label=gettext_lazy("Where will it happen?"),
        choices=Where.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose where it will happen.")},
    )
    # A link worker or coordinator proposing for the person they help (``?for=`` from
    # that person's page); the service checks they may.
    for_person = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CompleteForm(Form):
    field_aliases = {"minutes": "hours"}
    hours = HoursField(
        label=gettext_lazy("How long did it take?"),
        error_messages={"required": gettext_lazy("Enter how long it took, for example 1:30.")},
    )
    happened_on = forms.DateField(
        label=gettext_lazy("When did it happen?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Enter the date it happened."),
            "invalid": gettext_lazy("Enter a valid date, the day it happened."),
        },
    )

    def clean_happened_on(self) -> Any:
        value = self.cleaned_data["happened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The date must be today or in the past."))
        return value


class RecordForm(CompleteForm):
    direction = forms.ChoiceField(
        label=gettext_lazy("Who helped whom?"),
        choices=[
            ("gave", gettext_lazy("I helped them")),
            ("received", gettext_lazy("They helped me")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose who helped whom.")},
    )
    description = forms.CharField(
        label=gettext_lazy("What was done?"),
        max_length=300,
        error_messages={
            "required": gettext_lazy("Say what was done, for example “Walked the dog”."),
            "max_length": gettext_lazy("Say what was done in at most 300 characters."),
        },
    )
    where = forms.ChoiceField(
        label=gettext_lazy("Where did it happen?"),
        choices=Where.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose where it happened.")},
    )

    picker_key = "record"

    def __init__(self, *args: Any, access: Access, me: Person | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        community = access.community
        self.fields["other"] = person_field(
            access=access,
            form_key=self.picker_key,
            me=me,
            exclude=me,
            label=_("Who was it with?"),
            required_message=_("Search for who it was with, then choose them from the list."),
            not_chosen_message=_("Choose who it was with from the list."),
        )
        self.fields["category"] = forms.ModelChoiceField(
            label=gettext_lazy("Category"),
            required=False,
            empty_label=gettext_lazy("None"),
            queryset=categories_offered(community),
        )
        self.order_fields(["other", "direction", "description", "hours", "happened_on"])


class OnBehalfRecordForm(RecordForm):
    """A coordinator records for a member who is not online."""

    picker_key = "on_behalf"

    def __init__(self, *args: Any, access: Access, **kwargs: Any):
        super().__init__(*args, access=access, me=None, **kwargs)
        self.fields["on_behalf_of"] = person_field(
            access=access,
            form_key=self.picker_key,
            label=_("Recording for"),
            help_text=_("Search for the member you are recording this for, then choose them."),
            required_message=_("Search for the member you are recording for, then choose them."),
            not_chosen_message=_("Choose the member you are recording for from the list."),
        )
        self.fields["direction"].widget.choices = [
            ("gave", gettext_lazy("They helped the other person")),
            ("received", gettext_lazy("The other person helped them")),
        ]
        self.fields["other"] = person_field(
            access=access,
            form_key=self.picker_key,
            label=_("The other person"),
            required_message=_("Search for the other person, then choose them from the list."),
            not_chosen_message=_("Choose the other person from the list."),
        )
        self.order_fields(["on_behalf_of", "other", "direction"])


class ReverseForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are these hours being reversed?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Both people can see this reason on their statements."),
        error_messages={
            "required": gettext_lazy("Give the reason for reversing these hours."),
            "max_length": gettext_lazy("Give the reason in at most 300 characters."),
        },
    )


class ClaimDeclineForm(Form):
    """The other person turns down recorded hours; the reason is for the claimant."""

    reason = forms.CharField(
        label=gettext_lazy("Why are these hours not right?"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "They will see your reason. For example: it was one hour, not two; or it has not "
            "happened."
        ),
        error_messages={"max_length": gettext_lazy("Give the reason in at most 300 characters.")},
    )


class ClaimRejectForm(Form):
    """A coordinator turns down recorded hours from the confirmation queue."""

    reason = forms.CharField(
        label=gettext_lazy("Why are these hours being rejected?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The person who recorded them sees this reason."),
        error_messages={
            "required": gettext_lazy(
                "Give the reason, so the person who recorded the hours knows why."
            ),
            "max_length": gettext_lazy("Give the reason in at most 300 characters."),
        },
    )


class ThankYouForm(Form):
    text = forms.CharField(
        label=gettext_lazy("Your thank-you note"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("A sentence or two. They choose whether it shows on their profile."),
        error_messages={
            "required": gettext_lazy("Write your thank-you note."),
            "max_length": gettext_lazy("Write at most 500 characters."),
        },
    )


class DonateForm(Form):
    field_aliases = {"minutes": "hours", "to": "to"}
    hours = HoursField(
        label=gettext_lazy("How much time to give?"),
        error_messages={"required": gettext_lazy("Enter how much time to give, for example 1:30.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("Write at most 200 characters.")},
    )

    def __init__(self, *args: Any, access: Access, me: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"] = person_field(
            access=access,
            form_key="donate",
            me=me,
            exclude=me,
            label=_("Give to"),
            required=False,
            empty_label=_("The community pot"),
            help_text=_(
                "The pot helps members who need it. To give to a member, type part of their "
                "name and search, then choose them."
            ),
            required_message=_("Choose the community pot, or search for a member."),
            not_chosen_message=_("Choose the member from the list, or choose the community pot."),
        )
        self.order_fields(["to", "hours", "note"])


class BrokerForm(Form):
    description = forms.CharField(
        label=gettext_lazy("What is the exchange?"),
        max_length=300,
        error_messages={
            "required": gettext_lazy("Say what the exchange is."),
            "max_length": gettext_lazy("Say what the exchange is in at most 300 characters."),
        },
    )
    where = forms.ChoiceField(
        label=gettext_lazy("Where?"),
        choices=Where.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose where it will happen.")},
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["giver"] = person_field(
            access=access,
            form_key="broker",
            label=_("Who gives help"),
            required_message=_("Search for who gives help, then choose them from the list."),
            not_chosen_message=_("Choose who gives help from the list."),
        )
        self.fields["receiver"] = person_field(
            access=access,
            form_key="broker",
            label=_("Who receives help"),
            required_message=_("Search for who receives help, then choose them from the list."),
            not_chosen_message=_("Choose who receives help from the list."),
        )
        self.order_fields(["giver", "receiver"])


class GroupActivityForm(CompleteForm):
    description = forms.CharField(
        label=gettext_lazy("What was the activity?"),
        max_length=300,
        error_messages={
            "required": gettext_lazy("Say what the activity was."),
            "max_length": gettext_lazy("Say what the activity was in at most 300 characters."),
        },
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"] = person_field(
            access=access,
            form_key="group",
            label=_("Organiser"),
            required_message=_("Search for the organiser, then choose them from the list."),
            not_chosen_message=_("Choose the organiser from the list."),
        )
        self.fields["receivers"] = person_field(
            access=access,
            form_key="group",
            multiple=True,
            label=_("Who took part"),
            help_text=_(
                "Each person receives the time; the organiser gives it to all of them. "
                "Search for each person and tick them; the ones you ticked stay ticked."
            ),
            required_message=_("Search for who took part, then tick them in the list."),
            not_chosen_message=_("Tick who took part in the list."),
        )
        self.fields["hours"].label = gettext_lazy("How long, for each person?")
        self.order_fields(["description", "organiser", "receivers", "hours", "happened_on"])


class SafeguardingForm(Form):
    vetted_on = forms.DateField(
        label=gettext_lazy("Date vetted"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty if this person is not vetted."),
        error_messages={"invalid": gettext_lazy("Enter the date vetted as a real date.")},
    )
    checks = forms.CharField(
        label=gettext_lazy("What was checked"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("For example: enhanced DBS certificate seen, two references."),
        error_messages={"max_length": gettext_lazy("Write at most 300 characters.")},
    )
    needs_support = forms.BooleanField(
        label=gettext_lazy(
            "Needs extra support: only vetted members may agree exchanges with them"
        ),
        required=False,
    )


class LimitsForm(Form):
    credit_limit = WholeHoursField(
        label=gettext_lazy("Most hours a member may be owed"),
        min_value=1,
        max_value=1000,
        error_messages={
            "required": gettext_lazy("Enter the most hours a member may be owed."),
            "invalid": gettext_lazy("Enter the most hours a member may be owed as a whole number."),
            "min_value": gettext_lazy("The most hours a member may be owed must be 1 or more."),
            "max_value": gettext_lazy("The most hours a member may be owed can be at most 1000."),
        },
    )
    debit_limit = WholeHoursField(
        label=gettext_lazy("Most hours a member may owe"),
        min_value=0,
        max_value=1000,
        error_messages={
            "required": gettext_lazy("Enter the most hours a member may owe."),
            "invalid": gettext_lazy("Enter the most hours a member may owe as a whole number."),
            "min_value": gettext_lazy("The most hours a member may owe must be 0 or more."),
            "max_value": gettext_lazy("The most hours a member may owe can be at most 1000."),
        },
    )


class PendingFilterForm(Form):
    mark_optional = False

    days = forms.IntegerField(
        label=gettext_lazy("Waiting for at least (days)"),
        min_value=0,
        max_value=365,
        required=False,
        error_messages={
            "invalid": gettext_lazy("Enter the number of days as a whole number."),
            "min_value": gettext_lazy("Enter 0 days or more."),
            "max_value": gettext_lazy("Enter at most 365 days."),
        },
    )


class ConfirmManyForm(Form):
    """Tick recorded exchanges (a paper timesheet) and confirm them together."""

    exchanges = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Exchanges to confirm"),
        queryset=Exchange.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Tick the exchanges to confirm."),
            "invalid_choice": gettext_lazy(
                "One of the ticked exchanges no longer waits for confirmation."
            ),
        },
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["exchanges"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = Exchange.objects.filter(community=community, state=ExchangeState.COMPLETED)


class OrganisationForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Organisation name"),
        max_length=120,
        help_text=gettext_lazy("An organisation taking part: it can give and receive time."),
        error_messages={
            "required": gettext_lazy("Enter the organisation's name."),
            "max_length": gettext_lazy("The name can be at most 120 characters."),
        },
    )


class OrganisationTimeForm(CompleteForm):
    description = forms.CharField(
        label=gettext_lazy("What was done?"),
        max_length=300,
        error_messages={
            "required": gettext_lazy("Say what was done, for example “Sorting donations”."),
            "max_length": gettext_lazy("Say what was done in at most 300 characters."),
        },
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Who gave the time?"),
        choices=[
            ("member", gettext_lazy("The member gave time to the organisation")),
            ("organisation", gettext_lazy("The organisation gave time to the member")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose who gave the time.")},
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = access.community
        self.fields["organisation"] = forms.ModelChoiceField(
            label=gettext_lazy("Organisation"),
            empty_label=gettext_lazy("Choose an organisation"),
            queryset=Account.objects.filter(community=community, kind=AccountKind.ORGANISATION),
            error_messages={
                "required": gettext_lazy("Choose the organisation."),
                "invalid_choice": gettext_lazy("Choose an organisation from the list."),
            },
        )
        self.fields["person"] = person_field(
            access=access,
            form_key="organisation_time",
            label=_("Member"),
            required_message=_("Search for the member, then choose them from the list."),
            not_chosen_message=_("Choose the member from the list."),
        )
        self.order_fields(["organisation", "person", "direction", "description"])


class CategoryRenameForm(Form):
    name = forms.CharField(
        label=gettext_lazy("New name"),
        max_length=60,
        error_messages={
            "required": gettext_lazy("Enter the category's new name."),
            "max_length": gettext_lazy("The name can be at most 60 characters."),
        },
    )
