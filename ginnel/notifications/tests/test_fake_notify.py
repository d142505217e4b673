"""The fake GOV.UK Notify answers the real client as Notify does, and only with the right key."""

from __future__ import annotations

import time

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from ginnel.testing.fake_notify import FakeNotify, make_api_key

TEMPLATE = "5f2f2a51-8a0a-4b6c-9e34-1f6b0c1d2e3f"


@pytest.fixture
def notify():
    with FakeNotify() as fake:
        yield fake


def client_for(notify, api_key=None, timeout=5):
    return NotificationsAPIClient(
        api_key or notify.api_key, base_url=notify.base_url, timeout=timeout
    )


def test_a_key_has_notifys_shape_a_name_then_two_uuids():
    key = make_api_key("ginnel")
    name, rest = key.split("-", 1)
    assert name == "ginnel"
    assert len(rest) == 73
    assert rest[36] == "-"


def test_it_listens_only_on_this_machine(notify):
    assert notify.base_url.startswith("http://127.0.0.1:")


def test_an_email_is_accepted_with_notifys_answer_and_recorded(notify):
    answer = client_for(notify).send_email_notification(
        email_address="mo@example.org",
        template_id=TEMPLATE,
        personalisation={"subject": "Hours to confirm", "body": "Please confirm"},
        reference="12:email",
        one_click_unsubscribe_url="https://ginnel.example/u/abc/",
    )
    assert set(answer) >= {"id", "reference", "content", "template", "uri"}
    assert answer["reference"] == "12:email"
    assert answer["content"]["subject"] == "Hours to confirm"
    assert answer["content"]["body"] == "Please confirm"
    assert answer["template"]["id"] == TEMPLATE
    assert answer["uri"].endswith(f"/v2/notifications/{answer['id']}")
    [sent] = notify.sent
    assert sent["type"] == "email"
    assert sent["email_address"] == "mo@example.org"
    assert sent["personalisation"] == {"subject": "Hours to confirm", "body": "Please confirm"}
    assert sent["one_click_unsubscribe_url"] == "https://ginnel.example/u/abc/"


def test_texts_and_letters_are_accepted(notify):
    client = client_for(notify)
    sms = client.send_sms_notification(
        phone_number="07700900123", template_id=TEMPLATE, personalisation={"body": "Hi"}
    )
    letter = client.send_letter_notification(
        template_id=TEMPLATE,
        personalisation={
            "address_line_1": "Sam Carer",
            "address_line_2": "1 Mill Row",
            "address_line_3": "HX7 8AA",
            "body": "Dear Sam",
        },
        reference="9:letter",
    )
    assert sms["content"]["from_number"] == "GOVUK"
    assert letter["reference"] == "9:letter"
    assert [n["type"] for n in notify.sent] == ["sms", "letter"]


def test_a_letter_needs_three_address_lines(notify):
    with pytest.raises(HTTPError) as refused:
        client_for(notify).send_letter_notification(
            template_id=TEMPLATE, personalisation={"address_line_1": "Sam", "address_line_2": "HX7"}
        )
    assert refused.value.status_code == 400
    assert notify.sent == []


def test_a_notification_is_found_by_its_reference_and_its_id(notify):
    client = client_for(notify)
    first = client.send_email_notification(
        email_address="a@example.org", template_id=TEMPLATE, reference="1:email"
    )
    client.send_email_notification(
        email_address="b@example.org", template_id=TEMPLATE, reference="2:email"
    )
    found = client.get_all_notifications(reference="1:email")["notifications"]
    assert [n["id"] for n in found] == [first["id"]]
    assert found[0]["email_address"] == "a@example.org"
    assert client.get_all_notifications(reference="3:email")["notifications"] == []
    assert client.get_notification_by_id(first["id"])["reference"] == "1:email"
    with pytest.raises(HTTPError) as missing:
        client.get_notification_by_id("00000000-0000-0000-0000-000000000000")
    assert missing.value.status_code == 404


def test_a_key_with_another_secret_is_refused(notify):
    service_and_name = notify.api_key[:-36]
    wrong_secret = make_api_key()[-36:]
    with pytest.raises(HTTPError) as refused:
        client_for(notify, api_key=service_and_name + wrong_secret).send_sms_notification(
            phone_number="07700900123", template_id=TEMPLATE
        )
    assert refused.value.status_code == 403
    assert notify.sent == []


def test_a_key_of_another_service_is_refused(notify):
    with pytest.raises(HTTPError) as refused:
        client_for(notify, api_key=make_api_key()).send_sms_notification(
            phone_number="07700900123", template_id=TEMPLATE
        )
    assert refused.value.status_code == 403


def test_failures_come_when_asked_then_it_answers_again(notify):
    notify.fail_next(2, status=503)
    client = client_for(notify)
    for _ in range(2):
        with pytest.raises(HTTPError) as failed:
            client.send_sms_notification(phone_number="07700900123", template_id=TEMPLATE)
        assert failed.value.status_code == 503
    client.send_sms_notification(phone_number="07700900123", template_id=TEMPLATE)
    assert len(notify.sent) == 1


def test_a_held_send_is_recorded_even_when_the_client_gives_up_waiting(notify):
    notify.hold(2)
    started = time.monotonic()
    with pytest.raises(HTTPError):  # the client's timeout, reported as 503
        client_for(notify, timeout=0.3).send_sms_notification(
            phone_number="07700900123", template_id=TEMPLATE, reference="7:sms"
        )
    assert time.monotonic() - started < 2
    assert [n["reference"] for n in notify.sent] == ["7:sms"]
    notify.hold(0)


def test_it_stops_when_the_block_ends():
    with FakeNotify() as fake:
        url = fake.base_url
    client = NotificationsAPIClient(fake.api_key, base_url=url, timeout=1)
    with pytest.raises(HTTPError):
        client.get_all_notifications()
