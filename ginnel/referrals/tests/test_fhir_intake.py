"""The FHIR intake API, over real HTTP: a referring system sends referrals and reads their status.

Each test talks to a live server on 127.0.0.1 with urllib, as a GP system would.
"""

from __future__ import annotations

import copy
import hashlib
import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.communities.permissions import access_for
from ginnel.people.models import Person
from ginnel.referrals import fhir, services, tokens
from ginnel.referrals.models import (
    IntakeToken,
    OrganisationKind,
    Referral,
    ReferralEvent,
    ReferralState,
    Referrer,
    ReferringOrganisation,
)

SNOMED = "http://snomed.info/sct"
SYSTEM = "https://riverside-surgery.example.org/referrals"


# Helpers --------------------------------------------------------------------------------------


def call(
    url: str,
    *,
    method: str = "POST",
    body: Any = None,
    token: str | None = None,
    content_type: str = "application/fhir+json",
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http to 127.0.0.1)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            status, headers, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, payload = error.code, dict(error.headers), error.read()
    return status, headers, json.loads(payload) if payload else None


def expressions(outcome: dict[str, Any]) -> list[str]:
    assert outcome["resourceType"] == "OperationOutcome"
    return [e for issue in outcome["issue"] for e in issue.get("expression", [])]


def counts() -> tuple[int, int, int]:
    return Referral.objects.count(), Person.objects.count(), ReferralEvent.objects.count()


def service_request(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": SYSTEM, "value": "SR-1001"}],
        "contained": [
            {
                "resourceType": "Patient",
                "id": "pat",
                "name": [{"use": "official", "given": ["Edith"], "family": "Crabtree"}],
                "telecom": [
                    {"system": "email", "value": "edith@example.org"},
                    {"system": "phone", "value": "07700 900456", "use": "mobile"},
                ],
                "address": [{"line": ["4 Mill Lane"], "city": "Hebden", "postalCode": "HX7 8AA"}],
            }
        ],
        "status": "active",
        "intent": "order",
        "priority": "urgent",
        "code": {
            "coding": [
                {
                    "system": SNOMED,
                    "code": "871731000000106",
                    "display": "Referral to social prescribing service",
                }
            ]
        },
        "subject": {"reference": "#pat"},
        "authoredOn": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "reasonCode": [
            {"coding": [{"code": "loneliness"}]},
            {"text": "Bereavement"},
        ],
        "note": [
            {"text": "Lost her husband in the spring; misses the choir."},
            {"text": "Consent: agreed on the phone with Dr Shah."},
        ],
    }
    body.update(changes)
    return body


@pytest.fixture
def organisation(seeded, as_, coordinator):
    return services.organisation_add(
        access=as_(coordinator),
        kind=OrganisationKind.GP_PRACTICE,
        name="Riverside Surgery",
        ods_code="B86001",
    )


@pytest.fixture
def other_organisation(seeded, as_, coordinator):
    return services.organisation_add(
        access=as_(coordinator), kind=OrganisationKind.HOUSING, name="Calder Homes"
    )


@pytest.fixture
def issued(as_, coordinator, organisation):
    return tokens.token_issue(access=as_(coordinator), organisation=organisation, label="EMIS Web")


@pytest.fixture
def api(live_server, seeded):
    def url(path: str, community: str | None = None) -> str:
        return f"{live_server.url}/api/fhir/{community or seeded.slug}/{path}"

    return url


# Receiving a ServiceRequest -------------------------------------------------------------------


