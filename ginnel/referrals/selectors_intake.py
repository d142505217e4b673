"""Sending a referral: the one read its forms need, the confirmation of what was just sent.

Right after a referral is sent, its sender sees it again with what happens
next. Only the browser session that sent it (the view keeps the ids it sent
in the session) and only its sender (the member who wrote it down, or the
referrer at an organisation who sent it) get it; anyone else finds no such referral. A member who
is not the person referred reads its content here, so the read is recorded as
every other read of referral content is (``selectors._record_read``'s rule).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from ginnel.communities.models import Community, Membership
from ginnel.errors import GinnelError
from ginnel.referrals.models import EventKind, Referral, ReferralEvent, ReferralRead, Referrer


@transaction.atomic
def referral_sent(
    *,
    community: Community,
    referral_id: int,
    sent_ids: Collection[int],
    membership: Membership | None = None,
    referrers: Sequence[Referrer] = (),
) -> Referral:
    """The referral this sender has just sent, to show it back to them."""
    missing = GinnelError(_("There is no such referral in this community."))
    if referral_id not in sent_ids:
        raise missing
    referral = (
        Referral.objects.filter(community=community, pk=referral_id)
        .select_related("person", "referrer", "organisation")
        .prefetch_related("reasons")
        .first()
    )
    if referral is None:
        raise missing
    # Who wrote it: the "received" entry names the member (for themselves, for someone,
    # or writing down a referrer's phone call), or the referrer at an organisation.
    by_member = (
        membership is not None
        and ReferralEvent.objects.filter(
            referral=referral, kind=EventKind.RECEIVED, actor=membership
        ).exists()
    )
    by_referrer = referral.referrer_id in {r.pk for r in referrers}
    if not (by_member or by_referrer):
        raise missing
    if membership is not None and by_member and referral.person.membership_id != membership.pk:
        ReferralRead.objects.create(
            community=community,
            reader=membership,
            person_id=referral.person_id,
            referral=referral,
            what="sent",
        )
    return referral
