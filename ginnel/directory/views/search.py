"""Finding local help: the search page and a service's own page.

Members, link workers and coordinators (anyone who may view the community)
search by need, words, place, day and time, cost, age and kind. The form is a
GET form, so a search is a link that can be shared or bookmarked and the page
works without JavaScript; with htmx the results refresh in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.directory import wording
from ginnel.directory.forms import SearchForm, SearchPlace
from ginnel.directory.models import (
    Attribute,
    Kind,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from ginnel.directory.postcodes import METRES_PER_MILE, haversine_m
from ginnel.directory.selectors.events import service_events
from ginnel.directory.selectors.organisations import organization_contact
from ginnel.directory.selectors.saved import person_helped, saved_among, saving_for
from ginnel.directory.selectors.search import ResultPage, services_search
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.ui.htmx import is_htmx
from ginnel.ui.paging import page_number

PER_PAGE = 20
# What a result page prefetches: a fixed number of queries for any number of results.
RESULT_PREFETCH = (
    "schedules",
    "cost_options",
    "phones",
    "organization__phones",
    "at_locations__location__addresses",
    "at_locations__schedules",
    "at_locations__phones",
    "at_locations__location__schedules",
    "at_locations__location__phones",
)
# Map: the size (in tile pixels) the map is drawn for, and the zooms it may use.
MAP_WIDTH, MAP_HEIGHT, TILE = 640, 400, 256
MAP_ZOOMS = range(16, 8, -1)


@dataclass
class Result:
    """One service as the results list shows it."""

    number: int
    service: Service
    distance: str
    whens: list[str]
    cost: str
    phone: Phone | None
    address: str
    location: Location | None
    is_saved: bool = False

    @property
    def tel(self) -> str:
        return wording.tel(self.phone.number) if self.phone else ""


def _cost(service: Service) -> str:
    if service.free:
        return _("Free")
    charged = [o for o in service.cost_options.all() if o.amount and o.amount > Decimal(0)]
    if charged:
        return "; ".join(
            _("%(option)s: %(amount)s")
            % {"option": o.option, "amount": wording.money(o.amount, o.currency)}
            if o.option
            else wording.money(o.amount, o.currency)
            for o in charged
            if o.amount is not None
        )
    return service.fees_description or _("Ask about the cost")


def _address(location: Location | None) -> str:
    if location is None:
        return ""
    addresses = list(location.addresses.all())
    if addresses:
        a = addresses[0]
        return ", ".join(p for p in (a.address_1, a.address_2, a.city, a.postal_code) if p)
    return location.name


def _nearest(service: Service, place: SearchPlace | None) -> ServiceAtLocation | None:
    """The service's location nearest the asked place (or its first, with no place)."""
    at = list(service.at_locations.all())
    if place is None or not at:
        return at[0] if at else None

    def distance(sal: ServiceAtLocation) -> float:
        lat, lon = sal.location.latitude, sal.location.longitude
        if lat is None or lon is None:
            return math.inf
        return haversine_m(place.latitude, place.longitude, lat, lon)

    return min(at, key=distance)


def _phone(service: Service, sal: ServiceAtLocation | None) -> Phone | None:
    for phones in (
        service.phones.all(),
        sal.phones.all() if sal else [],
        sal.location.phones.all() if sal else [],
        service.organization.phones.all(),
    ):
        for phone in phones:
            return phone
    return None


def _whens(service: Service, sal: ServiceAtLocation | None) -> list[str]:
    schedules = list(service.schedules.all())
    if sal is not None:
        schedules += list(sal.schedules.all()) + list(sal.location.schedules.all())
    return wording.whens(schedules)


def results_of(page: ResultPage[Service], place: SearchPlace | None) -> list[Result]:
    services = page.items
    prefetch_related_objects(services, *RESULT_PREFETCH)
    results = []
    for number, hit in enumerate(page.hits, start=page.offset + 1):
        service = hit.item
        sal = _nearest(service, place)
        results.append(
            Result(
                number=number,
                service=service,
                distance=wording.miles(hit.distance_m) if hit.distance_m is not None else "",
                whens=_whens(service, sal),
                cost=_cost(service),
                phone=_phone(service, sal),
                address=_address(sal.location if sal else None),
                location=sal.location if sal else None,
            )
        )
    return results


# Map ------------------------------------------------------------------------------------------


@dataclass
class MapTile:
    url: str
    left: float  # percent of the map's width
    top: float
    width: float
    height: float


@dataclass
class MapMarker:
    number: int
    name: str
    left: float
    top: float


