"""Named people with different roles, shared by every test.

``community`` is an open community with two neighbourhoods; ``other_community``
is a separate one, and ``outsider`` belongs only to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from django.test import Client

from ginnel.communities.models import (
    Community,
    Membership,
    Neighbourhood,
    Role,
    RoleGrant,
    SignupMode,
)
from ginnel.people.models import Person, User

PASSWORD = "a long test password 42"  # noqa: S105 (test accounts only)

MakeMember = Callable[..., Person]


@pytest.fixture
def community(db: None) -> Community:
    community = Community.objects.create(
        name="Calder Vale Timebank",
        slug="calder-vale",
        kind="timebank",
        signup_mode=SignupMode.OPEN,
    )
    Neighbourhood.objects.create(community=community, name="Hebble End")
    Neighbourhood.objects.create(community=community, name="Mytholm")
    return community


@pytest.fixture
def other_community(db: None) -> Community:
    community = Community.objects.create(
        name="Brookside Network", slug="brookside", kind="network", signup_mode=SignupMode.OPEN
    )
    Neighbourhood.objects.create(community=community, name="Riverside")
    return community


@pytest.fixture
def make_member(db: None) -> MakeMember:
    counter = iter(range(1, 1_000_000))

    def make(
        community: Community,
        *,
        roles: Iterable[Role] = (),
        name: str | None = None,
        email: str | None = None,
        user: User | None = None,
        neighbourhood: Neighbourhood | None = None,
    ) -> Person:
        n = next(counter)
        if user is None:
            user = User.objects.create_user(email or f"person{n}@example.org", PASSWORD)
        membership = Membership.objects.create(community=community, user=user)
        for role in roles:
            if role != Role.MEMBER:
                RoleGrant.objects.create(community=community, membership=membership, role=role)
        return Person.objects.create(
            community=community,
            membership=membership,
            display_name=name or f"Person {n}",
            neighbourhood=neighbourhood or community.neighbourhoods.first(),
            contact_email=user.email,
        )

    return make


@pytest.fixture
def member(community: Community, make_member: MakeMember) -> Person:
    return make_member(community, name="Mo Member", email="member@example.org")


@pytest.fixture
def coordinator(community: Community, make_member: MakeMember) -> Person:
    return make_member(
        community, roles=[Role.COORDINATOR], name="Cath Coordinator", email="coord@example.org"
    )


@pytest.fixture
def link_worker(community: Community, make_member: MakeMember) -> Person:
    return make_member(
        community, roles=[Role.LINK_WORKER], name="Lin Linkworker", email="link@example.org"
    )


@pytest.fixture
def org_editor(community: Community, make_member: MakeMember) -> Person:
    return make_member(
        community, roles=[Role.ORG_EDITOR], name="Ola Editor", email="editor@example.org"
    )


@pytest.fixture
def analyst(community: Community, make_member: MakeMember) -> Person:
    return make_member(
        community, roles=[Role.ANALYST], name="Ana Analyst", email="analyst@example.org"
    )


@pytest.fixture
def administrator(community: Community, make_member: MakeMember) -> Person:
    return make_member(
        community, roles=[Role.ADMINISTRATOR], name="Adi Admin", email="admin@example.org"
    )


@pytest.fixture
def outsider(other_community: Community, make_member: MakeMember) -> Person:
    return make_member(
        other_community,
        roles=[Role.ADMINISTRATOR],
        name="Otto Outsider",
        email="outsider@example.org",
    )


@pytest.fixture
def client_for(client: Client) -> Callable[[Person | None], Client]:
    """A test client logged in as this person (or anonymous for None)."""

    def login(person: Person | None) -> Client:
        c = Client()
        if person is not None and person.membership.user is not None:
            c.force_login(person.membership.user)
        return c

    return login
