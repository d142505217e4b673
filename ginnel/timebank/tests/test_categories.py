"""Administrators rename and retire the timebank's categories; history keeps them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ginnel.communities.models import Role
from ginnel.errors import GinnelError
from ginnel.timebank import services
from ginnel.timebank.models import Category, ListingKind, TimebankAction, Where

pytestmark = pytest.mark.django_db


def offer(as_, person, categories, **kw):
    values = {
        "kind": ListingKind.OFFER,
        "title": "Help with your garden",
        "description": "",
        "categories": [categories["Gardening"]],
        "where": [Where.PUBLIC],
        "availability": "",
        "expires_on": None,
    }
    values.update(kw)
    return services.listing_save(access=as_(person), **values)


def test_an_administrator_renames_a_category_and_everything_filed_under_it_follows(
    as_, administrator, member, categories, client_for, community
):
    listing = offer(as_, member, categories)

    response = client_for(administrator).post(
        reverse("timebank:category_edit", args=[community.slug, categories["Gardening"].pk]),
        {"name": "Gardening and allotments"},
        follow=True,
    )

    assert "The category is now called Gardening and allotments." in response.content.decode()
    page = client_for(member).get(reverse("timebank:listing", args=[community.slug, listing.pk]))
    assert "Gardening and allotments" in page.content.decode()
    logged = TimebankAction.objects.get(action="category_renamed")
    assert logged.detail["before"] == "Gardening"


def test_a_retired_category_is_not_offered_for_new_listings_but_stays_on_history(
    as_, administrator, member, categories, client_for, community
):
    listing = offer(as_, member, categories)
    gardening = categories["Gardening"]

    client_for(administrator).post(
        reverse("timebank:category_retire", args=[community.slug, gardening.pk])
    )

    gardening.refresh_from_db()
    assert gardening.retired
    client = client_for(member)
    new_form = client.get(reverse("timebank:listing_new", args=[community.slug, "offer"]))
    assert gardening not in new_form.context["form"].fields["categories"].queryset
    shown = client.get(reverse("timebank:listing", args=[community.slug, listing.pk]))
    assert "Gardening" in shown.content.decode()
    # Changing the listing keeps the retired category it already had.
    edit_form = client.get(reverse("timebank:listing_edit", args=[community.slug, listing.pk]))
    assert gardening in edit_form.context["form"].fields["categories"].queryset
    with pytest.raises(GinnelError, match="no longer used"):
        offer(as_, member, categories, title="Another")


def test_a_retired_category_can_be_used_again(as_, administrator, categories):
    music = categories["Music"]
    services.category_retire(access=as_(administrator), category_id=music.pk)

    services.category_retire(access=as_(administrator), category_id=music.pk, retired=False)

    music.refresh_from_db()
    assert not music.retired
    with pytest.raises(GinnelError, match="already in use"):
        services.category_retire(access=as_(administrator), category_id=music.pk, retired=False)


def test_a_rename_to_another_categorys_name_is_refused_next_to_the_name(
    administrator, categories, client_for, community
):
    url = reverse("timebank:category_edit", args=[community.slug, categories["Music"].pk])

    clash = client_for(administrator).post(url, {"name": "gardening"})
    empty = client_for(administrator).post(url, {"name": ""})

    for response, message in (
        (clash, "There is already a category called Gardening."),
        (empty, "Enter the category&#x27;s new name."),
    ):
        page = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_name_error"' in page
        assert message in page
    assert Category.objects.get(pk=categories["Music"].pk).name == "Music"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COORDINATOR, Role.LINK_WORKER])
def test_only_administrators_manage_categories(
    role, categories, make_member, client_for, community
):
    asker = make_member(community, roles=[role])
    music = categories["Music"]
    client = client_for(asker)

    assert client.get(reverse("timebank:categories", args=[community.slug])).status_code == 403
    assert (
        client.post(
            reverse("timebank:category_edit", args=[community.slug, music.pk]), {"name": "Noise"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("timebank:category_retire", args=[community.slug, music.pk])
        ).status_code
        == 403
    )
    music.refresh_from_db()
    assert (music.name, music.retired) == ("Music", False)


def test_an_administrator_of_another_community_cannot_touch_these_categories(
    as_, outsider, categories, client_for, other_community
):
    music = categories["Music"]

    with pytest.raises(GinnelError, match="no such category"):
        services.category_rename(access=as_(outsider), category_id=music.pk, name="Noise")
    response = client_for(outsider).post(
        reverse("timebank:category_retire", args=[other_community.slug, music.pk]), follow=True
    )

    assert "There is no such category in this community." in response.content.decode()
    music.refresh_from_db()
    assert not music.retired


def test_the_categories_page_lists_them_with_how_often_they_are_used(
    as_, administrator, member, categories, client_for, community
):
    offer(as_, member, categories)

    page = client_for(administrator).get(reverse("timebank:categories", args=[community.slug]))

    rows = {c.name: c.listing_count for c in page.context["categories"]}
    assert rows["Gardening"] == 1
    assert rows["Music"] == 0


def test_the_community_settings_page_links_to_the_categories(administrator, client_for, community):
    page = client_for(administrator).get(reverse("communities:settings", args=[community.slug]))

    assert reverse("timebank:categories", args=[community.slug]) in page.content.decode()
