"""Channels: Django email with one-click unsubscribe, GOV.UK Notify over HTTP, the words sent."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ginnel.notifications import channels, dispatch
from ginnel.notifications.channels import ChannelUnavailable, Message, SendFailed, sender_for
from ginnel.notifications.channels.django_email import DjangoEmail
from ginnel.notifications.channels.notify import NotifyEmail, NotifyLetter, NotifySms
from ginnel.notifications.kinds import Channel
from ginnel.notifications.models import ContactSettings
from ginnel.notifications.rendering import SMS_LIMIT, Undeliverable, cap_sms, letter_lines
from ginnel.notifications.tests.sending import (
    BARE,
    EMAIL_TEMPLATE,
    LETTER_TEMPLATE,
    SENSITIVE,
    SITE,
    SMS_TEMPLATE,
    reachable,
    tell,
    use_notify,
    use_test_templates,
)
from ginnel.testing.fake_notify import FakeNotify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(settings):
    use_test_templates(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.GINNEL_NOTIFY_API_KEY = ""


@pytest.fixture
def fake(settings):
    with FakeNotify() as notify:
        use_notify(settings, notify)
        yield notify


def message(channel=Channel.EMAIL, **changes):
    values = {
        "channel": channel,
        "to": "mo@example.org",
        "to_name": "Mo Member",
        "subject": "Ironing & folding needs you",
        "body": "Hello Mo",
        "reference": "41:email",
        "unsubscribe_url": "",
    }
    return Message(**{**values, **changes})


# Django's email ------------------------------------------------------------------------------


def test_django_email_carries_the_one_click_unsubscribe_headers():
    DjangoEmail().send(message(unsubscribe_url=f"{SITE}/notifications/unsubscribe/abc/"))
    [sent] = mail.outbox
    assert sent.to == ["Mo Member <mo@example.org>"]
    assert sent.subject == "Ironing & folding needs you"
    assert sent.extra_headers["List-Unsubscribe"] == f"<{SITE}/notifications/unsubscribe/abc/>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_django_email_without_an_unsubscribe_address_has_no_such_headers():
    reference = DjangoEmail().send(message())
    [sent] = mail.outbox
    assert "List-Unsubscribe" not in sent.extra_headers
    assert sent.extra_headers["Message-ID"] == reference


def test_smtp_cannot_be_asked_what_it_accepted():
    assert DjangoEmail().find("41:email") is None


class RefusingBackend:
    error: Exception = smtplib.SMTPRecipientsRefused({"mo@example.org": (550, b"No such user")})

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise self.error


class BusyBackend(RefusingBackend):
    error = smtplib.SMTPResponseException(451, b"Try again later")


class AwayBackend(RefusingBackend):
    error = ConnectionRefusedError("Connection refused")


@pytest.mark.parametrize(
    ("backend", "retry"),
    [("RefusingBackend", False), ("BusyBackend", True), ("AwayBackend", True)],
)
def test_mail_server_failures_are_retried_only_when_they_may_pass(settings, backend, retry):
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    with pytest.raises(SendFailed) as failed:
        DjangoEmail().send(message())
    assert failed.value.retry is retry


# GOV.UK Notify over HTTP ---------------------------------------------------------------------


def test_notify_email_sends_subject_body_reference_and_unsubscribe(fake):
    reference = NotifyEmail.from_settings().send(
        message(unsubscribe_url=f"{SITE}/notifications/unsubscribe/abc/")
    )
    [sent] = fake.sent
    assert reference == sent["id"]
    assert sent["type"] == "email"
    assert sent["template_id"] == EMAIL_TEMPLATE
    assert sent["email_address"] == "mo@example.org"
    assert sent["reference"] == "41:email"
    assert sent["personalisation"] == {"subject": "Ironing & folding needs you", "body": "Hello Mo"}
    assert sent["one_click_unsubscribe_url"] == f"{SITE}/notifications/unsubscribe/abc/"


def test_notify_sms_sends_the_number_and_words(fake):
    NotifySms.from_settings().send(
        message(Channel.SMS, to="07700 900123", body="Ironing is waiting", reference="41:sms")
    )
    [sent] = fake.sent
    assert sent["type"] == "sms"
    assert sent["template_id"] == SMS_TEMPLATE
    assert sent["phone_number"] == "07700 900123"
    assert sent["personalisation"]["body"] == "Ironing is waiting"
    assert sent["reference"] == "41:sms"


def test_notify_letter_sends_the_name_then_the_address_lines(fake):
    NotifyLetter.from_settings().send(
        message(
            Channel.LETTER,
            to="1 Mill Row\nHebble End\nHX7 8AA",
            to_name="Sam Carer",
            body="Dear Sam",
            reference="41:letter",
        )
    )
    [sent] = fake.sent
    assert sent["template_id"] == LETTER_TEMPLATE
    assert sent["personalisation"] == {
        "subject": "Ironing & folding needs you",
        "body": "Dear Sam",
        "address_line_1": "Sam Carer",
        "address_line_2": "1 Mill Row",
        "address_line_3": "Hebble End",
        "address_line_4": "HX7 8AA",
    }


def test_a_letter_whose_lines_begin_with_the_name_has_it_once(fake):
    NotifyLetter.from_settings().send(
        message(
            Channel.LETTER,
            to="Sam Carer\n1 Mill Row\nHX7 8AA",
            to_name="Sam Carer",
            reference="42:letter",
        )
    )
    [sent] = fake.sent
    lines = [sent["personalisation"].get(f"address_line_{n}") for n in range(1, 5)]
    assert lines == ["Sam Carer", "1 Mill Row", "HX7 8AA", None]


def test_notify_finds_a_message_by_its_reference_and_only_that_one(fake):
    sender = NotifySms.from_settings()
    first = sender.send(message(Channel.SMS, to="07700900123", reference="7:sms"))
    sender.send(message(Channel.SMS, to="07700900123", reference="8:sms"))
    assert sender.find("7:sms") == first
    assert sender.find("9:sms") is None


@pytest.mark.parametrize(
    ("status", "retry"), [(500, True), (503, True), (429, True), (400, False), (403, False)]
)
def test_notify_errors_are_retried_only_when_they_may_pass(fake, status, retry):
    fake.fail_next(1, status=status)
    with pytest.raises(SendFailed) as failed:
        NotifySms.from_settings().send(message(Channel.SMS, to="07700900123"))
    assert failed.value.retry is retry
    assert str(status) in str(failed.value)
    assert fake.sent == []


def test_notify_out_of_reach_is_retried(settings, fake):
    address = fake.base_url
    fake.stop()
    settings.GINNEL_NOTIFY_BASE_URL = address
    with pytest.raises(SendFailed) as failed:
        NotifySms.from_settings().send(message(Channel.SMS, to="07700900123"))
    assert failed.value.retry is True


# Which sender serves which channel -----------------------------------------------------------


def test_without_a_notify_key_email_goes_by_django_and_there_are_no_texts_or_letters():
    assert isinstance(sender_for(Channel.EMAIL), DjangoEmail)
    for channel in (Channel.SMS, Channel.LETTER):
        with pytest.raises(ChannelUnavailable):
            sender_for(channel)


def test_with_a_notify_key_texts_and_letters_go_by_notify_and_email_as_chosen(settings, fake):
    assert isinstance(sender_for(Channel.SMS), NotifySms)
    assert isinstance(sender_for(Channel.LETTER), NotifyLetter)
    assert isinstance(sender_for(Channel.EMAIL), DjangoEmail)
    settings.GINNEL_NOTIFY_EMAIL_CHANNEL = "notify"
    assert isinstance(sender_for(Channel.EMAIL), NotifyEmail)


def test_a_channel_without_its_notify_template_is_unavailable(settings, fake):
    settings.GINNEL_NOTIFY_LETTER_TEMPLATE = ""
    with pytest.raises(ChannelUnavailable):
        channels.sender_for(Channel.LETTER)


# The words sent ------------------------------------------------------------------------------


def test_an_email_is_written_from_the_kinds_templates_with_an_absolute_link(community, member):
    deliveries = tell(community, member)
    written = dispatch.render(deliveries["email"])
    assert written.to == "member@example.org"
    assert written.subject == "Ironing & folding needs you"  # plain text: nothing escaped
    assert "Hello Mo Member," in written.body
    assert "Ironing & folding is waiting for you in Calder Vale Timebank." in written.body
    assert f"{SITE}/c/calder-vale/things/1/" in written.body
    assert written.reference == deliveries["email"].idempotency_key


def test_texts_and_letters_are_written_from_their_own_templates(community, member):
    reachable(community, member)
    deliveries = tell(community, member)
    text = dispatch.render(deliveries["sms"])
    assert text.to == "07700 900123"
    assert text.body == f"Ironing & folding is waiting: {SITE}/c/calder-vale/things/1/"
    letter = dispatch.render(deliveries["letter"])
    assert letter.to_name == "Sam Carer"
    assert letter.to == "1 Mill Row\nHebble End\nHX7 8AA"
    assert letter.body.startswith("Dear Mo Member, Ironing & folding is waiting for you.")


def test_a_kind_without_text_or_letter_templates_texts_its_title_and_posts_its_email(
    community, member
):
    reachable(community, member)
    deliveries = tell(community, member, kind=BARE)
    assert dispatch.render(deliveries["sms"]).body == (
        f"Ironing & folding needs you\n{SITE}/c/calder-vale/things/1/"
    )
    assert "Hello Mo Member," in dispatch.render(deliveries["letter"]).body


def test_a_sensitive_kind_says_only_that_something_is_waiting(community, member):
    reachable(community, member)
    deliveries = tell(
        community, member, kind=SENSITIVE, context={"condition": "Low mood after a bereavement"}
    )
    link = f"{SITE}/c/calder-vale/things/1/"
    for channel in ("email", "sms", "letter"):
        written = dispatch.render(deliveries[channel])
        assert written.body == f"Something is waiting for you in Ginnel: {link}"
        assert written.subject == "Something is waiting for you in Ginnel"


def test_no_context_of_a_sensitive_kind_reaches_email_text_or_letter(community, member):
    reachable(community, member)
    deliveries = tell(community, member, kind=SENSITIVE, context={"condition": "x"})

    @hypothesis_settings(max_examples=40, deadline=None)
    @given(secret=st.text(min_size=1, max_size=40))
    def check(secret):
        for delivery in deliveries.values():
            delivery.notification.context = {"condition": f"SECRET[{secret}]"}
            written = dispatch.render(delivery)
            assert "SECRET[" not in written.body
            assert "SECRET[" not in written.subject

    check()


def test_a_letter_without_a_usable_address_cannot_be_written(community, member):
    reachable(community, member, address="Somewhere near the mill")
    deliveries = tell(community, member)
    with pytest.raises(Undeliverable, match="at least two lines"):
        dispatch.render(deliveries["letter"])


def test_the_person_s_name_goes_on_a_letter_when_no_other_is_set(community, member):
    reachable(community, member)
    ContactSettings.objects.filter(person=member).update(letter_name="")
    deliveries = tell(community, member)
    assert dispatch.render(deliveries["letter"]).to_name == "Mo Member"


# Addresses and text length -------------------------------------------------------------------


def test_an_address_on_one_line_is_split_at_its_commas_and_its_postcode_tidied():
    assert letter_lines("Sam Carer", "1 Mill Row, Hebble End,  hx78aa ") == [
        "Sam Carer",
        "1 Mill Row",
        "Hebble End",
        "HX7 8AA",
    ]


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("HX7 8AA", "at least two lines"),
        ("1 Mill Row\nHebble End", "postcode"),
        ("1\n2\n3\n4\n5\n6\nHX7 8AA", "more than six lines"),
    ],
)
def test_an_address_notify_could_not_post_to_is_refused_in_plain_words(address, problem):
    with pytest.raises(Undeliverable, match=problem):
        letter_lines("Sam Carer", address)


def test_a_letter_needs_a_name():
    with pytest.raises(Undeliverable, match="no name"):
        letter_lines("  ", "1 Mill Row\nHX7 8AA")


@given(body=st.text(max_size=2000), path=st.text(alphabet="abc/", max_size=30))
def test_a_text_is_never_longer_than_four_fragments_and_keeps_its_link(body, path):
    url = f"{SITE}/{path}"
    capped = cap_sms(f"{body} {url}", url)
    assert len(capped) <= SMS_LIMIT
    assert url in capped


def test_a_short_text_is_left_as_it_is():
    assert cap_sms("Ironing is waiting: https://x.example/1", "https://x.example/1") == (
        "Ironing is waiting: https://x.example/1"
    )
