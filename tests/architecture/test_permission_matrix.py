"""Every URL of Ginnel answers each kind of visitor as the permission matrix says.

The walk below finds every URL pattern of ``ginnel.urls`` (following includes)
and looks each one up in :data:`tests.architecture.permission_matrix.MATRIX`;
a URL without an entry fails :func:`test_every_url_has_an_entry_in_the_matrix`
with the line to add. Each URL is then asked for with GET by eight visitors:
nobody logged in, the member the objects belong to, each staff role, and an
administrator of another community, with this community's address and ids.

The community comes from the demo generator (it makes one of everything in a
few seconds), built once for the module; the objects whose ids go into the
URLs are picked from it so that the member is the person they belong to (see
:class:`World`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django import DjangoDbBlocker

from ginnel.communities.models import (
    Community,
    Invitation,
    Membership,
    MembershipStatus,
    Neighbourhood,
    Role,
    RoleGrant,
    SignupMode,
)
from ginnel.communities.permissions import access_for
from ginnel.demo.generator import generate_community
from ginnel.directory.models import (
    Event,
    EventFeed,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from ginnel.matching.models import Dismissal, Introduction
from ginnel.notifications.models import Delivery, DeliveryStatus, Notification
from ginnel.notifications.unsubscribe import make_token as unsubscribe_token
from ginnel.people.conversation import STEPS
from ginnel.people.email_check import check_token
from ginnel.people.models import Goal, GoalStep, Person, User
from ginnel.referrals.letters import letters_for
from ginnel.referrals.models import (
    Connection,
    ConnectionKind,
    FollowUp,
    IntakeToken,
    Questionnaire,
    Referral,
    ReferralEvent,
    ReferralReason,
    ReferringOrganisation,
)
from ginnel.referrals.tokens import token_issue
from ginnel.timebank.models import Category, Exchange, Listing

from .permission_matrix import (
    LOGIN,
    MATRIX,
    OK_OR_REDIRECT,
    REDIRECT,
    ROLES,
    SKIPPED_PREFIXES,
    Answer,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long test password 42"


# --- The URL patterns -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the whole pattern, for messages
    kwargs: tuple[str, ...]  # the names of the parts of the address


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            if entry.namespace is None:
                inner = namespace
            yield from _walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(
                name=name, pattern=pattern, kwargs=tuple(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
            )


def routes() -> list[Route]:
    """Every URL pattern except those under :data:`SKIPPED_PREFIXES`."""
    return [
        route
        for route in _walk(get_resolver(), "", "")
        if not route.pattern.startswith(SKIPPED_PREFIXES)
    ]


# --- One community with one of everything ---------------------------------------------


@dataclass
class World:
    """The community, a client per visitor, and the value of each part of an address.

    ``member`` is a plain member who is the person of a referral worked by
    ``link_worker``; the listing, the exchange, the notification, the goal and
    the ``person_id`` in addresses are theirs too. The org editor and the
    analyst are also members, so they show what another member gets.
    ``outsider`` administers another community.
    """

    community: Community
    clients: dict[str, Client]
    values: dict[str, str] = field(default_factory=dict)


def _user(email: str) -> User:
    return User.objects.get(email__iexact=email)


def _plain_member(community: Community, referral: Referral) -> Person:
    """The referred person, given a login if the demo made them without one."""
    person = referral.person
    membership = person.membership
    assert membership is not None
    assert not membership.grants.exists(), "the referred person should hold no staff role"
    if membership.user is None:
        membership.user = User.objects.create_user("matrix-member@example.org", PASSWORD)
        membership.save(update_fields=["user"])
    user = membership.user
    if hasattr(user, "email_verified") and not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return person


def _build() -> World:
    demo = generate_community(people=20, seed=5, slug="matrix")
    community = demo.community
    staff = {
        "coordinator": _user(demo.login(Role.COORDINATOR).email),
        "link_worker": _user(demo.login(Role.LINK_WORKER).email),
        "org_editor": _user(demo.login(Role.ORG_EDITOR).email),
        "analyst": _user(demo.login(Role.ANALYST).email),
        "administrator": _user(demo.login(Role.ADMINISTRATOR).email),
    }
    link_worker = Membership.objects.get(community=community, user=staff["link_worker"])
    staff_ids = [u.pk for u in staff.values()]

    # A referral the link worker works, of a plain member, with letters, a
    # connection and a follow-up, so that every referral page has something to show.
    candidates = (
        Referral.objects.filter(community=community, link_worker=link_worker)
        .exclude(person__membership__user_id__in=staff_ids)
        .exclude(person__membership__grants__isnull=False)
        .order_by("pk")
    )
    referral = next(
        (
            r
            for r in candidates
            if r.connections.exists() and r.follow_ups.exists() and letters_for(r)
        ),
        None,
    ) or next(r for r in candidates if letters_for(r))
    member = _plain_member(community, referral)
    assert member.membership is not None
    assert member.membership.user is not None

    other = Community.objects.create(
        name="Elsewhere Timebank",
        slug="matrix-elsewhere",
        kind="timebank",
        signup_mode=SignupMode.OPEN,
    )
    Neighbourhood.objects.create(community=other, name="Far Side")
    outsider_user = User.objects.create_user("matrix-outsider@example.org", PASSWORD)
    outsider = Membership.objects.create(community=other, user=outsider_user)
    RoleGrant.objects.create(community=other, membership=outsider, role=Role.ADMINISTRATOR)
    Person.objects.create(
        community=other,
        membership=outsider,
        display_name="Otto Outsider",
        neighbourhood=other.neighbourhoods.first(),
        contact_email=outsider_user.email,
    )

    users: dict[str, User | None] = {
        "anonymous": None,
        "member": member.membership.user,
        **staff,
        "outsider": outsider_user,
    }
    for user in users.values():
        if user is not None and hasattr(user, "email_verified") and not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
    clients: dict[str, Client] = {}
    for role, user in users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        clients[role] = client

    values = _values(community, member, referral, staff["org_editor"], staff["coordinator"])
    return World(community=community, clients=clients, values=values)


def _first(found: Any, what: str) -> Any:
    assert found is not None, f"the demo community has no {what}: build one in _values()"
    return found


def _values(
    community: Community,
    member: Person,
    referral: Referral,
    editor_user: User,
    coordinator_user: User,
) -> dict[str, str]:
    """The value of each part of an address, by the name the table uses for it."""
    assert member.membership is not None
    assert member.membership.user is not None
    user = member.membership.user
    mine = Listing.objects.filter(community=community, owner=member).order_by("pk").first()
    if mine is None:
        mine = _first(Listing.objects.filter(community=community).order_by("pk").first(), "listing")
        mine.owner = member
        mine.save(update_fields=["owner"])
    exchange = _first(
        Exchange.objects.filter(community=community).order_by("pk").first(), "exchange"
    )
    if member.pk not in (exchange.giver_id, exchange.receiver_id):
        Exchange.objects.filter(pk=exchange.pk).update(receiver=member)
    editor = Person.objects.get(community=community, membership__user=editor_user)
    organisation = _first(editor.edits_for.order_by("pk").first(), "organisation with an editor")
    service = _first(
        Service.objects.filter(community=community, organization=organisation)
        .order_by("pk")
        .first()
        or Service.objects.filter(community=community).order_by("pk").first(),
        "service",
    )
    event = _first(Event.objects.filter(community=community).order_by("pk").first(), "event")
    term = _first(
        TaxonomyTerm.objects.filter(community=community).order_by("pk").first(), "taxonomy term"
    )
    taxonomy = term.taxonomy
    located = _first(
        ServiceAtLocation.objects.filter(community=community).order_by("pk").first(),
        "service at a location",
    )
    feed, _ = EventFeed.objects.get_or_create(community=community)
    notification = Notification.objects.filter(recipient=member).order_by("pk").first()
    if notification is None:
        notification = Notification.objects.create(
            community=community, recipient=member, kind="matrix", url=""
        )
    delivery = Delivery.objects.filter(
        community=community, status=DeliveryStatus.FAILED
    ).first() or Delivery.objects.create(
        community=community,
        notification=notification,
        channel="email",
        frequency="immediately",
        status=DeliveryStatus.FAILED,
        idempotency_key=f"{notification.pk}:email",
        last_error="The address bounced.",
    )
    dismissal = Dismissal.objects.filter(person=member).first() or Dismissal.objects.create(
        community=community, person=member, kind="person", candidate="0"
    )
    introduction = _first(
        Introduction.objects.filter(community=community).order_by("pk").first()
        or Introduction.objects.create(
            community=community,
            person=member,
            other=Person.objects.filter(community=community)
            .exclude(pk=member.pk)
            .order_by("pk")[0],
            kind="person",
            candidate="0",
        ),
        "introduction",
    )
    goal = member.goals.order_by("pk").first()
    step = GoalStep.objects.filter(goal__person=member).order_by("pk").first()
    if goal is None or step is None:
        goal = _first(
            Goal.objects.filter(community=community, steps__isnull=False).order_by("pk").first(),
            "goal with a step",
        )
        goal.person = member
        goal.save(update_fields=["person"])
        step = _first(goal.steps.order_by("pk").first(), "goal step")
    applicant_user = User.objects.create_user("matrix-applicant@example.org", PASSWORD)
    application = Membership.objects.create(
        community=community, user=applicant_user, status=MembershipStatus.APPLIED
    )
    invitation = Invitation.objects.create(community=community, email="matrix-invited@example.org")
    intake = IntakeToken.objects.filter(community=community).order_by("pk").first()
    if intake is None:
        organisation_referring = _first(
            ReferringOrganisation.objects.filter(community=community).order_by("pk").first(),
            "referring organisation",
        )
        intake = token_issue(
            access=access_for(coordinator_user, community),
            organisation=organisation_referring,
            label="Matrix practice system",
        ).token
    letter = letters_for(referral)[0]
    event_any = ReferralEvent.objects.filter(referral=referral).order_by("pk").first()
    worker = _first(referral.link_worker, "link worker of the referral")
    follow_up = FollowUp.objects.filter(referral=referral).order_by("pk").first()
    if follow_up is None:
        follow_up = FollowUp.objects.create(
            community=community,
            referral=referral,
            due_on=date(2026, 1, 5),
            purpose="See how the first visit went",
            scheduled_by=worker,
        )
    connection = Connection.objects.filter(referral=referral).order_by("pk").first()
    if connection is None:
        connection = Connection.objects.create(
            community=community,
            referral=referral,
            kind=ConnectionKind.GROUP,
            target_label="Tuesday walking group",
            made_by=worker,
        )
    questionnaire = _first(
        Questionnaire.objects.filter(community=community).order_by("pk").first(), "questionnaire"
    )
    reason = _first(
        ReferralReason.objects.filter(community=community).order_by("pk").first(), "reason"
    )
    referral_listing = Listing.objects.filter(community=community).exclude(owner=member).first()
    values = {
        "community": community.slug,
        "person_id": member.pk,
        "pk": referral.pk,
        "referral_id": referral.pk,
        "listing_id": mine.pk,
        "kind": "offer",
        "exchange_id": exchange.pk,
        "form_key": "record",
        "category_id": _first(
            Category.objects.filter(community=community).order_by("pk").first(), "category"
        ).pk,
        "dismissal_id": dismissal.pk,
        "introduction_id": introduction.pk,
        "service_uuid": service.uuid,
        "organisation_id": organisation.pk,
        "referring_organisation_id": intake.organisation_id,
        "organisation_uuid": organisation.uuid,
        "service_id": service.pk,
        "event_uuid": event.uuid,
        "term_uuid": term.uuid,
        "term_id": term.pk,
        "feed_token": feed.token,
        "follow_up_id": _first(follow_up, "follow-up of the referral").pk,
        "event_id": _first(event_any, "referral event").pk,
        "letter_id": letter.event_id,
        "connection_id": _first(connection, "connection of the referral").pk,
        "code": questionnaire.code,
        "questionnaire_id": questionnaire.pk,
        "reason_id": reason.pk,
        "intake_token_id": intake.pk,
        "proposed_listing_id": _first(referral_listing, "listing of someone else").pk,
        "notification_id": notification.pk,
        "delivery_id": delivery.pk,
        "membership_id": application.pk,
        "neighbourhood_id": _first(
            Neighbourhood.objects.filter(community=community).order_by("pk").first(),
            "neighbourhood",
        ).pk,
        "goal_id": goal.pk,
        "step_id": step.pk,
        "step": "2",
        "strengths_step": STEPS[1].slug,
        "join_token": invitation.token,
        "unsubscribe_token": unsubscribe_token(member, "matrix", "email"),
        "email_check_token": check_token(user),
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "reset_token": default_token_generator.make_token(user),
        "oruk_service": service.uuid,
        "oruk_service_at_location": located.uuid,
        "oruk_taxonomy": taxonomy.uuid,
        "oruk_taxonomy_term": term.uuid,
        "fhir_referral": referral.pk,
    }
    return {name: str(value) for name, value in values.items()}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """Built once; everything is undone when the module ends (the transaction rolls back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# --- The checks -----------------------------------------------------------------------


def _suggestion(route: Route) -> str:
    return (
        f"The URL {route.pattern!r} ({route.name}) has no entry in "
        f"tests/architecture/permission_matrix.py. Add to MATRIX:\n"
        f'    "{route.name}": needs(Perm.<the permission its view checks>),\n'
        f"adding keyword arguments for visitors who get something else "
        f"(e.g. member=MISSING), or everyone(OK) for a public page; "
        f"and, if a part of its address is not one World knows "
        f"({', '.join(route.kwargs) or 'none'}), parts={{...}}."
    )


def test_every_url_has_an_entry_in_the_matrix() -> None:
    missing = [_suggestion(r) for r in routes() if r.name not in MATRIX]
    assert not missing, "\n\n".join(missing)


def test_the_matrix_has_no_entry_for_a_url_that_is_gone() -> None:
    names = {r.name for r in routes()}
    assert not set(MATRIX) - names, f"remove from MATRIX: {sorted(set(MATRIX) - names)}"


def _address(route: Route, world: World) -> str:
    expect = MATRIX[route.name]
    kwargs = {}
    for part in route.kwargs:
        value_name = expect.parts.get(part, part)
        assert value_name in world.values, (
            f"{route.name}: no value for <{part}>: name one of World's values in parts={{...}}"
        )
        kwargs[part] = world.values[value_name]
    return reverse(route.name, kwargs=kwargs) + expect.query


def _answer(response: HttpResponse) -> set[Answer]:
    """What a response means in the matrix' words (a 302 to a form also counts as that)."""
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if location.split("?")[0].endswith(reverse(settings.LOGIN_URL)):
            return {LOGIN}
        return {REDIRECT, OK_OR_REDIRECT}
    if code == 200:
        return {Answer.OK, OK_OR_REDIRECT}
    return {answer for answer in Answer if answer.value.startswith(str(code))}


def _named(routes_: list[Route]) -> list[Any]:
    return [pytest.param(r, id=r.name) for r in routes_ if r.name in MATRIX]


@pytest.mark.parametrize("route", _named(routes()))
def test_each_visitor_gets_what_the_matrix_says(route: Route, world: World) -> None:
    address = _address(route, world)
    expected = MATRIX[route.name].answers
    wrong = []
    for role in ROLES:
        response = world.clients[role].get(address)
        got = _answer(response)
        if expected[role] not in got:
            where = f" -> {response['Location']}" if response.status_code in (301, 302) else ""
            wrong.append(
                f"{role}: expected {expected[role].value}, got {response.status_code}{where}"
            )
    assert not wrong, f"GET {address}\n" + "\n".join(wrong)
