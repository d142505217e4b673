"""The FHIR intake API under ``/api/fhir/<community>/``: referring systems send referrals in.

- ``POST ServiceRequest``: a FHIR R4 ServiceRequest with its Patient contained.
- ``POST $process-message``: a message Bundle in the shape of the NHS Booking
  and Referral Standard (MessageHeader first, then ServiceRequest, Patient,
  Organization, Practitioner); the answer is a response message.
- ``GET ServiceRequest/<id>``: where a referral has got to (its status, not
  what it says), for the organisation that sent it (anyone else: 404).

Callers authenticate with ``Authorization: Bearer <token>`` (``tokens.py``);
there is no session and no CSRF. Every problem is an OperationOutcome in
``application/fhir+json`` naming the elements it is about. A request is one
transaction: nothing is written unless it succeeds.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, cast

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ginnel.communities.models import Community
from ginnel.referrals import fhir
from ginnel.referrals.fhir import FhirProblem, Issue
from ginnel.referrals.models import IntakeToken, Referral
from ginnel.referrals.tokens import token_authenticate, token_mark_used

FHIR_JSON = "application/fhir+json"
ACCEPTED_TYPES = (FHIR_JSON, "application/json")
MAX_BODY = 1024 * 1024  # bytes
BARS_EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars"


def _json(body: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(
        body,
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def _outcome(problem: FhirProblem) -> JsonResponse:
    response = _json(fhir.operation_outcome(problem.issues), problem.status)
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ginnel-fhir"'
    return response


def _bearer(request: HttpRequest) -> str:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


P = ParamSpec("P")
TokenView = Callable[Concatenate[HttpRequest, IntakeToken, P], HttpResponse]
RoutedView = Callable[Concatenate[HttpRequest, str, P], HttpResponse]


def fhir_view(*methods: str) -> Callable[[TokenView[P]], RoutedView[P]]:
    """Resolve the community, allow ``methods``, authenticate the token; one transaction."""

    def decorate(view: TokenView[P]) -> RoutedView[P]:
        @wraps(view)
        def wrapper(
            request: HttpRequest, community: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            try:
                found = Community.objects.filter(slug=community).first()
                if found is None:
                    raise FhirProblem(
                        404, [Issue("", _("There is no such community here."), "not-found")]
                    )
                if request.method not in methods:
                    response = _outcome(
                        FhirProblem(
                            405,
                            [
                                Issue(
                                    "",
                                    _("Use %(methods)s here.") % {"methods": ", ".join(methods)},
                                    "not-supported",
                                )
                            ],
                        )
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                token = token_authenticate(community=found, secret=_bearer(request))
                if token is None:
                    raise FhirProblem(
                        401,
                        [
                            Issue(
                                "",
                                _(
                                    "Send a live token of this community as "
                                    "'Authorization: Bearer <token>'."
                                ),
                                "login",
                            )
                        ],
                    )
                with transaction.atomic():
                    return view(request, token, *args, **kwargs)
            except FhirProblem as problem:
                return _outcome(problem)

        return cast("RoutedView[P]", csrf_exempt(wrapper))

    return decorate


def _body(request: HttpRequest) -> Any:
    """The request's JSON, after its type and size are checked."""
    if request.content_type not in ACCEPTED_TYPES:
        raise FhirProblem(
            415,
            [Issue("", _("Send the body as application/fhir+json."), "not-supported")],
        )
    too_big = FhirProblem(
        413,
        [Issue("", _("The body is larger than 1 MB."), "too-long")],
    )
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        raise too_big
    raw = request.body
    if len(raw) > MAX_BODY:
        raise too_big
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FhirProblem(
            400, [Issue("", _("The body is not valid JSON: %(error)s") % {"error": error})]
        ) from error


def _location(request: HttpRequest, token: IntakeToken, referral: Referral) -> str:
    return request.build_absolute_uri(
        reverse(
            "fhir:service_request",
            kwargs={"community": token.community.slug, "pk": referral.pk},
        )
    )


def _stored(token: IntakeToken, received: fhir.Received) -> dict[str, Any]:
    """What was stored, in full for the request that created it; a repeat gets the status."""
    found = fhir.service_request_for(token=token, referral_id=received.referral.pk)
    assert found is not None  # noqa: S101 (just received from this organisation)
    return fhir.service_request_of(found, content=received.created)


