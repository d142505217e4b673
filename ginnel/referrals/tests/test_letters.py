"""Letters back to the referrer: what they say, who reads them, and the email that carries them."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PASSWORD
from ginnel.communities.models import Community
from ginnel.people.models import Person, User
from ginnel.referrals import letters, services
from ginnel.referrals.models import (
    CloseOutcome,
    EventKind,
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferralState,
    Referrer,
    ReferrerKind,
)
from ginnel.referrals.tests.conftest import split

# What the referral says about the person: none of it may appear in a letter.
WHAT_MATTERS = "Getting back to the allotment since losing Joan."
RISKS = "Has a dog that bites strangers at the door."
CONSENT = "Agreed in consultation on the phone."
CONVERSATION = "Talked about the divorce and the drinking."
CLOSING_NOTE = "Still low about the divorce but going to the lunch club."
CONNECTION = "Hebble End Allotment Society"
SECRETS = (WHAT_MATTERS, RISKS, CONSENT, CONVERSATION, CLOSING_NOTE, CONNECTION, "divorce")

DECLINE_REASON = "We only take referrals for people living in Calder Vale."
SERVICE = "Calder Vale Carers' Centre"
PRACTICE_EMAIL = "letters@hebble-end.example.org"


def today_in_words() -> str:
    today = timezone.localdate()
    return f"{today.day} {today:%B} {today.year}"


@pytest.fixture
def practice(seeded, as_, coordinator):
    return services.organisation_add(
        access=as_(coordinator),
        kind="gp_practice",
        name="Hebble End Surgery",
        email=PRACTICE_EMAIL,
    )


@pytest.fixture
def quiet_practice(seeded, as_, coordinator):
    """A practice with no email address for letters."""
    return services.organisation_add(
        access=as_(coordinator), kind="gp_practice", name="Mytholm Medical Centre"
    )


def _referrer(as_, coordinator, organisation, name, email, **extra):
    user = User.objects.create_user(email, PASSWORD)
    return services.referrer_add(
        access=as_(coordinator), organisation=organisation, name=name, user=user, **extra
    )


@pytest.fixture
def gp(practice, as_, coordinator):
    return _referrer(as_, coordinator, practice, "Dr Asha Shah", "asha@example.org", job_title="GP")


@pytest.fixture
def other_gp(quiet_practice, as_, coordinator):
    """A referrer with a login at another organisation."""
    return _referrer(as_, coordinator, quiet_practice, "Dr Ben Okafor", "ben@example.org")


def send(referrer: Referrer, reasons, name: str = "Harold Pike", **extra) -> Referral:
    fields = {
        "display_name": name,
        "reasons": [reasons["bereavement"]],
        "consent_statement": CONSENT,
        "consent_given_on": timezone.localdate(),
        "contact_by": "phone",
        "phone": "07700 900456",
        "what_matters": WHAT_MATTERS,
        "risks": RISKS,
        **extra,
    }
    return services.referral_receive(referrer=referrer, **split(fields))


@pytest.fixture
def sent(gp, reasons):
    return send(gp, reasons, external_id="SR-4471", external_system="https://emis.example.org")


def accept(referral, as_, coordinator, link_worker):
    return services.referral_accept(
        access=as_(coordinator), referral=referral, link_worker=link_worker.membership
    )


def only_letter(referral: Referral) -> letters.Letter:
    found = letters.letters_for(Referral.objects.get(pk=referral.pk))
    assert len(found) == 1
    return found[0]


def assert_private(text: str, reasons=None) -> None:
    for secret in SECRETS:
        assert secret not in text
    for reason in reasons or ():
        assert reason.label not in text


# What the letters say -------------------------------------------------------------------------


def test_an_accepted_referral_gets_a_letter_naming_the_link_worker(
    sent, as_, coordinator, link_worker, reasons
):
    accept(sent, as_, coordinator, link_worker)
    letter = only_letter(sent)
    text = letter.as_text()
    assert letter.title == "Referral accepted"
    assert letter.to_lines == ("Dr Asha Shah", "GP", "Hebble End Surgery")
    assert "Dear Dr Asha Shah," in text
    assert "About: Harold Pike" in text
    assert "Your reference: SR-4471" in text
    assert f"We accepted your referral of Harold Pike on {today_in_words()}." in text
    assert "Their link worker is Lin Linkworker." in text
    assert "Lin Linkworker will get in touch with Harold Pike" in text
    assert "contact Lin Linkworker, the link worker, at Calder Vale Timebank: link@example.org" in (
        text
    )
    assert "SNOMED" not in text
    assert_private(text, [reasons["bereavement"]])


def test_a_declined_referral_gets_the_reason_given_and_the_code_for_the_record(
    sent, as_, coordinator, reasons
):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    letter = only_letter(sent)
    text = letter.as_text()
    assert letter.title == "Referral declined"
    assert f"We declined your referral of Harold Pike on {today_in_words()}." in text
    assert f"The reason given: {DECLINE_REASON}" in text
    assert letter.code_line == (
        "Code for your records: SNOMED CT 871711000000103 Social prescribing declined"
    )
    assert "contact Cath Coordinator at Calder Vale Timebank: coord@example.org." in text
    assert_private(text, [reasons["bereavement"]])


def test_a_redirected_referral_names_the_service_it_went_to(sent, as_, coordinator):
    services.referral_redirect(
        access=as_(coordinator), referral=sent, to_service=SERVICE, reason=CONVERSATION
    )
    text = only_letter(sent).as_text()
    assert f"we passed your referral of Harold Pike to {SERVICE}." in text
    assert "SNOMED" not in text
    assert_private(text)


def test_a_closed_referral_says_the_outcome_and_nothing_of_the_conversation_or_connections(
    sent, as_, coordinator, link_worker, yesterday, member
):
    accept(sent, as_, coordinator, link_worker)
    lw = as_(link_worker)
    services.first_conversation_record(
        access=lw, referral=sent, happened_on=yesterday, notes=CONVERSATION
    )
    services.connection_record(access=lw, referral=sent, kind="group", target_label=CONNECTION)
    services.referral_close(access=lw, referral=sent, outcome="connected", note=CLOSING_NOTE)
    found = letters.letters_for(Referral.objects.get(pk=sent.pk))
    assert [f.title for f in found] == ["Referral accepted", "Referral closed"]
    text = found[1].as_text()
    assert f"We closed the referral of Harold Pike on {today_in_words()}." in text
    assert "Harold Pike was connected to support." in text
    assert_private(text)


def test_a_referral_closed_as_could_not_contact_says_how_many_tries(
    sent, as_, coordinator, link_worker, yesterday
):
    accept(sent, as_, coordinator, link_worker)
    for outcome in ("no_answer", "left_message", "wrong_number"):
        services.contact_attempt_log(
            access=as_(link_worker),
            referral=sent,
            happened_on=yesterday,
            channel="phone",
            outcome=outcome,
            note=CONVERSATION,
        )
    assert Referral.objects.get(pk=sent.pk).state == ReferralState.CLOSED
    closed = letters.letters_for(Referral.objects.get(pk=sent.pk))[-1]
    text = closed.as_text()
    assert "We could not reach Harold Pike: we tried 3 times to make contact." in text
    assert "If you have new contact details for Harold Pike" in text
    assert_private(text)


def test_someone_who_referred_themselves_gets_no_letters(refer, as_, client_person, coordinator):
    referral = refer(by=client_person)
    services.referral_decline(access=as_(coordinator), referral=referral, reason=DECLINE_REASON)
    assert referral.referrer.kind == ReferrerKind.SELF
    assert letters.letters_for(Referral.objects.get(pk=referral.pk)) == []


@settings(max_examples=60, deadline=None)
@given(
    outcome=st.sampled_from(CloseOutcome.values),
    note=st.text(min_size=1, max_size=40),
    failed=st.integers(min_value=0, max_value=10),
)
def test_a_closing_letter_never_carries_the_note_or_the_referral_content(outcome, note, failed):
    """Whatever the outcome and whatever was written at the close, only the outcome is said."""
    community = Community(name="Calder Vale Timebank", slug="calder-vale")
    person = Person(display_name="Harold Pike")
    referrer = Referrer(kind=ReferrerKind.EXTERNAL, name="Dr Asha Shah")
    referral = Referral(
        pk=7,
        community=community,
        person=person,
        referrer=referrer,
        what_matters=WHAT_MATTERS,
        risks=RISKS,
        outcome=outcome,
    )
    marked = f"zq-private {note}"
    tries = ReferralEvent(pk=1, kind=EventKind.CONTACT_ATTEMPT, detail={"failed": failed})
    close = ReferralEvent(
        pk=2, kind=EventKind.CLOSED, text=marked, detail={"outcome": outcome}, at=timezone.now()
    )
    text = letters._letter(referral, close, [tries, close], {}).as_text()
    assert "zq-private" not in text
    assert WHAT_MATTERS not in text
    assert RISKS not in text
    said_tries = f"we tried {failed} time" in text
    assert said_tries == (outcome == CloseOutcome.COULD_NOT_CONTACT and failed > 0)


def test_the_pdf_draws_the_letters_words_and_nothing_private(sent, as_, coordinator):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    letter = only_letter(sent)
    drawn = "\n".join(
        flowable.getPlainText()
        for flowable in letters.letter_story(letter)
        if hasattr(flowable, "getPlainText")
    )
    assert f"The reason given: {DECLINE_REASON}" in drawn
    assert "SNOMED CT 871711000000103 Social prescribing declined" in drawn
    assert "Hebble End Surgery" in drawn
    assert_private(drawn)
    data = letters.letter_pdf(letter)
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data  # the TrueType font is embedded


# The staff pages ------------------------------------------------------------------------------


def letters_url(community, referral):
    return reverse("referrals:letters", args=[community.slug, referral.pk])


def letter_url(community, referral, event_id, name="referrals:letter"):
    return reverse(name, args=[community.slug, referral.pk, event_id])


def test_the_link_worker_reads_the_letters_and_the_read_is_recorded(
    sent, as_, coordinator, link_worker, client_for, community
):
    accept(sent, as_, coordinator, link_worker)
    letter = only_letter(sent)
    client = client_for(link_worker)
    listing = client.get(letters_url(community, sent))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Referral accepted" in page
    assert PRACTICE_EMAIL in page
    assert letter_url(community, sent, letter.event_id) in page
    one = client.get(letter_url(community, sent, letter.event_id))
    assert one.status_code == 200
    assert "Their link worker is Lin Linkworker." in one.content.decode()
    pdf = client.get(letter_url(community, sent, letter.event_id, "referrals:letter_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    for response in (listing, one):
        assert_private(response.content.decode())
    reads = ReferralRead.objects.filter(referral=sent, what="letters")
    assert reads.count() == 3
    assert {r.reader_id for r in reads} == {link_worker.membership_id}


def test_a_letter_page_finds_only_letter_entries_of_that_referral(
    sent, as_, coordinator, link_worker, client_for, community, gp, reasons
):
    accept(sent, as_, coordinator, link_worker)
    received = ReferralEvent.objects.get(referral=sent, kind=EventKind.RECEIVED)
    other = accept(send(gp, reasons, name="Ivy Marsh"), as_, coordinator, link_worker)
    others_letter = only_letter(other)
    client = client_for(coordinator)
    assert client.get(letter_url(community, sent, received.pk)).status_code == 404
    assert client.get(letter_url(community, sent, others_letter.event_id)).status_code == 404


def test_a_coordinator_sees_when_letters_cannot_be_emailed(
    other_gp, reasons, as_, coordinator, client_for, community
):
    referral = send(other_gp, reasons)
    services.referral_decline(access=as_(coordinator), referral=referral, reason=DECLINE_REASON)
    page = client_for(coordinator).get(letters_url(community, referral)).content.decode()
    assert "There is no email address for letters from this referrer" in page
    assert "Referral declined" in page


@pytest.mark.parametrize("who", ["member", "analyst", "other_link_worker", "outsider"])
def test_people_who_may_not_read_the_referral_do_not_find_its_letters(
    who, request, sent, as_, coordinator, link_worker, client_for, community
):
    accept(sent, as_, coordinator, link_worker)
    letter = only_letter(sent)
    client = client_for(request.getfixturevalue(who))
    before = ReferralRead.objects.count()
    for url in (
        letters_url(community, sent),
        letter_url(community, sent, letter.event_id),
        letter_url(community, sent, letter.event_id, "referrals:letter_pdf"),
    ):
        response = client.get(url)
        expected = 403 if who == "outsider" else 404
        assert response.status_code == expected
        assert "Lin Linkworker" not in response.content.decode()
    assert ReferralRead.objects.count() == before


def test_a_referrer_is_not_let_into_the_staff_pages(sent, gp, as_, coordinator, community):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    client = Client()
    client.force_login(gp.user)
    assert client.get(letters_url(community, sent)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(sent, as_, coordinator, community):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    letter = only_letter(sent)
    for url in (
        letters_url(community, sent),
        letter_url(community, sent, letter.event_id),
        letter_url(community, sent, letter.event_id, "referrals:letter_pdf"),
        reverse("referrals:referrer_home", args=[community.slug]),
        letter_url(community, sent, letter.event_id, "referrals:referrer_letter"),
        letter_url(community, sent, letter.event_id, "referrals:referrer_letter_pdf"),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


# The referrer's own pages ---------------------------------------------------------------------


def referrer_client(referrer: Referrer) -> Client:
    client = Client()
    client.force_login(referrer.user)
    return client


def test_a_referrer_lists_their_organisations_referrals_with_the_latest_letter(
    sent, gp, as_, coordinator, link_worker, community, reasons, other_gp
):
    accept(sent, as_, coordinator, link_worker)
    waiting = send(gp, reasons, name="Ivy Marsh")
    elsewhere = send(other_gp, reasons, name="Stan Other")
    latest = only_letter(sent)
    response = referrer_client(gp).get(reverse("referrals:referrer_home", args=[community.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harold Pike" in page
    assert "Ivy Marsh" in page
    assert elsewhere.person.display_name not in page
    assert "Accepted, waiting for first contact" in page
    assert "Received, waiting to be allocated" in page
    assert letter_url(community, sent, latest.event_id, "referrals:referrer_letter") in page
    assert waiting.pk != sent.pk
    assert_private(page, [reasons["bereavement"]])


def test_a_referrer_reads_a_letter_and_its_pdf(sent, gp, as_, coordinator, community):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    letter = only_letter(sent)
    client = referrer_client(gp)
    page = client.get(letter_url(community, sent, letter.event_id, "referrals:referrer_letter"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "The reason given: We only take referrals for people living in Calder Vale." in (
        text.replace("&#x27;", "'")
    )
    assert "871711000000103" in text
    assert_private(text)
    pdf = client.get(letter_url(community, sent, letter.event_id, "referrals:referrer_letter_pdf"))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_a_referrer_from_another_organisation_finds_no_letter(
    sent, other_gp, as_, coordinator, community
):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    letter = only_letter(sent)
    client = referrer_client(other_gp)
    for name in ("referrals:referrer_letter", "referrals:referrer_letter_pdf"):
        response = client.get(letter_url(community, sent, letter.event_id, name))
        assert response.status_code == 404
        assert DECLINE_REASON not in response.content.decode()


def test_members_and_staff_who_are_not_referrers_are_refused_the_referrer_pages(
    sent, as_, coordinator, member, link_worker, client_for, community
):
    services.referral_decline(access=as_(coordinator), referral=sent, reason=DECLINE_REASON)
    letter = only_letter(sent)
    for person in (member, coordinator, link_worker):
        client = client_for(person)
        home = client.get(reverse("referrals:referrer_home", args=[community.slug]))
        assert home.status_code == 403
        one = client.get(letter_url(community, sent, letter.event_id, "referrals:referrer_letter"))
        assert one.status_code == 403


def test_the_referrers_list_reads_the_same_number_of_queries_for_one_referral_or_five(
    gp, reasons, as_, coordinator, link_worker, community, django_assert_max_num_queries
):
    client = referrer_client(gp)
    url = reverse("referrals:referrer_home", args=[community.slug])
    accept(send(gp, reasons), as_, coordinator, link_worker)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(4):
        accept(send(gp, reasons, name=f"Person {n}"), as_, coordinator, link_worker)
    with django_assert_max_num_queries(len(one)):
        assert client.get(url).status_code == 200


def test_the_referrers_list_is_paged(gp, reasons, community):
    for n in range(letters.PER_PAGE + 1):
        send(gp, reasons, name=f"Patient {n:02d}")
    client = referrer_client(gp)
    url = reverse("referrals:referrer_home", args=[community.slug])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    # Newest first: the first one sent is alone on the second page.
    assert "Patient 00" in second
    assert "Patient 00" not in first
    assert "Patient 25" in first
    assert "Page 2 of 2" in second


# Email ----------------------------------------------------------------------------------------


def to_practice():
    """The emails to the practice: the letters (staff told by notifications are not)."""
    return [m for m in mail.outbox if m.to == [PRACTICE_EMAIL]]


def test_an_accepted_referral_is_emailed_once_to_the_practice(
    sent, as_, coordinator, link_worker, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accept(sent, as_, coordinator, link_worker)
    assert len(to_practice()) == 1
    email = to_practice()[0]
    letter = only_letter(sent)
    assert email.to == [PRACTICE_EMAIL]
    assert email.subject == "Referral accepted: Harold Pike"
    assert "Their link worker is Lin Linkworker." in email.body
    assert letter_url(community, sent, letter.event_id, "referrals:referrer_letter") in email.body
    assert_private(email.body + email.subject)


def test_steps_that_are_not_letters_send_no_email(
    sent, as_, coordinator, link_worker, yesterday, django_capture_on_commit_callbacks
):
    accept(sent, as_, coordinator, link_worker)
    with django_capture_on_commit_callbacks(execute=True):
        services.first_conversation_record(
            access=as_(link_worker), referral=sent, happened_on=yesterday, notes=CONVERSATION
        )
        services.follow_up_schedule(
            access=as_(link_worker), referral=sent, due_on=timezone.localdate()
        )
    assert mail.outbox == []


def test_no_email_is_sent_when_neither_organisation_nor_referrer_has_an_address(
    other_gp, reasons, as_, coordinator, django_capture_on_commit_callbacks
):
    referral = send(other_gp, reasons)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decline(access=as_(coordinator), referral=referral, reason="Not here.")
    assert mail.outbox == []
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.DECLINED


def test_the_referrers_own_address_is_used_when_the_organisation_has_none(
    quiet_practice, reasons, as_, coordinator, django_capture_on_commit_callbacks
):
    referrer = services.referrer_add(
        access=as_(coordinator),
        organisation=quiet_practice,
        name="Dr Cara Nwosu",
        email="cara@mytholm.example.org",
    )
    referral = send(referrer, reasons)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decline(access=as_(coordinator), referral=referral, reason="Not here.")
    assert [m.to for m in mail.outbox] == [["cara@mytholm.example.org"]]
    assert "SNOMED CT 871711000000103" in mail.outbox[0].body


def test_a_failure_to_send_is_logged_and_the_step_stands(
    sent, as_, coordinator, link_worker, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("The mail server is down.")

    monkeypatch.setattr(letters, "send_mail", broken)
    with (
        caplog.at_level(logging.ERROR, logger="ginnel.referrals.letters"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        accept(sent, as_, coordinator, link_worker)
    assert Referral.objects.get(pk=sent.pk).state == ReferralState.ACCEPTED
    assert to_practice() == []
    assert "could not be emailed" in caplog.text


def test_generated_steps_can_be_written_without_emailing_their_letters(
    sent, as_, coordinator, link_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), letters.letters_not_emailed():
        accept(sent, as_, coordinator, link_worker)
    assert to_practice() == []
    assert [letter.title for letter in letters.letters_for(sent)] == ["Referral accepted"]


@pytest.mark.django_db(transaction=True)
def test_the_email_goes_only_after_the_step_commits(sent, as_, coordinator, link_worker):
    accept(sent, as_, coordinator, link_worker)
    assert len(to_practice()) == 1
    assert "Harold Pike" in to_practice()[0].subject
