"""The monthly report's numbers against a small community worked out by hand, and
engaged referrals as ties in the network."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ginnel.communities.models import Membership
from ginnel.network.graph import community_network
from ginnel.network.metrics import TieKind, Window
from ginnel.people.models import Person
from ginnel.referrals import reports, services
from ginnel.referrals.models import (
    Administration,
    Answer,
    Connection,
    Referral,
    ReferralReasonLink,
    Referrer,
    ReferringOrganisation,
)

FEWER = "fewer than 5"
HIDDEN = "not shown: fewer than 5"
WITHHELD = "not shown"
MARCH = reports.Period(date(2026, 3, 1), date(2026, 3, 1))


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZoneInfo("Europe/London"))


class Town:
    """A community's referrals, written straight to the tables so the dates can be chosen."""

    def __init__(self, community, reasons, questionnaires, link_worker) -> None:
        self.community = community
        self.reasons = reasons
        self.questionnaires = questionnaires
        self.worker = link_worker.membership
        practice = ReferringOrganisation.objects.create(
            community=community, kind="gp_practice", name="Calder Practice"
        )
        self.gp = Referrer.objects.create(
            community=community, kind="external", organisation=practice, name="Dr Shah"
        )
        self.practice = practice
        self.count = 0

    def person(self) -> Person:
        self.count += 1
        membership = Membership.objects.create(community=self.community)
        return Person.objects.create(
            community=self.community, membership=membership, display_name=f"Client {self.count}"
        )

    def self_referrer(self, person: Person) -> Referrer:
        return Referrer.objects.create(
            community=self.community, kind="self", membership=person.membership, name="Self"
        )

    def referral(self, *, received, person=None, referrer=None, reasons=("loneliness",), **fields):
        person = person or self.person()
        referrer = referrer or self.gp
        referral = Referral.objects.create(
            community=self.community,
            person=person,
            referrer=referrer,
            organisation=referrer.organisation,
            consent_statement="Agreed.",
            consent_given_on=received.date(),
            received_at=received,
            **fields,
        )
        for code in reasons:
            ReferralReasonLink.objects.create(
                community=self.community, referral=referral, reason=self.reasons[code]
            )
        return referral

    def accepted(self, *, received, **fields):
        fields.setdefault("state", "engaged")
        return self.referral(
            received=received, link_worker=self.worker, accepted_at=received, **fields
        )

    def answers(self, referral, code, occasion, when, values):
        administration = Administration.objects.create(
            community=self.community,
            referral=referral,
            questionnaire=self.questionnaires[code],
            occasion=occasion,
            answered_by="with_link_worker",
            recorded_by=self.worker,
            answered_at=when,
        )
        Answer.objects.bulk_create(
            Answer(community=self.community, administration=administration, item=i, value=v)
            for i, v in values.items()
        )