def test_a_service_request_with_a_contained_patient_becomes_a_received_referral(api, issued):
    status, headers, body = call(api("ServiceRequest"), body=service_request(), token=issued.secret)

    assert status == 201
    assert headers["Content-Type"].startswith("application/fhir+json")
    referral = Referral.objects.get()
    assert headers["Location"].endswith(f"/api/fhir/calder-vale/ServiceRequest/{referral.pk}")
    assert referral.state == ReferralState.RECEIVED
    assert referral.person.display_name == "Edith Crabtree"
    assert referral.person.membership.user is None
    assert referral.phone == "07700 900456"
    assert referral.email == "edith@example.org"
    assert referral.address == "4 Mill Lane\nHebden\nHX7 8AA"
    assert referral.contact_by == "phone"
    assert referral.urgency == "soon"
    assert sorted(r.code for r in referral.reasons.all()) == ["bereavement", "loneliness"]
    assert referral.what_matters == "Lost her husband in the spring; misses the choir."
    assert referral.consent_statement == "agreed on the phone with Dr Shah."
    assert referral.consent_given_on == timezone.localdate() - timedelta(days=2)
    assert (referral.external_system, referral.external_id) == (SYSTEM, "SR-1001")
    # Sent as the system's referrer, at the organisation the token was issued to.
    assert referral.referrer.name == "EMIS Web"
    assert referral.organisation.name == "Riverside Surgery"
    event = referral.events.get()
    assert event.actor_referrer == referral.referrer
    # The answer is the ServiceRequest as stored, a valid R4 resource.
    ServiceRequest.model_validate(body)
    assert body["id"] == str(referral.pk)
    assert body["status"] == "active"
    assert body["priority"] == "urgent"
    assert body["identifier"] == [{"system": SYSTEM, "value": "SR-1001"}]
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_without_a_consent_note_the_system_is_recorded_as_having_taken_consent(api, issued):
    sent = service_request(note=[{"text": "Wants to get walking again."}])

    status, _headers, _body = call(api("ServiceRequest"), body=sent, token=issued.secret)

    assert status == 201
    referral = Referral.objects.get()
    assert referral.consent_statement == "Consent recorded by the referring system"
    assert referral.what_matters == "Wants to get walking again."


def test_the_same_identifier_sent_again_answers_the_first_referral_without_a_second(api, issued):
    first, _h, sent = call(api("ServiceRequest"), body=service_request(), token=issued.secret)
    again, headers, body = call(api("ServiceRequest"), body=service_request(), token=issued.secret)

    assert (first, again) == (201, 200)
    assert Referral.objects.count() == 1
    assert body["id"] == sent["id"]
    assert headers["Location"].endswith(f"/ServiceRequest/{sent['id']}")
    # The repeat is told where the referral is, not shown what it says.
    assert "Edith" not in json.dumps(body)
    assert sent["contained"][0]["name"] == [{"text": "Edith Crabtree"}]


def test_the_same_identifier_from_another_organisation_is_a_conflict(
    api, issued, as_, coordinator, other_organisation
):
    other = tokens.token_issue(
        access=as_(coordinator), organisation=other_organisation, label="Housing CRM"
    )
    call(api("ServiceRequest"), body=service_request(), token=issued.secret)
    before = counts()

    status, _headers, body = call(api("ServiceRequest"), body=service_request(), token=other.secret)

    assert status == 409
    assert body["issue"][0]["code"] == "duplicate"
    assert counts() == before


# Refusals: what is wrong is named by its element ----------------------------------------------


