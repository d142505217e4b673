from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ginnel.audit.models import ExportFormat
from ginnel.ui.forms import Form


class StaffExportForm(Form):
    reason = forms.CharField(
        label=_("Why you are producing this"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: “Subject access request by letter, received 3 March”. "
            "The person sees this reason in their own record."
        ),
        error_messages={
            "required": _(
                "Write why you are producing this person's data, "
                "for example the request it answers."
            )
        },
    )
    format = forms.ChoiceField(
        label=_("In what form"),
        choices=ExportFormat.choices,
        initial=ExportFormat.HTML,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a data file or a readable page")},
    )
