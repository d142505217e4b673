from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.people.models import ConsentPurpose, GoalStatus
from ginnel.ui.forms import Form


class GoalForm(Form):
    title = forms.CharField(
        label=_("Your goal, in your own words"),
        max_length=200,
        help_text=_("For example: “Get back to swimming” or “Feel confident using my phone”."),
        error_messages={"required": _("Write your goal")},
    )
    why = forms.CharField(
        label=_("Why it matters to you"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    helpers = forms.CharField(
        label=_("Who else is helping"),
        required=False,
        max_length=200,
        help_text=_("For example, a timebank member or a friend."),
    )


class GoalStatusForm(Form):
    status = forms.ChoiceField(
        label=_("How is it going?"),
        choices=GoalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it is going")},
    )


class StepForm(Form):
    text = forms.CharField(
        label=_("A small step"),
        max_length=200,
        help_text=_("Something you could do in a week or two."),
        error_messages={"required": _("Write a small step")},
    )
    due_on = forms.DateField(
        label=_("By when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional."),
    )

    def clean_due_on(self) -> object:
        value = self.cleaned_data.get("due_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Choose a date today or later for a new step."))
        return value


class ReviewForm(Form):
    text = forms.CharField(
        label=_("What you talked about"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what you talked about")},
    )


class NoteForm(Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person can read every note about them."),
        error_messages={"required": _("Write the note")},
    )


class ConsentForm(Form):
    purpose = forms.ChoiceField(
        label=_("What do you agree to?"),
        choices=ConsentPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you agree to")},
    )
    organisation = forms.CharField(
        label=_("Which organisation?"),
        required=False,
        max_length=120,
        help_text=_("Only for sharing your profile with a named organisation."),
    )