def _refused(api, issued, sent: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    before = counts()
    status, headers, body = call(api("ServiceRequest"), body=sent, token=issued.secret, **kwargs)
    assert headers["Content-Type"].startswith("application/fhir+json")
    assert counts() == before
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is None
    return status, body


def test_a_service_request_without_a_subject_is_refused_naming_it(api, issued):
    sent = service_request()
    del sent["subject"]

    status, body = _refused(api, issued, sent)

    assert status == 400
    assert expressions(body) == ["ServiceRequest.subject"]
    assert body["issue"][0]["code"] == "required"
    assert body["issue"][0]["severity"] == "error"


def test_a_subject_that_is_not_contained_is_refused(api, issued):
    status, body = _refused(api, issued, service_request(subject={"reference": "#nobody"}))

    assert status == 422
    assert expressions(body) == ["ServiceRequest.subject"]


def test_a_priority_outside_fhirs_list_is_refused(api, issued):
    status, body = _refused(api, issued, service_request(priority="whenever"))

    assert status == 422
    assert expressions(body) == ["ServiceRequest.priority"]


def test_a_reason_the_community_does_not_have_is_refused_naming_which(api, issued):
    sent = service_request(
        reasonCode=[{"coding": [{"code": "loneliness"}]}, {"text": "Knitting emergencies"}]
    )

    status, body = _refused(api, issued, sent)

    assert status == 422
    assert expressions(body) == ["ServiceRequest.reasonCode[1]"]
    assert body["issue"][0]["code"] == "code-invalid"


def test_a_service_request_without_the_social_prescribing_code_is_refused(api, issued):
    sent = service_request(code={"coding": [{"system": SNOMED, "code": "306206005"}]})

    status, body = _refused(api, issued, sent)

    assert status == 422
    assert expressions(body) == ["ServiceRequest.code"]


def test_every_problem_of_one_request_is_reported_together(api, issued):
    sent = service_request(priority="whenever", reasonCode=[{"text": "Knitting"}])
    del sent["authoredOn"]
    sent["contained"][0]["name"] = []

    status, body = _refused(api, issued, sent)

    assert status == 422
    assert sorted(expressions(body)) == [
        "ServiceRequest.authoredOn",
        "ServiceRequest.contained[0].name",
        "ServiceRequest.priority",
        "ServiceRequest.reasonCode[0]",
    ]


def test_a_wrongly_typed_element_is_named_by_its_path(api, issued):
    sent = service_request()
    sent["contained"][0]["name"][0]["given"] = [42]

    status, body = _refused(api, issued, sent)

    assert status == 400
    assert expressions(body) == ["ServiceRequest.contained[0].name[0].given[0]"]


def test_a_person_with_no_way_of_contact_is_refused(api, issued):
    sent = service_request()
    del sent["contained"][0]["telecom"]
    del sent["contained"][0]["address"]

    status, body = _refused(api, issued, sent)

    assert status == 422
    assert expressions(body) == ["ServiceRequest.contained[0].telecom"]


def test_a_consent_date_in_the_future_is_refused(api, issued):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    status, body = _refused(api, issued, service_request(authoredOn=tomorrow))

    assert status == 422
    assert expressions(body) == ["ServiceRequest.authoredOn"]


def test_malformed_json_is_refused(api, issued):
    status, body = _refused(api, issued, None, raw=b'{"resourceType": "ServiceRequest",')

    assert status == 400
    assert body["resourceType"] == "OperationOutcome"


def test_json_nested_beyond_reason_is_refused_not_a_crash(api, issued):
    deep = b"[" * 200_000 + b"]" * 200_000

    status, body = _refused(api, issued, None, raw=deep)

    assert status == 400
    assert body["resourceType"] == "OperationOutcome"


def test_another_resource_type_is_refused(api, issued):
    status, body = _refused(api, issued, {"resourceType": "Patient"})

    assert status == 400
    assert expressions(body) == ["ServiceRequest.resourceType"]


def test_a_body_that_is_not_fhir_json_is_refused(api, issued):
    status, _body = _refused(api, issued, service_request(), content_type="text/plain")

    assert status == 415


def test_a_body_over_a_megabyte_is_refused(api, issued):
    sent = service_request(note=[{"text": "x" * (1024 * 1024)}])

    status, body = _refused(api, issued, sent)

    assert status == 413
    assert body["resourceType"] == "OperationOutcome"


def test_other_methods_are_not_allowed(api, issued):
    status, headers, body = call(api("ServiceRequest"), method="PUT", body={}, token=issued.secret)

    assert status == 405
    assert headers["Allow"] == "POST"
    assert body["resourceType"] == "OperationOutcome"


def test_an_unknown_community_is_not_found(api, issued):
    status, _h, body = call(
        api("ServiceRequest", community="nowhere"), body=service_request(), token=issued.secret
    )

    assert status == 404
    assert body["resourceType"] == "OperationOutcome"
    assert Referral.objects.count() == 0


# Who may send ---------------------------------------------------------------------------------


def test_a_request_without_a_token_is_unauthorised_and_writes_nothing(api, issued):
    before = counts()

    status, headers, body = call(api("ServiceRequest"), body=service_request())

    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body["issue"][0]["code"] == "login"
    assert counts() == before


def test_a_wrong_token_is_unauthorised(api, issued):
    before = counts()

    status, _h, body = call(api("ServiceRequest"), body=service_request(), token="not-a-token")

    assert status == 401
    assert body["resourceType"] == "OperationOutcome"
    assert counts() == before


def test_a_revoked_token_is_unauthorised(api, issued, as_, coordinator):
    tokens.token_revoke(access=as_(coordinator), token=issued.token)
    before = counts()

    status, _h, _body = call(api("ServiceRequest"), body=service_request(), token=issued.secret)

    assert status == 401
    assert counts() == before


def test_a_token_of_an_organisation_that_no_longer_refers_is_unauthorised(api, issued):
    issued.token.organisation.is_active = False
    issued.token.organisation.save(update_fields=["is_active"])

    status, _h, _body = call(api("ServiceRequest"), body=service_request(), token=issued.secret)

    assert status == 401
    assert Referral.objects.count() == 0


def test_another_communitys_token_is_unauthorised_here(api, issued, other_community, outsider):
    services.referrals_seed(community=other_community)
    theirs = access_for(outsider.membership.user, other_community)
    practice = services.organisation_add(
        access=theirs, kind=OrganisationKind.GP_PRACTICE, name="Brookside Medical"
    )
    foreign = tokens.token_issue(access=theirs, organisation=practice, label="SystmOne")
    before = counts()

    status, _h, _body = call(api("ServiceRequest"), body=service_request(), token=foreign.secret)

    assert status == 401
    assert counts() == before


# Where a referral has got to ------------------------------------------------------------------


def test_the_sender_reads_a_declined_referral_as_revoked_with_the_snomed_reason(
    api, issued, as_, coordinator
):
    _s, _h, sent = call(api("ServiceRequest"), body=service_request(), token=issued.secret)
    referral = Referral.objects.get(pk=sent["id"])
    services.referral_decline(
        access=as_(coordinator), referral=referral, reason="Needs the crisis team first."
    )

    status, _h, body = call(api(f"ServiceRequest/{referral.pk}"), method="GET", token=issued.secret)

    assert status == 200
    ServiceRequest.model_validate(body)
    assert body["status"] == "revoked"
    [reason] = body["extension"]
    assert reason["url"].endswith("extension-ServiceRequest.statusReason")
    assert reason["valueCodeableConcept"]["coding"][0] == {
        "system": SNOMED,
        "code": "871711000000103",
        "display": "Social prescribing declined",
    }
    # The decline's own words stay with the community, and reading back shows no one's details.
    said = json.dumps(body)
    assert "crisis" not in said
    assert "Edith" not in said
    assert "07700" not in said
    assert "choir" not in said
    assert body["identifier"] == [{"system": SYSTEM, "value": "SR-1001"}]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [((), "active"), (("accept",), "active"), (("accept", "close"), "completed")],
)
def test_the_status_follows_the_referral(
    api, issued, as_, coordinator, link_worker, steps, expected
):
    _s, _h, sent = call(api("ServiceRequest"), body=service_request(), token=issued.secret)
    referral = Referral.objects.get(pk=sent["id"])
    if "accept" in steps:
        services.referral_accept(
            access=as_(coordinator), referral=referral, link_worker=link_worker.membership
        )
    if "close" in steps:
        services.referral_close(access=as_(coordinator), referral=referral, outcome="connected")

    _status, _h, body = call(
        api(f"ServiceRequest/{referral.pk}"), method="GET", token=issued.secret
    )

    assert body["status"] == expected
    assert "extension" not in body


