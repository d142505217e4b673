"""A coordinator gives someone at a referring organisation a login of their own.

``referrer_add`` (``services.py``) records the referrer, optionally with a
user; this finds or makes that user from their email address in the same
transaction, and :func:`referrer_welcome_send` emails a new user a link to
choose their password (Django's password-reset token, the house reset pages).
Someone who already has a Ginnel login keeps it and is not emailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.people.models import User
from ginnel.referrals import services
from ginnel.referrals.models import Referrer, ReferringOrganisation


@dataclass(frozen=True)
class NewReferrer:
    referrer: Referrer
    #: A login was made for them: they need the email to choose a password.
    new_user: User | None


@transaction.atomic
def referrer_add_with_login(
    *,
    access: Access,
    organisation: ReferringOrganisation,
    name: str,
    job_title: str = "",
    email: str = "",
    phone: str = "",
    give_login: bool = False,
) -> NewReferrer:
    """A referrer, and with ``give_login`` a login for their email address (found or made)."""
    require(access, Perm.ALLOCATE_REFERRALS)
    user: User | None = None
    made: User | None = None
    if give_login:
        address = User.objects.normalize_email(email.strip()).lower()
        if not address:
            raise GinnelError(_("Enter their email address to give them a login."), field="email")
        user = User.objects.filter(email__iexact=address).first()
        if (
            user is not None
            and Referrer.objects.filter(
                community=access.community, organisation=organisation, user=user
            ).exists()
        ):
            raise GinnelError(
                _("Someone with this email address already refers for this organisation."),
                field="email",
            )
        if user is None:
            # No password yet: they choose one with the link in the email.
            user = made = User.objects.create_user(address, None)
    referrer = services.referrer_add(
        access=access,
        organisation=organisation,
        name=name,
        job_title=job_title,
        email=email,
        phone=phone,
        user=user,
    )
    return NewReferrer(referrer=referrer, new_user=made)


def referrer_welcome_send(*, referrer: Referrer, link: str) -> None:
    """Email a new referrer the link to choose their password (after the commit)."""
    organisation = referrer.organisation
    subject = _("Your login to send referrals to %(community)s") % {
        "community": referrer.community.name
    }
    body = _(
        "Hello %(name)s,\n\n"
        "%(community)s has given you a login to send social prescribing referrals "
        "for %(organisation)s. To start, choose your password with this link "
        "within three days:\n\n%(link)s\n\n"
        "Then log in with this email address. If you did not expect this, you can "
        "ignore this email."
    ) % {
        "name": referrer.name,
        "community": referrer.community.name,
        "organisation": organisation.name if organisation else "",
        "link": link,
    }
    assert referrer.user is not None  # noqa: S101 (only called for a referrer given a login)
    transaction.on_commit(
        partial(send_mail, subject, body, None, [referrer.user.email], fail_silently=True)
    )
