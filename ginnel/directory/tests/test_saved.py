"""Saving services to a list: by the member, or for them by a link worker; no one else."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ginnel.directory.models import Organization, SavedService, Service, ServiceStatus
from ginnel.directory.services.derived import services_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(community):
    org = Organization.objects.create(community=community, name="Calder Carers")
    made = Service.objects.create(community=community, organization=org, name="Carers' cafe")
    services_refresh(community=community, service_ids=[made.pk])
    return made


def save_url(service):
    return reverse("directory:save", args=[service.community.slug, service.uuid])


def test_a_member_saves_a_service_and_sees_it_on_their_list(member, service, client_for):
    client = client_for(member)

    response = client.post(save_url(service), {"next": "/"})

    assert response.status_code == 302
    assert SavedService.objects.get(person=member).service == service
    page = client.get(reverse("directory:saved", args=[service.community.slug])).content.decode()
    assert "Carers&#x27; cafe" in page or "Carers' cafe" in page


def test_saving_twice_keeps_one_and_remove_takes_it_off(member, service, client_for):
    client = client_for(member)
    client.post(save_url(service))
    client.post(save_url(service))
    assert SavedService.objects.filter(person=member).count() == 1

    client.post(reverse("directory:unsave", args=[service.community.slug, service.uuid]))

    assert not SavedService.objects.filter(person=member).exists()


def test_a_link_worker_saves_to_the_persons_list(member, link_worker, service, client_for):
    client_for(link_worker).post(save_url(service), {"person": member.pk})

    saved = SavedService.objects.get(person=member)
    assert saved.saved_by == link_worker
    page = client_for(member).get(reverse("directory:saved", args=[service.community.slug]))
    assert "Lin Linkworker" in page.content.decode()


def test_a_member_cannot_save_to_someone_elses_list(
    member, make_member, community, service, client_for
):
    other = make_member(community, name="Oli Other")

    response = client_for(member).post(save_url(service), {"person": other.pk})

    assert response.status_code == 403
    assert not SavedService.objects.exists()


def test_a_service_that_is_not_running_is_not_saved(member, service, client_for):
    service.status = ServiceStatus.DEFUNCT
    service.save()

    response = client_for(member).post(save_url(service), follow=True)

    assert "is not running at the moment" in response.content.decode()
    assert not SavedService.objects.exists()


def test_outsiders_and_other_communities_are_refused(
    outsider, other_community, make_member, service, client_for
):
    stranger = make_member(other_community, name="Sam Stranger")
    for person in (outsider, stranger):
        client = client_for(person)
        assert client.post(save_url(service)).status_code in (403, 404)
        assert (
            client.get(reverse("directory:saved", args=[service.community.slug])).status_code == 403
        )
    assert not SavedService.objects.exists()


def test_someone_logged_out_is_sent_to_log_in(client, service):
    response = client.post(save_url(service))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not SavedService.objects.exists()


def test_a_service_of_another_community_cannot_be_saved(member, other_community, client_for):
    org = Organization.objects.create(community=other_community, name="Elsewhere")
    theirs = Service.objects.create(community=other_community, organization=org, name="Theirs")
    url = reverse("directory:save", args=[member.community.slug, theirs.uuid])

    response = client_for(member).post(url, follow=True)

    assert "There is no such entry" in response.content.decode()
    assert not SavedService.objects.exists()


# "Save" on every search result and service page ----------------------------------------------


def search_url(community, **params):
    from urllib.parse import urlencode

    url = reverse("directory:search", args=[community.slug])
    return f"{url}?{urlencode(params)}" if params else url


def service_url(service, **params):
    from urllib.parse import urlencode

    url = reverse("directory:service", args=[service.community.slug, service.uuid])
    return f"{url}?{urlencode(params)}" if params else url


def save_forms(page: str) -> list[str]:
    return re.findall(r'<form method="post" class="inline-form save-form".*?</form>', page, re.S)


def test_every_search_result_has_save_and_says_saved_after_without_javascript(
    member, service, community, client_for
):
    other = Service.objects.create(
        community=community, organization=service.organization, name="Walking group"
    )
    services_refresh(community=community, service_ids=[other.pk])
    client = client_for(member)
    page = client.get(search_url(community, q="cafe")).content.decode()
    forms = save_forms(page)
    assert len(forms) == 1
    assert ">Save<" in forms[0]

    response = client.post(
        save_url(service), {"next": search_url(community, q="cafe")}, follow=True
    )

    after = response.content.decode()
    assert response.redirect_chain[-1][0] == search_url(community, q="cafe")
    assert ">Saved<" in save_forms(after)[0]
    assert "On your list" in after
    everything = client.get(search_url(community, q="")).content.decode()
    assert len(save_forms(everything)) == 2
    assert other.name in everything


def test_a_service_page_has_save_and_says_saved_after(member, service, client_for):
    client = client_for(member)
    page = client.get(service_url(service)).content.decode()
    assert ">Save<" in save_forms(page)[0]

    after = client.post(save_url(service), {"next": service_url(service)}, follow=True)

    assert ">Saved<" in save_forms(after.content.decode())[0]
    assert SavedService.objects.get(person=member).service == service


def test_with_htmx_only_the_button_comes_back_in_its_new_state(member, service, client_for):
    client = client_for(member)

    saved = client.post(save_url(service), {"next": "/"}, HTTP_HX_REQUEST="true")

    assert saved.status_code == 200
    body = saved.content.decode()
    assert body.lstrip().startswith("<form")
    assert ">Saved<" in body
    assert "unsave" in body
    removed = client.post(
        reverse("directory:unsave", args=[service.community.slug, service.uuid]),
        {"next": "/"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert ">Save<" in removed
    assert not SavedService.objects.exists()


def test_a_link_worker_finding_help_for_someone_saves_to_their_list_from_the_search(
    member, link_worker, service, community, client_for
):
    client = client_for(link_worker)
    url = search_url(community, q="cafe", **{"for": member.pk})
    page = client.get(url).content.decode()
    assert "You are finding help for" in page
    assert member.display_name in page
    assert f'<input type="hidden" name="for" value="{member.pk}">' in page
    form = save_forms(page)[0]
    assert f'name="person" value="{member.pk}"' in form
    # The result's link carries whom it is for to the service page.
    assert f"for={member.pk}" in re.search(r'<h3 class="heading-s"><a href="([^"]+)"', page)[1]

    after = client.post(save_url(service), {"person": member.pk, "next": url}, follow=True)

    saved = SavedService.objects.get(person=member)
    assert saved.saved_by == link_worker
    assert not SavedService.objects.filter(person=link_worker).exists()
    assert ">Saved<" in save_forms(after.content.decode())[0]
    assert f"On {member.display_name}’s list" in after.content.decode()


def test_a_link_worker_saves_for_someone_from_the_service_page(
    member, link_worker, service, client_for
):
    client = client_for(link_worker)
    page = client.get(service_url(service, **{"for": member.pk})).content.decode()
    assert f'name="person" value="{member.pk}"' in save_forms(page)[0]

    client.post(save_url(service), {"person": member.pk})

    assert SavedService.objects.get(person=member).saved_by == link_worker


def test_a_member_cannot_act_for_someone_else_through_the_address(
    member, make_member, community, service, client_for
):
    other = make_member(community, name="Oli Other")
    client = client_for(member)

    page = client.get(search_url(community, q="cafe", **{"for": other.pk})).content.decode()

    assert "You are finding help for" not in page
    assert 'name="person"' not in save_forms(page)[0]
    assert client.post(save_url(service), {"person": other.pk}).status_code == 403
    assert not SavedService.objects.filter(person=other).exists()


def test_a_service_that_is_not_running_has_no_save_button(member, service, client_for):
    service.status = ServiceStatus.DEFUNCT
    service.save()

    page = client_for(member).get(service_url(service)).content.decode()

    assert save_forms(page) == []


def test_finding_help_for_someone_measures_from_their_neighbourhood(
    member, link_worker, community, service, client_for
):
    from ginnel.communities.models import Neighbourhood

    home = Neighbourhood.objects.create(
        community=community, name="Cragg Vale", latitude=53.7, longitude=-2.0
    )
    member.neighbourhood = home
    member.save()

    page = client_for(link_worker).get(search_url(community, **{"for": member.pk}))

    assert "nearest to Cragg Vale first" in page.content.decode()
