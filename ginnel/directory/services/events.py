"""Writing events: create, change and cancel (editors of the organisation and coordinators).

Themes are taxonomy terms, held twice: as HSDS attributes (``link_type``
"event"), which export reads, and in ``Event.themes``, which the calendar and
the clash view read. Both are written here, together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access, Perm, require
from ginnel.directory.models import (
    KINDS_TAXONOMY,
    Attribute,
    Event,
    EventFeed,
    Freq,
    Location,
    Organization,
    Service,
    TaxonomyTerm,
    new_feed_token,
)
from ginnel.directory.selectors.events import byday_parse
from ginnel.directory.selectors.review import person_of
from ginnel.directory.services.editing import (
    action_record,
    require_editor,
    version_check,
)
from ginnel.errors import GinnelError, PermissionRefused

MAX_INTERVAL = 52


@dataclass(frozen=True)
class EventData:
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    url: str = ""
    service: Service | None = None
    location: Location | None = None
    freq: str = ""
    interval: int = 1
    byday: str = ""
    until: date | None = None
    free: bool = True
    themes: Sequence[TaxonomyTerm] = ()


def _places_of(organization: Organization) -> Q:
    """The places an organisation's events may be at: its own and its services'."""
    return Q(organization=organization) | Q(at_locations__service__organization=organization)


def _validate(
    community: Community, organization: Organization, data: EventData, event: Event | None
) -> None:
    if not data.title.strip():
        raise GinnelError(_("Enter the name of the event."), field="title")
    if data.ends_at <= data.starts_at:
        raise GinnelError(_("The event must end after it starts."), field="ends_at")
    unchanged = event is not None and event.starts_at == data.starts_at
    if data.starts_at < timezone.now() and not unchanged:
        raise GinnelError(
            _("An event cannot start in the past. Choose a later date or time."),
            field="starts_at",
        )
    if data.service is not None and data.service.organization_id != organization.pk:
        raise GinnelError(_("Choose one of the organisation's own groups."), field="service")
    if data.location is not None:
        if data.location.community_id != community.pk or not (
            Location.objects.filter(_places_of(organization), pk=data.location.pk).exists()
        ):
            raise GinnelError(_("Choose a place from the list."), field="location")
        if data.service is not None:
            meets = set(data.service.at_locations.values_list("location_id", flat=True))
            if meets and data.location.pk not in meets:
                raise GinnelError(
                    _(
                        "%(group)s does not meet there. Choose one of its places, or "
                        "“Where the group meets”."
                    )
                    % {"group": data.service.name},
                    field="location",
                )
    if data.freq not in ("", *Freq.values):
        raise GinnelError(_("Choose how often it happens."), field="freq")
    if data.freq:
        if not 1 <= data.interval <= MAX_INTERVAL:
            raise GinnelError(
                _("Enter a number from 1 to %(most)s.") % {"most": MAX_INTERVAL},
                field="interval",
            )
        codes = [c for c in data.byday.split(",") if c]
        if len(byday_parse(data.byday)) != len(codes):
            raise GinnelError(_("Choose the days it happens on."), field="byday")
        if data.until is not None and data.until < timezone.localdate(data.starts_at):
            raise GinnelError(_("The last date must be on or after the first."), field="until")
    kept = set(event.themes.values_list("pk", flat=True)) if event is not None else set()
    for term in data.themes:
        if term.community_id != community.pk or term.taxonomy.name == KINDS_TAXONOMY:
            raise GinnelError(_("Choose themes from the list."), field="themes")
        if term.retired_at is not None and term.pk not in kept:
            raise GinnelError(
                _("%(theme)s is no longer used for new entries. Choose another theme.")
                % {"theme": term.name},
                field="themes",
            )


def _place_for(data: EventData) -> Location | None:
    """Where it happens: the place chosen, or else where its group meets (if one place)."""
    if data.location is not None or data.service is None:
        return data.location
    meets = list(data.service.at_locations.select_related("location")[:2])
    return meets[0].location if len(meets) == 1 else None


@transaction.atomic
def event_save(
    *,
    access: Access,
    organization: Organization,
    event: Event | None,
    version: int | None,
    data: EventData,
) -> Event:
    """Add an event to an organisation's calendar, or change one."""
    actor = require_editor(access=access, organization=organization)
    _validate(access.community, organization, data, event)
    if event is None:
        event = Event(community=access.community, organization=organization, created_by=actor)
        verb = "event.create"
    else:
        if event.organization_id != organization.pk:
            raise PermissionRefused(_("That event belongs to another organisation."))
        event = Event.objects.select_for_update().get(pk=event.pk)
        version_check(event.version, version, "event")
        event.version += 1
        verb = "event.update"
    event.title = data.title.strip()
    event.description = data.description
    event.url = data.url
    event.service = data.service
    event.location = _place_for(data)
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.freq = data.freq
    event.interval = data.interval if data.freq else 1
    event.byday = data.byday if data.freq else ""
    event.until = data.until if data.freq else None
    event.free = data.free
    event.last_modified = timezone.now()
    event.save()
    themes = list({t.pk: t for t in data.themes}.values())
    event.themes.set(themes)
    Attribute.objects.filter(
        community=access.community, link_type="event", link_id=event.uuid
    ).delete()
    Attribute.objects.bulk_create(
        Attribute(
            community=access.community,
            taxonomy_term=term,
            link_type="event",
            link_id=event.uuid,
            link_entity="event",
        )
        for term in themes
    )
    action_record(
        community=access.community,
        actor=actor,
        verb=verb,
        subject_type="event",
        subject_id=event.uuid,
        detail=event.title,
    )
    return event


@transaction.atomic
def event_cancel(*, access: Access, event: Event, version: int | None = None) -> Event:
    """Call an event off: it leaves the calendar; feeds tell calendar apps it is cancelled."""
    if event.organization is None:
        require(access, Perm.REVIEW_DIRECTORY)
        actor = person_of(access)
    else:
        actor = require_editor(access=access, organization=event.organization)
    event = Event.objects.select_for_update().get(pk=event.pk)
    version_check(event.version, version, "event")
    if event.cancelled_at is not None:
        raise GinnelError(_("This event has already been cancelled."))
    now = timezone.now()
    event.cancelled_at = now
    event.last_modified = now
    event.version += 1
    event.save(update_fields=["cancelled_at", "last_modified", "version"])
    action_record(
        community=access.community,
        actor=actor,
        verb="event.cancel",
        subject_type="event",
        subject_id=event.uuid,
        detail=event.title,
    )
    return event


def feed_token_get(*, community: Community) -> str:
    """The community's calendar feed token (made the first time it is asked for)."""
    feed, _ = EventFeed.objects.get_or_create(community=community)
    return feed.token


@transaction.atomic
def feed_token_reset(*, access: Access) -> str:
    """A new token: every calendar subscribed with the old address stops updating."""
    require(access, Perm.REVIEW_DIRECTORY)
    feed, _ = EventFeed.objects.select_for_update().get_or_create(community=access.community)
    feed.token = new_feed_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    action_record(
        community=access.community,
        actor=person_of(access),
        verb="feed.reset",
        subject_type="feed",
    )
    return feed.token
