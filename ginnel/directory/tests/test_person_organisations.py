"""An administrator ties an organisation editor to their organisations from the person's
roles page: the roles page links to the directory's page for it, where organisations
are found by name and added or removed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.communities.models import Role
from ginnel.directory.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def allotments(community) -> Organization:
    return Organization.objects.create(community=community, name="Calder Allotment Society")


@pytest.fixture
def library(community) -> Organization:
    return Organization.objects.create(community=community, name="Hebble End Library")


def page_url(person) -> str:
    return reverse("directory:person_organisations", args=[person.community.slug, person.pk])


def roles_url(person) -> str:
    return reverse("communities:member_roles", args=[person.community.slug, person.pk])


def test_the_roles_page_links_to_the_organisations_an_editor_edits_for(
    community, administrator, org_editor, allotments, client_for
):
    allotments.editors.add(org_editor)

    page = client_for(administrator).get(roles_url(org_editor)).content.decode()

    assert "Choose the organisations Ola Editor edits for" in page
    assert page_url(org_editor) in page
    assert "Edits for 1 organisation now." in page


def test_an_administrator_finds_an_organisation_and_adds_then_removes_it(
    community, administrator, org_editor, allotments, library, client_for
):
    client = client_for(administrator)

    found = client.get(page_url(org_editor), {"q": "library"}).content.decode()
    assert "Hebble End Library" in found
    assert "Calder Allotment Society" not in found
    response = client.post(page_url(org_editor), {"organisation": library.pk, "action": "add"})

    assert response.status_code == 302
    assert list(library.editors.all()) == [org_editor]
    page = client.get(page_url(org_editor)).content.decode()
    assert "Hebble End Library" in page
    assert "Ola Editor now edits for Hebble End Library, and is reminded" in page

    client.post(page_url(org_editor), {"organisation": library.pk, "action": "remove"})

    assert not library.editors.exists()


def test_adding_someone_without_an_editor_role_is_refused_and_nothing_is_written(
    community, administrator, member, library, client_for
):
    response = client_for(administrator).post(
        page_url(member), {"organisation": library.pk, "action": "add"}
    )

    assert response.status_code == 400
    assert "Mo Member needs the organisation editor role first." in response.content.decode()
    assert not library.editors.exists()


def test_an_organisation_of_another_community_cannot_be_added(
    community, other_community, administrator, org_editor, client_for
):
    theirs = Organization.objects.create(community=other_community, name="Riverside Trust")

    response = client_for(administrator).post(
        page_url(org_editor), {"organisation": theirs.pk, "action": "add"}
    )

    assert response.status_code == 400
    assert "Choose an organisation to add or remove." in response.content.decode()
    assert not theirs.editors.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LINK_WORKER, Role.ORG_EDITOR, Role.ANALYST])
def test_only_coordinators_and_administrators_choose_an_editors_organisations(
    community, make_member, org_editor, library, client_for, role
):
    client = client_for(make_member(community, roles=[role]))

    assert client.get(page_url(org_editor)).status_code == 403
    response = client.post(page_url(org_editor), {"organisation": library.pk, "action": "add"})
    assert response.status_code == 403
    assert not library.editors.exists()
