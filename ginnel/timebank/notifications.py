"""What the timebank tells people, and when: its notification kinds and their emit helpers.

Each helper is called by a use-case in ``services.py`` inside its transaction,
after the change is made, with ``actor`` the person who acted (a link worker
or coordinator acting for one of the two people is the actor; the person
acted for is the party). The names in a notification are worked out here and
stored in its context, so it reads the same whenever it is shown:

- ``actor``: who did it; ``title``: the exchange's headline;
- ``for_name``: the party the actor acted for, when the actor is someone else
  ("Cath Coordinator confirmed your 1:00 hours … on behalf of Nia Neighbour");
- ``for_you``: told to the party acted for — never "you did it", always
  "Lin Linkworker proposed this for you";
- ``with_name``: the other person in the exchange, where the wording needs them.

The link is the exchange's page. Acting on the thing marks its notification
read (``seen``): answering a proposal, confirming or turning down hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ginnel.communities.models import Community
from ginnel.notifications import services as notifications
from ginnel.notifications.kinds import Kind, register
from ginnel.people.models import Person
from ginnel.timebank.models import Exchange, Listing, ListingKind

EXCHANGE_PROPOSED = "timebank.exchange_proposed"
EXCHANGE_AGREED = "timebank.exchange_agreed"
HOURS_TO_CONFIRM = "timebank.hours_to_confirm"
HOURS_CONFIRMED = "timebank.hours_confirmed"
HOURS_DECLINED = "timebank.hours_declined"
EXCHANGE_REVERSED = "timebank.exchange_reversed"
THANK_YOU = "timebank.thank_you"
LISTING_EXPIRING = "timebank.listing_expiring"

KINDS = (
    Kind(
        code=EXCHANGE_PROPOSED,
        label=_("An exchange proposed to you"),
        audience=_(
            "The person asked (both people, when a coordinator suggests it), and the person "
            "a link worker proposed it for"
        ),
        templates="timebank/notifications/exchange_proposed",
    ),
    Kind(
        code=EXCHANGE_AGREED,
        label=_("Your proposal agreed"),
        audience=_("The person who proposed the exchange, and anyone it was agreed for"),
        templates="timebank/notifications/exchange_agreed",
    ),
    Kind(
        code=HOURS_TO_CONFIRM,
        label=_("Hours recorded for you to confirm"),
        audience=_("The other person in the exchange"),
        templates="timebank/notifications/hours_to_confirm",
    ),
    Kind(
        code=HOURS_CONFIRMED,
        label=_("Your hours confirmed"),
        audience=_(
            "The person who recorded the hours, and the other person when a coordinator "
            "confirmed for them"
        ),
        templates="timebank/notifications/hours_confirmed",
    ),
    Kind(
        code=HOURS_DECLINED,
        label=_("Your hours declined"),
        audience=_("The person who recorded the hours"),
        templates="timebank/notifications/hours_declined",
    ),
    Kind(
        code=EXCHANGE_REVERSED,
        label=_("Confirmed hours reversed by a coordinator"),
        audience=_("Both people in the exchange"),
        templates="timebank/notifications/exchange_reversed",
    ),
    Kind(
        code=THANK_YOU,
        label=_("A thank-you note"),
        audience=_("The person who gave their time"),
        templates="timebank/notifications/thank_you",
    ),
    Kind(
        code=LISTING_EXPIRING,
        label=_("Your offer or request ending"),
        audience=_("The person whose offer or request it is"),
        templates="timebank/notifications/listing_expiring",
    ),
)


def register_kinds() -> None:
    for kind in KINDS:
        register(kind)


def exchange_url(community: Community, exchange: Exchange) -> str:
    return reverse("timebank:exchange", args=[community.slug, exchange.pk])


def _other(exchange: Exchange, person_id: int) -> Person:
    return exchange.receiver if person_id == exchange.giver_id else exchange.giver


def _tell(
    community: Community,
    exchange: Exchange,
    kind: str,
    recipients: Iterable[Person | None],
    *,
    actor: Person,
    **context: Any,
) -> None:
    notifications.notify(
        community=community,
        kind=kind,
        recipients=[r for r in recipients if r is not None],
        url=exchange_url(community, exchange),
        context={"title": exchange.description, "actor": actor.display_name, **context},
        actor=actor,
    )


def _seen(community: Community, exchange: Exchange, kind: str) -> None:
    """Both people's notifications of ``kind`` about this exchange are dealt with."""
    url = exchange_url(community, exchange)
    for person in (exchange.giver, exchange.receiver):
        notifications.seen(person=person, kind=kind, url=url)


def proposed(community: Community, exchange: Exchange, *, actor: Person) -> None:
    """Tell the person asked; a brokered exchange tells both; the person proposed for, too."""
    proposer = exchange.proposed_by
    if proposer.pk not in (exchange.giver_id, exchange.receiver_id):
        # A coordinator suggested it: either of the two can agree.
        for party in (exchange.giver, exchange.receiver):
            _tell(
                community,
                exchange,
                EXCHANGE_PROPOSED,
                [party],
                actor=actor,
                brokered=True,
                with_name=_other(exchange, party.pk).display_name,
            )
        return
    asked = _other(exchange, proposer.pk)
    acting_for = proposer.pk != actor.pk
    _tell(
        community,
        exchange,
        EXCHANGE_PROPOSED,
        [asked],
        actor=actor,
        for_name=proposer.display_name if acting_for else "",
        message=exchange.message,
    )
    if acting_for:
        _tell(
            community,
            exchange,
            EXCHANGE_PROPOSED,
            [proposer],
            actor=actor,
            for_you=True,
            with_name=asked.display_name,
            message=exchange.message,
        )