def test_another_organisation_cannot_read_the_referral(
    api, issued, as_, coordinator, other_organisation
):
    other = tokens.token_issue(
        access=as_(coordinator), organisation=other_organisation, label="Housing CRM"
    )
    _s, _h, sent = call(api("ServiceRequest"), body=service_request(), token=issued.secret)

    status, _h, body = call(api(f"ServiceRequest/{sent['id']}"), method="GET", token=other.secret)

    assert status == 404
    assert body["resourceType"] == "OperationOutcome"


def test_reading_without_a_token_is_unauthorised(api, issued):
    _s, _h, sent = call(api("ServiceRequest"), body=service_request(), token=issued.secret)

    status, _h, _body = call(api(f"ServiceRequest/{sent['id']}"), method="GET")

    assert status == 401


# The Booking and Referral Standard's message --------------------------------------------------


def message(**changes: Any) -> dict[str, Any]:
    request = service_request(subject={"reference": "urn:uuid:5e1b7c8a-patient"})
    del request["contained"]
    request["requester"] = {"reference": "urn:uuid:5e1b7c8a-practitioner"}
    patient = copy.deepcopy(service_request()["contained"][0])
    del patient["id"]
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": "3f1c9d6e-message",
        "type": "message",
        "timestamp": timezone.now().isoformat(),
        "entry": [
            {
                "fullUrl": "urn:uuid:5e1b7c8a-header",
                "resource": {
                    "resourceType": "MessageHeader",
                    "id": "5e1b7c8a-header",
                    "eventCoding": {
                        "system": "https://fhir.nhs.uk/CodeSystem/message-events-bars",
                        "code": "servicerequest-request",
                    },
                    "source": {"name": "EMIS Web", "endpoint": "https://emis.example.org/bars"},
                    "focus": [{"reference": "urn:uuid:5e1b7c8a-servicerequest"}],
                },
            },
            {"fullUrl": "urn:uuid:5e1b7c8a-servicerequest", "resource": request},
            {"fullUrl": "urn:uuid:5e1b7c8a-patient", "resource": patient},
            {
                "fullUrl": "urn:uuid:5e1b7c8a-organization",
                "resource": {
                    "resourceType": "Organization",
                    "identifier": [
                        {
                            "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                            "value": "B86001",
                        }
                    ],
                    "name": "Riverside Surgery",
                },
            },
            {
                "fullUrl": "urn:uuid:5e1b7c8a-practitioner",
                "resource": {
                    "resourceType": "Practitioner",
                    "name": [{"given": ["Anil"], "family": "Shah", "prefix": ["Dr"]}],
                },
            },
        ],
    }
    bundle.update(changes)
    return bundle


