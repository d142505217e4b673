"""Schemathesis fuzzes the FHIR intake API against its OpenAPI document.

``ginnel/referrals/schema/fhir_openapi.json`` describes the three operations
(``POST ServiceRequest``, ``POST $process-message``, ``GET ServiceRequest/{id}``),
bearer tokens and FHIR bodies loosely (objects). A real server (pytest-django's
``live_server`` on 127.0.0.1) answers generated and deliberately invalid
requests, with a live token of the community and without one. Whatever is
sent: never a server error, and every problem is a FHIR OperationOutcome in
``application/fhir+json`` — the FHIR specification's error format, where the
ORUK API answers ``application/problem+json``.

Bounded like the ORUK fuzz test: at most ``MAX_EXAMPLES`` cases per operation
and phase, with a fixed seed, derandomised under CI.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from pytest_django.live_server_helper import LiveServer

import ginnel.referrals
from ginnel.communities.models import Community
from ginnel.communities.permissions import access_for
from ginnel.people.models import Person
from ginnel.referrals import services, tokens
from ginnel.referrals.models import OrganisationKind, Referral

MAX_EXAMPLES = 30
SEED = 20261202
FHIR_JSON = "application/fhir+json"
DOCUMENT = Path(ginnel.referrals.__file__).parent / "schema" / "fhir_openapi.json"

pytestmark = pytest.mark.django_db(transaction=True)


def fhir_document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    return loaded


schema = schemathesis.openapi.from_dict(
    fhir_document(), config=schemathesis.Config.from_dict({"seed": SEED})
)


@pytest.fixture
def secret(community: Community, coordinator: Person) -> str:
    """A live intake token of the community, issued to a GP practice."""
    services.referrals_seed(community=community)
    user = coordinator.membership.user
    assert user is not None
    access = access_for(user, community)
    organisation = services.organisation_add(
        access=access, kind=OrganisationKind.GP_PRACTICE, name="Riverside Surgery"
    )
    issued = tokens.token_issue(access=access, organisation=organisation, label="EMIS Web")
    return issued.secret


def assert_answer(response: schemathesis.Response) -> None:
    """No server error; every answer is FHIR JSON, and a problem is an OperationOutcome."""
    assert response.status_code < 500, response.text
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.split(";")[0] == FHIR_JSON, (response.status_code, content_type)
    body = json.loads(response.text)
    if response.status_code >= 400:
        assert body["resourceType"] == "OperationOutcome", body
        assert body["issue"], body
        assert all(issue["severity"] and issue["code"] for issue in body["issue"])


def fuzz_settings(test: Any) -> Any:
    return settings(
        max_examples=MAX_EXAMPLES,
        derandomize=os.environ.get("CI") is not None,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(test)


@schema.parametrize()
@fuzz_settings
def test_no_answer_with_a_live_token_is_a_server_error_or_not_fhir(
    case: schemathesis.Case[Any], live_server: LiveServer, community: Community, secret: str
) -> None:
    base = f"{live_server.url}/api/fhir/{community.slug}"
    assert_answer(case.call(base_url=base, headers={"Authorization": f"Bearer {secret}"}))


@schema.parametrize()
@fuzz_settings
def test_no_answer_without_a_token_is_a_server_error_or_not_fhir(
    case: schemathesis.Case[Any], live_server: LiveServer, community: Community
) -> None:
    base = f"{live_server.url}/api/fhir/{community.slug}"
    response = case.call(base_url=base)
    assert_answer(response)
    assert response.status_code in (401, 404, 405, 415), response.text


def test_the_document_describes_every_operation_of_the_intake_and_no_other() -> None:
    from ginnel.referrals import urls_fhir

    routed = {f"/{p.pattern}".replace("<str:pk>", "{id}") for p in urls_fhir.urlpatterns}
    assert set(fhir_document()["paths"]) == routed


@pytest.mark.parametrize("id_", ["abc", "1.5", "-1", "١٢", "99999999999999999999"])
def test_reading_a_referral_by_an_id_that_is_not_one_is_a_fhir_404(
    live_server: LiveServer, community: Community, secret: str, id_: str
) -> None:
    url = f"{live_server.url}/api/fhir/{community.slug}/ServiceRequest/{quote(id_)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=20)  # noqa: S310 (http to 127.0.0.1)

    assert raised.value.code == 404
    assert raised.value.headers["Content-Type"].startswith(FHIR_JSON)
    outcome = json.loads(raised.value.read())
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-found"


@pytest.mark.parametrize(
    ("path", "created"), [("/ServiceRequest", 201), ("/$process-message", 200)]
)
def test_the_documents_example_bodies_are_referrals_the_intake_accepts(
    client: Client, community: Community, secret: str, path: str, created: int
) -> None:
    """So the fuzzer's examples phase reaches the success path, not only the refusals."""
    operation = fhir_document()["paths"][path]["post"]
    body = operation["requestBody"]["content"][FHIR_JSON]["example"]

    response = client.post(
        f"/api/fhir/{community.slug}{path}",
        data=json.dumps(body),
        content_type=FHIR_JSON,
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == created, response.content
    assert Referral.objects.filter(community=community).count() == 1
