"""Each role's pages refuse the roles below it; anonymous visitors are sent to log in.

The table below is the specification: which roles may open which page. It is
written out here, not derived from the code, so a change to a role's
permissions must change this test too.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ginnel.communities.models import Role

pytestmark = pytest.mark.django_db

EVERYONE = {"member", "coordinator", "link_worker", "org_editor", "analyst", "administrator"}

# page name -> the roles that may open it
ALLOWED = {
    "web:community_home": EVERYONE,
    "communities:me": EVERYONE,
    "communities:members": {"coordinator", "link_worker", "administrator"},
    "communities:member_new": {"coordinator", "link_worker", "administrator"},
    "web:person": {"coordinator", "link_worker", "administrator"},
    "communities:member_roles": {"administrator"},
    "communities:applications": {"coordinator", "administrator"},
    "communities:invitations": {"coordinator", "administrator"},
    "web:insights": {"coordinator", "analyst", "administrator"},
    "communities:settings": {"administrator"},
}


def url_for(name: str, community, subject) -> str:
    if name in {"web:person", "communities:member_roles"}:
        return reverse(name, args=[community.slug, subject.pk])
    return reverse(name, args=[community.slug])


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_each_page_opens_only_for_the_roles_allowed_it(
    page, role, community, make_member, client_for
):
    subject = make_member(community, name="Subject")
    asker = make_member(community, roles=[Role(role)])

    response = client_for(asker).get(url_for(page, community, subject))

    expected = 200 if role in ALLOWED[page] else 403
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("name", "post"),
    [
        ("member_new", {"display_name": "Someone", "contact_method": "in_person"}),
        ("member_roles", {"roles": ["administrator"]}),
        ("invitations", {"email": "new@example.org"}),
        ("settings", {"name": "Taken over", "signup_mode": "open"}),
        ("neighbourhood_add", {"n-name": "New place"}),
    ],
)
def test_a_plain_member_cannot_post_to_a_coordinator_or_administrator_page(
    name, post, community, member, make_member, client_for
):
    subject = make_member(community, name="Subject")
    args = [community.slug, subject.pk] if name == "member_roles" else [community.slug]
    before = (
        community.events.count(),
        community.invitations.count(),
        community.neighbourhoods.count(),
    )

    response = client_for(member).post(reverse(f"communities:{name}", args=args), post)

    assert response.status_code == 403
    community.refresh_from_db()
    assert community.name == "Calder Vale Timebank"
    assert not subject.membership.grants.exists()
    after = (
        community.events.count(),
        community.invitations.count(),
        community.neighbourhoods.count(),
    )
    assert after == before


def test_a_plain_member_cannot_decide_an_application(community, member, make_member, client_for):
    applicant = make_member(community, name="Applicant")
    applicant.membership.status = "applied"
    applicant.membership.save()

    response = client_for(member).post(
        reverse("communities:application_decide", args=[community.slug, applicant.membership_id]),
        {"decision": "approve"},
    )

    assert response.status_code == 403
    applicant.membership.refresh_from_db()
    assert applicant.membership.status == "applied"


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_an_anonymous_visitor_is_sent_to_log_in(page, client: Client, community, member):
    response = client.get(url_for(page, community, member))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_menu_shows_only_the_pages_a_role_may_open(community, analyst, client_for):
    html = client_for(analyst).get(reverse("web:community_home", args=[community.slug])).content
    page = html.decode()

    assert reverse("web:insights", args=[community.slug]) in page
    assert reverse("communities:members", args=[community.slug]) not in page
    assert reverse("communities:settings", args=[community.slug]) not in page


def test_an_administrator_cannot_remove_their_own_administrator_role(
    community, administrator, client_for
):
    response = client_for(administrator).post(
        reverse("communities:member_roles", args=[community.slug, administrator.pk]),
        {"roles": ["coordinator"]},
    )

    assert response.status_code == 400
    assert "cannot remove your own administrator role" in response.content.decode()
    assert administrator.membership.grants.filter(role="administrator").exists()


def test_an_administrator_grants_a_role_and_it_takes_effect_at_once(
    community, administrator, member, client_for
):
    insights = reverse("web:insights", args=[community.slug])
    assert client_for(member).get(insights).status_code == 403

    client_for(administrator).post(
        reverse("communities:member_roles", args=[community.slug, member.pk]),
        {"roles": ["analyst"]},
    )

    assert client_for(member).get(insights).status_code == 200
    event = community.events.get(action="roles_set")
    assert event.actor == administrator.membership
    assert event.detail["added"] == ["analyst"]


def test_an_analyst_sees_counts_but_no_names(community, analyst, make_member, client_for):
    make_member(community, name="Zebedee Quill")

    page = client_for(analyst).get(reverse("web:insights", args=[community.slug]))

    assert page.status_code == 200
    assert "Zebedee Quill" not in page.content.decode()
    assert page.context["insights"].active_members == 2