@pytest.fixture
def town(seeded, reasons, questionnaires, link_worker):
    """March 2026, worked by hand:

    - received: 6 from Calder Practice (a GP practice), 2 self-referrals, none on behalf;
      one more from Calder in April. All 8 of March's give loneliness, 3 also money.
    - of March's 8: 6 accepted, 1 declined, 1 waiting → decided 7, accepted 6.
    - first contact in March for 5, after 1, 2, 3, 4 and 10 days:
      median 3.0; 90th percentile at rank 4 × 0.9 = 3.6 → 4 + 0.6 × (10 − 4) = 7.6 days.
    - connections made in March: 6 to timebank members (4 went, 1 did not, 1 pending),
      1 to a group.
    - closed in March: 5 goals met, 1 moved away.
    - ONS4 start and end (end in March) for 5 referrals: life satisfaction and happiness
      change by 1, 2, 3, 4, 5 (mean +3.00, 95% CI +1.04 to +4.96, see test_stats);
      worthwhile does not change; anxiety changes by −1 … −5 (mean −3.00, −4.96 to −1.04).
      A sixth has an end but no start; a seventh ended in April. UCLA-3: 3 pairs only.
    """
    t = Town(seeded, reasons, questionnaires, link_worker)
    gp = [t.accepted(received=at(3, 2 + i)) for i in range(5)]
    gp.append(t.referral(received=at(3, 20), state="declined", finished_at=at(3, 21)))
    for i in range(2):
        person = t.person()
        t.referral(
            received=at(3, 10 + i),
            person=person,
            referrer=t.self_referrer(person),
            reasons=("loneliness", "money"),
            **(
                {"state": "engaged", "link_worker": t.worker, "accepted_at": at(3, 12)}
                if i == 0
                else {}
            ),
        )
    ReferralReasonLink.objects.create(community=seeded, referral=gp[0], reason=t.reasons["money"])
    t.accepted(received=at(4, 3))  # April
    # Waiting: received on the 2nd…6th, first contact 1, 2, 3, 4, 10 days later.
    for referral, days in zip(gp[:5], (1, 2, 3, 4, 10), strict=True):
        Referral.objects.filter(pk=referral.pk).update(
            first_contact_at=referral.received_at + timedelta(days=days)
        )
    member = t.person()
    for i, outcome in enumerate(["went"] * 4 + ["did_not_go", "pending"]):
        Connection.objects.create(
            community=seeded,
            referral=gp[i % 5],
            kind="timebank_member",
            target_id=member.pk,
            target_label="Mo Member",
            made_by=t.worker,
            made_at=at(3, 25),
            outcome=outcome,
            outcome_at=at(3, 28) if outcome != "pending" else None,
        )
    Connection.objects.create(
        community=seeded,
        referral=gp[0],
        kind="group",
        target_label="Walking group",
        made_by=t.worker,
        made_at=at(3, 25),
    )
    # Closed in March: five others, received in February.
    for i in range(6):
        t.accepted(
            received=at(2, 1 + i),
            state="closed",
            finished_at=at(3, 15),
            outcome="goals_met" if i < 5 else "moved_away",
        )
    # Paired wellbeing.
    ons4 = [t.accepted(received=at(1, 5 + i)) for i in range(7)]
    for i, referral in enumerate(ons4[:5]):
        start = {"life_satisfaction": 3, "worthwhile": 5, "happiness": 2, "anxiety": 8}
        end = {
            "life_satisfaction": 3 + i + 1,
            "worthwhile": 5,
            "happiness": 2 + i + 1,
            "anxiety": 8 - i - 1,
        }
        t.answers(referral, "ons4", "start", at(1, 10), start)
        t.answers(referral, "ons4", "close", at(3, 18), end)
    full = {"life_satisfaction": 9, "worthwhile": 9, "happiness": 9, "anxiety": 0}
    t.answers(ons4[5], "ons4", "close", at(3, 18), full)  # no start: not a pair
    t.answers(ons4[6], "ons4", "start", at(1, 10), full)
    t.answers(ons4[6], "ons4", "close", at(4, 2), full)  # ended in April
    for referral in ons4[:3]:
        lonely = {"lack_companionship": 3, "left_out": 3, "isolated": 3}
        t.answers(referral, "ucla3", "start", at(1, 10), lonely)
        t.answers(referral, "ucla3", "close", at(3, 18), dict.fromkeys(lonely, 1))
    return t


def table(report, key):
    return {row[0]: row[1:] for row in next(t for t in report.tables if t.key == key).rows}