@fhir_view("POST")
def service_request_create(request: HttpRequest, token: IntakeToken) -> HttpResponse:
    resource = fhir.parse_service_request(_body(request))
    intake = fhir.intake_from(
        resource,
        community=token.community,
        base="ServiceRequest",
        resolve=fhir.contained_resolver(resource, "ServiceRequest"),
    )
    received = fhir.service_request_receive(token=token, intake=intake)
    response = _json(_stored(token, received), 201 if received.created else 200)
    response["Location"] = _location(request, token, received.referral)
    return response


@fhir_view("GET")
def service_request_detail(request: HttpRequest, token: IntakeToken, pk: str) -> HttpResponse:
    # Any id is routed here (not only digits), so a wrong one is a FHIR 404, not an HTML page.
    known = pk.isascii() and pk.isdigit() and len(pk) <= 18
    referral = fhir.service_request_for(token=token, referral_id=int(pk)) if known else None
    if referral is None:
        raise FhirProblem(
            404, [Issue("", _("Your organisation sent no referral with this id."), "not-found")]
        )
    token_mark_used(token)
    return _json(fhir.service_request_of(referral, content=False))


# Messages -------------------------------------------------------------------------------------


def _message(bundle: dict[str, Any], community: Community) -> tuple[dict[str, Any], fhir.Intake]:
    """The request's MessageHeader and the referral its ServiceRequest carries."""
    if bundle.get("type") != "message":
        raise FhirProblem(
            422, [Issue("Bundle.type", _("Send a Bundle of type 'message'."), "code-invalid")]
        )
    entries: list[dict[str, Any]] = bundle.get("entry", [])
    header = entries[0].get("resource", {}) if entries else {}
    if header.get("resourceType") != "MessageHeader":
        raise FhirProblem(
            422,
            [Issue("Bundle.entry[0]", _("The first entry must be a MessageHeader."), "structure")],
        )
    if not header.get("id"):
        raise FhirProblem(
            422,
            [
                Issue(
                    "Bundle.entry[0].resource.id",
                    _("The MessageHeader needs an id to answer to."),
                    "required",
                )
            ],
        )
    found = next(
        (
            i
            for i, e in enumerate(entries)
            if e.get("resource", {}).get("resourceType") == "ServiceRequest"
        ),
        None,
    )
    if found is None:
        raise FhirProblem(
            422, [Issue("Bundle.entry", _("The message must carry a ServiceRequest."), "required")]
        )
    patients: dict[str, fhir.Found] = {}
    for i, entry in enumerate(entries):
        resource = entry.get("resource", {})
        if resource.get("resourceType") != "Patient":
            continue
        path = f"Bundle.entry[{i}].resource"
        if entry.get("fullUrl"):
            patients[str(entry["fullUrl"])] = (resource, path)
        if resource.get("id"):
            patients[f"Patient/{resource['id']}"] = (resource, path)
    request = entries[found]["resource"]
    base = f"Bundle.entry[{found}].resource"
    contained = fhir.contained_resolver(request, base)

    def resolve(reference: str) -> fhir.Found | None:
        return patients.get(reference) or contained(reference)

    intake = fhir.intake_from(request, community=community, base=base, resolve=resolve)
    return header, intake


def _destination(header: dict[str, Any]) -> dict[str, Any]:
    """The answer goes back to where the request came from."""
    source = header.get("source", {})
    if not source.get("endpoint"):
        return {}
    back = {
        "endpoint": source["endpoint"],
        **({"name": source["name"]} if "name" in source else {}),
    }
    return {"destination": [back]}


@fhir_view("POST")
def process_message(request: HttpRequest, token: IntakeToken) -> HttpResponse:
    bundle = fhir.parse_bundle(_body(request))
    header, intake = _message(bundle, token.community)
    received = fhir.service_request_receive(token=token, intake=intake)
    location = _location(request, token, received.referral)
    answer_id = str(uuid.uuid4())
    event = header.get("eventCoding") or {"system": BARS_EVENTS, "code": "servicerequest-request"}
    endpoint = request.build_absolute_uri(
        reverse("fhir:process_message", kwargs={"community": token.community.slug})
    )
    response = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "message",
        "timestamp": timezone.now().isoformat(timespec="seconds"),
        "entry": [
            {
                "fullUrl": f"urn:uuid:{answer_id}",
                "resource": {
                    "resourceType": "MessageHeader",
                    "id": answer_id,
                    "eventCoding": event,
                    "source": {"name": "Ginnel", "endpoint": endpoint},
                    **_destination(header),
                    "response": {"identifier": header["id"], "code": "ok"},
                    "focus": [{"reference": location}],
                },
            },
            {"fullUrl": location, "resource": _stored(token, received)},
        ],
    }
    return _json(response, 200)
