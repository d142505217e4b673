"""The Open Referral UK API (read only), per community, under ``/api/oruk/<community>/``.

The endpoints, parameters and answers of ``schema/openapi.json`` (ORUK 3.0):
``/``, ``/services``, ``/services/{id}``, ``/service_at_locations``,
``/service_at_locations/{id}``, ``/taxonomies``, ``/taxonomies/{id}``,
``/taxonomy_terms``, ``/taxonomy_terms/{id}``; ids are the objects' uuids.
Lists are pages (the ORUK ``Page`` wrapper). Only active services are
published.

Who may read: anyone, when the community publishes its feed
(``DirectorySettings.publish_api``); otherwise only its active members.
Problems are RFC 9457 documents (``application/problem+json``): a bad
parameter is 400 and names the parameter, an unknown id is 404, no login is
401 and a login without membership is 403.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import wraps
from http import HTTPStatus
from typing import Any, Concatenate, ParamSpec, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.views.decorators.csrf import csrf_exempt

from ginnel.communities.models import Community
from ginnel.communities.permissions import Perm, access_for
from ginnel.directory import oruk, schemas
from ginnel.directory.models import (
    DirectorySettings,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
)
from ginnel.directory.postcodes import postcode_locate
from ginnel.directory.selectors.search import (
    ResultPage,
    SearchQuery,
    service_at_locations_search,
    services_search,
)
from ginnel.errors import GinnelError
from ginnel.ui.paging import MAX_PAGE, BadPageNumber, strict_page_number

app_name = "oruk"

PROBLEM = "application/problem+json"
# What the search selector calls a field, as the API's parameter.
_PARAMETER = {"near": "postcode", "within_metres": "proximity", "text": "search"}
# Numbers are ASCII digits with at most one point: float() would also take "nan", "1e308",
# "1_0" and "１２", which no one means and which overflow the queries they reach.
_WHOLE = re.compile(r"[0-9]{1,30}", re.ASCII)
_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?", re.ASCII)
OLDEST = 150  # years: an age filter past it is a mistake, not a search
FURTHEST_METRES = 1_000_000


# Problems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadParameter:
    parameter: str
    detail: str


class Problem(Exception):
    """An answer other than 200, as an RFC 9457 problem document."""

    def __init__(
        self, status: HTTPStatus, detail: str, *, errors: Sequence[BadParameter] = ()
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)

    def response(self) -> JsonResponse:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": self.status.phrase,
            "status": int(self.status),
            "detail": self.detail,
        }
        if self.errors:
            body["parameter"] = self.errors[0].parameter
            body["errors"] = [{"parameter": e.parameter, "detail": e.detail} for e in self.errors]
        response = JsonResponse(body, status=int(self.status), content_type=PROBLEM)
        if self.status == HTTPStatus.UNAUTHORIZED:
            response["WWW-Authenticate"] = 'Cookie realm="ginnel"'
        return response


def _bad(errors: Sequence[BadParameter]) -> Problem:
    detail = " ".join(e.detail for e in errors)
    return Problem(HTTPStatus.BAD_REQUEST, detail, errors=errors)


def _not_found(what: str, value: str) -> Problem:
    return Problem(HTTPStatus.NOT_FOUND, f"There is no {what} with the id “{value}” here.")


# Access ---------------------------------------------------------------------------------------

P = ParamSpec("P")
ApiView = Callable[Concatenate[HttpRequest, Community, P], dict[str, Any]]
RoutedView = Callable[Concatenate[HttpRequest, str, P], HttpResponse]


def _published(community: Community) -> bool:
    try:
        return community.directory_settings.publish_api
    except DirectorySettings.DoesNotExist:
        return False


def oruk_view(view: ApiView[P]) -> RoutedView[P]:
    """Resolve the community, let in who may read its feed, answer JSON or a problem."""

    @wraps(view)
    def wrapper(
        request: HttpRequest, community: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                problem = Problem(HTTPStatus.METHOD_NOT_ALLOWED, "This API is read only: use GET.")
                response = problem.response()
                response["Allow"] = "GET, HEAD"
                return response
            found = (
                Community.objects.filter(slug=community)
                .select_related("directory_settings")
                .first()
            )
            if found is None:
                raise Problem(HTTPStatus.NOT_FOUND, f"There is no community “{community}”.")
            public = _published(found)
            if not public:
                if not request.user.is_authenticated:
                    raise Problem(
                        HTTPStatus.UNAUTHORIZED,
                        "This directory is open to its community's members only: log in first.",
                    )
                if not access_for(request.user, found).can(Perm.VIEW_COMMUNITY):
                    raise Problem(
                        HTTPStatus.FORBIDDEN,
                        "This directory is open to its community's members only.",
                    )
            body = view(request, found, *args, **kwargs)
        except Problem as problem:
            return problem.response()
        except GinnelError as error:
            name = _PARAMETER.get(error.field or "", error.field or "")
            return _bad([BadParameter(name, error.message)]).response()
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        if public:
            response["Access-Control-Allow-Origin"] = "*"
        return response

    # Nothing here writes and no cookie is trusted for a write: without this, a POST met
    # the CSRF check first and answered an HTML 403 instead of the 405 problem above.
    return cast("RoutedView[P]", csrf_exempt(wrapper))


# Parameters -----------------------------------------------------------------------------------


class Params:
    """The query string, read field by field; every problem is kept, then raised together."""

    def __init__(self, query: QueryDict) -> None:
        self.query = query
        self.errors: list[BadParameter] = []

    def _raw(self, name: str) -> str | None:
        value = self.query.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    def error(self, name: str, detail: str) -> None:
        self.errors.append(BadParameter(name, detail))

    def text(self, name: str) -> str:
        return self._raw(name) or ""

    def integer(self, name: str, *, default: int, minimum: int = 1) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        if not _WHOLE.fullmatch(raw):
            self.error(name, f"{name} must be a whole number, not “{raw}”.")
            return default
        value = int(raw)
        if value < minimum:
            self.error(name, f"{name} must be {minimum} or more.")
            return default
        return value

    def page(self) -> int:
        try:
            return strict_page_number(self._raw("page"))
        except BadPageNumber as bad:
            self.error("page", f"page must be a whole number from 1 to {MAX_PAGE}, not “{bad}”.")
            return 1

    def number(self, name: str, *, maximum: float) -> float | None:
        raw = self._raw(name)
        if raw is None:
            return None
        if raw.startswith("-") and _NUMBER.fullmatch(raw[1:]):
            self.error(name, f"{name} must be a number of 0 or more.")
            return None
        if not _NUMBER.fullmatch(raw):
            self.error(name, f"{name} must be a number, not “{raw}”.")
            return None
        value = float(raw)
        if value > maximum:
            self.error(name, f"{name} must be at most {maximum:g}.")
            return None
        return value

    def uuid(self, name: str) -> uuid.UUID | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            return uuid.UUID(raw)
        except ValueError:
            self.error(name, f"{name} must be an id (a UUID), not “{raw}”.")
            return None

    def time(self, name: str) -> time | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            value = parse_time(raw)
        except ValueError:
            value = None
        if value is None:
            self.error(name, f"{name} must be a time such as 09:30, not “{raw}”.")
        return value

    def datetime(self, name: str) -> datetime | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            value = parse_datetime(raw)
            day = parse_date(raw) if value is None else None
        except ValueError:
            value = day = None
        if value is None and day is not None:
            value = datetime.combine(day, time(0))
        if value is None:
            self.error(name, f"{name} must be a date and time such as 2024-05-01T09:00:00Z.")
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def check(self) -> None:
        if self.errors:
            raise _bad(self.errors)


def _page_body(page: ResultPage[Any], contents: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "total_items": page.total,
        "total_pages": page.total_pages,
        "page_number": page.page,
        "size": len(contents),
        "first_page": page.is_first,
        "last_page": page.is_last,
        "empty": page.empty,
        "contents": contents,
    }


def _search_query(request: HttpRequest, *, with_place: bool) -> SearchQuery:
    p = Params(request.GET)
    term = p.uuid("taxonomy_term_id")
    near: tuple[float, float] | None = None
    proximity: float | None = None
    postcode = ""
    if with_place:
        postcode = p.text("postcode")
        proximity = p.number("proximity", maximum=FURTHEST_METRES)
        if proximity is not None and proximity <= 0:
            p.error("proximity", "proximity must be a distance in metres, more than 0.")
            proximity = None
        if proximity is not None and not postcode:
            p.error("proximity", "proximity needs a postcode to measure from.")
    fields: dict[str, Any] = {
        "text": p.text("search"),
        "taxonomy_terms": (term,) if term else (),
        "taxonomy": p.uuid("taxonomy_id"),
        "minimum_age": p.number("minimum_age", maximum=OLDEST),
        "maximum_age": p.number("maximum_age", maximum=OLDEST),
        "day": p.text("day") or None,
        "start_time": p.time("start_time"),
        "end_time": p.time("end_time"),
        "times_within": True,
        "modified_after": p.datetime("modified_after"),
        "page": p.page(),
        "per_page": p.integer("per_page", default=50),
    }
    p.check()
    if with_place and postcode:
        near = postcode_locate(text=postcode, field="postcode")
    return SearchQuery(**fields, near=near, within_metres=proximity)


def _paging(request: HttpRequest) -> tuple[int, int]:
    p = Params(request.GET)
    page, per_page = p.page(), p.integer("per_page", default=50)
    p.check()
    query = SearchQuery(page=page, per_page=per_page)  # the same cap as searches
    return query.page, query.per_page


def _slice(page: int, per_page: int) -> slice:
    return slice((page - 1) * per_page, page * per_page)


# Endpoints ------------------------------------------------------------------------------------


@oruk_view
def index(request: HttpRequest, community: Community) -> dict[str, Any]:
    url = reverse("oruk:openapi", args=[community.slug])
    return {
        "version": schemas.HSDS_VERSION,
        "profile": schemas.PROFILE_URL,
        "openapi_url": request.build_absolute_uri(url),
    }


@oruk_view
def openapi(request: HttpRequest, community: Community) -> dict[str, Any]:
    return schemas.load("openapi.json")


@oruk_view
def services(request: HttpRequest, community: Community) -> dict[str, Any]:
    query = _search_query(request, with_place=False)
    page = services_search(community=community, query=query)
    return _page_body(page, [oruk.service_list_item(s) for s in page.items])


@oruk_view
def service(request: HttpRequest, community: Community, id: str) -> dict[str, Any]:
    found = _active_services(community).filter(uuid=_uuid_or_404("service", id))
    loaded = list(oruk.with_full_relations(found))
    if not loaded:
        raise _not_found("service", id)
    return oruk.services_full(loaded, community_id=community.pk)[0]


@oruk_view
def service_at_locations(request: HttpRequest, community: Community) -> dict[str, Any]:
    query = _search_query(request, with_place=True)
    page = service_at_locations_search(community=community, query=query)
    contents = [
        oruk.service_at_location_list_item(hit.item, distance=hit.distance_m) for hit in page.hits
    ]
    return _page_body(page, contents)


@oruk_view
def service_at_location(
    request: HttpRequest,
    community: Community,
    id: str,
) -> dict[str, Any]:
    found = ServiceAtLocation.objects.filter(
        community=community,
        uuid=_uuid_or_404("service at a location", id),
        service__status=ServiceStatus.ACTIVE,
    ).first()
    if found is None:
        raise _not_found("service at a location", id)
    return oruk.service_at_location_full(found)


@oruk_view
def taxonomies(request: HttpRequest, community: Community) -> dict[str, Any]:
    number, per_page = _paging(request)
    rows = Taxonomy.objects.filter(community=community).order_by("name", "id")
    page: ResultPage[Any] = ResultPage([], rows.count(), number, per_page)
    contents = [oruk.taxonomy(t) for t in rows[_slice(number, per_page)]]
    return _page_body(page, contents)


@oruk_view
def taxonomy(request: HttpRequest, community: Community, id: str) -> dict[str, Any]:
    found = Taxonomy.objects.filter(community=community, uuid=_uuid_or_404("taxonomy", id)).first()
    if found is None:
        raise _not_found("taxonomy", id)
    terms = found.terms.select_related("parent").order_by("name", "id")
    return oruk.taxonomy(found, terms=terms)


@oruk_view
def taxonomy_terms(request: HttpRequest, community: Community) -> dict[str, Any]:
    p = Params(request.GET)
    in_taxonomy = p.uuid("taxonomy_id")
    p.check()
    number, per_page = _paging(request)
    rows = oruk.taxonomy_terms_queryset(community.pk).order_by("name", "id")
    if in_taxonomy is not None:
        rows = rows.filter(taxonomy__uuid=in_taxonomy)
    page: ResultPage[Any] = ResultPage([], rows.count(), number, per_page)
    contents = [oruk.taxonomy_term(t) for t in rows[_slice(number, per_page)]]
    return _page_body(page, contents)


@oruk_view
def taxonomy_term(
    request: HttpRequest,
    community: Community,
    id: str,
) -> dict[str, Any]:
    found = (
        oruk.taxonomy_terms_queryset(community.pk)
        .filter(uuid=_uuid_or_404("taxonomy term", id))
        .first()
    )
    if found is None:
        raise _not_found("taxonomy term", id)
    return oruk.taxonomy_term(found)


def _active_services(community: Community) -> QuerySet[Service]:
    return Service.objects.filter(community=community, status=ServiceStatus.ACTIVE)


def _uuid_or_404(what: str, value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _not_found(what, value) from None


urlpatterns = [
    path("", index, name="index"),
    path("openapi.json", openapi, name="openapi"),
    path("services", services, name="services"),
    path("services/<str:id>", service, name="service"),
    path("service_at_locations", service_at_locations, name="service_at_locations"),
    path("service_at_locations/<str:id>", service_at_location, name="service_at_location"),
    path("taxonomies", taxonomies, name="taxonomies"),
    path("taxonomies/<str:id>", taxonomy, name="taxonomy"),
    path("taxonomy_terms", taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:id>", taxonomy_term, name="taxonomy_term"),
]
