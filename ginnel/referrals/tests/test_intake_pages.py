"""The referral forms as people use them: asking for a link worker, referring someone who
agreed (and, for staff, someone new or a phoned-in referral), and sending one in from
an organisation; each sent once, shown back, and refused to whoever may not send it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from ginnel.communities.models import Membership
from ginnel.errors import GinnelError
from ginnel.people.models import Person, User
from ginnel.referrals import services
from ginnel.referrals.models import (
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferrerKind,
    ReferringOrganisation,
)
from ginnel.referrals.views_intake import _who_contacts

TODAY = timezone.localdate


def refer_me_url(community):
    return reverse("referrals:refer_me", args=[community.slug])


def refer_url(community):
    return reverse("referrals:refer_someone", args=[community.slug])


def organisation_url(community):
    return reverse("referrals:refer_from_organisation", args=[community.slug])


def counts():
    """The rows a referral form may write."""
    return (Referral.objects.count(), Person.objects.count(), Membership.objects.count())


def error_next_to(response, field: str, message: str) -> None:
    """The message is in the field's own error paragraph (and so by the field)."""
    body = response.content.decode()
    start = body.index(f'id="id_{field}_error"')
    paragraph = body[start : body.index("</p>", start)]
    assert message in paragraph.replace("&#x27;", "'"), paragraph


@pytest.fixture
def practice(seeded, as_, coordinator):
    return services.organisation_add(
        access=as_(coordinator), kind="gp_practice", name="Hebble End Surgery"
    )


@pytest.fixture
def gp_user(db):
    return User.objects.create_user("dr.shah@example.org", "a long test password 42")


@pytest.fixture
def gp(practice, as_, coordinator, gp_user):
    return services.referrer_add(
        access=as_(coordinator),
        organisation=practice,
        name="Dr Asha Shah",
        job_title="GP",
        user=gp_user,
    )


@pytest.fixture
def gp_client(gp, gp_user, client):
    client.force_login(gp_user)
    return client


def someone_form(who, offered, **extra):
    return {
        "person": str(who.pk),
        "reasons": [str(offered["loneliness"].pk), str(offered["bereavement"].pk)],
        "what_matters": "Getting back to the allotment with someone to talk to.",
        "urgency": "soon",
        "risks": "Lives alone; has a dog that barks at visitors.",
        "contact_by": "phone",
        "phone": "07700 900123",
        "accessibility_needs": "Hard of hearing: speak slowly.",
        "language": "Urdu",
        "interpreter_needed": "on",
        "consent_statement": "Agreed when we spoke at the café on Tuesday.",
        "consent_given_on": (TODAY() - timedelta(days=2)).isoformat(),
        **extra,
    }


def organisation_form(offered, **extra):
    return {
        "display_name": "Harold Pike",
        "reasons": [str(offered["loneliness"].pk)],
        "what_matters": "Feeling useful again.",
        "urgency": "routine",
        "contact_by": "letter",
        "address": "4 Mill Lane, Hebble End",
        "consent_statement": "Agreed in consultation.",
        "consent_given_on": TODAY().isoformat(),
        **extra,
    }


# A member asks for a link worker ---------------------------------------------------------------


def test_a_member_asks_for_a_link_worker_and_sees_it_back(client_for, member, reasons):
    client = client_for(member)
    page = client.get(refer_me_url(member.community))
    assert page.status_code == 200
    # Reasons are offered through the catalogue, in plain words.
    assert "Loneliness and isolation" in page.content.decode()

    response = client.post(
        refer_me_url(member.community),
        {
            "reasons": [str(reasons["loneliness"].pk)],
            "what_matters": "I want to get out more and meet people.",
            "contact_by": "text",
            "phone": "07700 900456",
            "language": "Polish",
        },
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "referrals:refer_sent", args=[member.community.slug, referral.pk]
    )
    assert referral.person == member
    assert referral.referrer.kind == ReferrerKind.SELF
    assert (referral.contact_by, referral.phone, referral.language) == (
        "text",
        "07700 900456",
        "Polish",
    )
    assert referral.consent_given_on == TODAY()
    assert "myself" in referral.consent_statement
    assert str(TODAY().year) in referral.consent_statement
    shown = client.get(response["Location"]).content.decode()
    assert "I want to get out more and meet people." in shown
    assert "Loneliness and isolation" in shown
    assert "07700 900456" in shown
    # The person reads their own: no read is recorded.
    assert ReferralRead.objects.count() == 0