def test_a_referral_message_is_received_and_answered_ok(api, issued):
    status, _h, body = call(api("$process-message"), body=message(), token=issued.secret)

    assert status == 200
    Bundle.model_validate(body)
    header = body["entry"][0]["resource"]
    assert header["resourceType"] == "MessageHeader"
    assert header["response"] == {"identifier": "5e1b7c8a-header", "code": "ok"}
    assert header["destination"][0]["endpoint"] == "https://emis.example.org/bars"
    referral = Referral.objects.get()
    assert body["entry"][1]["resource"]["id"] == str(referral.pk)
    assert referral.person.display_name == "Edith Crabtree"
    assert referral.referrer.name == "EMIS Web"


def test_a_message_with_an_unknown_reason_names_the_entry(api, issued):
    sent = message()
    sent["entry"][1]["resource"]["reasonCode"] = [{"text": "Knitting emergencies"}]
    before = counts()

    status, _h, body = call(api("$process-message"), body=sent, token=issued.secret)

    assert status == 422
    assert expressions(body) == ["Bundle.entry[1].resource.reasonCode[0]"]
    assert counts() == before


def test_a_message_whose_patient_is_missing_names_the_subject(api, issued):
    sent = message()
    del sent["entry"][2]

    status, _h, body = call(api("$process-message"), body=sent, token=issued.secret)

    assert status == 422
    assert expressions(body) == ["Bundle.entry[1].resource.subject"]
    assert Referral.objects.count() == 0


