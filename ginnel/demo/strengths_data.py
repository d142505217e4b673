"""Demo step: strengths profiles in people's own words, goals at different stages, consents.

Phrases are varied and plain, as people write them; about two in three
members have been through the conversation, some have goals with small steps
(some ticked off, some reached), and a few chose to connect with others about
a health condition or life circumstance, with their consent recorded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from ginnel.people.models import (
    AccessNeed,
    Consent,
    ConsentPurpose,
    Goal,
    GoalEvent,
    GoalStatus,
    GoalStep,
    StrengthsProfile,
)
from ginnel.timebank.models import Category

if TYPE_CHECKING:
    from ginnel.demo.generator import DemoContext

BATCH = 5_000

OWN_WORDS = [
    "I'm good with people and I'm a good listener",
    "I can fix most things with a screwdriver",
    "Used to be a cook, still love feeding people",
    "Patient with computers and with people",
    "I know every bus route in town",
    "I can sew and do alterations",
    "Good at sorting paperwork out",
    "I speak Urdu and Punjabi",
    "I grow far too many tomatoes",
    "I'm handy with a paintbrush",
    "I make people laugh",
    "I can drive and have a car",
]
INTERESTS = [
    "Walking by the canal",
    "Knitting and crochet",
    "Football, watching more than playing",
    "Birdwatching",
    "Baking bread",
    "Gardening and the allotment",
    "Family history",
    "Crosswords",
    "Old films",
    "Fishing",
    "Singing in a choir",
    "Reading crime novels",
]
MATTERS = [
    "My grandchildren",
    "Staying in my own home",
    "My dog, Biscuit",
    "Feeling useful",
    "Getting out of the house every day",
    "My faith and my church",
    "Seeing my friends",
    "Keeping my independence",
]
HOPES = [
    "To get back to swimming once a week",
    "To feel less lonely in the evenings",
    "To learn to use a tablet so I can see my grandchildren",
    "To find some part-time work",
    "To get my garden back in order",
    "To walk to the park without stopping",
    "To make a few new friends round here",
    "To go on a trip to the seaside",
    "To feel confident going to the shops on my own",
    "To finish my family tree",
]
HELP = [
    "Someone to come with me to appointments",
    "Help with forms and letters",
    "A lift to the supermarket now and then",
    "Setting up video calls",
    "",
    "",
]
GOALS = [
    (
        "Get back to swimming",
        ["Find out when the pool is quiet", "Buy a swimsuit", "Go once with a friend"],
    ),
    (
        "Video call my grandchildren",
        ["Borrow a tablet from the library", "Ask Sam to show me", "Call on Sunday"],
    ),
    (
        "Walk to the park and back",
        ["Walk to the end of the road", "Walk to the shop", "Walk to the park gates"],
    ),
    ("Join a group", ["Look at what is on this month", "Go along once"]),
    ("Sort out my paperwork", ["Put letters in one box", "Go through them with a coordinator"]),
]
PEER_TOPICS = [
    "Living with diabetes",
    "Caring for my mum",
    "Recently bereaved",
    "Living with arthritis",
    "New to the area",
]


def generate_strengths(ctx: DemoContext) -> None:
    from ginnel.people.models import Person

    rng = ctx.rng("strengths")
    community = ctx.community
    now = timezone.now()
    categories = list(Category.objects.filter(community=community).order_by("pk"))
    chosen = [pk for pk in ctx.person_ids if rng.random() < 0.65]
    memberships = dict(Person.objects.filter(pk__in=chosen).values_list("pk", "membership_id"))
    profiles = []
    for pk in chosen:
        finished = rng.random() < 0.8
        started = now - timedelta(days=rng.randint(5, 300))
        profiles.append(
            StrengthsProfile(
                community=community,
                person_id=pk,
                skills_own_words=rng.choice(OWN_WORDS) if rng.random() < 0.7 else "",
                interests=", ".join(rng.sample(INTERESTS, rng.randint(1, 3))),
                matters=rng.choice(MATTERS),
                hopes=rng.choice(HOPES),
                help_wanted=rng.choice(HELP),
                access_needs=[n for n in AccessNeed.values if rng.random() < 0.06],
                share_skills=rng.random() < 0.85,
                share_interests=rng.random() < 0.7,
                share_neighbourhood=rng.random() < 0.8,
                steps_done=[
                    "skills",
                    "interests",
                    "matters",
                    "hopes",
                    "help",
                    "contact",
                    "access",
                    "peer",
                    "sharing",
                ]
                if finished
                else ["skills", "interests", "matters"],
                started_at=started,
                completed_at=started + timedelta(minutes=15) if finished else None,
            )
        )
    StrengthsProfile.objects.bulk_create(profiles, batch_size=BATCH)
    through = StrengthsProfile.skills.through
    through.objects.bulk_create(
        [
            through(strengthsprofile_id=profile.pk, category_id=category.pk)
            for profile in profiles
            for category in rng.sample(categories, min(len(categories), rng.randint(1, 3)))
        ],
        batch_size=BATCH,
    )
    consents, topics = [], {}
    for profile in profiles:
        if profile.completed_at and rng.random() < 0.08:
            topics[profile.pk] = rng.choice(PEER_TOPICS)
            consents.append(
                Consent(
                    community=community,
                    person_id=profile.person_id,
                    purpose=ConsentPurpose.PEER_SUPPORT,
                    given_at=profile.completed_at,
                    recorded_by_id=memberships[profile.person_id],
                )
            )
        if rng.random() < 0.3:
            consents.append(
                Consent(
                    community=community,
                    person_id=profile.person_id,
                    purpose=ConsentPurpose.RESEARCH,
                    given_at=profile.started_at,
                    recorded_by_id=memberships[profile.person_id],
                )
            )
    for profile in profiles:
        if profile.pk in topics:
            profile.peer_topics = topics[profile.pk]
    StrengthsProfile.objects.bulk_update(
        [p for p in profiles if p.pk in topics], ["peer_topics"], batch_size=BATCH
    )
    Consent.objects.bulk_create(consents, batch_size=BATCH)

    goals, plans = [], []
    for profile in profiles:
        if not profile.completed_at or rng.random() > 0.45:
            continue
        title, steps = rng.choice(GOALS)
        status = rng.choices(
            [GoalStatus.ACTIVE, GoalStatus.REACHED, GoalStatus.PAUSED], weights=[6, 3, 1]
        )[0]
        created = profile.completed_at + timedelta(days=rng.randint(0, 20))
        goals.append(
            Goal(
                community=community,
                person_id=profile.person_id,
                title=title,
                why=profile.hopes,
                status=status,
                created_at=created,
                reached_at=created + timedelta(days=rng.randint(10, 60))
                if status == GoalStatus.REACHED
                else None,
            )
        )
        done = len(steps) if status == GoalStatus.REACHED else rng.randint(0, len(steps) - 1)
        plans.append((steps, done, created))
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    step_rows, events = [], []
    for goal, (steps, done, created) in zip(goals, plans, strict=True):
        actor = memberships[goal.person_id]
        events.append(
            GoalEvent(goal=goal, actor_id=actor, action="created", text=goal.title, at=created)
        )
        for i, text in enumerate(steps):
            ticked = created + timedelta(days=3 * (i + 1)) if i < done else None
            step_rows.append(GoalStep(goal=goal, text=text, created_at=created, done_at=ticked))
            events.append(
                GoalEvent(goal=goal, actor_id=actor, action="step_added", text=text, at=created)
            )
            if ticked:
                events.append(
                    GoalEvent(goal=goal, actor_id=actor, action="step_done", text=text, at=ticked)
                )
    GoalStep.objects.bulk_create(step_rows, batch_size=BATCH)
    GoalEvent.objects.bulk_create(events, batch_size=BATCH)
    _member_login_has_peers(ctx)


def _member_login_has_peers(ctx: DemoContext) -> None:
    """The demo's member login shares the most common concern, with consent, so that their
    home shows peers beside people to help and people who could help."""
    from collections import Counter

    from ginnel.communities.models import Role
    from ginnel.demo.generator import login_email
    from ginnel.people.models import Person

    community = ctx.community
    person = Person.objects.filter(
        community=community, membership__user__email=login_email(community.slug, Role.MEMBER)
    ).first()
    held = Counter(
        StrengthsProfile.objects.filter(community=community)
        .exclude(peer_topics="")
        .values_list("peer_topics", flat=True)
    )
    if person is None or not held:
        return
    topic = sorted(held, key=lambda t: (-held[t], t))[0]
    profile, _ = StrengthsProfile.objects.get_or_create(
        person=person, defaults={"community": community}
    )
    profile.peer_topics = topic
    profile.save(update_fields=["peer_topics"])
    if not Consent.objects.filter(
        person=person, purpose=ConsentPurpose.PEER_SUPPORT, withdrawn_at__isnull=True
    ).exists():
        Consent.objects.create(
            community=community,
            person=person,
            purpose=ConsentPurpose.PEER_SUPPORT,
            recorded_by_id=person.membership_id,
        )
