"""FHIR R4 for the referral intake: a ServiceRequest in, a referral's state out.

Reading: the body is validated with the R4B models of ``fhir.resources``
(structure, types, required elements: failures are 400), then mapped to
:class:`services.ReferralDetails` by the rules below (failures are 422). Every
problem names the element it is about as a FHIRPath-like ``expression``
(``ServiceRequest.contained[0].name``, ``Bundle.entry[1].resource.priority``),
and all the problems of one request are reported together.

The mapping (see docs/referrals.md, "The FHIR intake API"):

- ``subject`` → a Patient contained in the ServiceRequest (``#id``) or, in a
  message Bundle, an entry (by ``fullUrl`` or ``Patient/<id>``). Its first
  usual, official or other name → the person's name; ``telecom`` (phone or
  sms, email) and the first ``address`` → how to contact them (phone if there
  is one, else email, else letter); ``communication`` (preferred) → language;
  the ``patient-interpreterRequired`` extension → needs an interpreter.
- ``code`` must carry SNOMED CT 871731000000106 (referral to social
  prescribing service). ``status`` must be ``active``.
- ``reasonCode`` (a coding's code, or its display or the text, matching one of
  the community's reasons by code or label) and ``reasonReference`` (its
  display, by label) → the reasons; at least one, and every one known.
- ``priority``: routine → routine, urgent → soon, asap and stat → urgent.
- ``note``: a note starting "Consent:" is the consent statement; the others,
  joined, are what matters to the person.
- Consent: ``authoredOn`` is required and is the date the person agreed (not in
  the future); without a "Consent:" note the statement recorded is "Consent
  recorded by the referring system".
- ``identifier``: the first with a ``system`` and a ``value`` is the referral's
  ``external_system`` and ``external_id``; required, so a repeat is recognised.

Writing: :func:`service_request_of` renders a referral as a ServiceRequest
whose ``status`` follows our state (with what was sent only in the answer to
the request that created it); a declined or redirected referral is
``revoked`` with a status reason (R4 has no ``statusReason`` on ServiceRequest,
so it travels in the R5 cross-version extension).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pydantic
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest

from ginnel.communities.models import Community
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import services
from ginnel.referrals.models import (
    ContactBy,
    IntakeToken,
    Referral,
    ReferralReason,
    ReferralState,
    Urgency,
)
from ginnel.referrals.tokens import token_mark_used

SNOMED = "http://snomed.info/sct"
SOCIAL_PRESCRIBING_REFERRAL = "871731000000106"
SOCIAL_PRESCRIBING_REFERRAL_DISPLAY = "Referral to social prescribing service"
SOCIAL_PRESCRIBING_DECLINED = "871711000000103"
SOCIAL_PRESCRIBING_DECLINED_DISPLAY = "Social prescribing declined"
STATUS_REASON_EXTENSION = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ServiceRequest.statusReason"
)
INTERPRETER_EXTENSION = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
CONSENT_PREFIX = "consent:"

PRIORITY_IN: Mapping[str, str] = {
    "routine": Urgency.ROUTINE,
    "urgent": Urgency.SOON,
    "asap": Urgency.URGENT,
    "stat": Urgency.URGENT,
}
PRIORITY_OUT: Mapping[str, str] = {
    Urgency.ROUTINE: "routine",
    Urgency.SOON: "urgent",
    Urgency.URGENT: "asap",
}
STATUS_OUT: Mapping[str, str] = {
    ReferralState.RECEIVED: "active",
    ReferralState.ACCEPTED: "active",
    ReferralState.CONTACTED: "active",
    ReferralState.ENGAGED: "active",
    ReferralState.DECLINED: "revoked",
    ReferralState.REDIRECTED: "revoked",
    ReferralState.CLOSED: "completed",
}

# Longest values the referral's columns take.
MAX_NAME = 80
MAX_PHONE = 32
MAX_TEXT = 4000
MAX_LANGUAGE = 60
MAX_SYSTEM = 200
MAX_ID = 128


# Problems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One entry of an OperationOutcome: ``code`` is a FHIR IssueType."""

    expression: str
    diagnostics: str
    code: str = "invalid"
    severity: str = "error"


class FhirProblem(Exception):
    """An answer other than success, carried as an OperationOutcome."""

    def __init__(self, status: int, issues: Sequence[Issue]) -> None:
        super().__init__("; ".join(i.diagnostics for i in issues))
        self.status = status
        self.issues = list(issues)


