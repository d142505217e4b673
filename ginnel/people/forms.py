from __future__ import annotations

from django import forms
from django.utils import timezone

from ginnel.people.models import ConsentPurpose, GoalStatus
from ginnel.ui.forms import Form


class GoalForm(Form):
    title = forms.CharField(
        label="Your goal, in your own words",
        max_length=200,
        help_text="For example: “Get back to swimming” or “Feel confident using my phone”.",
        error_messages={"required": "Write your goal"},
    )
    why = forms.CharField(
        label="Why it matters to you",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    helpers = forms.CharField(
        label="Who else is helping",
        required=False,
        max_length=200,
        help_text="For example, a timebank member or a friend.",
    )


class GoalStatusForm(Form):
    status = forms.ChoiceField(
        label="How is it going?", choices=GoalStatus.choices, widget=forms.RadioSelect
    )


class StepForm(Form):
    text = forms.CharField(
        label="A small step",
        max_length=200,
        help_text="Something you could do in a week or two.",
        error_messages={"required": "Write a small step"},
    )
    due_on = forms.DateField(
        label="By when",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional.",
    )

    def clean_due_on(self) -> object:
        value = self.cleaned_data.get("due_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("Choose a date today or later for a new step.")
        return value


class ReviewForm(Form):
    text = forms.CharField(
        label="What you talked about",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write what you talked about"},
    )


class NoteForm(Form):
    text = forms.CharField(
        label="Note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person can read every note about them.",
        error_messages={"required": "Write the note"},
    )


class ConsentForm(Form):
    purpose = forms.ChoiceField(
        label="What do you agree to?",
        choices=ConsentPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you agree to"},
    )
    organisation = forms.CharField(
        label="Which organisation?",
        required=False,
        max_length=120,
        help_text="Only for sharing your profile with a named organisation.",
    )
