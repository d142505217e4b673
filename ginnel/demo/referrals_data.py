"""Demo step: six months of social prescribing referrals in the main demo community.

Two GP practices and a housing team refer (two or three referrers each); two
link workers (the printed link worker login and one more) carry the cases; the
printed coordinator allocates. About sixty referrals are spread over every
state a referral can be in: new and waiting, accepted (some with a failed call
already), contacted, engaged (with follow-ups, some overdue and some due today,
and connections, some went and some did not), closed with several outcomes,
closed as "could not contact" after the failed attempts, declined and passed to
another service. Those that got as far as a first conversation answered ONS4
and UCLA-3 at the start; the closed ones answered them again at the end.

Every step goes through ``ginnel.referrals.services``, so the log, the states
and the counts are exactly what the pages would have written. Each step runs
with the demo's clock set to the moment it happened (:func:`_clock`), so the
log, the dates on each referral and the answers spread over the last six
months as they would in use. The volume stays at about sixty whatever the
number of people, so ``ginnel demo --people 100000`` takes no longer for it.
Every draw comes from ``ctx.rng("referrals")``: the same seed makes the same
referrals.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from unittest import mock

import django.utils.timezone as django_timezone
from django.db import connection
from django.utils import timezone

from ginnel.communities.models import Community, Membership, MembershipStatus, Role, RoleGrant
from ginnel.communities.permissions import Access, roles_of
from ginnel.people.models import Person, User
from ginnel.referrals import services
from ginnel.referrals.letters import letters_not_emailed
from ginnel.referrals.models import (
    Administration,
    Answer,
    CloseOutcome,
    Connection,
    ConnectionKind,
    FollowUp,
    IntakeToken,
    Occasion,
    Questionnaire,
    Referral,
    ReferralEvent,
    ReferralRead,
    ReferralReason,
    ReferralReasonLink,
    ReferralSettings,
    Referrer,
    ReferringOrganisation,
)

if TYPE_CHECKING:
    from ginnel.demo.generator import DemoContext

TARGET = 60

# (kind, name, invented ODS-like code, referrers as (name, job title)).
ORGANISATIONS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "gp_practice",
        "Millbeck Medical Practice",
        "Y99101",
        (("Dr Priya Shah", "GP"), ("Helen Marsden", "Practice nurse")),
    ),
    (
        "gp_practice",
        "Calder Street Surgery",
        "Y99102",
        (("Dr Tom Whitaker", "GP"), ("Jo Brierley", "Care coordinator")),
    ),
    (
        "housing",
        "Millbeck Homes Tenancy Support",
        "",
        (("Sam Hirst", "Housing officer"), ("Aisha Karim", "Tenancy support worker")),
    ),
)

# How many referrals end in each place, in the order they are made.
PLAN: tuple[tuple[str, int], ...] = (
    ("received", 6),
    ("accepted", 5),
    ("accepted_tried", 3),
    ("contacted", 5),
    ("engaged", 14),
    ("closed", 18),
    ("could_not_contact", 4),
    ("declined", 3),
    ("redirected", 2),
)

# Closed with these outcomes, in turn.
OUTCOMES = (
    CloseOutcome.GOALS_MET,
    CloseOutcome.CONNECTED,
    CloseOutcome.GOALS_MET,
    CloseOutcome.PERSON_ENDED,
    CloseOutcome.CONNECTED,
    CloseOutcome.GOALS_MET,
    CloseOutcome.MOVED_AWAY,
    CloseOutcome.NEEDS_OTHER_SERVICE,
    CloseOutcome.OTHER,
)

# How long ago a referral came in, by where it has got to (days: least, most).
AGE: dict[str, tuple[int, int]] = {
    "received": (0, 9),
    "accepted": (3, 15),
    "accepted_tried": (6, 20),
    "contacted": (10, 35),
    "engaged": (30, 120),
    "closed": (90, 180),
    "could_not_contact": (40, 150),
    "declined": (5, 160),
    "redirected": (5, 160),
}

CONNECTIONS: tuple[tuple[str, str], ...] = (
    (ConnectionKind.GROUP, "Millbeck Walking for Health"),
    (ConnectionKind.GROUP, "Tuesday Lunch Club at St Mary's"),
    (ConnectionKind.SERVICE, "Calder Valley Citizens Advice: debt advice"),
    (ConnectionKind.SERVICE, "Millbeck Library digital skills drop-in"),
    (ConnectionKind.EVENT, "Community garden open day"),
    (ConnectionKind.GROUP, "Carers' coffee morning"),
    (ConnectionKind.OTHER, "Volunteering at the food bank"),
    (ConnectionKind.SERVICE, "Bereavement support group"),
)

WHAT_MATTERS = (
    "Getting out of the house more and meeting people.",
    "Feeling less on my own since my wife died.",
    "Sorting out the money worries so I can sleep.",
    "Getting back to walking, a bit at a time.",
    "Some time for me now and then, away from caring.",
    "Learning to use my tablet to talk to my grandchildren.",
    "Finding something useful to do with my days.",
    "Getting the damp in the flat looked at.",
)

DECLINE_REASONS = (
    "The person has a care package that already covers this; the referrer was told.",
    "Under 18: passed back to the practice to refer to the young people's service.",
)
REDIRECT_TO = ("Community mental health team", "Calder Valley Citizens Advice")


# The demo's clock -----------------------------------------------------------------------------

_Real = datetime


class _StoppedMeta(type):
    # Instances of the real datetime still count as datetimes while the clock is set.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _Real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, _Real)


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment``: every ``timezone.now()`` (and so every
    model default and ``localdate()``) reads it. Only for generating the demo."""
    fixed = moment.astimezone(UTC)

    class Stopped(_Real, metaclass=_StoppedMeta):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return fixed.astimezone(tz) if tz is not None else fixed.replace(tzinfo=None)

    with mock.patch.object(django_timezone, "datetime", Stopped):
        yield