def operation_outcome(issues: Sequence[Issue]) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": i.severity,
                "code": i.code,
                "diagnostics": i.diagnostics,
                **({"expression": [i.expression]} if i.expression else {}),
            }
            for i in issues
        ],
    }


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def expression(base: str, loc: Sequence[int | str]) -> str:
    """``("contained", 0, "name")`` under ``ServiceRequest`` → ``ServiceRequest.contained[0].name``.

    Parts pydantic adds for its own validators (``function-after[...]``) are left out.
    """
    out = base
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME.match(part):
            out += f".{part}"
    return out


_ISSUE_CODE = {"missing": "required", "extra_forbidden": "structure"}


def issues_from(error: pydantic.ValidationError, base: str) -> list[Issue]:
    return [
        Issue(
            expression=expression(base, e["loc"]),
            diagnostics=str(e["msg"]),
            code=_ISSUE_CODE.get(e["type"], "value"),
        )
        for e in error.errors()
    ]


# Parsing --------------------------------------------------------------------------------------


def _validated(model: type[pydantic.BaseModel], data: Any, base: str) -> dict[str, Any]:
    """The resource checked against its R4B model, back as plain JSON (paths unchanged)."""
    if not isinstance(data, dict):
        raise FhirProblem(400, [Issue(base, _("The body must be a JSON object."), "structure")])
    if data.get("resourceType") != base:
        raise FhirProblem(
            400,
            [
                Issue(
                    f"{base}.resourceType",
                    _("The body must be a %(type)s resource.") % {"type": base},
                    "structure",
                )
            ],
        )
    try:
        parsed = model.model_validate(data)
    except pydantic.ValidationError as error:
        raise FhirProblem(400, issues_from(error, base)) from error
    dumped: dict[str, Any] = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


def parse_service_request(data: Any) -> dict[str, Any]:
    return _validated(ServiceRequest, data, "ServiceRequest")


def parse_bundle(data: Any) -> dict[str, Any]:
    return _validated(Bundle, data, "Bundle")


# Mapping in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """What a ServiceRequest says, ready for ``services.referral_receive``."""

    display_name: str
    reasons: list[ReferralReason]
    details: services.ReferralDetails
    external_system: str
    external_id: str
    # The element paths to name when the service refuses a field.
    paths: Mapping[str, str] = field(default_factory=dict)


# A Patient found for a subject reference: (the resource, its element path).
Found = tuple[dict[str, Any], str]
Resolver = Callable[[str], Found | None]


def contained_resolver(request: dict[str, Any], base: str) -> Resolver:
    patients = {
        f"#{r.get('id')}": (r, f"{base}.contained[{i}]")
        for i, r in enumerate(request.get("contained", []))
        if r.get("resourceType") == "Patient" and r.get("id")
    }
    return patients.get


def _name(patient: dict[str, Any]) -> str:
    names: list[dict[str, Any]] = patient.get("name", [])
    by_use = {n.get("use", ""): n for n in reversed(names)}
    pick = by_use.get("usual") or by_use.get("official") or (names[0] if names else None)
    if pick is None:
        return ""
    if pick.get("text", "").strip():
        return str(pick["text"]).strip()
    parts = [*pick.get("given", []), pick.get("family", "")]
    return " ".join(str(p).strip() for p in parts if str(p).strip())


def _address(patient: dict[str, Any]) -> str:
    for address in patient.get("address", []):
        if address.get("use") == "old":
            continue
        if address.get("text", "").strip():
            return str(address["text"]).strip()
        parts = [
            *address.get("line", []),
            address.get("city", ""),
            address.get("district", ""),
            address.get("postalCode", ""),
        ]
        return "\n".join(str(p).strip() for p in parts if str(p).strip())
    return ""


def _language(patient: dict[str, Any]) -> str:
    ways = patient.get("communication", [])
    for way in sorted(ways, key=lambda w: not w.get("preferred", False)):
        concept = way.get("language", {})
        if concept.get("text"):
            return str(concept["text"]).strip()
        for coding in concept.get("coding", []):
            if coding.get("display") or coding.get("code"):
                return str(coding.get("display") or coding.get("code")).strip()
    return ""


def _interpreter(patient: dict[str, Any]) -> bool:
    return any(
        e.get("url") == INTERPRETER_EXTENSION and e.get("valueBoolean") is True
        for e in patient.get("extension", [])
    )


