"""Checking that an email address belongs to the person who signed up with it.

Sign-up emails a link; opening it marks the address as checked. Until then the
person is not listed or suggested to other members (coordinators see them,
marked "email not checked yet"). People a coordinator records without an
account have no address to check and are never held back.

The link carries a signed token of the account and its address (Django's
signing, with its own salt), valid for a week; a changed address makes old
links useless.
"""

from __future__ import annotations

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ginnel.people.models import User

SALT = "ginnel.people.email-check"
VALID_FOR = 7 * 24 * 60 * 60  # seconds


def shown_to_others_q(prefix: str = "") -> Q:
    """People others may see listed or suggested: no account, or a checked address.

    ``prefix`` puts the condition on a related table ("owner__" for a listing's owner).
    """
    return Q(**{f"{prefix}membership__user__isnull": True}) | Q(
        **{f"{prefix}membership__user__email_verified": True}
    )


def check_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SALT, compress=True)


def user_for_token(token: str) -> User | None:
    """The account a link was made for, or None if it is forged, too old or out of date."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"]).first()
    if user is None or user.email != data.get("e"):
        return None
    return user


def check_send(*, user: User, link: str) -> None:
    """Email the checking link once the transaction that made the account commits."""
    subject = _("Check your email address for Ginnel")
    body = render_to_string("people/email_check.txt", {"user": user, "link": link})
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


@transaction.atomic
def email_confirm(*, token: str) -> User | None:
    """Mark the address of the link's account as checked; None if the link does not work."""
    user = user_for_token(token)
    if user is None:
        return None
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user
