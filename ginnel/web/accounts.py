"""A logged-in person changes their password.

Django's own view in the house templates. Changing the password signs out every
other session of the account (each session carries a hash of the password);
``update_session_auth_hash``, called by the view, keeps this one signed in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from ginnel.ui.forms import GinnelBoundField


class ChangePasswordForm(PasswordChangeForm):
    bound_field_class = GinnelBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        old = self.fields["old_password"]
        old.label = _("Your current password")
        old.error_messages["required"] = _("Enter your current password")
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = _("New password")
        first.help_text = _("At least 10 characters. A few words you will remember works well.")
        first.error_messages["required"] = _("Enter a new password")
        second.label = _("New password again")
        second.help_text = ""
        second.error_messages["required"] = _("Enter the new password again")
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _(
                "That is not your current password. Enter it again; passwords are case-sensitive."
            ),
            "password_mismatch": _("The two passwords are not the same. Enter them again."),
        }


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("web:password_change_done")

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/password_change_done.html"
