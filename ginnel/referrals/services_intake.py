"""Sending a referral: the write a referral form needs beyond ``services.py``.

Staff (a link worker or coordinator) often refer someone who is not in
Ginnel yet: a person met at a drop-in, or named by a surgery on the phone.
:func:`referral_create_for_new_person` records them the way a coordinator
records anyone who is not online (a membership without a login, through
``communities.services.person_record``, which keeps its own audit entry) and
sends the referral about them, in one transaction: a refused referral leaves
no stray person behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm
from ginnel.communities.services import person_record
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import ContactMethod
from ginnel.referrals import services
from ginnel.referrals.models import ContactBy, Referral, ReferralReason, Referrer

#: How a new person's record says to reach them, from how the referral says to.
CONTACT_METHODS: dict[str, str] = {
    ContactBy.PHONE: ContactMethod.PHONE,
    ContactBy.TEXT: ContactMethod.TEXT,
    ContactBy.LETTER: ContactMethod.POST,
    ContactBy.EMAIL: ContactMethod.EMAIL,
    ContactBy.CARER: ContactMethod.IN_PERSON,
}

NAME_LENGTH = 80  # Person.display_name


def may_write_down_referrals(access: Access) -> bool:
    """Link workers and coordinators: they write down a referral phoned in, or refer someone new."""
    return access.is_member and (
        access.can(Perm.ALLOCATE_REFERRALS) or access.can(Perm.WORK_REFERRALS)
    )


@transaction.atomic
def referral_create_for_new_person(
    *,
    access: Access,
    display_name: str,
    reasons: Sequence[ReferralReason],
    details: services.ReferralDetails,
    referrer: Referrer | None = None,
) -> Referral:
    """A link worker or coordinator refers someone not yet in Ginnel (no login needed)."""
    if not may_write_down_referrals(access) or not access.can(Perm.RECORD_PERSON):
        raise PermissionRefused(
            _("Only coordinators and link workers can refer someone who is not in Ginnel yet.")
        )
    display_name = display_name.strip()
    if not display_name:
        raise GinnelError(_("Enter the name of the person referred."), field="display_name")
    if len(display_name) > NAME_LENGTH:
        raise GinnelError(
            _("Shorten the name to %(most)d characters or fewer.") % {"most": NAME_LENGTH},
            field="display_name",
        )
    person = person_record(
        access=access,
        display_name=display_name,
        neighbourhood=None,
        contact_method=CONTACT_METHODS.get(details.contact_by, ContactMethod.IN_PERSON),
        phone=details.phone.strip(),
        contact_email=details.email.strip(),
    )
    # referral_create checks every rule; if it refuses, the person above is rolled back with it.
    return services.referral_create(
        access=access, person=person, reasons=reasons, details=details, referrer=referrer
    )
