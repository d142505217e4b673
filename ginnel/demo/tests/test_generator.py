"""The demo community generator and ``ginnel demo``.

Volumes stay small (at most 300 people) so the suite stays fast; the 100,000
people run is measured in docs/performance.md.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.test import Client

from ginnel.communities.models import (
    Community,
    CommunityKind,
    Membership,
    MembershipStatus,
    Neighbourhood,
    Role,
    RoleGrant,
    SignupMode,
)
from ginnel.communities.selectors import communities_of
from ginnel.demo import generator
from ginnel.demo.generator import (
    DEFAULT_SEED,
    DemoContext,
    DemoResult,
    delete_demo,
    ensure_demo,
    generate_community,
)
from ginnel.errors import GinnelError
from ginnel.people.models import ContactMethod, Person, User

pytestmark = pytest.mark.django_db

DRAMA_PHONE = re.compile(r"^(07700 900\d{3}|0113 496 0\d{3}|01632 960\d{3})$")


@pytest.fixture
def demo() -> DemoResult:
    return generate_community(people=300, seed=DEFAULT_SEED)


@pytest.fixture
def small() -> DemoResult:
    return generate_community(people=60, seed=7, slug="small")


def names_of(community: Community) -> list[str]:
    return list(
        Person.objects.filter(community=community)
        .order_by("pk")
        .values_list("display_name", flat=True)
    )


def test_the_demo_has_300_people_in_3_neighbourhoods(demo: DemoResult) -> None:
    assert Person.objects.filter(community=demo.community).count() == 300
    assert demo.people == 300
    assert Neighbourhood.objects.filter(community=demo.community).count() == 3
    placed = Person.objects.filter(community=demo.community, neighbourhood__isnull=False)
    assert placed.count() > 270
    sizes = placed.values("neighbourhood").annotate(n=Count("id")).values_list("n", flat=True)
    assert len(sizes) == 3
    assert min(sizes) > 30


def test_every_role_is_held_and_most_people_are_only_members(demo: DemoResult) -> None:
    grants = RoleGrant.objects.filter(community=demo.community)
    held = dict(grants.values("role").annotate(n=Count("id")).values_list("role", "n"))
    assert set(held) == set(Role) - {Role.MEMBER}
    assert 1 <= held[Role.ADMINISTRATOR] <= 2
    assert all(n < 15 for n in held.values())
    with_roles = grants.values("membership").distinct().count()
    assert with_roles / 300 < 0.1


def test_the_demo_has_one_login_per_role(demo: DemoResult) -> None:
    assert sorted(login.role for login in demo.logins) == sorted(Role)
    assert len({login.email for login in demo.logins}) == len(Role)
    for login in demo.logins:
        membership = Membership.objects.get(community=demo.community, user__email=login.email)
        roles = {Role(g.role) for g in membership.grants.all()}
        assert roles == ({login.role} - {Role.MEMBER})
        assert membership.person.display_name == login.name


def test_each_printed_login_can_log_in_with_its_password(demo: DemoResult) -> None:
    for login in demo.logins:
        client = Client()
        response = client.post("/login/", {"username": login.email, "password": login.password})
        assert response.status_code == 302, login.role
        user = User.objects.get(email=login.email)
        assert client.session["_auth_user_id"] == str(user.pk)


def test_only_the_printed_logins_have_usable_passwords(small: DemoResult) -> None:
    users = User.objects.filter(memberships__community=small.community)
    usable = {u.email for u in users if u.has_usable_password()}
    assert usable == {login.email for login in small.logins}


def test_the_coordinator_can_switch_to_a_second_community(demo: DemoResult) -> None:
    coordinator = demo.login(Role.COORDINATOR)
    assert coordinator.communities == (demo.community.name, demo.network.name)
    user = User.objects.get(email=coordinator.email)
    assert set(communities_of(user)) == {demo.community, demo.network}
    network = demo.network
    assert network.kind == CommunityKind.NETWORK
    assert network.signup_mode == SignupMode.APPLICATION
    assert Person.objects.filter(community=network).count() < 300
    assert Membership.objects.filter(community=network, status=MembershipStatus.APPLIED).exists()


def test_some_timebank_members_belong_to_the_network_too(demo: DemoResult) -> None:
    shared = User.objects.filter(memberships__community=demo.community).filter(
        memberships__community=demo.network
    )
    printed = {login.email for login in demo.logins}
    assert shared.exclude(email__in=printed).exists()


@pytest.mark.parametrize("which", ["community", "network"])
def test_every_membership_has_one_person_and_every_row_its_community(
    demo: DemoResult, which: str
) -> None:
    community = getattr(demo, which)
    memberships = Membership.objects.filter(community=community)
    assert not memberships.filter(person__isnull=True).exists()
    assert Person.objects.filter(membership__community=community).count() == memberships.count()
    assert (
        not Person.objects.filter(community=community)
        .exclude(membership__community=community)
        .exists()
    )
    assert (
        not Person.objects.filter(community=community, neighbourhood__isnull=False)
        .exclude(neighbourhood__community=community)
        .exists()
    )
    grants = RoleGrant.objects.filter(membership__community=community)
    assert grants.exists()
    assert not grants.exclude(community_id=F("membership__community_id")).exists()
    assert not grants.filter(role=Role.MEMBER).exists()


def test_a_few_people_are_recorded_offline_and_reached_through_a_coordinator(
    demo: DemoResult,
) -> None:
    offline = Person.objects.filter(community=demo.community, membership__user__isnull=True)
    assert 0 < offline.count() < 30
    coordinators = set(
        Person.objects.filter(
            community=demo.community, membership__grants__role=Role.COORDINATOR
        ).values_list("display_name", flat=True)
    )
    for person in offline:
        assert person.contact_method in (ContactMethod.IN_PERSON, ContactMethod.PHONE)
        assert any(name in person.contact_times for name in coordinators)
        assert not person.contact_email


def test_contact_details_are_reserved_fictional_ones(demo: DemoResult) -> None:
    people = Person.objects.filter(community__in=[demo.community, demo.network])
    emails = [e for e in people.values_list("contact_email", flat=True) if e]
    assert emails
    assert all(re.search(r"[@.]example\.(org|com)$", e) for e in emails)
    assert all(
        re.search(r"[@.]example\.(org|com)$", e)
        for e in User.objects.values_list("email", flat=True)
    )
    phones = [p for p in people.values_list("phone", flat=True) if p]
    assert phones
    assert all(DRAMA_PHONE.match(p) for p in phones), phones
    methods = set(people.values_list("contact_method", flat=True))
    assert {ContactMethod.EMAIL, ContactMethod.PHONE, ContactMethod.IN_PERSON} <= methods


def test_display_names_are_mostly_first_names(demo: DemoResult) -> None:
    names = names_of(demo.community)
    single = [n for n in names if " " not in n]
    assert len(single) / len(names) > 0.5
    assert len(set(names)) > 100


def test_the_same_seed_gives_the_same_people() -> None:
    one = generate_community(people=40, seed=11, slug="one")
    two = generate_community(people=40, seed=11, slug="two")
    assert names_of(one.community) == names_of(two.community)
    assert names_of(one.network) == names_of(two.network)
    assert [login.name for login in one.logins] == [login.name for login in two.logins]


def test_another_seed_gives_other_people() -> None:
    one = generate_community(people=40, seed=11, slug="one")
    two = generate_community(people=40, seed=12, slug="two")
    assert names_of(one.community) != names_of(two.community)


def test_generating_over_an_existing_demo_is_refused(small: DemoResult) -> None:
    with pytest.raises(GinnelError):
        generate_community(people=60, seed=7, slug="small")


def test_too_few_people_is_refused() -> None:
    with pytest.raises(GinnelError):
        generate_community(people=3, seed=1, slug="tiny")


def test_ensuring_the_same_demo_again_reuses_it() -> None:
    first = ensure_demo(people=50, seed=3)
    users = User.objects.count()
    people = Person.objects.count()
    again = ensure_demo(people=50, seed=3)
    assert again.reused
    assert not first.reused
    assert not first.replaced
    assert again.community == first.community
    assert again.logins == first.logins
    assert User.objects.count() == users
    assert Person.objects.count() == people


def test_ensuring_a_demo_of_another_size_makes_it_again() -> None:
    ensure_demo(people=50, seed=3)
    bigger = ensure_demo(people=70, seed=3)
    assert not bigger.reused
    assert bigger.replaced
    assert Community.objects.filter(slug="demo").count() == 1
    assert Person.objects.filter(community=bigger.community).count() == 70


def test_fresh_makes_the_demo_again_without_leftovers() -> None:
    first = ensure_demo(people=50, seed=3)
    users = User.objects.count()
    again = ensure_demo(people=50, seed=3, fresh=True)
    assert not again.reused
    assert again.community.pk != first.community.pk
    assert User.objects.count() == users
    assert Community.objects.count() == 2


def test_reusing_resets_a_changed_printed_password() -> None:
    first = ensure_demo(people=50, seed=3)
    login = first.login(Role.ANALYST)
    user = User.objects.get(email=login.email)
    user.set_password("something else entirely 99")
    user.save()
    again = ensure_demo(people=50, seed=3)
    assert again.reused
    user.refresh_from_db()
    assert user.check_password(login.password)


def test_a_community_the_generator_did_not_make_is_left_alone(community: Community) -> None:
    Community.objects.filter(pk=community.pk).update(slug="demo")
    with pytest.raises(GinnelError, match="not made by ginnel demo"):
        delete_demo(slug="demo")
    with pytest.raises(GinnelError):
        ensure_demo(people=50, seed=3)
    assert Community.objects.filter(slug="demo").exists()


def test_deleting_the_demo_keeps_other_communities(
    small: DemoResult, community: Community, member: Person
) -> None:
    assert delete_demo(slug="small")
    assert not Community.objects.filter(slug__startswith="small").exists()
    assert not User.objects.filter(email__endswith="@small.example.org").exists()
    assert Person.objects.filter(pk=member.pk).exists()
    assert not delete_demo(slug="small")


def test_later_steps_get_the_people(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[DemoContext] = []
    monkeypatch.setattr(generator, "STEPS", (seen.append,))
    result = generate_community(people=30, seed=5, slug="steps")
    (context,) = seen
    assert context.community == result.community
    assert sorted(context.person_ids) == sorted(
        Person.objects.filter(community=result.community).values_list("pk", flat=True)
    )
    assert len(context.network_person_ids) == result.network_people
    assert context.rng("strengths").random() == context.rng("strengths").random()


def test_the_demo_command_makes_the_community_and_prints_the_logins() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--people", "50", stdout=out)
    printed = out.getvalue()
    community = Community.objects.get(slug="demo")
    assert Person.objects.filter(community=community).count() == 50
    for role in Role:
        email = generator.login_email("demo", role)
        password = generator.login_password(seed=DEFAULT_SEED, slug="demo", role=role)
        assert re.search(rf"{re.escape(email)}\s+{re.escape(password)}", printed), role
    assert "http://127.0.0.1:8000/login/" in printed


def test_the_demo_command_reuses_the_community_when_run_again() -> None:
    call_command("demo", "--no-serve", "--people", "50", stdout=StringIO())
    users = User.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", "--people", "50", "--port", "8123", stdout=out)
    assert "Reusing" in out.getvalue()
    assert "http://127.0.0.1:8123/login/" in out.getvalue()
    assert User.objects.count() == users


def test_the_demo_command_refuses_too_few_people() -> None:
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--people", "2", stdout=StringIO())
