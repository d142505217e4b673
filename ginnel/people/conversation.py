"""The guided strengths conversation: short steps, one question a screen, saved as it goes.

Plain words (a reading age of about nine), starting from what a person can
do. Each step is a small form; answering it saves it, so a person can leave
halfway and come back, or go back a step without losing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Community
from ginnel.people.models import AccessNeed, ContactMethod
from ginnel.timebank.models import Category
from ginnel.ui.forms import Form

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SkillsForm(Form):
    skills_own_words = forms.CharField(
        label=_("Or say it in your own words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “I’m good with people” or “I can fix bikes”."),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"] = forms.ModelMultipleChoiceField(
            label=_("Things you are good at and could share"),
            required=False,
            queryset=Category.objects.filter(community=community),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Tick any that fit."),
        )
        self.order_fields(["skills", "skills_own_words"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("skills") and not (data.get("skills_own_words") or "").strip():
            self.add_error(
                "skills_own_words",
                _("Tick something you are good at, or write it in your own words"),
            )
        return data


def _text(
    label: StrOrPromise,
    hint: StrOrPromise,
    *,
    required: bool = False,
    missing: StrOrPromise | None = None,
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": missing} if missing is not None else None,
    )


class InterestsForm(Form):
    interests = _text(_("Things you enjoy"), _("Hobbies, places, things you like doing."))


class MattersForm(Form):
    matters = _text(
        _("What matters to you"), _("People, places or things that are important to you.")
    )


class HopesForm(Form):
    hopes = _text(
        _("Your hopes for the next year"),
        _("In your own words. Big or small."),
        required=True,
        missing=_("Write a hope, even a small one"),
    )


class HelpForm(Form):
    help_wanted = _text(
        _("What you would like help with"), _("Anything at all, or leave it empty.")
    )


class ContactForm(Form):
    contact_method = forms.ChoiceField(
        label=_("How do you like to be contacted?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you like to be contacted")},
    )
    contact_times = forms.CharField(
        label=_("When is best?"),
        required=False,
        max_length=200,
        help_text=_("For example: weekday mornings, not after 7pm."),
    )


class AccessForm(Form):
    access_needs = forms.MultipleChoiceField(
        label=_("Anything that makes things easier for you"),
        required=False,
        choices=AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    access_other = forms.CharField(label=_("Anything else"), required=False, max_length=200)


class PeerForm(Form):
    agree = forms.BooleanField(
        label=_(
            "Yes, I agree that Ginnel may use what I write here to put me in touch with "
            "people who share it. I can change my mind at any time."
        ),
        required=False,
    )
    peer_topics = forms.CharField(
        label=_("A health condition or life circumstance you would like to connect about"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only if you want to. For example: “living with diabetes” or “caring for my mum”."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("peer_topics") or "").strip() and not data.get("agree"):
            self.add_error("agree", _("Tick to agree, or leave the box above empty"))
        return data


class SharingForm(Form):
    share_skills = forms.BooleanField(label=_("What you are good at"), required=False)
    share_interests = forms.BooleanField(label=_("What you enjoy"), required=False)
    share_neighbourhood = forms.BooleanField(label=_("Your neighbourhood"), required=False)


@dataclass(frozen=True)
class Step:
    slug: str
    title: StrOrPromise
    form: type[Form]
    fields: tuple[str, ...]


STEPS = (
    Step("skills", _("What you are good at"), SkillsForm, ("skills", "skills_own_words")),
    Step("interests", _("What you enjoy"), InterestsForm, ("interests",)),
    Step("matters", _("What matters to you"), MattersForm, ("matters",)),
    Step("hopes", _("Your hopes"), HopesForm, ("hopes",)),
    Step("help", _("Help you would like"), HelpForm, ("help_wanted",)),
    Step("contact", _("Getting in touch"), ContactForm, ("contact_method", "contact_times")),
    Step("access", _("Making things easier"), AccessForm, ("access_needs", "access_other")),
    Step("peer", _("Meeting people like you"), PeerForm, ("peer_topics",)),
    Step(
        "sharing",
        _("What other members see"),
        SharingForm,
        ("share_skills", "share_interests", "share_neighbourhood"),
    ),
)
BY_SLUG = {step.slug: step for step in STEPS}
