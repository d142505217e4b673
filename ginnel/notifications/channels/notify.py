"""GOV.UK Notify for email, text messages and letters, through its maintained client.

Each channel uses one template in Notify, chosen by settings, whose
personalisation this module fills: ``((subject))`` and ``((body))`` for every
channel, and ``((address_line_1))`` to ``((address_line_7))`` for letters (the
name first, the postcode last). The delivery's idempotency key goes as
Notify's ``reference``, so :meth:`find` can ask Notify whether a send that was
cut off half way arrived: a send is never repeated once Notify has it.

Errors: a 5xx answer, a rate limit (429), a timeout or no connection may pass,
so they are retried; any other 4xx (a bad number, a bad key) will not, so the
delivery fails at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol, cast

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from ginnel.notifications.channels import ChannelUnavailable, Message, SendFailed
from ginnel.notifications.kinds import Channel

#: Seconds the client waits for Notify. Shorter than the dispatcher's lease, so a send
#: still waiting is never taken for a lost one and sent again beside it.
TIMEOUT = 30

LETTER_LINES = 7


class NotifyClient(Protocol):
    """The part of ``NotificationsAPIClient`` used here (the client has no annotations)."""

    def send_email_notification(self, **kwargs: Any) -> dict[str, Any]: ...

    def send_sms_notification(self, **kwargs: Any) -> dict[str, Any]: ...

    def send_letter_notification(self, **kwargs: Any) -> dict[str, Any]: ...

    def get_all_notifications(self, **kwargs: Any) -> dict[str, Any]: ...


def _client() -> NotifyClient:
    kwargs: dict[str, Any] = {"timeout": TIMEOUT}
    if settings.GINNEL_NOTIFY_BASE_URL:
        kwargs["base_url"] = settings.GINNEL_NOTIFY_BASE_URL
    factory: Any = NotificationsAPIClient
    return cast("NotifyClient", factory(settings.GINNEL_NOTIFY_API_KEY, **kwargs))


def _failed(error: Exception) -> SendFailed:
    if isinstance(error, APIError):
        status = error.status_code
        detail = error.message
        if isinstance(detail, list):
            detail = "; ".join(str(e.get("message", e)) for e in detail)
        if status >= 500 or status in (408, 429):
            # The client answers 503 itself for a timeout or no connection.
            return SendFailed(
                _("GOV.UK Notify could not take it just now (%(status)s): %(detail)s")
                % {"status": status, "detail": detail},
                retry=True,
            )
        return SendFailed(
            _("GOV.UK Notify turned it down (%(status)s): %(detail)s")
            % {"status": status, "detail": detail},
            retry=False,
        )
    return SendFailed(
        _("GOV.UK Notify could not be reached (%(error)s).") % {"error": error}, retry=True
    )


class _NotifySender(ABC):
    channel: Channel
    template_setting: str

    def __init__(self, client: NotifyClient, template_id: str) -> None:
        self.client = client
        self.template_id = template_id

    @classmethod
    def from_settings(cls) -> _NotifySender:
        template_id: str = getattr(settings, cls.template_setting)
        if not settings.GINNEL_NOTIFY_API_KEY or not template_id:
            raise ChannelUnavailable(
                _("GOV.UK Notify has no template set up for this channel (%(setting)s).")
                % {"setting": cls.template_setting}
            )
        return cls(_client(), template_id)

    @abstractmethod
    def _post(self, message: Message) -> dict[str, Any]:
        """Send ``message`` by this channel's Notify endpoint; Notify's answer."""

    def send(self, message: Message) -> str:
        try:
            answer = self._post(message)
        except (APIError, requests.RequestException) as error:
            raise _failed(error) from error
        return str(answer["id"])

    def find(self, reference: str) -> str | None:
        try:
            answer = self.client.get_all_notifications(reference=reference)
        except (APIError, requests.RequestException) as error:
            raise _failed(error) from error
        for found in answer.get("notifications", []):
            if found.get("reference") == reference:
                return str(found["id"])
        return None


class NotifyEmail(_NotifySender):
    channel = Channel.EMAIL
    template_setting = "GINNEL_NOTIFY_EMAIL_TEMPLATE"

    def _post(self, message: Message) -> dict[str, Any]:
        return self.client.send_email_notification(
            email_address=message.to,
            template_id=self.template_id,
            personalisation={"subject": message.subject, "body": message.body},
            reference=message.reference,
            one_click_unsubscribe_url=message.unsubscribe_url or None,
        )


class NotifySms(_NotifySender):
    channel = Channel.SMS
    template_setting = "GINNEL_NOTIFY_SMS_TEMPLATE"

    def _post(self, message: Message) -> dict[str, Any]:
        return self.client.send_sms_notification(
            phone_number=message.to,
            template_id=self.template_id,
            personalisation={"subject": message.subject, "body": message.body},
            reference=message.reference,
        )


class NotifyLetter(_NotifySender):
    """``message.to``: the address lines (one a line, the postcode last); ``to_name``: the name."""

    channel = Channel.LETTER
    template_setting = "GINNEL_NOTIFY_LETTER_TEMPLATE"

    def _post(self, message: Message) -> dict[str, Any]:
        personalisation = {"subject": message.subject, "body": message.body}
        personalisation.update(letter_address(message.to_name, message.to))
        return self.client.send_letter_notification(
            template_id=self.template_id,
            personalisation=personalisation,
            reference=message.reference,
        )


def letter_address(name: str, lines: str) -> dict[str, str]:
    """Notify's address personalisation: the name, then each line, the postcode last.

    ``lines`` may begin with the name already (as ``rendering.letter_lines`` gives it); it is
    not written twice.
    """
    given = [line.strip() for line in lines.splitlines() if line.strip()]
    if given and given[0] == name.strip():
        given = given[1:]
    all_lines = [name, *given]
    return {f"address_line_{n}": line.strip() for n, line in enumerate(all_lines, start=1)}