def test_asking_for_a_link_worker_needs_a_reason_and_the_number_for_a_text(
    client_for, member, reasons
):
    before = counts()

    response = client_for(member).post(
        refer_me_url(member.community), {"contact_by": "text", "phone": " "}
    )

    assert response.status_code == 400
    error_next_to(response, "reasons", "Choose at least one thing you would like help with.")
    error_next_to(response, "phone", "Enter your phone number, so we can call or text you.")
    assert counts() == before


def test_asking_through_a_carer_needs_their_phone_number(client_for, member, reasons):
    before = counts()

    response = client_for(member).post(
        refer_me_url(member.community),
        {
            "reasons": [str(reasons["carer"].pk)],
            "contact_by": "carer",
            "carer_name": "Jo Pike",
        },
    )

    assert response.status_code == 400
    error_next_to(response, "carer_phone", "Enter their phone number.")
    assert counts() == before


def test_a_retired_reason_is_no_longer_offered_or_taken(
    client_for, member, reasons, as_, coordinator
):
    services.reason_retire(access=as_(coordinator), reason=reasons["housing"])
    client = client_for(member)
    assert "Housing" not in client.get(refer_me_url(member.community)).content.decode()
    before = counts()

    response = client.post(
        refer_me_url(member.community),
        {"reasons": [str(reasons["housing"].pk)], "contact_by": "phone", "phone": "0123"},
    )

    assert response.status_code == 400
    error_next_to(response, "reasons", "Choose reasons from this community's list.")
    assert counts() == before


# A member, link worker or coordinator refers someone -------------------------------------------


def test_a_member_refers_someone_who_agreed(client_for, member, client_person, reasons):
    client = client_for(member)

    response = client.post(refer_url(member.community), someone_form(client_person, reasons))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.person == client_person
    assert referral.referrer.kind == ReferrerKind.ON_BEHALF
    assert referral.referrer.membership == member.membership
    assert sorted(r.code for r in referral.reasons.all()) == ["bereavement", "loneliness"]
    assert (referral.urgency, referral.language, referral.interpreter_needed) == (
        "soon",
        "Urdu",
        True,
    )
    assert referral.consent_given_on == TODAY() - timedelta(days=2)
    shown = client.get(response["Location"])
    body = shown.content.decode()
    assert "Rhoda Referred" in body
    assert "Getting back to the allotment with someone to talk to." in body
    assert "Bereavement" in body
    assert "a link worker will phone Rhoda Referred" in body
    # The sender is not the person: reading it back is recorded like any other read.
    read = ReferralRead.objects.get()
    assert (read.reader, read.person, read.what) == (member.membership, client_person, "sent")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reasons": []}, "reasons", "Choose at least one reason for the referral."),
        (
            {"consent_statement": "  "},
            "consent_statement",
            "Say how the person agreed to be referred.",
        ),
        (
            {"consent_given_on": (TODAY() + timedelta(days=1)).isoformat()},
            "consent_given_on",
            "The date they agreed cannot be in the future.",
        ),
        ({"consent_given_on": ""}, "consent_given_on", "Enter the date the person agreed"),
        ({"phone": ""}, "phone", "Enter a phone number to call or text."),
        (
            {"contact_by": "carer", "carer_name": "Jo Pike", "carer_phone": ""},
            "carer_phone",
            "Enter the carer's phone number.",
        ),
        ({"contact_by": "letter"}, "address", "Enter a postal address for letters."),
        ({"contact_by": "email"}, "email", "Enter an email address."),
        ({"what_matters": "x" * 4001}, "what_matters", "Shorten this to 4000 characters or fewer"),
        ({"phone": "0" * 33}, "phone", "Shorten this to 32 characters or fewer"),
        ({"person": ""}, "person", "Search for the person you are referring, then choose them."),
    ],
)
def test_a_referral_with_bad_input_comes_back_with_the_message_by_the_field(
    client_for, member, client_person, reasons, change, field, message
):
    before = counts()

    response = client_for(member).post(
        refer_url(member.community), someone_form(client_person, reasons, **change)
    )

    assert response.status_code == 400
    error_next_to(response, field, message)
    # What was typed is kept.
    assert "Agreed when we spoke" in response.content.decode() or field == "consent_statement"
    assert counts() == before


