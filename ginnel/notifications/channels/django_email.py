"""Email through Django's email backend: SMTP in a deployment, the console in the demo.

Each email carries the one-click unsubscribe headers of RFC 8058 when the
message has an unsubscribe address, so mail programs offer "Unsubscribe" and
can act on it with one POST, without a login.

SMTP cannot be asked afterwards whether a message was accepted, so
:meth:`DjangoEmail.find` answers None and a send cut off half way is sent
again: email over SMTP is delivered at least once.
"""

from __future__ import annotations

import smtplib
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from ginnel.notifications.channels import Message, SendFailed


class DjangoEmail:
    """Sends by ``django.core.mail``; the Message-ID is the provider's reference."""

    def send(self, message: Message) -> str:
        message_id = make_msgid(domain=_domain())
        headers = {"Message-ID": message_id, "X-Ginnel-Reference": message.reference}
        if message.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[formataddr((message.to_name, message.to)) if message.to_name else message.to],
            headers=headers,
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise SendFailed(
                _("The mail server refused the address %(address)s.") % {"address": message.to},
                retry=False,
            ) from error
        except smtplib.SMTPResponseException as error:
            # 5xx is permanent in SMTP; 4xx asks the sender to try again later.
            detail = error.smtp_error
            text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
            raise SendFailed(
                _("The mail server turned it down (%(code)s): %(detail)s")
                % {"code": error.smtp_code, "detail": text},
                retry=not 500 <= error.smtp_code < 600,
            ) from error
        except OSError as error:  # SMTPException, timeouts, refused connections
            raise SendFailed(
                _("The mail server could not be reached (%(error)s).") % {"error": error},
                retry=True,
            ) from error
        return message_id

    def find(self, reference: str) -> str | None:
        return None  # SMTP cannot be asked: at least once


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL
    return address.rsplit("@", 1)[1].strip(">") if "@" in address else "localhost"
