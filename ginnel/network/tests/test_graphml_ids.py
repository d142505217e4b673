"""GraphML node ids: random in every export, so none can be mapped back to a person."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ginnel.network.tests.test_dashboard import tie
from ginnel.people.models import Person

pytestmark = pytest.mark.django_db


def export(client, community) -> str:
    response = client.get(reverse("network:graphml", args=[community.slug]))
    assert response.status_code == 200
    return response.content.decode()


def ids_of(body: str) -> tuple[list[str], set[str]]:
    nodes = re.findall(r'<node id="([^"]+)"', body)
    ends = set(re.findall(r'(?:source|target)="([^"]+)"', body))
    return nodes, ends


def test_two_exports_name_the_nodes_differently_and_never_by_a_person_s_id(
    community, coordinator, make_member, client_for
):
    people = [make_member(community) for _ in range(4)]
    tie(people[0], people[1])
    tie(people[2], people[3])
    tie(people[1], people[2])
    client = client_for(coordinator)

    first_nodes, first_ends = ids_of(export(client, community))
    second_nodes, _ = ids_of(export(client, community))

    assert len(first_nodes) == len(set(first_nodes)) == len(second_nodes)
    assert len(first_nodes) >= 4
    assert not set(first_nodes) & set(second_nodes)
    # Within one file the ties point at the file's own nodes.
    assert first_ends <= set(first_nodes)
    assert len(first_ends) == 4
    pks = {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    for node in first_nodes + second_nodes:
        assert node not in pks
        assert node.lstrip("pn") not in pks