def test_a_member_cannot_choose_a_referrer_or_refer_someone_new(
    client_for, member, client_person, reasons, gp
):
    before = counts()
    client = client_for(member)
    assert 'name="referrer"' not in client.get(refer_url(member.community)).content.decode()

    as_referrer = client.post(
        refer_url(member.community), someone_form(client_person, reasons, referrer=str(gp.pk))
    )
    someone_new = client.post(
        refer_url(member.community),
        someone_form(client_person, reasons, person="", new_person_name="Nell New"),
    )

    assert (as_referrer.status_code, someone_new.status_code) == (403, 403)
    assert counts() == before


def test_a_link_worker_writes_down_a_referral_a_gp_phoned_in(
    client_for, link_worker, client_person, reasons, gp
):
    client = client_for(link_worker)
    page = client.get(refer_url(link_worker.community)).content.decode()
    assert "Dr Asha Shah, GP, at Hebble End Surgery" in page

    response = client.post(
        refer_url(link_worker.community), someone_form(client_person, reasons, referrer=str(gp.pk))
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert (referral.referrer, referral.organisation) == (gp, gp.organisation)
    # Both names are kept: the referrer, and the link worker who wrote it down.
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.actor, event.actor_referrer) == (link_worker.membership, gp)
    body = client.get(response["Location"]).content.decode()
    assert "Dr Asha Shah at Hebble End Surgery" in body


def test_a_referrer_at_an_organisation_that_stopped_is_not_offered_or_taken(
    client_for, coordinator, practice, gp, client_person, reasons
):
    ReferringOrganisation.objects.filter(pk=practice.pk).update(is_active=False)
    client = client_for(coordinator)
    before = counts()

    page = client.get(refer_url(coordinator.community)).content.decode()
    stale = client.post(
        refer_url(coordinator.community), someone_form(client_person, reasons, referrer=str(gp.pk))
    )

    assert "Dr Asha Shah" not in page
    assert stale.status_code == 400
    error_next_to(stale, "referrer", "Choose a referrer from the list.")
    assert counts() == before


def test_a_coordinator_refers_someone_new_who_is_recorded_without_a_login(
    client_for, coordinator, reasons
):
    people = Person.objects.count()
    form = someone_form(coordinator, reasons, person="", new_person_name=" Nell Newcome ")
    form["contact_by"] = "email"
    form["email"] = "nell@example.org"

    response = client_for(coordinator).post(refer_url(coordinator.community), form)

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert Person.objects.count() == people + 1
    assert referral.person.display_name == "Nell Newcome"
    assert referral.person.membership.user is None
    assert referral.person.contact_email == "nell@example.org"
    assert referral.referrer.membership == coordinator.membership


def test_someone_new_with_a_bad_referral_is_not_recorded_either(client_for, coordinator, reasons):
    before = counts()
    form = someone_form(coordinator, reasons, person="", new_person_name="Nell Newcome")
    form["phone"] = ""

    response = client_for(coordinator).post(refer_url(coordinator.community), form)

    assert response.status_code == 400
    error_next_to(response, "phone", "Enter a phone number to call or text.")
    assert counts() == before


def test_staff_choose_someone_or_give_a_new_name(client_for, coordinator, client_person, reasons):
    before = counts()
    client = client_for(coordinator)

    neither = client.post(
        refer_url(coordinator.community), someone_form(client_person, reasons, person="")
    )
    both = client.post(
        refer_url(coordinator.community),
        someone_form(client_person, reasons, new_person_name="Nell Newcome"),
    )

    error_next_to(neither, "person", "or give the name of someone new")
    error_next_to(both, "new_person_name", "not both")
    assert counts() == before


def test_the_person_picker_works_without_javascript(client_for, member, client_person, reasons):
    """The "Search" button sends the form back with the matches to choose from, values kept."""
    before = counts()
    form = someone_form(client_person, reasons, person="", person_q="rhoda", person_find="1")

    response = client_for(member).post(refer_url(member.community), form)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{client_person.pk}"' in body
    assert "Rhoda Referred" in body
    assert "Getting back to the allotment with someone to talk to." in body
    assert "There is a problem" not in body
    assert counts() == before


