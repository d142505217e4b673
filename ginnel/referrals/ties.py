"""Engaged referrals as ties in the network measures.

A link worker connects the person referred to a timebank member or a peer
(``Connection.target_id`` is that member's Person); once the connection is
marked *went*, the two are tied. The tie is dated by when "went" was written
down, so it falls in the window of the day it was recorded. Connections that
are pending or did not go make no tie; connections to groups, events and
services are ties to things, not people, and are left out here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from ginnel.network.graph import CHUNK, TieRow
from ginnel.network.metrics import NodeKind, TieKind, Window
from ginnel.referrals.models import Connection, ConnectionKind, ConnectionOutcome

#: Connection kinds whose target is a Person of the community.
PERSON_KINDS = (ConnectionKind.TIMEBANK_MEMBER, ConnectionKind.PEER)


@dataclass(frozen=True)
class EngagedReferrals:
    """Person referred — member or peer they went to, dated when "went" was recorded."""

    kind: TieKind = TieKind.REFERRAL

    def rows(self, *, community_id: int, window: Window) -> Iterator[TieRow]:
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(window.start, time.min), zone)
        end = timezone.make_aware(datetime.combine(window.end, time.max), zone)
        rows = (
            Connection.objects.filter(
                community_id=community_id,
                kind__in=PERSON_KINDS,
                outcome=ConnectionOutcome.WENT,
                target_id__isnull=False,
                outcome_at__gte=start,
                outcome_at__lte=end,
            )
            .order_by()
            .values_list("referral__person_id", "target_id", "outcome_at")
            .iterator(chunk_size=CHUNK)
        )
        for person, target, recorded in rows:
            if target is None or recorded is None:  # the filter excludes these already
                continue
            yield (
                (NodeKind.PERSON, person),
                (NodeKind.PERSON, target),
                timezone.localdate(recorded),
                1,
            )
