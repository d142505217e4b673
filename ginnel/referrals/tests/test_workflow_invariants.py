"""A referral's history only grows and always explains where it is.

A Hypothesis state machine drives coordinators, two link workers, a plain
member and the person through every step, allowed or not. After every step:
no entry of any log has changed or gone; each referral's state is the state
the last state-changing entry moved it to; a closed referral has exactly one
closing entry; nothing but corrections follows the end of a referral; and a
refused step wrote nothing.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ginnel.communities.models import Community, Membership, Role, RoleGrant
from ginnel.communities.permissions import Access, access_for
from ginnel.errors import GinnelError
from ginnel.people.models import Person, User
from ginnel.referrals import services
from ginnel.referrals.models import (
    FINISHED_STATES,
    CloseOutcome,
    ContactOutcome,
    EventKind,
    FollowUp,
    Questionnaire,
    Referral,
    ReferralEvent,
    ReferralReason,
)

REACHED: Counter[str] = Counter()
# Mostly the people who may act, sometimes those who may not.
actor = st.sampled_from(
    ["worker_a", "worker_a", "worker_a", "coordinator", "worker_b", "member", "person"]
)
worker = st.sampled_from(["worker_a", "worker_a", "worker_b", "member"])
days_ago = st.integers(min_value=-1, max_value=5)  # -1: tomorrow, refused
maybe_blank = st.sampled_from(["", "  ", *["Not the right service for this."] * 4])


class ReferralMachine(RuleBasedStateMachine):
    referrals = Bundle("referrals")

    def __init__(self) -> None:
        super().__init__()
        n = Community.objects.count()
        self.community = Community.objects.create(
            name=f"Machine {n}", slug=f"referral-machine-{n}", kind="place"
        )
        services.referrals_seed(community=self.community)
        roles = {
            "coordinator": Role.COORDINATOR,
            "worker_a": Role.LINK_WORKER,
            "worker_b": Role.LINK_WORKER,
            "member": None,
            "person": None,
        }
        self.people: dict[str, Person] = {}
        for name, role in roles.items():
            user = User.objects.create_user(f"r{n}-{name}@example.org", None)
            membership = Membership.objects.create(community=self.community, user=user)
            if role is not None:
                RoleGrant.objects.create(community=self.community, membership=membership, role=role)
            self.people[name] = Person.objects.create(
                community=self.community, membership=membership, display_name=name
            )
        self.reason = ReferralReason.objects.filter(community=self.community)[0]
        self.ucla3 = Questionnaire.objects.get(community=self.community, code="ucla3")
        self.seen: dict[int, list[tuple[object, ...]]] = {}
        self.today = timezone.localdate()

    def access(self, name: str) -> Access:
        user = self.people[name].membership.user
        assert user is not None
        return access_for(user, self.community)

    def attempt(self, referral: Referral, step: str, action) -> None:
        before = ReferralEvent.objects.filter(referral=referral).count()
        try:
            action()
        except GinnelError:
            REACHED[f"refused {step}"] += 1
            assert ReferralEvent.objects.filter(referral=referral).count() == before
        else:
            REACHED[step] += 1

    @initialize(target=referrals)
    def first_referral(self) -> Referral:
        return self.refer("coordinator")

    @precondition(lambda self: Referral.objects.filter(community=self.community).count() < 3)
    @rule(target=referrals, by=actor)
    def refer(self, by: str) -> Referral:
        referral = services.referral_create(
            access=self.access(by),
            person=self.people["person"],
            reasons=[self.reason],
            details=services.ReferralDetails(
                consent_statement="Agreed on the phone.",
                consent_given_on=self.today,
                phone="07700 900123",
            ),
        )
        return referral

    @rule(
        referral=referrals,
        route=st.integers(min_value=0, max_value=5),
        steps=st.integers(min_value=1, max_value=5),
        finish=st.booleans(),
    )
    def advance(self, referral: Referral, route: int, steps: int, finish: bool) -> None:
        """The usual next steps, taken by the right person, so runs get deep into the workflow."""
        for _ in range(steps):
            state = Referral.objects.get(pk=referral.pk).state
            # Hypothesis favours small numbers: the small routes go deep.
            if state == "received" and route == 3:
                self.decline(referral, "coordinator", "Not the right service for this.")
            elif state == "received" and route == 4:
                self.redirect(referral, "coordinator", "Citizens Advice")
            elif state == "received":
                self.accept(referral, "coordinator", "worker_a")
            elif state == "accepted":
                self.contact(referral, "coordinator", "reached", 0)
            elif state == "contacted":
                self.first_conversation(referral, "coordinator", 0)
            elif state == "engaged" and finish:
                self.close(referral, "coordinator", CloseOutcome.CONNECTED)
            elif state == "engaged":
                self.connect(referral, "coordinator", True)

    @rule(referral=referrals, redirect=st.booleans())
    def turn_away(self, referral: Referral, redirect: bool) -> None:
        """A coordinator turns a new referral away, properly."""
        if redirect:
            self.redirect(referral, "coordinator", "Citizens Advice")
        else:
            self.decline(referral, "coordinator", "Not the right service for this.")

    # The same, four times more: Hypothesis picks rules evenly, and this one carries runs deep.
    advance_2 = advance
    advance_3 = advance
    advance_4 = advance
    advance_5 = advance

    @rule(referral=referrals, by=actor, to=worker)
    def accept(self, referral: Referral, by: str, to: str) -> None:
        self.attempt(
            referral,
            "accepted",
            lambda: services.referral_accept(
                access=self.access(by),
                referral=referral,
                link_worker=self.people[to].membership,
            ),
        )

    @rule(referral=referrals, by=actor, to=worker)
    def reassign(self, referral: Referral, by: str, to: str) -> None:
        self.attempt(
            referral,
            "reassigned",
            lambda: services.referral_reassign(
                access=self.access(by),
                referral=referral,
                link_worker=self.people[to].membership,
            ),
        )

    @rule(referral=referrals, by=actor, reason=maybe_blank)
    def decline(self, referral: Referral, by: str, reason: str) -> None:
        self.attempt(
            referral,
            "declined",
            lambda: services.referral_decline(
                access=self.access(by), referral=referral, reason=reason
            ),
        )

    @rule(referral=referrals, by=actor, to_service=maybe_blank)
    def redirect(self, referral: Referral, by: str, to_service: str) -> None:
        self.attempt(
            referral,
            "redirected",
            lambda: services.referral_redirect(
                access=self.access(by), referral=referral, to_service=to_service
            ),
        )

    @rule(
        referral=referrals,
        by=actor,
        outcome=st.sampled_from(ContactOutcome.values),
        ago=days_ago,
    )
    def contact(self, referral: Referral, by: str, outcome: str, ago: int) -> None:
        self.attempt(
            referral,
            f"contact {outcome}",
            lambda: services.contact_attempt_log(
                access=self.access(by),
                referral=referral,
                happened_on=self.today - timedelta(days=ago),
                channel="phone",
                outcome=outcome,
            ),
        )

    @rule(referral=referrals, by=actor, ago=days_ago)
    def first_conversation(self, referral: Referral, by: str, ago: int) -> None:
        self.attempt(
            referral,
            "first conversation",
            lambda: services.first_conversation_record(
                access=self.access(by),
                referral=referral,
                happened_on=self.today - timedelta(days=ago),
            ),
        )

    @rule(referral=referrals, by=actor, ahead=st.integers(min_value=-1, max_value=30))
    def follow_up(self, referral: Referral, by: str, ahead: int) -> None:
        self.attempt(
            referral,
            "follow-up scheduled",
            lambda: services.follow_up_schedule(
                access=self.access(by),
                referral=referral,
                due_on=self.today + timedelta(days=ahead),
            ),
        )

    @rule(referral=referrals, by=actor)
    def follow_up_done(self, referral: Referral, by: str) -> None:
        follow_up = FollowUp.objects.filter(referral=referral).order_by("-id").first()
        if follow_up is None:
            return
        self.attempt(
            referral,
            "follow-up done",
            lambda: services.follow_up_complete(access=self.access(by), follow_up=follow_up),
        )

    @rule(referral=referrals, by=actor, went=st.booleans())
    def connect(self, referral: Referral, by: str, went: bool) -> None:
        def both() -> None:
            made = services.connection_record(
                access=self.access(by),
                referral=referral,
                kind="peer",
                target_id=self.people["member"].pk,
                target_label="member",
            )
            services.connection_outcome_record(access=self.access(by), connection=made, went=went)

        self.attempt(referral, "connection", both)

    @rule(referral=referrals, by=actor, value=st.integers(min_value=0, max_value=4))
    def questionnaire(self, referral: Referral, by: str, value: int) -> None:
        self.attempt(
            referral,
            "questionnaire",
            lambda: services.questionnaire_answer(
                access=self.access(by),
                referral=referral,
                questionnaire=self.ucla3,
                occasion="follow_up",
                answers={"lack_companionship": 2, "left_out": value, "isolated": 2},
            ),
        )

    @rule(
        referral=referrals,
        by=actor,
        outcome=st.sampled_from([*CloseOutcome.values, "", "nonsense"]),
    )
    def close(self, referral: Referral, by: str, outcome: str) -> None:
        self.attempt(
            referral,
            "closed",
            lambda: services.referral_close(
                access=self.access(by), referral=referral, outcome=outcome
            ),
        )

    @rule(referral=referrals, by=actor)
    def correct(self, referral: Referral, by: str) -> None:
        last = ReferralEvent.objects.filter(referral=referral).order_by("-id").first()
        assert last is not None
        self.attempt(
            referral,
            "corrected",
            lambda: services.event_correct(
                access=self.access(by), event=last, correction="That was wrong."
            ),
        )

    @invariant()
    def the_log_only_grows_and_explains_the_state(self) -> None:
        for referral in Referral.objects.filter(community=self.community):
            log = list(
                ReferralEvent.objects.filter(referral=referral)
                .order_by("id")
                .values_list("id", "kind", "state_from", "state_to", "text", "detail", "at")
            )
            before = self.seen.get(referral.pk, [])
            assert log[: len(before)] == before, "an entry of the log changed or went"
            self.seen[referral.pk] = log
            moves = [entry for entry in log if entry[3]]
            assert moves, "a referral without a received entry"
            assert moves[0][1] == EventKind.RECEIVED
            assert referral.state == moves[-1][3]
            for earlier, later in itertools.pairwise(moves):
                assert later[2] == earlier[3], "a state change did not start where the last ended"
            closings = [entry for entry in log if entry[1] == EventKind.CLOSED]
            assert len(closings) == (1 if referral.state == "closed" else 0)
            if referral.state in FINISHED_STATES:
                end = log.index(moves[-1])
                assert all(entry[1] == EventKind.CORRECTION for entry in log[end + 1 :])
                assert referral.finished_at is not None
                assert referral.next_follow_up_on is None
            REACHED[f"state {referral.state}"] += 1


@pytest.mark.django_db
def test_a_referrals_log_only_grows_and_its_state_follows_the_last_step():
    run_state_machine_as_test(
        ReferralMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            derandomize=bool(os.environ.get("CI")),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The machine must have reached the interesting states, or it proved little.
    for step in ("accepted", "contact reached", "first conversation", "closed"):
        assert REACHED[step] > 0, f"no run took the step {step}: {dict(REACHED)}"
    assert REACHED["declined"] + REACHED["redirected"] > 0, dict(REACHED)
    assert REACHED["refused closed"] > 0, dict(REACHED)
