"""Writing a delivery out: the kind's templates, in the community's language, to a :class:`Message`.

A kind's folder holds ``title.txt`` (the subject), ``email.txt``, ``sms.txt``
and ``letter.txt`` (see :mod:`ginnel.notifications.kinds`); a kind without
``sms.txt`` texts its title and link, one without ``letter.txt`` posts its
email's words. Templates get the notification's ``context`` and
``recipient`` (their name), ``community`` (its name) and ``url`` (absolute,
from ``SITE_URL``), rendered as plain text (nothing HTML-escaped).

A sensitive kind (special-category data, such as a referral) never puts its
context into an email, a text or a letter: each says only that something is
waiting, with the link; the full wording is in the inbox, behind a login.

A text message is capped at :data:`SMS_LIMIT` characters (four fragments),
keeping its link. A letter needs a name and a postal address that GOV.UK
Notify can post to: two to six lines after the name, a UK postcode last. An
address that cannot be used raises :class:`Undeliverable`, and the delivery
fails for a coordinator to put right (the failed sends page).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ginnel.notifications import kinds
from ginnel.notifications.channels import Message
from ginnel.notifications.kinds import Channel
from ginnel.notifications.models import ContactSettings, Delivery
from ginnel.notifications.services import address_for
from ginnel.notifications.unsubscribe import unsubscribe_url

#: Four SMS fragments of 153 characters: the longest text we send.
SMS_LIMIT = 612
#: Notify posts letters with at most seven address lines, the name counted.
LETTER_LINES = 7

_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$", re.IGNORECASE)


class Undeliverable(Exception):
    """This delivery cannot be written out as it stands (the message says why, in plain words)."""


class NoAddress(Undeliverable):
    """The person no longer has an address for this channel (they took it away): not an error."""


def render(delivery: Delivery, *, contact: ContactSettings | None = None) -> Message:
    """The message ``delivery`` sends; ``contact`` is the recipient's contact settings, if any.

    Load ``delivery`` with its notification, recipient, membership, user and community.
    """
    notification = delivery.notification
    person = notification.recipient
    community = delivery.community
    channel = Channel(delivery.channel)
    kind = kinds.get(notification.kind)
    to = address_for(person, contact, channel)
    if not to:
        raise NoAddress(_("There is no address to send it to any more."))
    to_name = person.display_name
    with translation.override(settings.LANGUAGE_CODE):
        url = absolute_url(notification.url or _inbox_path(community.slug))
        if channel == Channel.LETTER:
            to_name = (contact.letter_name if contact else "") or person.display_name
            to = "\n".join(letter_lines(to_name, to)[1:])  # the name goes as to_name
        if kind.sensitive:
            subject = _("Something is waiting for you in Ginnel")
            body = _("Something is waiting for you in Ginnel: %(link)s") % {"link": url}
        else:
            context: dict[str, Any] = {
                **notification.context,
                "recipient": person.display_name,
                "community": community.name,
                "url": url,
            }
            folder = kind.templates
            subject = " ".join(_render([f"{folder}/title.txt"], context).split())
            if channel == Channel.EMAIL:
                body = _render([f"{folder}/email.txt"], context)
            elif channel == Channel.SMS:
                body = _render([f"{folder}/sms.txt"], context, fallback=f"{subject}\n{url}")
            else:
                body = _render([f"{folder}/letter.txt", f"{folder}/email.txt"], context)
        if channel == Channel.SMS:
            body = cap_sms(body, url)
    return Message(
        channel=channel,
        to=to,
        to_name=to_name,
        subject=subject,
        body=body.strip(),
        reference=delivery.idempotency_key,
        unsubscribe_url=(
            unsubscribe_url(person, notification.kind, channel) if channel == Channel.EMAIL else ""
        ),
    )


def absolute_url(path: str) -> str:
    """``path`` on this site (``SITE_URL`` + path); the path alone when no site address is set."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def cap_sms(body: str, url: str) -> str:
    """``body`` cut to :data:`SMS_LIMIT` characters, its link kept whole at the end."""
    body = body.strip()
    if len(body) <= SMS_LIMIT:
        return body
    tail = f"… {url}" if url else "…"
    text = body.replace(url, "").strip() if url else body
    return text[: SMS_LIMIT - len(tail)].rstrip() + tail


def letter_lines(name: str, address: str) -> list[str]:
    """The address lines a letter goes to, the name first and the postcode last.

    Raises :class:`Undeliverable`, in plain words, when Notify could not post to it.
    """
    raw = address.splitlines()
    if len([line for line in raw if line.strip()]) == 1:
        raw = address.split(",")  # "1 Mill Row, Hebble End, HX7 8AA" typed on one line
    lines = [" ".join(line.split()).strip(" ,") for line in raw]
    lines = [line for line in lines if line]
    name = " ".join(name.split())
    if not name:
        raise Undeliverable(_("The letter has no name to go to."))
    if len(lines) < 2:
        raise Undeliverable(
            _("The postal address needs at least two lines: the street and the postcode.")
        )
    if len(lines) + 1 > LETTER_LINES:
        raise Undeliverable(
            _("The postal address has more than six lines; letters can only show six.")
        )
    postcode = lines[-1].upper()
    if not _POSTCODE.match(postcode):
        raise Undeliverable(
            _("The last line of the postal address should be a UK postcode, not “%(line)s”.")
            % {"line": lines[-1]}
        )
    if " " not in postcode:
        postcode = f"{postcode[:-3]} {postcode[-3:]}"
    return [name, *lines[:-1], postcode]


def _render(names: list[str], context: dict[str, Any], *, fallback: str | None = None) -> str:
    engine = Engine.get_default()
    if fallback is not None:
        try:
            template = engine.select_template(names)
        except TemplateDoesNotExist:
            return fallback
    else:
        template = engine.select_template(names)
    return template.render(Context(context, autoescape=False))


def _inbox_path(slug: str) -> str:
    try:
        return reverse("notifications:inbox", kwargs={"community": slug})
    except NoReverseMatch:
        return f"/c/{slug}/"
