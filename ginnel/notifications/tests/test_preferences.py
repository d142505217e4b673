"""Notification settings: each person's own, and staff setting them for someone without a login."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from ginnel.communities.models import Membership
from ginnel.notifications import kinds, services
from ginnel.notifications.kinds import Channel, Frequency, Kind
from ginnel.notifications.models import (
    CommunityChannels,
    ContactSettings,
    Delivery,
    DeliveryStatus,
    Preference,
)
from ginnel.notifications.selectors_preferences import kinds_for
from ginnel.people.models import Person

pytestmark = pytest.mark.django_db

ROTA = kinds.register(
    Kind(
        code="tests.prefs_rota",
        label="Tea rota changed",
        audience="Whoever the test names",
        templates="notifications/tests/tried",
        defaults={Channel.EMAIL: Frequency.IMMEDIATELY},
    )
)
QUEUE = kinds.register(
    Kind(
        code="tests.prefs_queue",
        label="Rota swap to approve",
        audience="Coordinators",
        templates="notifications/tests/tried",
        staff=True,
    )
)


def own_url(community) -> str:
    return reverse("notifications:preferences", args=[community.slug])


def person_url(community, person) -> str:
    return reverse("notifications:person_preferences", args=[community.slug, person.pk])


def form_data(response, **changes) -> dict[str, str]:
    """What the page's form would post unchanged, with ``changes`` (field name → value)."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        data[name] = "" if value is None else str(value)
    data.update(changes)
    return data


def offline_person(community, name="Nell Offline") -> Person:
    membership = Membership.objects.create(community=community, user=None)
    return Person.objects.create(
        community=community,
        membership=membership,
        display_name=name,
        neighbourhood=community.neighbourhoods.first(),
    )


def counts() -> tuple[int, int]:
    return Preference.objects.count(), ContactSettings.objects.count()


# What the page offers ---------------------------------------------------------------------------


def test_a_member_sees_their_kinds_by_email_but_not_staff_queues(client_for, community, member):
    response = client_for(member).get(own_url(community))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tea rota changed" in page
    assert "Rota swap to approve" not in page
    # No texts or letters: the community has not switched them on.
    assert f"{ROTA.code}:sms" not in response.context["form"].fields
    assert f"{ROTA.code}:letter" not in response.context["form"].fields


def test_staff_also_see_the_staff_kinds(client_for, community, coordinator):
    page = client_for(coordinator).get(own_url(community)).content.decode()
    assert "Rota swap to approve" in page


def test_each_choice_is_labelled_with_its_channel_and_its_kind_for_screen_readers(
    client_for, community, member
):
    CommunityChannels.objects.create(community=community, texts_enabled=True, letters_enabled=True)
    page = client_for(member).get(own_url(community)).content.decode()
    field_id = f"id_{ROTA.code}:email"
    assert (
        f'<label class="label" for="{field_id}">'
        'Email<span class="visually-hidden">, for: Tea rota changed</span></label>'
    ) in page
    assert 'Text message<span class="visually-hidden">, for: Tea rota changed</span>' in page
    assert 'Letter<span class="visually-hidden">, for: Tea rota changed</span>' in page


def test_texts_offer_no_digest(client_for, community, member):
    CommunityChannels.objects.create(community=community, texts_enabled=True)
    form = client_for(member).get(own_url(community)).context["form"]
    offered = [value for value, _label in form.fields[f"{ROTA.code}:sms"].choices]
    assert offered == ["immediately", "off"]


def test_the_page_says_where_emails_go(client_for, community, member):
    page = client_for(member).get(own_url(community)).content.decode()
    assert "member@example.org" in page


# Saving, and notify() honouring it ---------------------------------------------------------------


def test_saving_writes_only_the_changed_choices_and_who_set_them(client_for, community, member):
    client = client_for(member)
    response = client.get(own_url(community))
    saved = client.post(own_url(community), form_data(response, **{f"{ROTA.code}:email": "daily"}))
    assert saved.status_code == 302
    rows = list(Preference.objects.values_list("person", "kind", "channel", "frequency", "set_by"))
    assert rows == [(member.pk, ROTA.code, "email", "daily", member.membership.pk)]
    assert not ContactSettings.objects.exists()  # nothing about contact was chosen

    # Saving again unchanged writes nothing new.
    before = Preference.objects.get().updated_at
    again = client.get(own_url(community))
    client.post(own_url(community), form_data(again))
    assert Preference.objects.count() == 1
    assert Preference.objects.get().updated_at == before


