"""One-click unsubscribe: from an email, with no login, for one kind by one channel only."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ginnel.notifications import kinds
from ginnel.notifications.kinds import Channel, Frequency, Kind
from ginnel.notifications.models import Preference
from ginnel.notifications.unsubscribe import make_token, read_token, unsubscribe_url

pytestmark = pytest.mark.django_db

NEWS = kinds.register(
    Kind(
        code="tests.unsubscribe_news",
        label="News from the tests",
        audience="Whoever the test names",
        templates="notifications/tests/tried",
    )
)
OTHER = kinds.register(
    Kind(
        code="tests.unsubscribe_other",
        label="Something else from the tests",
        audience="Whoever the test names",
        templates="notifications/tests/tried",
    )
)


def path_of(url: str) -> str:
    return url[url.index("/notifications/") :]


def chosen(person) -> dict[tuple[str, str], str]:
    return {(p.kind, p.channel): p.frequency for p in Preference.objects.filter(person=person)}


@override_settings(SITE_URL="https://ginnel.example.org")
def test_the_link_is_absolute_and_reads_back_as_what_it_was_made_for(member):
    url = unsubscribe_url(member, NEWS.code, Channel.EMAIL)
    assert url.startswith("https://ginnel.example.org/notifications/unsubscribe/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    asked = read_token(token)
    assert asked is not None
    assert (asked.person_id, asked.kind, asked.channel) == (member.pk, NEWS.code, Channel.EMAIL)


def test_opening_the_link_shows_one_button_and_changes_nothing(member):
    response = Client().get(path_of(unsubscribe_url(member, NEWS.code, Channel.EMAIL)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop these emails" in page
    assert "News from the tests" in page
    assert not Preference.objects.exists()


def test_the_button_stops_that_kind_by_email_without_signing_in(member, community):
    Preference.objects.create(
        community=community, person=member, kind=NEWS.code, channel="sms", frequency="daily"
    )
    response = Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe_url(member, NEWS.code, Channel.EMAIL)),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert "You will not get emails about" in response.content.decode()
    assert chosen(member) == {
        (NEWS.code, "email"): Frequency.OFF,
        (NEWS.code, "sms"): Frequency.DAILY,  # other channels as they were
    }
    # Other kinds keep their defaults: nothing is written for them.
    assert not Preference.objects.filter(kind=OTHER.code).exists()


def test_a_mail_clients_one_click_post_works_with_no_cookies_or_csrf_token(member, coordinator):
    response = Client(enforce_csrf_checks=True).post(
        path_of(unsubscribe_url(member, NEWS.code, Channel.EMAIL)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert chosen(member) == {(NEWS.code, "email"): Frequency.OFF}
    assert chosen(coordinator) == {}  # only that person
    assert Preference.objects.get(person=member).set_by == member.membership


def test_unsubscribing_twice_is_harmless(member):
    path = path_of(unsubscribe_url(member, NEWS.code, Channel.EMAIL))
    Client().post(path, {"List-Unsubscribe": "One-Click"})
    response = Client().post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.count() == 1


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.split(":")[0] + ":x:" + t.split(":", 1)[1],  # payload changed
        lambda t: t[: len(t) // 2],  # cut short
    ],
)
def test_a_tampered_token_is_refused_and_changes_nothing(member, spoil):
    token = spoil(make_token(member, NEWS.code, Channel.EMAIL))
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_token_for_another_person_cannot_be_made_by_editing_the_payload(member, coordinator):
    mine = make_token(member, NEWS.code, Channel.EMAIL)
    theirs = make_token(coordinator, NEWS.code, Channel.EMAIL)
    # The payload of one with the signature of the other.
    forged = theirs.rsplit(":", 1)[0] + ":" + mine.rsplit(":", 1)[1]
    response = Client().post(f"/notifications/unsubscribe/{forged}/")
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_a_token_signed_for_another_purpose_is_refused(member):
    from django.core import signing

    token = signing.dumps({"p": member.pk, "k": NEWS.code, "c": "email"}, compress=True)
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_after_unsubscribing_that_kind_sends_no_email_but_others_still_do(member, community):
    from ginnel.notifications import services
    from ginnel.notifications.models import Delivery

    Client().post(
        path_of(unsubscribe_url(member, NEWS.code, Channel.EMAIL)),
        {"List-Unsubscribe": "One-Click"},
    )
    services.notify(community=community, kind=NEWS.code, recipients=[member])
    services.notify(community=community, kind=OTHER.code, recipients=[member])
    assert list(Delivery.objects.values_list("notification__kind", "channel")) == [
        (OTHER.code, "email")
    ]


@given(
    person_id=st.integers(min_value=1, max_value=10**9),
    kind=st.from_regex(r"[a-z_]{1,20}\.[a-z_]{1,30}", fullmatch=True),
    channel=st.sampled_from(list(Channel)),
    data=st.data(),
)
@hypothesis_settings(max_examples=60, deadline=None)
def test_a_token_reads_back_exactly_and_any_one_changed_character_spoils_it(
    person_id, kind, channel, data
):
    token = make_token(person_id, kind, channel)
    asked = read_token(token)
    assert asked is not None
    assert (asked.person_id, asked.kind, asked.channel) == (person_id, kind, channel)

    where = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    other = data.draw(
        st.sampled_from(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:."
        ).filter(lambda c: c != token[where])
    )
    assert read_token(token[:where] + other + token[where + 1 :]) is None
