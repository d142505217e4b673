"""A person's copy of everything held about them, and staff producing one for a person."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ginnel.audit.export import subject_access
from ginnel.audit.models import ExportRecord
from ginnel.communities.models import Role
from ginnel.people import services as people_services
from ginnel.people.models import Person
from ginnel.referrals import selectors as referral_selectors
from ginnel.timebank import services as timebank_services


def _url(name: str, person: Person, **kwargs: object) -> str:
    return reverse(f"audit:{name}", kwargs={"community": person.community.slug, **kwargs})


@pytest.fixture
def neighbour(community, make_member):
    return make_member(community, name="Nia Neighbour", email="nia@example.org")


@pytest.fixture
def offline(community, make_member):
    """Someone a coordinator looks after, with no login of their own."""
    person = make_member(community, name="Olive Offline")
    person.membership.user = None
    person.membership.save(update_fields=["user"])
    return person


def _goal(as_, person, title):
    goal = people_services.goal_create(access=as_(person), person=person, title=title)
    people_services.step_add(
        access=as_(person), goal=goal, text=f"First step of {title}", due_on=None
    )
    return goal


# What the export holds ------------------------------------------------------------------------


def test_a_members_copy_holds_their_exchange_goal_and_ledger(member, neighbour, as_, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    exchange = timebank_services.exchange_record(
        access=as_(member),
        other_id=neighbour.pk,
        i_gave=True,
        minutes=90,
        happened_on=yesterday,
        description="Fixed a bike wheel",
    )
    timebank_services.exchange_confirm(access=as_(neighbour), exchange=exchange)
    _goal(as_, member, "Get back to swimming")

    response = client_for(member).get(_url("my_data_json", member))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["person"]["display_name"] == "Mo Member"
    assert data["membership"]["login_email"] == "member@example.org"
    [row] = data["exchanges"]
    assert row["description"] == "Fixed a bike wheel"
    assert row["role"] == "gave"
    assert row["receiver"] == "Nia Neighbour"
    [goal] = data["goals"]
    assert goal["title"] == "Get back to swimming"
    assert [s["text"] for s in goal["steps"]] == ["First step of Get back to swimming"]
    assert goal["history"], "the goal's history is there"
    # Gave 90 minutes: the account holds +90.
    assert data["ledger"]["balance"] == 90
    assert [e["minutes"] for e in data["ledger"]["entries"]] == [90]


def test_other_people_appear_by_name_only_never_their_contact_details(member, neighbour, as_):
    yesterday = timezone.localdate() - timedelta(days=1)
    timebank_services.exchange_record(
        access=as_(member),
        other_id=neighbour.pk,
        i_gave=False,
        minutes=30,
        happened_on=yesterday,
        description="Lent a ladder",
    )
    text = json.dumps(subject_access(member))
    assert "Nia Neighbour" in text
    assert "nia@example.org" not in text
    assert f'"{neighbour.pk}"' not in text


def test_referral_content_and_who_read_it_are_in_the_persons_copy(member, coordinator, refer, as_):
    referral = refer(member, what_matters="Back to the allotment")
    referral_selectors.referral_read(access=as_(coordinator), referral_id=referral.pk)

    data = subject_access(member)

    [row] = data["referrals"]
    assert row["what_matters"] == "Back to the allotment"
    assert row["events"], "the referral's history is there"
    assert {"who": "Cath Coordinator"}.items() <= data["reads_of_sensitive_records"][0].items()


def test_coach_notes_and_consents_are_in_the_persons_copy(member, coordinator, as_):
    people_services.note_add(access=as_(coordinator), person=member, text="Keen on walking")
    data = subject_access(member)
    assert [(n["text"], n["by"]) for n in data["coach_notes"]] == [
        ("Keen on walking", "Cath Coordinator")
    ]


texts = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=12),
    min_size=1,
    max_size=3,
    unique=True,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mine=texts, theirs=texts)
def test_a_copy_holds_ones_own_records_and_nothing_private_of_anyone_else(
    member, neighbour, coordinator, refer, as_, mine, theirs
):
    """Goals, coach notes and referrals of two people: each copy holds only its own."""
    tag = f"x{ExportRecord.objects.count()}{Person.objects.count()}{len(mine)}{len(theirs)}"
    own = {f"mine {t} {tag}" for t in mine}
    other = {f"theirs {t} {tag}" for t in theirs}
    for person, words in ((member, own), (neighbour, other)):
        for word in words:
            people_services.goal_create(access=as_(person), person=person, title=word[:200])
            people_services.note_add(access=as_(coordinator), person=person, text=word)
            refer(person, what_matters=word)

    text = json.dumps(subject_access(member))

    assert all(word in text for word in own)
    assert not any(word in text for word in other)


# The pages ------------------------------------------------------------------------------------


def test_the_page_explains_the_copy_and_offers_both_forms(member, client_for):
    response = client_for(member).get(_url("my_data", member))
    assert response.status_code == 200
    page = response.content.decode()
    assert _url("my_data_json", member) in page
    assert _url("my_data_view", member) in page
    assert ExportRecord.objects.count() == 0, "reading about the copy makes none"


def test_the_readable_page_shows_the_members_goal(member, as_, client_for):
    _goal(as_, member, "Learn to bake bread")
    response = client_for(member).get(_url("my_data_view", member))
    assert response.status_code == 200
    assert "Learn to bake bread" in response.content.decode()


@pytest.mark.parametrize("name", ["my_data_json", "my_data_view"])
def test_a_persons_own_copy_writes_one_export_record(member, client_for, name):
    client_for(member).get(_url(name, member))
    [record] = ExportRecord.objects.all()
    assert (record.by, record.whose, record.reason) == (member.membership, member, "")
    assert record.format == ("json" if name == "my_data_json" else "html")


def test_the_record_of_an_earlier_copy_is_in_the_next_one(member, client_for):
    client = client_for(member)
    client.get(_url("my_data_view", member))
    data = json.loads(client.get(_url("my_data_json", member)).content)
    assert [(e["by"], e["format"]) for e in data["exports"]] == [("Mo Member", "html")]


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_a_coordinator_produces_the_copy_of_a_person_without_a_login(
    offline, coordinator, client_for, as_, fmt
):
    people_services.note_add(access=as_(coordinator), person=offline, text="Likes the library")
    response = client_for(coordinator).post(
        _url("person_data", offline, person_id=offline.pk),
        {"reason": "Request by letter, 3 March", "format": fmt},
    )
    assert response.status_code == 200
    assert "Likes the library" in response.content.decode()
    [record] = ExportRecord.objects.all()
    assert (record.by, record.whose) == (coordinator.membership, offline)
    assert (record.reason, record.format) == ("Request by letter, 3 March", fmt)


def test_an_administrator_may_produce_a_persons_copy(community, make_member, member, client_for):
    admin = make_member(community, roles=[Role.ADMINISTRATOR], name="Adi Admin")
    response = client_for(admin).post(
        _url("person_data", member, person_id=member.pk),
        {"reason": "Their request by phone", "format": "json"},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["display_name"] == "Mo Member"
    assert ExportRecord.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_staff_copy_without_a_reason_is_refused_by_the_field_and_writes_nothing(
    offline, coordinator, client_for, reason
):
    response = client_for(coordinator).post(
        _url("person_data", offline, person_id=offline.pk), {"reason": reason, "format": "json"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [
        "Write why you are producing this person's data, for example the request it answers."
    ]
    assert ExportRecord.objects.count() == 0


def test_a_staff_copy_without_a_form_is_refused_by_the_field(offline, coordinator, client_for):
    response = client_for(coordinator).post(
        _url("person_data", offline, person_id=offline.pk), {"reason": "Asked", "format": "pdf"}
    )
    assert response.status_code == 400
    assert "format" in response.context["form"].errors
    assert ExportRecord.objects.count() == 0


# Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LINK_WORKER, Role.ANALYST, Role.ORG_EDITOR])
def test_only_coordinators_and_administrators_may_produce_anothers_copy(
    community, make_member, offline, client_for, role
):
    asker = make_member(community, roles=[role])
    url = _url("person_data", offline, person_id=offline.pk)
    client = client_for(asker)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Curious", "format": "json"}).status_code == 403
    assert ExportRecord.objects.count() == 0


def test_a_coordinator_of_another_community_is_refused(offline, outsider, client_for):
    url = _url("person_data", offline, person_id=offline.pk)
    response = client_for(outsider).post(url, {"reason": "Asked", "format": "json"})
    assert response.status_code == 403
    assert ExportRecord.objects.count() == 0


def test_a_coordinator_cannot_reach_a_person_of_another_community_through_their_own(
    coordinator, outsider, client_for
):
    url = reverse(
        "audit:person_data",
        kwargs={"community": coordinator.community.slug, "person_id": outsider.pk},
    )
    response = client_for(coordinator).post(url, {"reason": "Asked", "format": "json"})
    assert response.status_code == 404
    assert ExportRecord.objects.count() == 0


@pytest.mark.parametrize("name", ["my_data", "my_data_json", "my_data_view"])
def test_a_member_of_another_community_has_no_copy_here(member, outsider, client_for, name):
    assert client_for(outsider).get(_url(name, member)).status_code == 403
    assert ExportRecord.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(member, offline, client_for):
    client = client_for(None)
    for url in (
        _url("my_data", member),
        _url("my_data_json", member),
        _url("my_data_view", member),
        _url("person_data", offline, person_id=offline.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
    assert ExportRecord.objects.count() == 0


def test_export_records_cannot_be_changed_or_deleted(member, client_for):
    from ginnel.referrals.models import AppendOnly

    client_for(member).get(_url("my_data_json", member))
    with pytest.raises(AppendOnly):
        ExportRecord.objects.update(reason="changed")
    with pytest.raises(AppendOnly):
        ExportRecord.objects.all().delete()


# Where the pages are linked from ---------------------------------------------------------------


def test_your_details_links_to_your_data(member, client_for):
    page = client_for(member).get(reverse("communities:me", args=[member.community.slug]))
    assert _url("my_data", member) in page.content.decode()


@pytest.mark.parametrize(("role", "linked"), [(Role.COORDINATOR, True), (Role.LINK_WORKER, False)])
def test_a_persons_staff_page_links_to_their_copy_for_coordinators_only(
    community, make_member, member, client_for, role, linked
):
    staff = make_member(community, roles=[role])
    page = client_for(staff).get(
        reverse("web:person", kwargs={"community": community.slug, "person_id": member.pk})
    )
    assert page.status_code == 200
    assert (_url("person_data", member, person_id=member.pk) in page.content.decode()) is linked


def test_the_copy_asks_the_database_the_same_number_of_times_however_much_is_held(
    member, neighbour, coordinator, refer, as_
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_one(n: int) -> None:
        goal = _goal(as_, member, f"Goal {n}")
        people_services.goal_create(access=as_(coordinator), person=member, title=f"Coached {n}")
        people_services.note_add(access=as_(coordinator), person=member, text=f"Note {n}")
        refer(member, what_matters=f"Matters {n}")
        exchange = timebank_services.exchange_record(
            access=as_(member),
            other_id=neighbour.pk,
            i_gave=n % 2 == 0,
            minutes=30,
            happened_on=timezone.localdate() - timedelta(days=1),
            description=f"Exchange {n}",
        )
        timebank_services.exchange_confirm(access=as_(neighbour), exchange=exchange)
        assert goal.pk

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            subject_access(Person.objects.get(pk=member.pk))
        return len(captured)

    add_one(1)
    few = queries()
    for n in range(2, 5):
        add_one(n)
    assert queries() == few


def test_a_coordinators_copy_records_a_read_of_each_referral_the_person_then_sees(
    member, coordinator, refer, client_for
):
    refer(member, what_matters="Back to the allotment")
    refer(member, what_matters="A walking group")
    client_for(coordinator).post(
        _url("person_data", member, person_id=member.pk),
        {"reason": "Their request in person", "format": "json"},
    )
    data = json.loads(client_for(member).get(_url("my_data_json", member)).content)
    reads = [(r["who"], r["what"]) for r in data["reads_of_sensitive_records"]]
    assert reads == [("Cath Coordinator", "subject access copy")] * 2
    assert [(e["by"], e["reason"]) for e in data["exports"]] == [
        ("Cath Coordinator", "Their request in person")
    ]


def test_a_persons_own_copy_records_no_read_of_their_referrals(member, refer, client_for):
    refer(member, what_matters="Back to the allotment")
    data = json.loads(client_for(member).get(_url("my_data_json", member)).content)
    assert data["reads_of_sensitive_records"] == []