def test_a_daily_choice_is_held_for_the_digest_and_off_sends_nothing(
    client_for, community, member, coordinator
):
    for person, choice in ((member, "daily"), (coordinator, "off")):
        client = client_for(person)
        response = client.get(own_url(community))
        client.post(own_url(community), form_data(response, **{f"{ROTA.code}:email": choice}))

    services.notify(community=community, kind=ROTA.code, recipients=[member, coordinator])

    assert list(
        Delivery.objects.values_list("notification__recipient", "channel", "status", "frequency")
    ) == [(member.pk, "email", DeliveryStatus.HELD, "daily")]


def test_quiet_hours_and_a_number_for_texts_are_saved(client_for, community, member):
    CommunityChannels.objects.create(community=community, texts_enabled=True)
    client = client_for(member)
    response = client.get(own_url(community))
    client.post(
        own_url(community),
        form_data(response, quiet_from="21:30", quiet_until="07:00", phone="07700 900123"),
    )
    settings = ContactSettings.objects.get(person=member)
    assert (settings.quiet_from, settings.quiet_until) == (time(21, 30), time(7, 0))
    assert settings.phone == "07700 900123"
    assert settings.set_by == member.membership


# Refused --------------------------------------------------------------------------------------


def test_a_member_cannot_open_anothers_settings(client_for, community, member, coordinator):
    assert client_for(member).get(person_url(community, coordinator)).status_code == 403
    assert client_for(member).post(person_url(community, coordinator), {}).status_code == 403
    assert not Preference.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "org_editor"])
def test_staff_who_do_not_record_people_cannot_set_theirs(
    request, client_for, community, member, role
):
    staff = request.getfixturevalue(role)
    assert client_for(staff).get(person_url(community, member)).status_code == 403


def test_no_one_from_another_community(client_for, community, member, outsider):
    assert client_for(outsider).get(person_url(community, member)).status_code == 403


def test_a_coordinator_cannot_reach_a_person_of_another_community(
    client_for, other_community, make_member, community, coordinator
):
    elsewhere = make_member(other_community)
    assert client_for(coordinator).get(person_url(community, elsewhere)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client_for, community, member):
    for url in (own_url(community), person_url(community, member)):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


# Staff for someone without a login -------------------------------------------------------------


def test_a_coordinator_sends_letters_to_a_carer_and_the_person_sees_who_set_it(
    client_for, community, coordinator, member
):
    CommunityChannels.objects.create(community=community, letters_enabled=True)
    client = client_for(coordinator)
    response = client.get(person_url(community, member))
    assert response.status_code == 200
    saved = client.post(
        person_url(community, member),
        form_data(
            response,
            **{f"{ROTA.code}:letter": "weekly", f"{ROTA.code}:email": "off"},
            letter_name="Sam Green (for Mo)",
            letter_address="1 Mill Row\nHebble End\nHX7 8AA",
        ),
    )
    assert saved.status_code == 302
    assert set(Preference.objects.values_list("kind", "channel", "frequency", "set_by")) == {
        (ROTA.code, "letter", "weekly", coordinator.membership.pk),
        (ROTA.code, "email", "off", coordinator.membership.pk),
    }
    settings = ContactSettings.objects.get(person=member)
    assert settings.letter_name == "Sam Green (for Mo)"
    assert settings.set_by == coordinator.membership

    services.notify(community=community, kind=ROTA.code, recipients=[member])
    assert list(Delivery.objects.values_list("channel", "status")) == [
        ("letter", DeliveryStatus.HELD)
    ]

    own = client_for(member).get(own_url(community)).content.decode()
    assert "Set by Cath Coordinator" in own


def test_a_link_worker_can_set_them_for_a_person_without_a_login(
    client_for, community, link_worker
):
    nell = offline_person(community)
    client = client_for(link_worker)
    response = client.get(person_url(community, nell))
    assert "Notification settings for Nell Offline" in response.content.decode()
    client.post(person_url(community, nell), form_data(response, email="nell.daughter@example.org"))
    settings = ContactSettings.objects.get(person=nell)
    assert settings.email == "nell.daughter@example.org"
    assert settings.set_by == link_worker.membership