# The step -------------------------------------------------------------------------------------


@dataclass
class _Cast:
    coordinator: Access
    workers: list[Access]
    referrers: list[Referrer]
    reasons: list[ReferralReason]
    ons4: Questionnaire
    ucla3: Questionnaire
    members: list[int]


def _access(community: Community, membership: Membership) -> Access:
    return Access(community=community, membership=membership, roles=roles_of(membership))


def _with_role(community: Community, role: Role) -> list[Membership]:
    return list(
        Membership.objects.filter(
            community=community,
            status=MembershipStatus.ACTIVE,
            grants__role=role,
            user__isnull=False,
        )
        .select_related("person", "user")
        .prefetch_related("grants")
        .order_by("pk")
    )


def _printed_first(found: list[Membership], email: str) -> list[Membership]:
    return sorted(found, key=lambda m: (m.user is None or m.user.email != email, m.pk))


def referrer_login_email(slug: str) -> str:
    from ginnel.demo.generator import login_email

    return login_email(slug, Role.MEMBER).replace("member@", "gp-referrer@", 1)


def referrer_login_password(*, seed: int, slug: str) -> str:
    rng = random.Random(f"ginnel-demo-password:{slug}:{seed}:gp-referrer")
    from ginnel.demo.generator import _PASSWORD_WORDS

    return "-".join([*rng.sample(_PASSWORD_WORDS, 3), str(rng.randrange(10, 100))])


def _referrer_user(ctx: DemoContext) -> User:
    return User.objects.create_user(
        referrer_login_email(ctx.community.slug),
        referrer_login_password(seed=ctx.seed, slug=ctx.community.slug),
    )