def test_refer_them_from_a_persons_page_starts_with_them_chosen(
    client_for, link_worker, client_person, outsider
):
    url = refer_url(link_worker.community)

    chosen = client_for(link_worker).get(url, {"person": client_person.pk}).content.decode()
    elsewhere = client_for(link_worker).get(url, {"person": outsider.pk}).content.decode()

    pk = client_person.pk
    assert f'value="{pk}" id="id_person_{pk}" checked' in chosen
    assert "Rhoda Referred" in chosen
    assert "Otto Outsider" not in elsewhere


def test_the_picker_search_as_one_types_lists_members_of_this_community_only(
    client_for, member, client_person, outsider, make_member, other_community
):
    make_member(other_community, name="Rhoda Elsewhere")
    url = reverse("referrals:refer_person_search", args=[member.community.slug])

    response = client_for(member).get(url, {"field": "person", "person_q": "rhoda"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Rhoda Referred" in body
    assert "Rhoda Elsewhere" not in body
    assert client_for(member).get(url, {"field": "nope"}).status_code == 404


# Someone at a referring organisation sends one in -----------------------------------------------


def test_a_gp_sends_a_referral_and_sees_what_happens_next(gp_client, gp, community, reasons):
    people = Person.objects.count()

    response = gp_client.post(organisation_url(community), organisation_form(reasons))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "referrals:refer_from_organisation_sent", args=[community.slug, referral.pk]
    )
    assert Person.objects.count() == people + 1
    assert referral.person.display_name == "Harold Pike"
    assert referral.person.membership.user is None
    assert (referral.referrer, referral.address) == (gp, "4 Mill Lane, Hebble End")
    body = gp_client.get(response["Location"]).content.decode()
    assert "What happens next" in body
    assert "a link worker will write to Harold Pike" in body
    assert "Feeling useful again." in body
    # Three failed tries close it, unless the community changed that.
    assert "after 3 tries" in body


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "Enter the name of the person you are referring."),
        ({"reasons": []}, "reasons", "Choose at least one reason for the referral."),
        (
            {"consent_statement": ""},
            "consent_statement",
            "Say how the person agreed to be referred.",
        ),
        (
            {"consent_given_on": (TODAY() + timedelta(days=3)).isoformat()},
            "consent_given_on",
            "cannot be in the future",
        ),
        ({"address": ""}, "address", "Enter a postal address for letters."),
        ({"contact_by": "phone"}, "phone", "Enter a phone number to call or text."),
        (
            {"contact_by": "carer", "carer_name": "Jo Pike"},
            "carer_phone",
            "Enter the carer's phone number.",
        ),
        ({"display_name": "H" * 81}, "display_name", "Shorten this to 80 characters or fewer"),
        ({"risks": "r" * 4001}, "risks", "Shorten this to 4000 characters or fewer"),
    ],
)
def test_a_bad_referral_from_an_organisation_writes_nothing(
    gp_client, gp, community, reasons, change, field, message
):
    before = counts()

    response = gp_client.post(organisation_url(community), organisation_form(reasons, **change))

    assert response.status_code == 400
    error_next_to(response, field, message)
    assert counts() == before


def test_a_gp_at_two_practices_says_which_one_the_referral_is_from(
    gp_client, gp, gp_user, community, reasons, as_, coordinator
):
    other = services.organisation_add(
        access=as_(coordinator), kind="pcn", name="Calder Primary Care Network"
    )
    at_other = services.referrer_add(
        access=as_(coordinator), organisation=other, name="Dr Asha Shah", user=gp_user
    )
    stranger = services.referrer_add(access=as_(coordinator), organisation=other, name="Dr Who")
    url = organisation_url(community)
    assert "Calder Primary Care Network" in gp_client.get(url).content.decode()
    before = counts()

    not_mine = gp_client.post(url, organisation_form(reasons, send_as=str(stranger.pk)))
    assert not_mine.status_code == 400
    error_next_to(not_mine, "send_as", "Choose an organisation from the list.")
    assert counts() == before

    gp_client.post(url, organisation_form(reasons, send_as=str(at_other.pk)))

    referral = Referral.objects.get()
    assert (referral.referrer, referral.organisation) == (at_other, other)