def test_the_staff_page_and_the_details_page_link_to_the_settings(
    client_for, community, coordinator, member
):
    person_page = client_for(coordinator).get(
        reverse("web:person", args=[community.slug, member.pk])
    )
    assert person_url(community, member) in person_page.content.decode()
    me = client_for(member).get(reverse("communities:me", args=[community.slug]))
    assert own_url(community) in me.content.decode()


# Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quiet_from": "22:00"}, "quiet_until", "Enter when quiet hours end"),
        ({"quiet_until": "07:00"}, "quiet_from", "Enter when quiet hours start"),
        ({"quiet_from": "22:00", "quiet_until": "22:00"}, "quiet_until", "a different time"),
        ({"quiet_from": "late"}, "quiet_from", "Enter a time such as 21:00"),
        ({f"{ROTA.code}:email": "hourly"}, f"{ROTA.code}:email", "Choose one of the ways"),
        ({f"{ROTA.code}:email": ""}, f"{ROTA.code}:email", "Choose how often this comes"),
        ({"email": "not an address"}, "email", "Enter an email address such as"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_nothing_is_written(
    client_for, community, member, changes, field, message
):
    client = client_for(member)
    response = client.get(own_url(community))
    # Something else changed too, so a save would write a row.
    data = form_data(response, **{f"{ROTA.code}:email": "weekly"})
    data.update(changes)
    refused = client.post(own_url(community), data)
    assert refused.status_code == 400
    form = refused.context["form"]
    assert any(message in str(error) for error in form.errors[field])
    page = refused.content.decode()
    assert f'id="id_{field}_error"' in page
    assert counts() == (0, 0)


def test_a_text_digest_posted_by_hand_is_refused(client_for, community, member):
    CommunityChannels.objects.create(community=community, texts_enabled=True)
    client = client_for(member)
    response = client.get(own_url(community))
    refused = client.post(
        own_url(community),
        form_data(response, **{f"{ROTA.code}:sms": "daily"}, phone="07700 900123"),
    )
    assert refused.status_code == 400
    assert f"{ROTA.code}:sms" in refused.context["form"].errors
    assert counts() == (0, 0)


def test_a_letter_name_without_an_address_is_refused(client_for, community, coordinator, member):
    CommunityChannels.objects.create(community=community, letters_enabled=True)
    client = client_for(coordinator)
    response = client.get(person_url(community, member))
    refused = client.post(person_url(community, member), form_data(response, letter_name="Sam"))
    assert refused.status_code == 400
    assert "Enter the address letters go to" in str(refused.context["form"].errors)
    assert counts() == (0, 0)


def test_a_mobile_number_that_is_not_one_is_refused(client_for, community, member):
    CommunityChannels.objects.create(community=community, texts_enabled=True)
    client = client_for(member)
    response = client.get(own_url(community))
    refused = client.post(own_url(community), form_data(response, phone="call me"))
    assert refused.status_code == 400
    assert "Enter a mobile number" in str(refused.context["form"].errors["phone"])
    assert counts() == (0, 0)


def test_the_page_reads_a_fixed_number_of_queries_however_many_choices_were_set(
    client_for, community, coordinator, member, django_assert_max_num_queries
):
    CommunityChannels.objects.create(community=community, texts_enabled=True, letters_enabled=True)
    client = client_for(coordinator)
    url = person_url(community, member)
    client.get(url)  # the session is warm
    for kind in kinds.all_kinds():
        for channel in ("email", "letter"):
            Preference.objects.create(
                community=community,
                person=member,
                kind=kind.code,
                channel=channel,
                frequency="weekly",
                set_by=coordinator.membership,
            )
    ContactSettings.objects.create(
        community=community,
        person=member,
        letter_address="1 Mill Row\nHX7 8AA",
        set_by=coordinator.membership,
    )
    with django_assert_max_num_queries(12):
        response = client.get(url)
    # One line under each kind the member is offered, and one under where it goes.
    offered = len(kinds_for(member))
    assert response.content.decode().count("Set by Cath Coordinator") == offered + 1
