"""Saving services to a list: by the member, or for them by a link worker; no one else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.directory.models import Organization, SavedService, Service, ServiceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(community):
    org = Organization.objects.create(community=community, name="Calder Carers")
    return Service.objects.create(community=community, organization=org, name="Carers' cafe")


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
