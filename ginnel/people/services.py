"""Goals, their steps and reviews, and coach notes: one function a use-case.

A person works on their own goals; a coach (a coordinator or link worker of
the same community) can too, and records reviews and notes. Every change to a
goal is written to its history in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError
from ginnel.people.models import (
    CoachNote,
    Consent,
    ConsentPurpose,
    Goal,
    GoalEvent,
    GoalStatus,
    GoalStep,
    Person,
    StrengthsProfile,
    StrengthsReview,
)


def _me(access: Access) -> Person | None:
    return access.membership.person if access.membership is not None else None


def can_work_on(access: Access, person: Person) -> bool:
    """The person themselves, or a coach of their community."""
    if person.community_id != access.community.pk or not access.is_member:
        return False
    me = _me(access)
    return (me is not None and me.pk == person.pk) or access.can(Perm.COACH)


def _check(access: Access, person: Person) -> None:
    if not can_work_on(access, person):
        raise GinnelError(_("Only the person, or their coach, can change these goals."))


def _history(access: Access, goal: Goal, action: str, text: str = "", **detail: Any) -> None:
    GoalEvent.objects.create(
        goal=goal, actor=access.membership, action=action, text=text, detail=detail
    )


@transaction.atomic
def goal_create(
    *, access: Access, person: Person, title: str, why: str = "", helpers: str = ""
) -> Goal:
    _check(access, person)
    me = _me(access)
    coach = access.membership if me is not None and me.pk != person.pk else None
    goal = Goal.objects.create(
        community=access.community,
        person=person,
        title=title,
        why=why,
        helpers=helpers,
        coach=coach,
    )
    _history(access, goal, "created", title, why=why, helpers=helpers)
    return goal


@transaction.atomic
def goal_update(*, access: Access, goal: Goal, **fields: Any) -> Goal:
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    _check(access, goal.person)
    allowed = {"title", "why", "helpers", "status"}
    if set(fields) - allowed:
        raise GinnelError(_("These parts of a goal cannot be changed here."))
    changed = {k: [getattr(goal, k), v] for k, v in fields.items() if getattr(goal, k) != v}
    if not changed:
        return goal
    for name, (_was, value) in changed.items():
        setattr(goal, name, value)
    if "status" in changed:
        goal.reached_at = timezone.now() if goal.status == GoalStatus.REACHED else None
    goal.save()
    _history(access, goal, "changed", changes=changed)
    return goal


@transaction.atomic
def step_add(*, access: Access, goal: Goal, text: str, due_on: date | None) -> GoalStep:
    _check(access, goal.person)
    if due_on is not None and due_on < timezone.localdate():
        raise GinnelError(_("Choose a date today or later for a new step."), field="due_on")
    step = GoalStep.objects.create(goal=goal, text=text, due_on=due_on)
    _history(
        access,
        goal,
        "step_added",
        text,
        step=step.pk,
        due_on=due_on.isoformat() if due_on else None,
    )
    return step


@transaction.atomic
def step_tick(*, access: Access, step: GoalStep, done: bool) -> GoalStep:
    step = GoalStep.objects.select_for_update().select_related("goal__person").get(pk=step.pk)
    _check(access, step.goal.person)
    if (step.done_at is not None) == done:
        return step
    step.done_at = timezone.now() if done else None
    step.save(update_fields=["done_at"])
    _history(access, step.goal, "step_done" if done else "step_undone", step.text, step=step.pk)
    return step


@transaction.atomic
def goal_review(*, access: Access, goal: Goal, text: str) -> GoalEvent:
    """A coach records a short review, made with the person."""
    require(access, Perm.COACH)
    _check(access, goal.person)
    if not text.strip():
        raise GinnelError(_("Write what you talked about."), field="text")
    return GoalEvent.objects.create(
        goal=goal, actor=access.membership, action="reviewed", text=text
    )


@transaction.atomic
def note_add(*, access: Access, person: Person, text: str) -> CoachNote:
    """A short note by a coordinator or link worker; the person can read it."""
    require(access, Perm.COACH)
    _check(access, person)
    return CoachNote.objects.create(
        community=access.community, person=person, author=access.membership, text=text
    )


def has_consent(person: Person, purpose: str, *, organisation: str = "") -> bool:
    """Whether the person's consent for this purpose stands right now."""
    found = Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
    if organisation:
        found = found.filter(organisation__iexact=organisation)
    return found.exists()