def _day(value: str) -> date | None:
    moment = parse_datetime(value)
    if moment is not None:
        if timezone.is_aware(moment):
            return timezone.localtime(moment).date()
        return moment.date()
    return parse_date(value)


class _Reasons:
    """The community's reasons in use, found by code or by label (either case)."""

    def __init__(self, community: Community) -> None:
        rows = list(ReferralReason.objects.filter(community=community, is_active=True))
        self.by_code = {r.code.casefold(): r for r in rows}
        self.by_label = {r.label.casefold(): r for r in rows}
        self.by_label.update({_(r.label).casefold(): r for r in rows})

    def label(self, text: Any) -> ReferralReason | None:
        return self.by_label.get(str(text).strip().casefold()) if text else None

    def concept(self, concept: dict[str, Any]) -> ReferralReason | None:
        codings = concept.get("coding", [])
        for coding in codings:
            found = self.by_code.get(str(coding.get("code", "")).casefold())
            if found is not None:
                return found
        for coding in codings:
            found = self.label(coding.get("display"))
            if found is not None:
                return found
        return self.label(concept.get("text"))


def intake_from(
    request: dict[str, Any], *, community: Community, base: str, resolve: Resolver
) -> Intake:
    """Map a validated ServiceRequest (JSON) to a referral; every problem raised together (422)."""
    issues: list[Issue] = []

    def problem(path: str, text: str, code: str = "invalid") -> None:
        issues.append(Issue(path, text, code))

    if request.get("status") != "active":
        problem(
            f"{base}.status",
            _("A referral is sent with status 'active'."),
            "code-invalid",
        )
    codings = request.get("code", {}).get("coding", [])
    if not any(
        c.get("system") == SNOMED and c.get("code") == SOCIAL_PRESCRIBING_REFERRAL for c in codings
    ):
        problem(
            f"{base}.code",
            _("The code must include SNOMED CT %(code)s (referral to social prescribing service).")
            % {"code": SOCIAL_PRESCRIBING_REFERRAL},
            "required" if not codings else "code-invalid",
        )

    # Who.
    patient: dict[str, Any] = {}
    patient_path = f"{base}.subject"
    reference = str(request.get("subject", {}).get("reference", ""))
    found = resolve(reference) if reference else None
    if found is None:
        problem(
            f"{base}.subject",
            _(
                "The subject must refer to a Patient contained in the ServiceRequest ('#id') "
                "or sent in the same Bundle."
            ),
            "not-found",
        )
    else:
        patient, patient_path = found
    display_name = _name(patient) if found else ""
    if found and not display_name:
        problem(f"{patient_path}.name", _("Give the person's name."), "required")
    elif len(display_name) > MAX_NAME:
        problem(
            f"{patient_path}.name",
            _("The name must be %(most)d characters or fewer.") % {"most": MAX_NAME},
            "too-long",
        )

    # How to reach them.
    phone = email = ""
    for i, point in enumerate(patient.get("telecom", [])):
        value = str(point.get("value", "")).strip()
        system = point.get("system")
        path = f"{patient_path}.telecom[{i}]"
        if system in ("phone", "sms") and value and (not phone or point.get("use") == "mobile"):
            if len(value) > MAX_PHONE:
                problem(
                    f"{path}.value",
                    _("A phone number must be %(most)d characters or fewer.") % {"most": MAX_PHONE},
                    "too-long",
                )
            else:
                phone = value
        elif system == "email" and value and not email:
            try:
                validate_email(value)
            except DjangoValidationError:
                problem(f"{path}.value", _("Enter a valid email address."), "value")
            else:
                email = value
    address = _address(patient)
    contact_by = (
        ContactBy.PHONE
        if phone
        else ContactBy.EMAIL
        if email
        else ContactBy.LETTER
        if address
        else ""
    )
    if found and not contact_by:
        problem(
            f"{patient_path}.telecom",
            _("Give a phone number, an email address or a postal address for the person."),
            "required",
        )
    language = _language(patient)[:MAX_LANGUAGE]

    # Why.
    known = _Reasons(community)
    reasons: list[ReferralReason] = []
    for i, concept in enumerate(request.get("reasonCode", [])):
        reason = known.concept(concept)
        if reason is None:
            problem(
                f"{base}.reasonCode[{i}]",
                _("This is not one of this community's reasons for referral."),
                "code-invalid",
            )
        elif reason not in reasons:
            reasons.append(reason)
    for i, ref in enumerate(request.get("reasonReference", [])):
        reason = known.label(ref.get("display"))
        if reason is None:
            problem(
                f"{base}.reasonReference[{i}]",
                _("This is not one of this community's reasons for referral."),
                "code-invalid",
            )
        elif reason not in reasons:
            reasons.append(reason)
    if not request.get("reasonCode") and not request.get("reasonReference"):
        problem(f"{base}.reasonCode", _("Give at least one reason for the referral."), "required")

    # How soon.
    priority = request.get("priority", "routine")
    urgency = PRIORITY_IN.get(priority, "")
    if not urgency:
        problem(
            f"{base}.priority",
            _("The priority must be routine, urgent, asap or stat."),
            "code-invalid",
        )

    # What matters, and consent.
    notes: list[str] = []
    consent_notes: list[str] = []
    for note in request.get("note", []):
        text = str(note.get("text", "")).strip()
        if text.casefold().startswith(CONSENT_PREFIX):
            consent_notes.append(text[len(CONSENT_PREFIX) :].strip())
        elif text:
            notes.append(text)
    what_matters = "\n\n".join(notes)
    if len(what_matters) > MAX_TEXT:
        problem(
            f"{base}.note",
            _("The notes must be %(most)d characters or fewer.") % {"most": MAX_TEXT},
            "too-long",
        )
    consent_statement = "\n\n".join(t for t in consent_notes if t) or _(
        "Consent recorded by the referring system"
    )
    consent_given_on = None
    authored = request.get("authoredOn")
    if not authored:
        problem(
            f"{base}.authoredOn",
            _("Give authoredOn: the date the person agreed to be referred."),
            "required",
        )
    else:
        consent_given_on = _day(str(authored))
        if consent_given_on is None:
            problem(f"{base}.authoredOn", _("Give authoredOn as a full date."), "value")
        elif consent_given_on > timezone.localdate():
            problem(f"{base}.authoredOn", _("The date cannot be in the future."), "value")

    # Its identifier in the sending system.
    identifier = next(
        (
            i
            for i in request.get("identifier", [])
            if str(i.get("system", "")).strip() and str(i.get("value", "")).strip()
        ),
        None,
    )
    external_system = external_id = ""
    if identifier is None:
        problem(
            f"{base}.identifier",
            _("Give an identifier with a system and a value, so a repeat can be recognised."),
            "required",
        )
    else:
        external_system = str(identifier["system"]).strip()
        external_id = str(identifier["value"]).strip()
        if len(external_system) > MAX_SYSTEM or len(external_id) > MAX_ID:
            problem(
                f"{base}.identifier",
                _("The identifier's system or value is too long."),
                "too-long",
            )

    if issues or consent_given_on is None:
        raise FhirProblem(422, issues)
    return Intake(
        display_name=display_name,
        reasons=reasons,
        details=services.ReferralDetails(
            consent_statement=consent_statement,
            consent_given_on=consent_given_on,
            contact_by=contact_by,
            phone=phone,
            email=email,
            address=address,
            what_matters=what_matters,
            urgency=urgency,
            language=language,
            interpreter_needed=_interpreter(patient),
        ),
        external_system=external_system,
        external_id=external_id,
        paths={
            "display_name": f"{patient_path}.name",
            "phone": f"{patient_path}.telecom",
            "email": f"{patient_path}.telecom",
            "address": f"{patient_path}.address",
            "contact_by": f"{patient_path}.telecom",
            "reasons": f"{base}.reasonCode",
            "consent_statement": f"{base}.note",
            "consent_given_on": f"{base}.authoredOn",
            "urgency": f"{base}.priority",
        },
    )


