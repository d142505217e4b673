"""What the timebank does when a member leaves their community.

Registered with ``communities.setup.on_member_left`` and run inside
``membership_leave``'s transaction. The member's account is closed, not
removed: no entry is written, so its balance and the community's sum of zero
stay as they were (ledger.py's rules), and the account is there for statements
and for an erasure later. Their live offers and requests close, so no one
proposes an exchange to someone who has gone.
"""

from __future__ import annotations

from django.utils import timezone

from ginnel.communities.models import Membership
from ginnel.timebank.models import Account, Listing, ListingStatus


def member_left_close(*, membership: Membership) -> None:
    """Close the leaver's account and listings; running it again changes nothing."""
    person = getattr(membership, "person", None)
    if person is None:
        return
    Account.objects.filter(person=person, closed_at__isnull=True).update(closed_at=timezone.now())
    Listing.objects.filter(owner=person, status=ListingStatus.OPEN).update(
        status=ListingStatus.CLOSED
    )
