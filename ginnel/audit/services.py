"""Writes of the audit app: making a subject-access export records it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.audit.export import subject_access
from ginnel.audit.models import ExportFormat, ExportRecord
from ginnel.communities.permissions import Access, Perm
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person
from ginnel.referrals import selectors as referral_selectors
from ginnel.referrals.models import Referral


def is_own(access: Access, person: Person) -> bool:
    return access.membership is not None and person.membership_id == access.membership.pk


def can_export(access: Access, person: Person) -> bool:
    """The person themselves, or staff who may read everything about anyone here.

    Staff exports hold referral content, so they need what reading any referral
    needs (ALLOCATE_REFERRALS: coordinators and administrators); link workers and
    analysts are refused.
    """
    if person.community_id != access.community.pk or not access.is_member:
        return False
    return is_own(access, person) or access.can(Perm.ALLOCATE_REFERRALS)


@transaction.atomic
def export_make(
    *, access: Access, person: Person, format: ExportFormat, reason: str = ""
) -> dict[str, Any]:
    """Everything held about ``person``, with one :class:`ExportRecord` written for it.

    A member of staff exporting someone else's data gives a reason; a person's
    own download needs none.
    """
    if not can_export(access, person):
        raise PermissionRefused(_("You do not have a role in this community that allows this."))
    reason = reason.strip()
    if not is_own(access, person) and not reason:
        raise GinnelError(
            _(
                "Write why you are producing this person's data, "
                "for example the request it answers."
            ),
            field="reason",
        )
    assert access.membership is not None  # noqa: S101 (can_export asks for a member)
    if not is_own(access, person):
        # Referral content leaves Ginnel in the copy: each referral's read is recorded as
        # every other read of it is, through the referrals app's own selector.
        for referral_id in Referral.objects.filter(person=person).values_list("pk", flat=True):
            referral_selectors.referral_read(
                access=access, referral_id=referral_id, what="subject access copy"
            )
    data = subject_access(person)  # before this copy's own record: it lists earlier copies
    record = ExportRecord.objects.create(
        community=access.community,
        by=access.membership,
        whose=person,
        reason=reason,
        format=format,
        at=timezone.now(),
    )
    data["about"]["made_at"] = record.at.isoformat()
    data["about"]["made_by"] = access.membership.person.display_name
    data["about"]["reason"] = reason
    return data