# Receiving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    referral: Referral
    # False when the identifier had been received before, from the same organisation.
    created: bool


def _duplicate(token: IntakeToken, intake: Intake) -> Received:
    existing = Referral.objects.filter(
        community_id=token.community_id,
        external_system=intake.external_system,
        external_id=intake.external_id,
    ).first()
    if existing is None or existing.organisation_id != token.organisation_id:
        raise FhirProblem(
            409,
            [
                Issue(
                    "",
                    _("A referral with this identifier has already been received from elsewhere."),
                    "duplicate",
                )
            ],
        )
    return Received(referral=existing, created=False)


@transaction.atomic
def service_request_receive(*, token: IntakeToken, intake: Intake) -> Received:
    """Receive a mapped ServiceRequest as the token's referrer; a repeat is answered, not doubled.

    The same identifier sent again by the same organisation gives back the
    referral already received; from another organisation it is refused (409).
    """
    if Referral.objects.filter(
        community_id=token.community_id,
        external_system=intake.external_system,
        external_id=intake.external_id,
    ).exists():
        received = _duplicate(token, intake)
        token_mark_used(token)
        return received
    try:
        with transaction.atomic():
            referral = services.referral_receive(
                referrer=token.referrer,
                display_name=intake.display_name,
                reasons=intake.reasons,
                details=intake.details,
                external_system=intake.external_system,
                external_id=intake.external_id,
            )
    except PermissionRefused as refused:
        raise FhirProblem(403, [Issue("", refused.message, "forbidden")]) from refused
    except GinnelError as error:
        path = intake.paths.get(error.field or "", "")
        raise FhirProblem(422, [Issue(path, error.message, "business-rule")]) from error
    except IntegrityError:
        # Sent twice at the same moment: the other request wrote it first.
        received = _duplicate(token, intake)
        token_mark_used(token)
        return received
    token_mark_used(token)
    return Received(referral=referral, created=True)