def test_a_bundle_that_is_not_a_message_is_refused(api, issued):
    status, _h, body = call(
        api("$process-message"), body=message(type="collection"), token=issued.secret
    )

    assert status == 422
    assert expressions(body) == ["Bundle.type"]


def test_a_message_without_a_token_is_unauthorised(api, issued):
    status, _h, _body = call(api("$process-message"), body=message())

    assert status == 401
    assert Referral.objects.count() == 0


# Tokens ---------------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_digest(issued):
    stored = IntakeToken.objects.get()
    assert stored.digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in {stored.digest, stored.hint, stored.label}
    assert len(issued.secret) >= 43  # 32 random bytes, base64url


def test_each_system_sends_as_one_referrer_of_its_organisation(issued, as_, coordinator):
    again = tokens.token_issue(
        access=as_(coordinator), organisation=issued.token.organisation, label="EMIS Web"
    )

    assert again.token.referrer == issued.token.referrer
    referrer = Referrer.objects.get(name="EMIS Web")
    assert (referrer.kind, referrer.organisation) == ("external", issued.token.organisation)
    assert referrer.user is None


# The coordinator's token page -----------------------------------------------------------------


@pytest.fixture
def tokens_url(seeded):
    return f"/c/{seeded.slug}/referrals/tokens/"


def test_a_coordinator_issues_a_token_and_sees_it_once(
    client_for, coordinator, organisation, tokens_url
):
    browser = client_for(coordinator)

    response = browser.post(tokens_url, {"organisation": organisation.pk, "label": "EMIS Web"})

    assert response.status_code == 200
    secret = response.context["issued"].secret
    page = response.content.decode()
    assert secret in page
    assert "shown only this once" in page
    stored = IntakeToken.objects.get()
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.issued_by == coordinator.membership
    assert response.headers["Cache-Control"].startswith("max-age=0")
    # Afterwards the page lists it, but never shows it again.
    again = browser.get(tokens_url).content.decode()
    assert "EMIS Web" in again
    assert secret not in again


def test_the_issue_form_says_what_is_missing_and_writes_nothing(
    client_for, coordinator, organisation, tokens_url
):
    response = client_for(coordinator).post(tokens_url, {"organisation": "", "label": "  "})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["organisation"] == [
        "Search for the organisation, then choose it from the list."
    ]
    assert form.errors["label"] == ["Enter the name of the system that will send referrals."]
    assert IntakeToken.objects.count() == 0
    assert Referrer.objects.count() == 0


def test_an_organisation_of_another_community_cannot_be_chosen(
    client_for, coordinator, organisation, other_community, tokens_url
):
    elsewhere = ReferringOrganisation.objects.create(
        community=other_community, kind=OrganisationKind.GP_PRACTICE, name="Brookside Medical"
    )

    response = client_for(coordinator).post(
        tokens_url, {"organisation": elsewhere.pk, "label": "SystmOne"}
    )

    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert IntakeToken.objects.count() == 0


def test_the_organisation_is_found_by_searching(client_for, coordinator, organisation, tokens_url):
    response = client_for(coordinator).post(
        tokens_url, {"organisation_q": "rivers", "organisation_find": "", "label": ""}
    )

    assert response.status_code == 200
    assert "Riverside Surgery" in response.content.decode()
    assert IntakeToken.objects.count() == 0


