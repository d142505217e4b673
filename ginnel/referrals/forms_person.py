"""The questionnaire form: one question a group of radio buttons, built from the definition.

The same form serves a link worker recording answers with the person (who
also says when it is being asked) and the person answering on their own
phone (the occasion is what is due, so it is not asked).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ginnel.referrals.models import Occasion, Questionnaire
from ginnel.ui.forms import Form

ALREADY_ANSWERED = gettext_lazy("This questionnaire has already been answered at this point.")


def _choice_label(item: dict[str, Any], value: int) -> str:
    words = item.get("anchors", {}).get(str(value))
    if words is None:
        return str(value)
    if int(item["max"]) - int(item["min"]) <= 4:  # a short scale: the words are the answer
        return _(str(words))
    return _("%(value)d: %(words)s") % {"value": value, "words": _(str(words))}


class QuestionnaireForm(Form):
    """Answers to one questionnaire; ``occasion`` only when a link worker records them."""

    mark_optional = False

    occasion = forms.ChoiceField(
        label=gettext_lazy("When is it being asked?"),
        choices=Occasion.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose when it is being asked"),
            "invalid_choice": gettext_lazy("Choose one of the times offered"),
        },
    )

    def __init__(
        self,
        *args: Any,
        questionnaire: Questionnaire,
        answered: Collection[str] = (),
        ask_occasion: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.answered = set(answered)
        if ask_occasion:
            # Start and end are asked once: those already answered are not offered.
            offered = [
                (value, label)
                for value, label in Occasion.choices
                if value == Occasion.FOLLOW_UP or value not in self.answered
            ]
            self.fields["occasion"].widget.choices = offered
        else:
            del self.fields["occasion"]
        self.item_codes: list[str] = []
        for number, item in enumerate(questionnaire.definition["items"], start=1):
            code = str(item["code"])
            self.item_codes.append(code)
            low, high = int(item["min"]), int(item["max"])
            self.fields[code] = forms.ChoiceField(
                label=_("%(number)d. %(question)s")
                % {"number": number, "question": _(item["text"])},
                choices=[(str(v), _choice_label(item, v)) for v in range(low, high + 1)],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Answer question %(number)d") % {"number": number},
                    "invalid_choice": _("Choose one of the answers offered for question %(number)d")
                    % {"number": number},
                },
            )

    def clean_occasion(self) -> str:
        occasion = str(self.cleaned_data["occasion"])
        if occasion != Occasion.FOLLOW_UP and occasion in self.answered:
            raise forms.ValidationError(ALREADY_ANSWERED)
        return occasion

    def answers(self) -> dict[str, int]:
        """Item code → the number chosen, for ``services.questionnaire_answer``."""
        return {code: int(self.cleaned_data[code]) for code in self.item_codes}