# Mapping out ----------------------------------------------------------------------------------


def _status_reason(referral: Referral) -> dict[str, Any] | None:
    if referral.state == ReferralState.DECLINED:
        concept: dict[str, Any] = {
            "coding": [
                {
                    "system": SNOMED,
                    "code": SOCIAL_PRESCRIBING_DECLINED,
                    "display": SOCIAL_PRESCRIBING_DECLINED_DISPLAY,
                }
            ]
        }
    elif referral.state == ReferralState.REDIRECTED:
        concept = {"text": "Passed to another service"}
    else:
        return None
    return {"url": STATUS_REASON_EXTENSION, "valueCodeableConcept": concept}


def _instant(moment: datetime) -> str:
    return moment.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds")


def service_request_of(referral: Referral, *, content: bool) -> dict[str, Any]:
    """The referral as a ServiceRequest, its status following our state.

    With ``content``, what was sent: the answer to the request that created it.
    Without, only the status and the sender's own identifier (reading back later,
    or sending the same referral again): a token that leaks shows no one's
    details. Never anything the link worker has recorded since.
    """
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient"}
    reason = _status_reason(referral)
    body: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": {"lastUpdated": _instant(referral.finished_at or referral.received_at)},
        **({"extension": [reason]} if reason is not None else {}),
        "contained": [patient],
        **(
            {"identifier": [{"system": referral.external_system, "value": referral.external_id}]}
            if referral.external_id
            else {}
        ),
        "status": STATUS_OUT[referral.state],
        "intent": "order",
        "code": {
            "coding": [
                {
                    "system": SNOMED,
                    "code": SOCIAL_PRESCRIBING_REFERRAL,
                    "display": SOCIAL_PRESCRIBING_REFERRAL_DISPLAY,
                }
            ]
        },
        "priority": PRIORITY_OUT.get(referral.urgency, "routine"),
        "subject": {"reference": "#patient"},
        "authoredOn": referral.consent_given_on.isoformat(),
        "requester": {"display": referral.referrer.name},
    }
    if not content:
        return body
    telecom = [
        *([{"system": "phone", "value": referral.phone}] if referral.phone else []),
        *([{"system": "email", "value": referral.email}] if referral.email else []),
    ]
    patient["name"] = [{"text": referral.person.display_name}]
    if telecom:
        patient["telecom"] = telecom
    if referral.address:
        patient["address"] = [{"text": referral.address}]
    reasons = sorted(referral.reasons.all(), key=lambda r: (r.position, r.pk))
    body["reasonCode"] = [
        {"coding": [{"code": r.code, "display": r.label}], "text": r.label} for r in reasons
    ]
    body["note"] = [
        *([{"text": referral.what_matters}] if referral.what_matters else []),
        {"text": f"Consent: {referral.consent_statement}"},
    ]
    return body


def service_request_for(*, token: IntakeToken, referral_id: int) -> Referral | None:
    """A referral the token's organisation sent, or None (others are not found)."""
    return (
        Referral.objects.filter(
            community_id=token.community_id, organisation=token.organisation, pk=referral_id
        )
        .select_related("person", "referrer")
        .prefetch_related("reasons")
        .first()
    )