@transaction.atomic
def consent_give(
    *, access: Access, person: Person, purpose: str, organisation: str = ""
) -> Consent:
    """The person gives consent (or a coach records it with them, in person)."""
    _check(access, person)
    if purpose not in ConsentPurpose.values:
        raise GinnelError(_("Choose what the consent is for."), field="purpose")
    if purpose == ConsentPurpose.SHARE_WITH_ORGANISATION and not organisation.strip():
        raise GinnelError(_("Name the organisation."), field="organisation")
    if has_consent(person, purpose, organisation=organisation):
        raise GinnelError(_("This consent is already given."), field="purpose")
    return Consent.objects.create(
        community=access.community,
        person=person,
        purpose=purpose,
        organisation=organisation.strip(),
        recorded_by=access.membership,
    )


@transaction.atomic
def consent_withdraw(*, access: Access, consent: Consent) -> Consent:
    """Withdrawn at once: what it covered is hidden from everyone but the person."""
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    _check(access, consent.person)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
    return consent


def strengths_for(person: Person) -> StrengthsProfile:
    profile, _ = StrengthsProfile.objects.get_or_create(
        person=person, defaults={"community_id": person.community_id}
    )
    return profile


@transaction.atomic
def strengths_answer(
    *, access: Access, person: Person, step: str, answers: dict[str, Any]
) -> StrengthsProfile:
    """Save one step of the conversation; the contact step writes the person's record."""
    _check(access, person)
    from ginnel.people.conversation import BY_SLUG

    if step not in BY_SLUG:
        raise GinnelError(_("There is no such question."))
    profile = StrengthsProfile.objects.select_for_update().get(pk=strengths_for(person).pk)
    if step == "contact":
        person.contact_method = answers["contact_method"]
        person.contact_times = answers["contact_times"]
        person.save(update_fields=["contact_method", "contact_times", "updated_at"])
    elif step == "skills":
        profile.skills.set(answers["skills"])
        profile.skills_own_words = answers["skills_own_words"]
    elif step == "peer":
        topics = answers["peer_topics"].strip()
        if topics and not has_consent(person, ConsentPurpose.PEER_SUPPORT):
            if not answers.get("agree"):
                raise GinnelError(_("Tick to agree, or leave the box above empty."), field="agree")
            consent_give(access=access, person=person, purpose=ConsentPurpose.PEER_SUPPORT)
        profile.peer_topics = topics
    else:
        for name in BY_SLUG[step].fields:
            setattr(profile, name, answers[name])
    if step not in profile.steps_done:
        profile.steps_done = [*profile.steps_done, step]
    finishing = len(profile.steps_done) == len(BY_SLUG) and profile.completed_at is None
    if finishing:
        profile.completed_at = timezone.now()
    profile.save()
    if finishing:
        StrengthsReview.objects.create(
            community=access.community,
            person=person,
            answers=_snapshot(profile),
            goals_reached=person.goals.filter(status=GoalStatus.REACHED).count(),
        )
    return profile


def _snapshot(profile: StrengthsProfile) -> dict[str, Any]:
    """The answers to compare later (never the special-category peer topics)."""
    return {
        "skills": sorted(profile.skills.values_list("name", flat=True)),
        "skills_own_words": profile.skills_own_words,
        "interests": profile.interests,
        "matters": profile.matters,
        "hopes": profile.hopes,
        "help_wanted": profile.help_wanted,
    }


@transaction.atomic
def strengths_start_again(*, access: Access, person: Person) -> StrengthsProfile:
    """Begin a new round of the conversation (every 3 to 6 months), keeping the answers."""
    _check(access, person)
    profile = StrengthsProfile.objects.select_for_update().get(pk=strengths_for(person).pk)
    profile.steps_done = []
    profile.completed_at = None
    profile.save(update_fields=["steps_done", "completed_at"])
    return profile


@dataclass(frozen=True)
class ThenAndNow:
    then: StrengthsReview | None
    now: dict[str, Any]
    new_skills: list[str]
    goals_reached_since: int


def then_and_now(*, access: Access, person: Person) -> ThenAndNow:
    """The last finished round beside today's answers: new skills, hopes, goals reached."""
    _check(access, person)
    profile = strengths_for(person)
    now = _snapshot(profile)
    reviews = list(person.strengths_reviews.all()[:2])
    # While a round is open, compare with the last finished one; once finished, the one before.
    then = (
        reviews[1]
        if profile.completed_at and len(reviews) > 1
        else (reviews[0] if reviews and not profile.completed_at else None)
    )
    reached = person.goals.filter(status=GoalStatus.REACHED).count()
    return ThenAndNow(
        then=then,
        now=now,
        new_skills=sorted(set(now["skills"]) - set(then.answers.get("skills", []) if then else [])),
        goals_reached_since=reached - (then.goals_reached if then else 0),
    )


def peer_topics_visible(profile: StrengthsProfile) -> str:
    """Peer-support topics, only while the person's consent stands (else nothing)."""
    if not profile.peer_topics or not has_consent(profile.person, ConsentPurpose.PEER_SUPPORT):
        return ""
    return profile.peer_topics