def test_a_referrer_whose_organisation_stopped_is_refused(gp_client, gp, community, reasons):
    ReferringOrganisation.objects.filter(pk=gp.organisation_id).update(is_active=False)
    before = counts()

    assert gp_client.get(organisation_url(community)).status_code == 403
    assert (
        gp_client.post(organisation_url(community), organisation_form(reasons)).status_code == 403
    )
    assert counts() == before


def test_someone_logged_in_who_is_not_a_referrer_here_is_refused(
    client_for, member, outsider, community, reasons
):
    before = counts()

    for person in (member, outsider):
        client = client_for(person)
        assert client.get(organisation_url(community)).status_code == 403
        assert (
            client.post(organisation_url(community), organisation_form(reasons)).status_code == 403
        )

    assert counts() == before


# Who may send, and who sees it back -------------------------------------------------------------


@pytest.mark.parametrize("name", ["refer_me", "refer_someone", "refer_from_organisation"])
def test_anonymous_visitors_are_sent_to_log_in(client, community, name):
    url = reverse(f"referrals:{name}", args=[community.slug])

    response = client.get(url)

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", ["refer_me", "refer_someone", "refer_person_search"])
def test_a_member_of_another_community_is_refused(client_for, outsider, seeded, reasons, name):
    url = reverse(f"referrals:{name}", args=[seeded.slug])
    client = client_for(outsider)
    before = counts()

    assert client.get(url).status_code == 403
    assert client.post(url, {"reasons": [str(reasons["loneliness"].pk)]}).status_code in (403, 405)
    assert counts() == before


def test_a_referral_is_shown_back_only_to_the_session_that_sent_it(
    client_for, member, client_person, link_worker, reasons
):
    sent = client_for(member).post(
        refer_url(member.community), someone_form(client_person, reasons)
    )
    location = sent["Location"]

    # The same member in another browser, and another member: no such page.
    assert client_for(member).get(location).status_code == 404
    assert client_for(link_worker).get(location).status_code == 404


def test_a_gp_sees_only_their_own_referral_back(
    gp_client, gp, community, reasons, client_for, member
):
    sent = gp_client.post(organisation_url(community), organisation_form(reasons))
    referral = Referral.objects.get()
    member_url = reverse("referrals:refer_sent", args=[community.slug, referral.pk])

    assert client_for(member).get(member_url).status_code == 404
    assert client_for(member).get(sent["Location"]).status_code == 403


# The sentence that says what happens next -------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    contact_by=st.sampled_from(["phone", "text", "letter", "email", "carer"]),
    is_self=st.booleans(),
    name=st.text(alphabet=st.characters(categories=["L", "Zs"]), min_size=1, max_size=40),
)
def test_what_happens_next_always_says_who_will_be_contacted(contact_by, is_self, name):
    person = Person(display_name=name)
    referral = Referral(person=person, contact_by=contact_by)

    sentence = _who_contacts(referral, is_self=is_self)

    if is_self:
        assert sentence.startswith("Your link worker will")
    else:
        assert sentence.startswith("Once it is accepted, a link worker will")
        assert name in sentence


def test_the_anonymous_user_has_no_referrer_records(community):
    from ginnel.referrals.referrer_access import referrers_of

    assert referrers_of(AnonymousUser(), community) == []


def test_a_name_too_long_for_the_record_is_refused_by_the_service_too(gp, reasons):
    """The FHIR intake has no form in front of it: the service keeps the name's length."""
    before = counts()
    details = services.ReferralDetails(
        consent_statement="Agreed.", consent_given_on=TODAY(), contact_by="letter", address="4 Mill"
    )

    with pytest.raises(GinnelError) as error:
        services.referral_receive(
            referrer=gp, display_name="H" * 81, reasons=[reasons["loneliness"]], details=details
        )

    assert error.value.field == "display_name"
    assert counts() == before


def test_the_staff_form_reads_the_same_number_of_queries_however_many_referrers(
    client_for, coordinator, practice, gp, as_
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    url = refer_url(coordinator.community)
    client.get(url)  # the session settles on the first visit
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(4):
        services.referrer_add(access=as_(coordinator), organisation=practice, name=f"Nurse {n}")
    with CaptureQueriesContext(connection) as five:
        page = client.get(url)

    assert "Nurse 3" in page.content.decode()
    assert len(five.captured_queries) == len(one.captured_queries)