@dataclass
class TileMap:
    tiles: list[MapTile] = field(default_factory=list)
    markers: list[MapMarker] = field(default_factory=list)
    attribution: str = ""


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    scale = TILE * 2**zoom
    phi = math.radians(max(-85.0, min(85.0, lat)))
    x = (lon + 180) / 360 * scale
    y = (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * scale
    return x, y


def tile_map(results: list[Result], place: SearchPlace | None, template: str) -> TileMap | None:
    """A map of the results drawn from tiles (no script): tiles and numbered markers,
    placed in percent of the map so it scales to any width. None when nothing has a place."""
    points = [
        (r.number, r.service.name, r.location.latitude, r.location.longitude)
        for r in results
        if r.location is not None
        and r.location.latitude is not None
        and r.location.longitude is not None
    ]
    if not points:
        return None
    corners = [(lat, lon) for _, _, lat, lon in points]
    if place is not None:
        corners.append((place.latitude, place.longitude))
    zoom = MAP_ZOOMS[-1]
    for zoom in MAP_ZOOMS:
        xs, ys = zip(*(_pixel(lat, lon, zoom) for lat, lon in corners), strict=True)
        if max(xs) - min(xs) <= MAP_WIDTH - 60 and max(ys) - min(ys) <= MAP_HEIGHT - 60:
            break
    xs, ys = zip(*(_pixel(lat, lon, zoom) for lat, lon in corners), strict=True)
    left = (max(xs) + min(xs)) / 2 - MAP_WIDTH / 2
    top = (max(ys) + min(ys)) / 2 - MAP_HEIGHT / 2
    drawn = TileMap(attribution=settings.GINNEL_MAP_ATTRIBUTION)
    count = 2**zoom
    for ty in range(int(top // TILE), int((top + MAP_HEIGHT) // TILE) + 1):
        for tx in range(int(left // TILE), int((left + MAP_WIDTH) // TILE) + 1):
            if not 0 <= ty < count:
                continue
            url = (
                template.replace("{z}", str(zoom))
                .replace("{x}", str(tx % count))
                .replace("{y}", str(ty))
            )
            drawn.tiles.append(
                MapTile(
                    url=url,
                    left=(tx * TILE - left) / MAP_WIDTH * 100,
                    top=(ty * TILE - top) / MAP_HEIGHT * 100,
                    width=TILE / MAP_WIDTH * 100,
                    height=TILE / MAP_HEIGHT * 100,
                )
            )
    for number, name, lat, lon in points:
        x, y = _pixel(lat, lon, zoom)
        drawn.markers.append(
            MapMarker(number, name, (x - left) / MAP_WIDTH * 100, (y - top) / MAP_HEIGHT * 100)
        )
    return drawn


# Pages ----------------------------------------------------------------------------------------


def _form_data(
    request: HttpRequest, access: Access, helped: Person | None
) -> QueryDict | dict[str, Any]:
    """The search asked for; on a first visit, distances from the neighbourhood of the
    person it is for (the person helped, or the asker)."""
    if set(request.GET) - {"for"}:
        return request.GET
    person = helped or (access.membership.person if access.membership else None)
    place = getattr(person, "neighbourhood", None)
    if place is not None and place.latitude is not None and place.longitude is not None:
        return {"neighbourhood": str(place.pk)}
    return {}


def _page_number(request: HttpRequest) -> int:
    return page_number(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    data = request.GET.copy()
    data.pop("page", None)
    return data.urlencode()


def _mark_saved(results: list[Result], owner: Person | None) -> None:
    found = saved_among(person=owner, service_ids=[r.service.pk for r in results])
    for result in results:
        result.is_saved = result.service.pk in found


@community_view(Perm.VIEW_COMMUNITY)
def search(request: HttpRequest, access: Access) -> HttpResponse:
    helped = person_helped(access=access, raw=request.GET.get("for"))
    owner = saving_for(access=access, helped=helped)
    form = SearchForm(_form_data(request, access, helped), community=access.community)
    page: ResultPage[Service] | None = None
    results: list[Result] = []
    place: SearchPlace | None = None
    if form.is_valid():
        place = form.cleaned_data["place"]
        try:
            number = _page_number(request)
            query = form.query(page=number, per_page=PER_PAGE, now=timezone.now())
            page = services_search(community=access.community, query=query)
            if page.hits == [] and page.total and number > 1:
                # Past the last page (an old link): show the last one.
                query = form.query(page=page.total_pages, per_page=PER_PAGE, now=timezone.now())
                page = services_search(community=access.community, query=query)
        except GinnelError as error:
            form.add_domain_error(error)
            page = None
        else:
            results = results_of(page, place)
            _mark_saved(results, owner)
    tiles = settings.GINNEL_MAP_TILES
    context = {
        "access": access,
        "form": form,
        "page": page,
        "results": results,
        "place": place,
        # "2 miles": how far the search reaches, in words.
        "within": wording.miles(float(form.cleaned_data["within"]) * METRES_PER_MILE)
        if page is not None and form.cleaned_data.get("within")
        else "",
        "map": tile_map(results, place, tiles) if tiles and results else None,
        "query_without_page": _query_without_page(request),
        "query": request.GET.urlencode(),
        "filtered": bool(set(request.GET) - {"for"}),
        # Whose list "Save" puts an entry on: the person a link worker is helping, or one's own.
        "helped": helped,
        "can_save": owner is not None,
        "next": request.get_full_path(),
    }
    if is_htmx(request):
        if form.errors:
            # Errors belong next to their fields: redraw the whole search, form and all.
            response = render(request, "directory/search_block.html", context)
            response["HX-Retarget"] = "#directory-search"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(request, "directory/_service_results.html", context)
    return render(request, "directory/search.html", context)


def _phones(phones: Any) -> list[dict[str, str]]:
    return [
        {
            "number": _("%(number)s extension %(extension)s")
            % {"number": p.number, "extension": p.extension}
            if p.extension
            else p.number,
            "tel": wording.tel(p.number),
            "description": p.description,
        }
        for p in phones
    ]


@community_view(Perm.VIEW_COMMUNITY)
def service_detail(request: HttpRequest, access: Access, service_uuid: Any) -> HttpResponse:
    service = (
        Service.objects.filter(community=access.community, uuid=service_uuid)
        .select_related("organization", "reviewed_by")
        .prefetch_related(
            *RESULT_PREFETCH,
            "contacts__phones",
            "languages",
            "service_areas",
            "at_locations__location__languages",
        )
        .first()
    )
    if service is None:
        raise Http404(_("There is no such entry in this community's directory."))
    helped = person_helped(access=access, raw=request.GET.get("for"))
    owner = saving_for(access=access, helped=helped)
    terms = list(
        Attribute.objects.filter(
            community=access.community, link_type="service", link_id=service.uuid
        )
        .select_related("taxonomy_term__taxonomy")
        .exclude(taxonomy_term__code__in=Kind.values)
        .order_by("taxonomy_term__name")
    )
    places: list[dict[str, Any]] = []
    for sal in service.at_locations.all():
        places.append(
            {
                "location": sal.location,
                "address": _address(sal.location),
                "whens": wording.whens(
                    list(sal.schedules.all()) + list(sal.location.schedules.all())
                ),
                "phones": _phones(list(sal.phones.all()) + list(sal.location.phones.all())),
            }
        )
    costs = [
        {
            "option": o.option,
            "amount": wording.money(o.amount, o.currency) if o.amount is not None else "",
            "description": o.amount_description,
        }
        for o in service.cost_options.all()
    ]
    tiles = settings.GINNEL_MAP_TILES
    located = [
        Result(n, service, "", [], "", None, p["address"], p["location"])
        for n, p in enumerate(places, start=1)
    ]
    context = {
        "access": access,
        "service": service,
        "inactive": service.status != ServiceStatus.ACTIVE,
        "terms": [a.taxonomy_term for a in terms],
        "whens": wording.whens(service.schedules.all()),
        "places": places,
        "costs": costs,
        "ages": wording.ages(service.minimum_age, service.maximum_age),
        "phones": _phones(service.phones.all()),
        "organisation_phones": _phones(
            p for p in service.organization.phones.all() if p.service_id is None
        ),
        "organisation_address": organization_contact(
            organization=service.organization
        ).address_line,
        "events": list(service_events(service=service)),
        "contacts": [
            {"contact": c, "phones": _phones(c.phones.all())} for c in service.contacts.all()
        ],
        "map": tile_map(located, None, tiles) if tiles else None,
        # The search this page was reached from, for the link back to it.
        "came_from": request.GET.get("from", ""),
        "helped": helped,
        "can_save": owner is not None,
        "is_saved": bool(saved_among(person=owner, service_ids=[service.pk])),
        "next": request.get_full_path(),
    }
    return render(request, "directory/service_detail.html", context)


urlpatterns = [
    path("", search, name="search"),
    path("services/<uuid:service_uuid>/", service_detail, name="service"),
]