def agreed(community: Community, exchange: Exchange, *, actor: Person) -> None:
    """Tell the proposer; a coordinator agreeing for the person asked tells them too."""
    _seen(community, exchange, EXCHANGE_PROPOSED)
    proposer = exchange.proposed_by
    if proposer.pk not in (exchange.giver_id, exchange.receiver_id):
        _tell(
            community,
            exchange,
            EXCHANGE_AGREED,
            [proposer, exchange.giver, exchange.receiver],
            actor=actor,
        )
        return
    asked = _other(exchange, proposer.pk)
    acting_for = asked.pk != actor.pk
    _tell(
        community,
        exchange,
        EXCHANGE_AGREED,
        [proposer],
        actor=actor,
        for_name=asked.display_name if acting_for else "",
    )
    if acting_for:
        _tell(
            community,
            exchange,
            EXCHANGE_AGREED,
            [asked],
            actor=actor,
            for_you=True,
            with_name=proposer.display_name,
        )


def proposal_answered(community: Community, exchange: Exchange) -> None:
    """Declined or cancelled: the proposal needs no answer any more."""
    _seen(community, exchange, EXCHANGE_PROPOSED)


def hours_recorded(community: Community, exchange: Exchange, *, actor: Person) -> None:
    """Tell the other person there are hours for them to confirm."""
    claimant = exchange.claimed_by
    assert claimant is not None  # noqa: S101 (recorded hours have their claimant)
    _tell(
        community,
        exchange,
        HOURS_TO_CONFIRM,
        [_other(exchange, claimant.pk)],
        actor=actor,
        minutes=exchange.minutes,
        for_name=claimant.display_name if claimant.pk != actor.pk else "",
    )


def hours_confirmed(community: Community, exchange: Exchange, *, actor: Person) -> None:
    """Tell the claimant; a coordinator confirming for the other person tells them too."""
    _seen(community, exchange, HOURS_TO_CONFIRM)
    claimant = exchange.claimed_by
    assert claimant is not None  # noqa: S101
    confirmer = _other(exchange, claimant.pk)
    acting_for = confirmer.pk != actor.pk
    _tell(
        community,
        exchange,
        HOURS_CONFIRMED,
        [claimant],
        actor=actor,
        minutes=exchange.minutes,
        for_name=confirmer.display_name if acting_for else "",
    )
    if acting_for:
        _tell(
            community,
            exchange,
            HOURS_CONFIRMED,
            [confirmer],
            actor=actor,
            minutes=exchange.minutes,
            for_you=True,
            with_name=claimant.display_name,
        )


def hours_declined(
    community: Community,
    exchange: Exchange,
    *,
    actor: Person,
    minutes: int | None,
    reason: str,
    rejected: bool,
) -> None:
    """Tell the claimant their hours were turned down, and why if a reason was given."""
    _seen(community, exchange, HOURS_TO_CONFIRM)
    _tell(
        community,
        exchange,
        HOURS_DECLINED,
        [exchange.claimed_by],
        actor=actor,
        minutes=minutes,
        reason=reason.strip(),
        rejected=rejected,
    )


def hours_withdrawn(community: Community, exchange: Exchange) -> None:
    """The claimant took their hours back: nothing waits for the other person any more."""
    _seen(community, exchange, HOURS_TO_CONFIRM)


def reversed_(community: Community, exchange: Exchange, *, actor: Person, reason: str) -> None:
    """Tell both people a coordinator reversed their confirmed hours, and why."""
    for party in (exchange.giver, exchange.receiver):
        _tell(
            community,
            exchange,
            EXCHANGE_REVERSED,
            [party],
            actor=actor,
            minutes=exchange.minutes,
            reason=reason.strip(),
            with_name=_other(exchange, party.pk).display_name,
        )


def thanked(community: Community, exchange: Exchange, *, actor: Person, text: str) -> None:
    """Tell the giver the person they helped left them a note."""
    _tell(community, exchange, THANK_YOU, [exchange.giver], actor=actor, text=text)


def listing_expiring(listing: Listing, *, ended: bool) -> bool:
    """Tell the owner their offer or request ends soon (or has ended), once per end date."""
    expires_on: date | None = listing.expires_on
    made = notifications.notify(
        community=listing.community,
        kind=LISTING_EXPIRING,
        recipients=[listing.owner],
        url=reverse("timebank:listing", args=[listing.community.slug, listing.pk]),
        context={
            "title": listing.title,
            "offer": listing.kind == ListingKind.OFFER,
            "ended": ended,
            "date": date_format(expires_on, "l j F Y") if expires_on else "",
        },
        dedupe_key=f"listing:{listing.pk}:{expires_on.isoformat() if expires_on else ''}",
    )
    return bool(made)