def test_a_coordinator_revokes_a_token(client_for, coordinator, issued, seeded):
    browser = client_for(coordinator)

    response = browser.post(f"/c/{seeded.slug}/referrals/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert issued.token.revoked_by == coordinator.membership
    assert tokens.token_authenticate(community=seeded, secret=issued.secret) is None


def test_revoking_is_a_post(client_for, coordinator, issued, seeded):
    response = client_for(coordinator).get(
        f"/c/{seeded.slug}/referrals/tokens/{issued.token.pk}/revoke/"
    )

    assert response.status_code == 405
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


@pytest.mark.parametrize("who", ["member", "link_worker", "analyst", "outsider"])
def test_only_coordinators_see_or_change_tokens(request, client_for, who, issued, tokens_url):
    browser = client_for(request.getfixturevalue(who))

    looked = browser.get(tokens_url)
    issued_by_them = browser.post(tokens_url, {"organisation": issued.token.organisation_id})
    revoked = browser.post(f"{tokens_url}{issued.token.pk}/revoke/")

    assert (looked.status_code, issued_by_them.status_code, revoked.status_code) == (403, 403, 403)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert IntakeToken.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client_for, issued, tokens_url):
    response = client_for(None).get(tokens_url)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_token_list_reads_the_same_queries_however_many_tokens(
    client_for, coordinator, as_, organisation, tokens_url, django_assert_max_num_queries
):
    browser = client_for(coordinator)
    tokens.token_issue(access=as_(coordinator), organisation=organisation, label="System 0")
    with django_assert_max_num_queries(20) as one:
        browser.get(tokens_url)
    for n in range(1, 6):
        tokens.token_issue(access=as_(coordinator), organisation=organisation, label=f"System {n}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = browser.get(tokens_url)

    assert response.content.decode().count("System ") >= 6


def test_a_token_can_be_issued_from_the_command_line(seeded, coordinator, organisation):
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command(
        "issue_fhir_token",
        seeded.slug,
        organisation="B86001",
        system="EMIS Web",
        by="coord@example.org",
        stdout=out,
        stderr=err,
    )

    secret = out.getvalue().strip()
    assert tokens.token_authenticate(community=seeded, secret=secret).label == "EMIS Web"
    assert "shown only this once" in err.getvalue()


def test_the_command_line_refuses_someone_who_is_not_a_coordinator(seeded, member, organisation):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "issue_fhir_token",
            seeded.slug,
            organisation="Riverside Surgery",
            system="EMIS Web",
            by="member@example.org",
        )

    assert IntakeToken.objects.count() == 0


# The mapping, for any referral ----------------------------------------------------------------

_letters = st.text(alphabet=st.characters(whitelist_categories=("L",)), min_size=1, max_size=30)
_prose = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=300
).filter(lambda t: not t.strip().casefold().startswith("consent:"))
# Worked out from FHIR's meaning of each priority and ours of each urgency.
URGENCY_OF = {"routine": "routine", "urgent": "soon", "asap": "urgent", "stat": "urgent"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    given_name=_letters,
    family=_letters,
    priority=st.sampled_from(sorted(URGENCY_OF)),
    codes=st.sets(st.sampled_from([code for code, _label in services.DEFAULT_REASONS]), min_size=1),
    what=_prose,
)
def test_what_a_service_request_says_comes_through_the_mapping_unchanged(
    seeded, given_name, family, priority, codes, what
):
    sent = service_request(
        priority=priority,
        reasonCode=[{"coding": [{"code": c}]} for c in sorted(codes)],
        note=[{"text": what}] if what.strip() else [],
    )
    sent["contained"][0]["name"] = [{"given": [given_name], "family": family}]
    resource = fhir.parse_service_request(sent)

    intake = fhir.intake_from(
        resource,
        community=seeded,
        base="ServiceRequest",
        resolve=fhir.contained_resolver(resource, "ServiceRequest"),
    )

    assert intake.display_name == f"{given_name} {family}"
    assert {r.code for r in intake.reasons} == codes
    assert intake.details.urgency == URGENCY_OF[priority]
    assert intake.details.what_matters == what.strip()
    assert intake.details.phone == "07700 900456"