@pytest.fixture
def march(town, as_, analyst, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        return reports.monthly_report(access=as_(analyst), period=MARCH)


def test_referrals_are_counted_by_source_with_small_numbers_hidden(march):
    sources = table(march, "sources")
    assert sources["The person themselves"] == (FEWER,)
    # 8 received, shown elsewhere: with 6 from GPs shown, 8 − 6 would give the 2 away.
    assert sources["GP practice"] == (WITHHELD,)
    assert sources["A member or staff, for someone else"] == ("0",)
    assert sources["Housing"] == ("0",)
    # And Calder Practice, the only GP practice, would give its kind's row away.
    assert table(march, "organisations") == {"Calder Practice": (WITHHELD,)}


def test_sources_are_shown_when_no_count_is_small(seeded, reasons, questionnaires,
                                                  link_worker, as_, analyst):  # fmt: skip
    t = Town(seeded, reasons, questionnaires, link_worker)
    for i in range(6):
        t.referral(received=at(3, 1 + i))
    for i in range(5):
        person = t.person()
        t.referral(received=at(3, 10 + i), person=person, referrer=t.self_referrer(person))
    sources = table(reports.monthly_report(access=as_(analyst), period=MARCH), "sources")
    assert sources["GP practice"] == ("6",)
    assert sources["The person themselves"] == ("5",)


def test_referrals_are_counted_by_reason(march):
    assert table(march, "reasons") == {
        "Loneliness and isolation": ("8",),
        "Money and debt": (FEWER,),
    }


def test_the_acceptance_rate_is_hidden_when_it_would_give_away_a_small_count(march):
    decisions = table(march, "decisions")
    assert decisions["Referrals received"] == ("8",)
    # 7 decided and 6 accepted: 8 − 7 and 7 − 6 would give away 1 waiting and 1 declined.
    assert decisions["Decided (accepted, declined or passed on)"] == (WITHHELD,)
    assert decisions["Accepted"] == (WITHHELD,)
    # 6 of 7: the one not accepted would show.
    assert decisions["Acceptance rate (accepted of those decided)"] == (HIDDEN,)


def test_the_acceptance_rate_is_accepted_of_those_decided(
    seeded, reasons, questionnaires, link_worker, as_, coordinator
):
    t = Town(seeded, reasons, questionnaires, link_worker)
    for i in range(6):
        t.accepted(received=at(3, 1 + i))
    for i in range(5):
        t.referral(received=at(3, 10 + i), state="declined")
    t.referral(received=at(3, 20), state="redirected")
    t.referral(received=at(3, 21))  # not decided yet
    # Two first contacts only: their waits are not shown.
    for referral in Referral.objects.filter(community=seeded, state="engaged")[:2]:
        Referral.objects.filter(pk=referral.pk).update(
            first_contact_at=referral.received_at + timedelta(days=2)
        )
    found = reports.monthly_report(access=as_(coordinator), period=MARCH)
    # 6 accepted of 12 decided = 50%.
    assert table(found, "decisions")["Acceptance rate (accepted of those decided)"] == ("50%",)
    waiting = table(found, "waiting")
    assert waiting["Referrals first contacted"] == (FEWER,)
    assert waiting["Median wait"] == (HIDDEN,)


def test_the_wait_for_first_contact_has_its_median_and_90th_percentile(march):
    waiting = table(march, "waiting")
    assert waiting["Referrals first contacted"] == ("5",)
    assert waiting["Median wait"] == ("3.0 days",)
    assert waiting["90th percentile (9 in 10 waited no longer)"] == ("7.6 days",)


def test_connections_are_counted_by_kind_with_how_many_went(march):
    connections = table(march, "connections")
    assert connections["A timebank member"] == ("6", FEWER)
    assert connections["A group"] == (FEWER, "0")
    assert connections["A service from the directory"] == ("0", "0")


def test_closed_referrals_are_counted_by_outcome(march):
    closed = table(march, "closed")
    assert closed["Connected and goals met"] == ("5",)
    assert closed["Moved away"] == (FEWER,)
    assert closed["Died"] == ("0",)


def test_wellbeing_change_is_paired_start_to_end_with_its_interval(march):
    change = table(march, "change")
    assert change["ONS4: life satisfaction (higher is better)"] == (
        "5",
        "+3.00",
        "+1.04 to +4.96",
    )
    assert change["ONS4: happiness yesterday (higher is better)"][1] == "+3.00"
    assert change["ONS4: things done are worthwhile (higher is better)"] == (
        "5",
        "+0.00",
        "+0.00 to +0.00",
    )
    assert change["ONS4: anxiety yesterday (higher is worse)"] == ("5", "-3.00", "-4.96 to -1.04")


def test_a_paired_analysis_of_fewer_than_5_people_is_hidden(march):
    assert change_row(march) == (FEWER, HIDDEN, HIDDEN)


def change_row(report):
    return table(report, "change")["UCLA-3 loneliness, total 3 to 9 (higher is lonelier)"]


def test_a_range_of_months_counts_them_all(town, as_, analyst):
    spring = reports.Period(date(2026, 3, 1), date(2026, 4, 1))
    found = reports.monthly_report(access=as_(analyst), period=spring)
    assert table(found, "decisions")["Referrals received"] == ("9",)
    # The referral that ended in April has a start: six pairs now.
    assert table(found, "change")["ONS4: life satisfaction (higher is better)"][0] == "6"


def test_a_month_with_nothing_shows_zeros_and_no_figures(town, as_, analyst):
    june = reports.Period.month(date(2026, 6, 9))
    found = reports.monthly_report(access=as_(analyst), period=june)
    assert table(found, "decisions")["Referrals received"] == ("0",)
    assert table(found, "waiting")["Median wait"] == ("–",)
    assert change_row(found) == ("0", "–", "–")


def test_the_report_is_refused_to_a_link_worker_and_a_member(seeded, as_, link_worker, member):
    from ginnel.errors import PermissionRefused

    for person in (link_worker, member):
        with pytest.raises(PermissionRefused):
            reports.monthly_report(access=as_(person), period=MARCH)


# Engaged referrals in the network ------------------------------------------------------------


def test_a_connection_the_person_went_to_is_an_engaged_referral_tie(
    engaged, as_, link_worker, client_person, community, make_member
):
    went_to = make_member(community, name="Wendy Went")
    missed = make_member(community, name="Nora Notgone")
    referral = engaged()
    access = as_(link_worker)
    for person, went in ((went_to, True), (missed, False)):
        connection = services.connection_record(
            access=access,
            referral=referral,
            kind="timebank_member",
            target_id=person.pk,
            target_label=person.display_name,
        )
        services.connection_outcome_record(access=access, connection=connection, went=went)
    today = timezone.localdate()
    network = community_network(
        community_id=community.pk, window=Window(today - timedelta(days=30), today)
    ).network
    ties = {
        (int(network.ids[s]), int(network.ids[t]))
        for s, t, k in zip(network.source, network.target, network.tie_kind, strict=True)
        if k == TieKind.REFERRAL
    }
    assert ties == {(client_person.pk, went_to.pk)}
    # Dated the day "went" was recorded: a window that ends before it has no such tie.
    earlier = community_network(
        community_id=community.pk,
        window=Window(today - timedelta(days=60), today - timedelta(days=31)),
    ).network
    assert TieKind.REFERRAL not in set(earlier.tie_kind.tolist())
