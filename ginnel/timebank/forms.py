from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

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
        "invalid": "Enter the time in hours and minutes, like 1:30 or 2 hours.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "In hours and minutes, for example 2 or 1:30.")
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


def parse_hours(text: str) -> int | None:
    text = text.replace("hours", "h").replace("hour", "h").replace("hrs", "h").replace("mins", "m")
    text = text.replace("minutes", "m").replace("min", "m").replace(" ", "")
    try:
        if ":" in text:
            hours, mins = text.split(":", 1)
            h, m = int(hours or 0), int(mins)
            return h * 60 + m if 0 <= m < 60 and h >= 0 else None
        if text.endswith("m") and "h" not in text:
            return int(text[:-1])
        if "h" in text:
            hours, _, rest = text.partition("h")
            if not hours and not rest:
                return None
            whole_hours = float(hours) if hours else 0.0
            extra = int(rest.rstrip("m")) if rest else 0
            total: float = whole_hours * 60 + extra
        else:
            total = float(text) * 60
    except ValueError:
        return None
    if total < 0 or total != round(total):
        return None
    return int(total)


class CategoryChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def __init__(self, community: Community, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset=Category.objects.filter(community=community), **kwargs)


class ListingForm(Form):
    title = forms.CharField(
        label="Title",
        max_length=120,
        help_text="A few words, for example “Help with your garden” or “A lift to the shops”.",
    )
    description = forms.CharField(
        label="More about it",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say what you can do or what you need, in your own words.",
    )
    where = forms.MultipleChoiceField(
        label="Where can it happen?",
        choices=Where.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply.",
    )
    availability = forms.CharField(
        label="When are you free?",
        required=False,
        max_length=200,
        help_text="For example: weekday mornings, or Saturday afternoons.",
    )
    expires_on = forms.DateField(
        label="Show it until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional. After this date it leaves the listings and we remind you.",
    )

    def __init__(self, *args: Any, community: Community, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"] = CategoryChoice(
            community,
            label="Categories",
            required=False,
            help_text="Tick any that fit, so people can find it.",
        )
        self.order_fields(["title", "description", "categories"])
        if kind == ListingKind.REQUEST:
            self.fields["title"].help_text = "A few words, for example “Someone to walk my dog”."

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("The date must be today or in the future.")
        return value


class ListingSearchForm(Form):
    mark_optional = False

    q = forms.CharField(label="Search", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            ("", "Offers and requests"),
            ("offer", "Offers only"),
            ("request", "Requests only"),
        ],
    )
    where = forms.ChoiceField(
        label="Where", required=False, choices=[("", "Anywhere"), *Where.choices]
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("newest", "Newest first"), ("nearest", "Nearest neighbourhood first")],
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = forms.ModelChoiceField(
            label="Category",
            required=False,
            empty_label="All categories",
            queryset=Category.objects.filter(community=community),
        )
        self.fields["neighbourhood"] = NeighbourhoodChoice(
            community, label="Neighbourhood", empty_label="All neighbourhoods", help_text=""
        )


class ProposeForm(Form):
    description = forms.CharField(
        label="Message",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say hello and suggest when and where.",
    )
    where = forms.ChoiceField(
        label="Where will it happen?", choices=Where.choices, widget=forms.RadioSelect
    )


class CompleteForm(Form):
    field_aliases = {"minutes": "hours"}
    hours = HoursField(label="How long did it take?")
    happened_on = forms.DateField(
        label="When did it happen?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_happened_on(self) -> Any:
        value = self.cleaned_data["happened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past.")
        return value


class RecordForm(CompleteForm):
    direction = forms.ChoiceField(
        label="Who helped whom?",
        choices=[("gave", "I helped them"), ("received", "They helped me")],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(label="What was done?", max_length=300)
    where = forms.ChoiceField(
        label="Where did it happen?", choices=Where.choices, widget=forms.RadioSelect
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
            label="Category",
            required=False,
            empty_label="None",
            queryset=Category.objects.filter(community=community),
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
            ("gave", "They helped the other person"),
            ("received", "The other person helped them"),
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
        label="Why are these hours being reversed?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Both people can see this reason on their statements.",
    )


class ThankYouForm(Form):
    text = forms.CharField(
        label="Your thank-you note",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence or two. They choose whether it shows on their profile.",
    )


class DonateForm(Form):
    field_aliases = {"minutes": "hours", "to": "to"}
    hours = HoursField(label="How much time to give?")
    note = forms.CharField(label="Note", required=False, max_length=200)

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
    description = forms.CharField(label="What is the exchange?", max_length=300)
    where = forms.ChoiceField(label="Where?", choices=Where.choices, widget=forms.RadioSelect)

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
    description = forms.CharField(label="What was the activity?", max_length=300)

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
        self.fields["hours"].label = "How long, for each person?"
        self.order_fields(["description", "organiser", "receivers", "hours", "happened_on"])


class SafeguardingForm(Form):
    vetted_on = forms.DateField(
        label="Date vetted",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty if this person is not vetted.",
    )
    checks = forms.CharField(
        label="What was checked",
        required=False,
        max_length=300,
        help_text="For example: enhanced DBS certificate seen, two references.",
    )
    needs_support = forms.BooleanField(
        label="Needs extra support: only vetted members may agree exchanges with them",
        required=False,
    )


class LimitsForm(Form):
    credit_limit = forms.IntegerField(
        label="Most hours a member may be owed",
        min_value=1,
        max_value=1000,
    )
    debit_limit = forms.IntegerField(
        label="Most hours a member may owe",
        min_value=0,
        max_value=1000,
    )


class PendingFilterForm(Form):
    mark_optional = False

    days = forms.IntegerField(
        label="Waiting for at least (days)", min_value=0, max_value=365, required=False
    )


class ConfirmManyForm(Form):
    """Tick recorded exchanges (a paper timesheet) and confirm them together."""

    exchanges = forms.ModelMultipleChoiceField(
        label="Exchanges to confirm",
        queryset=Exchange.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["exchanges"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = Exchange.objects.filter(community=community, state=ExchangeState.COMPLETED)


class OrganisationForm(Form):
    name = forms.CharField(
        label="Organisation name",
        max_length=120,
        help_text="An organisation taking part: it can give and receive time.",
    )


class OrganisationTimeForm(CompleteForm):
    description = forms.CharField(label="What was done?", max_length=300)
    direction = forms.ChoiceField(
        label="Who gave the time?",
        choices=[
            ("member", "The member gave time to the organisation"),
            ("organisation", "The organisation gave time to the member"),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = access.community
        self.fields["organisation"] = forms.ModelChoiceField(
            label="Organisation",
            empty_label="Choose an organisation",
            queryset=Account.objects.filter(community=community, kind=AccountKind.ORGANISATION),
        )
        self.fields["person"] = person_field(
            access=access,
            form_key="organisation_time",
            label=_("Member"),
            required_message=_("Search for the member, then choose them from the list."),
            not_chosen_message=_("Choose the member from the list."),
        )
        self.order_fields(["organisation", "person", "direction", "description"])
