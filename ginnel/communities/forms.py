from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Community, Neighbourhood, Role, SignupMode
from ginnel.people.models import ContactMethod, User, email_key
from ginnel.ui.forms import Form


class NeighbourhoodChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A community's neighbourhoods. Retired ones are not offered, except ``keep`` (the
    one a person already has) or all of them with ``retired=True`` (to search history)."""

    def __init__(
        self,
        community: Community,
        *,
        keep: Neighbourhood | None = None,
        retired: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("Prefer not to say"))
        kwargs.setdefault(
            "help_text", _("Where you live, so we can suggest people and things nearby.")
        )
        offered = Neighbourhood.objects.filter(community=community)
        if not retired:
            current = Q(retired_at__isnull=True)
            if keep is not None:
                current |= Q(pk=keep.pk)
            offered = offered.filter(current)
        super().__init__(queryset=offered, **kwargs)


class JoinForm(Form):
    """Join a community; new visitors also create their account here."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("The name other people in this community will see. A first name is fine."),
        error_messages={"required": _("Enter your name")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    password = forms.CharField(
        label=_("Create a password"),
        error_messages={"required": _("Create a password")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A few words you will remember works well."),
        strip=False,
    )
    application_message = forms.CharField(
        label=_("Tell the coordinators a little about yourself"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("Optional. For example, what you hope to give and get."),
    )

    def __init__(self, *args: Any, community: Community, user: User | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["neighbourhood"] = NeighbourhoodChoice(community, label=_("Your neighbourhood"))
        self.order_fields(["display_name", "email", "password", "neighbourhood"])
        if user is not None and user.is_authenticated:
            del self.fields["email"]
            del self.fields["password"]
        if community.signup_mode != SignupMode.APPLICATION:
            del self.fields["application_message"]
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"
        if "email" in self.fields:
            self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self) -> str:
        # Whether an account has this address is never said here (member_sign_up).
        return email_key(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            try:
                validate_password(password, User(email=data.get("email", "")))
            except ValidationError as error:
                self.add_error("password", error)
        return data


class LeaveForm(Form):
    """Leaving asks nothing: the form is the confirmation, and carries a refusal back."""


class PersonForm(Form):
    display_name = forms.CharField(
        label=_("Name to show"),
        max_length=80,
        help_text=_("The name other people in this community see."),
        error_messages={"required": _("Enter the name to show")},
    )
    contact_method = forms.ChoiceField(
        label=_("Best way to get in touch"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the best way to get in touch")},
    )
    contact_email = forms.EmailField(label=_("Email for contact"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        help_text=_("Only coordinators see this."),
    )
    contact_times = forms.CharField(
        label=_("Best times to get in touch"),
        required=False,
        max_length=200,
        help_text=_("For example: weekday mornings, not after 7pm."),
    )

    def __init__(
        self,
        *args: Any,
        community: Community,
        current: Neighbourhood | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"] = NeighbourhoodChoice(
            community, label=_("Neighbourhood"), keep=current
        )
        self.order_fields(["display_name", "neighbourhood"])
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("contact_method")
        if method in {ContactMethod.PHONE, ContactMethod.TEXT} and not data.get("phone"):
            self.add_error(
                "phone", _("Enter a phone number, or choose another way to get in touch.")
            )
        if method == ContactMethod.EMAIL and not data.get("contact_email"):
            self.add_error(
                "contact_email",
                _("Enter an email address, or choose another way to get in touch."),
            )
        return data


class InvitationForm(Form):
    email = forms.EmailField(
        label=_("Email address to invite"),
        max_length=254,
        help_text=_("We show you a link to send them; it works once, for 30 days."),
        error_messages={"required": _("Enter the email address of the person to invite")},
    )


class ClaimInvitationForm(Form):
    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        help_text=_(
            "We email them a link, and show it to you too. It works once, for 30 days, "
            "and gives the record you keep for them a login of their own."
        ),
        error_messages={
            "required": _("Enter the email address the person wants to log in with"),
            "invalid": _("Enter an email address like name@example.org"),
        },
    )


class RolesForm(Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.MEMBER],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Everyone in the community is a member; tick any further roles."),
    )


class CommunitySettingsForm(Form):
    name = forms.CharField(
        label=_("Community name"),
        max_length=120,
        error_messages={"required": _("Enter the community's name")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to people thinking of joining."),
    )
    signup_mode = forms.ChoiceField(
        label=_("How people join"),
        choices=SignupMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how people join")},
    )


class NeighbourhoodForm(Form):
    name = forms.CharField(
        label=_("Neighbourhood name"),
        max_length=80,
        error_messages={
            "required": _("Enter the neighbourhood's name"),
            "max_length": _("Neighbourhood names must be 80 characters or fewer"),
        },
    )


class MemberSearchForm(Form):
    mark_optional = False

    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)

    def __init__(self, *args: Any, community: Community, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"] = NeighbourhoodChoice(
            community,
            retired=True,
            label=_("Neighbourhood"),
            empty_label=_("All neighbourhoods"),
            help_text=_(""),
        )