def referrer_login(*, community: Community, seed: int) -> tuple[str, str, str] | None:
    """The printed GP referrer's (email, password, name), the password set back if changed."""
    email = referrer_login_email(community.slug)
    found = (
        Referrer.objects.filter(community=community, user__email=email)
        .select_related("user", "organisation")
        .first()
    )
    if found is None or found.user is None:
        return None
    password = referrer_login_password(seed=seed, slug=community.slug)
    if not found.user.check_password(password):
        found.user.set_password(password)
        found.user.save(update_fields=["password"])
    organisation = found.organisation.name if found.organisation else ""
    return email, password, f"{found.name}, {organisation}"


def _cast(ctx: DemoContext, rng: random.Random) -> _Cast:
    from ginnel.demo.generator import login_email  # the generator imports this module

    community = ctx.community
    services.referrals_seed(community=community)
    coordinators = _printed_first(
        _with_role(community, Role.COORDINATOR), login_email(community.slug, Role.COORDINATOR)
    )
    workers = _printed_first(
        _with_role(community, Role.LINK_WORKER), login_email(community.slug, Role.LINK_WORKER)
    )[:2]
    with_roles = RoleGrant.objects.filter(community=community).values("membership_id")
    if len(workers) < 2:
        # A small demo has one link worker: a member takes the role too.
        extra = (
            Membership.objects.filter(
                community=community, status=MembershipStatus.ACTIVE, user__isnull=False
            )
            .exclude(pk__in=with_roles)
            .order_by("pk")
            .first()
        )
        if extra is not None:
            RoleGrant.objects.create(community=community, membership=extra, role=Role.LINK_WORKER)
            workers.append(Membership.objects.prefetch_related("grants").get(pk=extra.pk))
    coordinator = _access(community, coordinators[0])
    referrers: list[Referrer] = []
    for kind, name, ods, people in ORGANISATIONS:
        organisation = services.organisation_add(
            access=coordinator,
            kind=kind,
            name=name,
            ods_code=ods,
            email=f"referrals@{name.lower().replace(' ', '-')}.example.org",
        )
        for person_name, title in people:
            # The first GP logs in, as referrers at an organisation do, without a membership.
            user = _referrer_user(ctx) if not referrers else None
            referrers.append(
                services.referrer_add(
                    access=coordinator,
                    organisation=organisation,
                    name=person_name,
                    job_title=title,
                    phone=f"0113 496 0{rng.randrange(100, 1000)}",
                    user=user,
                )
            )
    # Every member of the main community without a role (not by id: 100,000 ids are too
    # many parameters for one SQLite statement).
    members = list(
        Person.objects.filter(community=community, membership__status=MembershipStatus.ACTIVE)
        .exclude(membership_id__in=with_roles)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    questionnaires = {q.code: q for q in Questionnaire.objects.filter(community=community)}
    return _Cast(
        coordinator=coordinator,
        workers=[_access(community, m) for m in workers],
        referrers=referrers,
        reasons=list(ReferralReason.objects.filter(community=community, is_active=True)),
        ons4=questionnaires["ons4"],
        ucla3=questionnaires["ucla3"],
        members=members,
    )


def _answers(questionnaire: Questionnaire, rng: random.Random, lift: float) -> dict[str, int]:
    """Answers to every item; ``lift`` (0 to 1) moves them towards the better end."""
    found = {}
    for item in questionnaire.definition["items"]:
        low, high = int(item["min"]), int(item["max"])
        worse_is_high = item["code"] == "anxiety" or questionnaire.code == "ucla3"
        middle = rng.uniform(0.2, 0.55)  # where people start: towards the worse end
        share = min(1.0, max(0.0, middle + lift * rng.uniform(0.3, 0.8)))
        value = round(low + (high - low) * share)
        found[item["code"]] = high + low - value if worse_is_high else value
    return found


class _Story:
    """One referral's life, told step by step with the clock moving on."""

    def __init__(self, cast: _Cast, rng: random.Random, now: datetime) -> None:
        self.cast = cast
        self.rng = rng
        self.now = now
        self.at = now

    def step(self, least: int, most: int) -> datetime:
        """Move the clock on by some days (and hours), never past an hour ago."""
        moved = self.at + timedelta(
            days=self.rng.randint(least, most), hours=self.rng.randint(1, 7)
        )
        self.at = min(moved, self.now - timedelta(hours=1))
        return self.at

    def run(self, action: Callable[[], Any]) -> Any:
        with _clock(self.at):
            return action()

    @property
    def day(self) -> date:
        return timezone.localtime(self.at).date()


def _tell(
    cast: _Cast, rng: random.Random, now: datetime, *, end: str, person_id: int, n: int
) -> None:
    story = _Story(cast, rng, now)
    least, most = AGE[end]
    story.at = now - timedelta(days=rng.randint(least, most), hours=rng.randint(0, 10))
    worker = cast.workers[n % len(cast.workers)]
    worker_membership = worker.membership
    assert worker_membership is not None  # noqa: S101 (made from a membership in _cast)
    coordinator = cast.coordinator
    person = Person.objects.get(pk=person_id)
    referrer = cast.referrers[rng.randrange(len(cast.referrers))]
    reasons = rng.sample(cast.reasons, k=rng.choice((1, 1, 2, 3)))
    details = services.ReferralDetails(
        consent_statement="Agreed at the appointment to be referred to a link worker.",
        consent_given_on=story.day,
        contact_by="phone",
        phone=person.phone or f"07700 900{rng.randrange(100, 1000)}",
        what_matters=rng.choice(WHAT_MATTERS),
        urgency=rng.choice(("routine", "routine", "routine", "soon", "urgent")),
    )
    referral = story.run(
        lambda: services.referral_create(
            access=coordinator, person=person, reasons=reasons, details=details, referrer=referrer
        )
    )
    if end == "received":
        return
    if end in ("declined", "redirected"):
        story.step(1, 4)
        if end == "declined":
            story.run(
                lambda: services.referral_decline(
                    access=coordinator, referral=referral, reason=rng.choice(DECLINE_REASONS)
                )
            )
        else:
            story.run(
                lambda: services.referral_redirect(
                    access=coordinator, referral=referral, to_service=rng.choice(REDIRECT_TO)
                )
            )
        return
    story.step(1, 4)
    story.run(
        lambda: services.referral_accept(
            access=coordinator, referral=referral, link_worker=worker_membership
        )
    )
    if end == "accepted":
        return

    def attempt(outcome: str) -> None:
        story.step(1, 4)
        story.run(
            lambda: services.contact_attempt_log(
                access=worker,
                referral=referral,
                happened_on=story.day,
                channel="phone",
                outcome=outcome,
            )
        )

    if end == "accepted_tried":
        attempt("no_answer")
        return
    if end == "could_not_contact":
        limit = services.settings_read(coordinator.community).failed_contacts_before_closing
        for i in range(limit):
            attempt(("no_answer", "left_message", "no_answer", "wrong_number")[i % 4])
        return
    if rng.random() < 0.4:
        attempt("left_message")
    attempt("reached")
    if end == "contacted":
        return
    story.step(2, 8)
    story.run(
        lambda: services.first_conversation_record(
            access=worker, referral=referral, happened_on=story.day
        )
    )
    for questionnaire in (cast.ons4, cast.ucla3):
        answers = _answers(questionnaire, rng, lift=0.0)
        story.run(
            partial(
                services.questionnaire_answer,
                access=worker,
                referral=referral,
                questionnaire=questionnaire,
                occasion=Occasion.START,
                answers=answers,
            )
        )
    connections = []
    for _ in range(rng.randint(1, 3)):
        kind, label = rng.choice(CONNECTIONS)
        story.step(3, 12)
        connections.append(
            story.run(
                partial(
                    services.connection_record,
                    access=worker,
                    referral=referral,
                    kind=kind,
                    target_label=label,
                )
            )
        )
    if rng.random() < 0.3 and cast.members:
        other = Person.objects.get(pk=rng.choice(cast.members))
        if other.pk != referral.person_id:
            story.step(2, 6)
            connections.append(
                story.run(
                    lambda: services.connection_record(
                        access=worker,
                        referral=referral,
                        kind=ConnectionKind.TIMEBANK_MEMBER,
                        target_id=other.pk,
                        target_label=other.display_name,
                        suggested_because="Both like gardening; same neighbourhood.",
                    )
                )
            )
    closing = end == "closed"
    for i, made in enumerate(connections):
        if not closing and i == len(connections) - 1 and rng.random() < 0.5:
            continue  # not known yet
        story.step(5, 15)
        went = rng.random() < 0.7
        story.run(
            partial(services.connection_outcome_record, access=worker, connection=made, went=went)
        )
    if closing:
        story.step(10, 30)
        went_somewhere = Connection.objects.filter(referral=referral, outcome="went").exists()
        lift = 0.6 if went_somewhere else 0.15
        for questionnaire in (cast.ons4, cast.ucla3):
            answers = _answers(questionnaire, rng, lift=lift)
            story.run(
                partial(
                    services.questionnaire_answer,
                    access=worker,
                    referral=referral,
                    questionnaire=questionnaire,
                    occasion=Occasion.CLOSE,
                    answers=answers,
                )
            )
        outcome = OUTCOMES[n % len(OUTCOMES)]
        story.run(
            lambda: services.referral_close(access=worker, referral=referral, outcome=outcome)
        )
        return
    # Still engaged: a follow-up arranged when last seen, due in the past, today or soon.
    story.step(1, 3)
    today = timezone.localdate()
    behind = (today - story.day).days
    if n % 3 == 0 and behind > 0:
        due = story.day + timedelta(days=rng.randint(0, min(7, behind - 1)))  # overdue now
    elif n % 3 == 1 or behind <= 0:
        due = today
    else:
        due = today + timedelta(days=rng.randint(2, 21))
    story.run(
        lambda: services.follow_up_schedule(
            access=worker, referral=referral, due_on=due, purpose="See how the first visit went."
        )
    )


def generate_referrals(ctx: DemoContext) -> None:
    rng = ctx.rng("referrals")
    cast = _cast(ctx, rng)
    if not cast.workers or not cast.members:
        return
    now = timezone.now()
    ends = [end for end, count in PLAN for _ in range(count)]
    people = rng.sample(cast.members, k=min(len(ends), len(cast.members)))
    # The demo's organisations have addresses: its history is written, not emailed.
    with letters_not_emailed():
        for n, (end, person_id) in enumerate(zip(ends, people, strict=False)):
            _tell(cast, rng, now, end=end, person_id=person_id, n=n)


# Deleting the demo ----------------------------------------------------------------------------

# Children first. The log and the read record are append-only through the ORM, so the
# demo's rows go by plain DELETE statements, table by table.
_TABLES: Sequence[type[Any]] = (
    ReferralRead,
    Answer,
    Administration,
    Connection,
    FollowUp,
    ReferralEvent,
    ReferralReasonLink,
    Referral,
    IntakeToken,
    Referrer,
    ReferringOrganisation,
    ReferralReason,
    Questionnaire,
    ReferralSettings,
)


def delete_referrals(community_ids: Sequence[int]) -> None:
    """Delete the referrals app's rows of these (demo) communities."""
    if not community_ids:
        return
    marks = ", ".join(["%s"] * len(community_ids))
    with connection.cursor() as cursor:
        for model in _TABLES:
            table = connection.ops.quote_name(model._meta.db_table)
            # The table names are the models' own; the ids are parameters.
            cursor.execute(
                f"DELETE FROM {table} WHERE community_id IN ({marks})",  # noqa: S608
                list(community_ids),
            )
