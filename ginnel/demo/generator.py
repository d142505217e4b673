"""The demo community: synthetic but realistic people for ``ginnel demo``, tests and benchmarks.

:func:`generate_community` makes two communities from a seed:

- the main one, an open timebank (``slug``) with ``people`` people in
  ``neighbourhoods`` neighbourhoods: mostly members, a few coordinators, link
  workers, organisation editors and analysts, one or two administrators, and
  a few people recorded offline by a coordinator (a membership without a user);
- a smaller carers' network (``<slug>-carers``) that people join by
  application, so that a person can switch between communities: the printed
  coordinator is a member there and the printed administrator runs it too.

It writes the domain models directly with ``bulk_create`` in batches (it is the
generator: it may bypass the services for speed) but keeps their invariants:
each membership has exactly one person, role grants never use the member role,
``community_id`` is set on every row. Only the printed logins (one per role)
get a real password; everyone else gets an unusable one, so 100,000 people
take minutes, not the hours that hashing each password would.

The same seed gives the same people: every draw comes from one
``random.Random(seed)`` and one ``Faker("en_GB")`` seeded with it, in a fixed
order. Later capabilities add what they generate (strengths, timebank,
directory) as :data:`STEPS`; see :class:`DemoContext`.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker
from tqdm import tqdm

from ginnel.communities.models import (
    Community,
    CommunityEvent,
    CommunityKind,
    Invitation,
    Membership,
    MembershipStatus,
    Neighbourhood,
    Role,
    RoleGrant,
    SignupMode,
)
from ginnel.errors import GinnelError
from ginnel.notifications.services import inbox_only
from ginnel.people.models import ContactMethod, Person, User

DEFAULT_PEOPLE = 300
DEFAULT_NEIGHBOURHOODS = 3
DEFAULT_SEED = 1871
DEFAULT_SLUG = "demo"
#: Enough people for one of each role and a plain member.
MIN_PEOPLE = 10
#: Rows written per round trip group; memory stays flat however many people.
BATCH_SIZE = 5_000

MAIN_NAME = "Millbeck Timebank"
NETWORK_NAME = "Millbeck Carers Network"
NETWORK_NEIGHBOURHOODS = ("Millbeck town", "Outlying villages")

# Realistic (mostly invented) West Riding place names. Past this list, the
# generator adds Upper/Lower/... variants.
NEIGHBOURHOOD_NAMES = (
    "Hebble End",
    "Mytholm",
    "Moor End",
    "Lower Fold",
    "Brigg Top",
    "Ashworth Green",
    "Ferney Lee",
    "Town Gate",
    "Kiln Hurst",
    "Clough Foot",
    "Beck Side",
    "Holme Lane",
    "Stubbing Wharf",
    "Wood Top",
    "Bank Top",
    "Ings Lane",
    "Scar Head",
    "Windy Bank",
    "Mill Bank",
    "Sowerby Rise",
    "Rawson Fields",
    "Cobden Street",
    "Slack Bottom",
    "Dean Clough",
)
_NEIGHBOURHOOD_PREFIXES = ("", "Upper ", "Lower ", "North ", "South ", "East ", "West ")
MAX_NEIGHBOURHOODS = len(NEIGHBOURHOOD_NAMES) * len(_NEIGHBOURHOOD_PREFIXES)

# Words for the printed logins' passwords (three words and a number).
_PASSWORD_WORDS = (
    "allotment", "bramble", "canal", "chimney", "cobble", "dale", "fell", "ginnel",
    "hearth", "heron", "kettle", "lantern", "meadow", "moorland", "orchard", "pennine",
    "quarry", "ridge", "spindle", "teasel", "thistle", "weir", "wren", "yarrow",
)  # fmt: skip

# Ofcom's ranges reserved for drama: never a real subscriber.
_MOBILE = "07700 900{:03d}"
_LANDLINES = ("0113 496 0{:03d}", "01632 960{:03d}")

_CONTACT_METHODS = (
    ContactMethod.EMAIL,
    ContactMethod.TEXT,
    ContactMethod.PHONE,
    ContactMethod.POST,
    ContactMethod.IN_PERSON,
)
_CONTACT_WEIGHTS = (0.55, 0.2, 0.15, 0.05, 0.05)
_CONTACT_TIMES = (
    "",
    "",
    "",
    "Weekday mornings",
    "Evenings, not after 8pm",
    "Any time",
    "Weekends are best",
    "Afternoons, after the school run",
    "Not Mondays",
)
_DROP_INS = (
    "the Tuesday drop-in at the library",
    "the Thursday lunch club",
    "the Friday coffee morning at the community centre",
    "the surgery's Wednesday clinic",
)
_APPLICATION_MESSAGES = (
    "I look after my mum, who has dementia, and would like to meet other carers.",
    "My husband had a stroke last year. A friend said this group helped her.",
    "I care for my son and could do with some time for me now and then.",
    "I'm new to caring for my dad and don't know where to start.",
)

_SHARE_OFFLINE = 0.03
_SHARE_NO_NEIGHBOURHOOD = 0.03
_MARKER = "made by ginnel demo"
_SPEC = re.compile(r"--people (\d+) --neighbourhoods (\d+) --seed (-?\d+)")


@dataclass(frozen=True)
class DemoLogin:
    """One printed login: a person with ``role`` who can log in with ``password``."""

    role: Role
    name: str
    email: str
    password: str
    communities: tuple[str, ...]


@dataclass(frozen=True)
class DemoResult:
    community: Community
    network: Community
    logins: tuple[DemoLogin, ...]
    people: int
    network_people: int
    #: The demo already existed as asked for, and was kept.
    reused: bool = False
    #: A demo of another size (or seed) existed, or --fresh was asked for, and was deleted.
    replaced: bool = False

    def login(self, role: Role) -> DemoLogin:
        return next(login for login in self.logins if login.role == role)


@dataclass
class DemoContext:
    """What a later capability's step gets once the people exist.

    Skills, interests and hopes have no model yet; when the strengths
    capability adds them, it adds a step to :data:`STEPS` that draws them for
    ``person_ids`` (and the timebank adds offers, requests and exchanges the
    same way). Each step draws from ``rng("<its name>")``, so adding a step
    never changes what the steps before it made for a given seed.
    """

    community: Community
    network: Community
    seed: int
    person_ids: list[int]
    network_person_ids: list[int]
    neighbourhood_ids: list[int]
    progress: bool = False

    def rng(self, name: str) -> random.Random:
        return random.Random(f"ginnel-demo:{self.seed}:{name}")


DemoStep = Callable[[DemoContext], None]

#: Later capabilities' generators, run in order inside the same transaction
#: (filled in at the end of this module, since the steps import DemoContext).
STEPS: tuple[DemoStep, ...] = ()


def network_slug(slug: str) -> str:
    return f"{slug}-carers"


def login_email(slug: str, role: Role) -> str:
    return f"{role.value.replace('_', '-')}@{_domain(slug)}"


def login_password(*, seed: int, slug: str, role: Role) -> str:
    """The printed password for ``role``: the same for the same seed, so it can be printed again."""
    rng = random.Random(f"ginnel-demo-password:{slug}:{seed}:{role.value}")
    return "-".join([*rng.sample(_PASSWORD_WORDS, 3), str(rng.randrange(10, 100))])


def neighbourhood_names(count: int) -> list[str]:
    if not 1 <= count <= MAX_NEIGHBOURHOODS:
        raise GinnelError(
            f"A demo community has between 1 and {MAX_NEIGHBOURHOODS} neighbourhoods."
        )
    names = [prefix + name for prefix in _NEIGHBOURHOOD_PREFIXES for name in NEIGHBOURHOOD_NAMES]
    return names[:count]


def role_counts(people: int) -> dict[Role, int]:
    """How many people hold each extra role: a few, growing with the square root of size."""
    root = math.sqrt(people)
    return {
        Role.ADMINISTRATOR: 1 if people < 1_000 else 2,
        Role.COORDINATOR: max(1, round(0.3 * root)),
        Role.LINK_WORKER: max(1, round(0.25 * root)),
        Role.ORG_EDITOR: max(1, round(0.35 * root)),
        Role.ANALYST: max(1, round(0.12 * root)),
    }


def network_size(people: int) -> int:
    return min(max(people // 10, 12), 2_000)


def describe(*, people: int, neighbourhoods: int, seed: int) -> str:
    return (
        f"A demo community for trying Ginnel: all {people:,} people in it are fictional "
        f"({_MARKER} --people {people} --neighbourhoods {neighbourhoods} --seed {seed})."
    )


def generate_community(
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    neighbourhoods: int = DEFAULT_NEIGHBOURHOODS,
    slug: str = DEFAULT_SLUG,
    progress: bool = False,
) -> DemoResult:
    """Make the demo community ``slug`` (and its carers' network) from ``seed``."""
    if people < MIN_PEOPLE:
        raise GinnelError(f"A demo community needs at least {MIN_PEOPLE} people.")
    names = neighbourhood_names(neighbourhoods)
    if Community.objects.filter(slug__in=[slug, network_slug(slug)]).exists():
        raise GinnelError(f"There is already a community with the address {slug!r}.")
    # The generated year fills inboxes but emails nobody.
    with transaction.atomic(), inbox_only():
        return _Generator(seed=seed, slug=slug, progress=progress).run(
            people=people, neighbourhoods=names
        )


def ensure_demo(
    *,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    neighbourhoods: int = DEFAULT_NEIGHBOURHOODS,
    slug: str = DEFAULT_SLUG,
    fresh: bool = False,
    progress: bool = False,
) -> DemoResult:
    """The demo community as asked for: the existing one if it matches, else a new one.

    It matches when it was made with the same number of people and
    neighbourhoods and the same seed (recorded in its description). Otherwise,
    or with ``fresh``, the old one is deleted first.
    """
    with transaction.atomic():
        if not fresh:
            existing = _existing(slug=slug, seed=seed, people=people, neighbourhoods=neighbourhoods)
            if existing is not None:
                return existing
        replaced = delete_demo(slug=slug)
        result = generate_community(
            people=people, seed=seed, neighbourhoods=neighbourhoods, slug=slug, progress=progress
        )
        return replace(result, replaced=replaced)


@transaction.atomic
def delete_demo(*, slug: str = DEFAULT_SLUG) -> bool:
    """Delete the demo community ``slug``, its network and their generated users.

    Refuses to touch a community of that address that the generator did not make.
    """
    communities = list(Community.objects.filter(slug__in=[slug, network_slug(slug)]))
    for community in communities:
        if _MARKER not in community.description:
            raise GinnelError(
                f"The community {community.name!r} ({community.slug}) was not made by "
                "ginnel demo, so it is left alone. Delete it in /admin/ first if you mean to."
            )
    if not communities:
        return False
    ids = [c.pk for c in communities]
    from ginnel.demo.referrals_data import delete_referrals  # referrals protect people

    delete_referrals(ids)
    # Table by table, children first: a person protects their neighbourhood,
    # and the leaf tables go in one statement each instead of the cascade
    # loading every row. (Later capabilities delete their rows here first.)
    from ginnel.timebank.models import (  # the ledger protects people and accounts
        Account,
        Category,
        Entry,
        Exchange,
        Listing,
        Safeguarding,
        ThankYou,
        TimebankAction,
        TimebankSettings,
        Transfer,
    )

    for model in (
        ThankYou,
        TimebankAction,
        Exchange,
        Entry,
        Safeguarding,
        Account,
        Listing,
        Category,
        TimebankSettings,
    ):
        model.objects.filter(community_id__in=ids).delete()
    # Reversals refer to the transfers they reverse: delete them first.
    Transfer.objects.filter(community_id__in=ids, reverses__isnull=False).delete()
    Transfer.objects.filter(community_id__in=ids).delete()
    Person.objects.filter(community_id__in=ids).delete()
    RoleGrant.objects.filter(community_id__in=ids).delete()
    CommunityEvent.objects.filter(community_id__in=ids).delete()
    Invitation.objects.filter(community_id__in=ids).delete()
    Membership.objects.filter(community_id__in=ids).delete()
    Neighbourhood.objects.filter(community_id__in=ids).delete()
    Community.objects.filter(pk__in=ids).delete()
    User.objects.filter(email__endswith=f"@{_domain(slug)}").delete()
    return True


# --- internals -------------------------------------------------------------


def _domain(slug: str) -> str:
    return f"{slug}.example.org"


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", plain) or "person"


@dataclass(slots=True)
class _Row:
    """One generated person before it is written."""

    display_name: str
    email: str  # "" for a person recorded offline
    neighbourhood: Neighbourhood | None
    contact_method: str
    phone: str
    contact_times: str
    joined: datetime
    role: Role | None = None
    login: bool = False


@dataclass
class _Generator:
    seed: int
    slug: str
    progress: bool
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    now: datetime = field(init=False)
    start: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(self.seed)
        self.now = timezone.now()
        self.start = self.now - timedelta(days=3 * 365)

    # The main community ---------------------------------------------------

    def run(self, *, people: int, neighbourhoods: list[str]) -> DemoResult:
        members_in_network = network_size(people)
        bar = tqdm(
            total=people + members_in_network,
            unit=" people",
            desc="Generating the demo",
            disable=not self.progress,
        )
        with bar:
            community = Community.objects.create(
                name=MAIN_NAME,
                slug=self.slug,
                kind=CommunityKind.TIMEBANK,
                signup_mode=SignupMode.OPEN,
                description=describe(
                    people=people, neighbourhoods=len(neighbourhoods), seed=self.seed
                ),
                created_at=self.start,
            )
            places = Neighbourhood.objects.bulk_create(
                [Neighbourhood(community=community, name=name) for name in neighbourhoods]
            )
            main = self._main(community, places, people, bar)
            network, network_person_ids = self._network(main, members_in_network, bar)
        context = DemoContext(
            community=community,
            network=network,
            seed=self.seed,
            person_ids=main.person_ids,
            network_person_ids=network_person_ids,
            neighbourhood_ids=[n.pk for n in places],
            progress=self.progress,
        )
        for step in STEPS:
            step(context)
        return DemoResult(
            community=community,
            network=network,
            logins=_logins(community=community, network=network, seed=self.seed, slug=self.slug),
            people=people,
            network_people=members_in_network,
        )

    def _main(
        self, community: Community, places: list[Neighbourhood], people: int, bar: tqdm
    ) -> _Main:
        plan = [role for role, n in role_counts(people).items() for _ in range(n)]
        main = _Main(community=community)
        coordinators: list[Membership] = []
        admin: Membership | None = None
        # Neighbourhoods differ in size: the first is the biggest.
        weights = [1 / math.sqrt(k + 1) for k in range(len(places))]
        # The people with roles and the printed member come first, so that the
        # coordinators exist to record the offline people after them.
        first = len(plan) + 1
        batches = [range(0, first)] + [
            range(start, min(start + BATCH_SIZE, people))
            for start in range(first, people, BATCH_SIZE)
        ]
        for batch in batches:
            rows = [self._main_row(i, plan, places, weights, coordinators) for i in batch]
            memberships = self._write(community, rows)
            for row, membership in zip(rows, memberships, strict=True):
                if row.role == Role.COORDINATOR:
                    coordinators.append(membership)
                if row.role == Role.ADMINISTRATOR and admin is None:
                    admin = membership
                if row.email and row.role is None and not row.login:
                    main.plain.append((membership.user_id, row.email, row.display_name))
            main.person_ids.extend(m.person.pk for m in memberships)
            RoleGrant.objects.bulk_create(
                [
                    RoleGrant(
                        community=community,
                        membership=membership,
                        role=row.role,
                        granted_at=row.joined,
                        granted_by=None if membership == admin else admin,
                    )
                    for row, membership in zip(rows, memberships, strict=True)
                    if row.role is not None
                ]
            )
            CommunityEvent.objects.bulk_create(
                [
                    CommunityEvent(
                        community=community,
                        actor=self.rng.choice(coordinators),
                        action="person_recorded",
                        subject=membership,
                        at=row.joined,
                    )
                    for row, membership in zip(rows, memberships, strict=True)
                    if not row.email
                ]
            )
            bar.update(len(rows))
        if admin is None or admin.user_id is None or not coordinators:
            raise GinnelError("The role plan must include an administrator and a coordinator.")
        CommunityEvent.objects.create(
            community=community, action="community_created", subject=admin, at=community.created_at
        )
        main.admin_user_id = admin.user_id
        main.coordinator_user_id = coordinators[0].user_id or 0
        return main

    def _main_row(
        self,
        i: int,
        plan: list[Role],
        places: list[Neighbourhood],
        weights: list[float],
        coordinators: list[Membership],
    ) -> _Row:
        first, last = self.fake.first_name(), self.fake.last_name()
        display_name = self._display_name(first, last)
        neighbourhood = (
            None
            if self.rng.random() < _SHARE_NO_NEIGHBOURHOOD
            else self.rng.choices(places, weights)[0]
        )
        role = plan[i] if i < len(plan) else None
        login = i == len(plan) or (role is not None and plan.index(role) == i)
        if role is not None:
            # The people holding roles were there from the start.
            joined = self.start + timedelta(days=self.rng.uniform(0, 60))
        else:
            joined = self.start + timedelta(days=self.rng.uniform(1, 3 * 365))
        if login:
            email = login_email(self.slug, role or Role.MEMBER)
        elif role is None and coordinators and self.rng.random() < _SHARE_OFFLINE:
            return self._offline_row(display_name, neighbourhood, joined, coordinators)
        else:
            email = f"{_ascii(first)}.{_ascii(last)}.{i}@{_domain(self.slug)}"
        method = self.rng.choices(_CONTACT_METHODS, _CONTACT_WEIGHTS)[0]
        wants_phone = method in (ContactMethod.PHONE, ContactMethod.TEXT)
        return _Row(
            display_name=display_name,
            email=email,
            neighbourhood=neighbourhood,
            contact_method=method,
            phone=self._mobile() if wants_phone or self.rng.random() < 0.3 else "",
            contact_times=self.rng.choice(_CONTACT_TIMES),
            joined=joined,
            role=role,
            login=login,
        )

    def _offline_row(
        self,
        display_name: str,
        neighbourhood: Neighbourhood | None,
        joined: datetime,
        coordinators: list[Membership],
    ) -> _Row:
        """Someone not online, recorded by a coordinator, who stays their way in."""
        coordinator = self.rng.choice(coordinators).person.display_name
        if self.rng.random() < 0.6:
            method = ContactMethod.IN_PERSON
            phone = ""
            times = f"Through {coordinator} at {self.rng.choice(_DROP_INS)}"
        else:
            method = ContactMethod.PHONE
            phone = self.rng.choice(_LANDLINES).format(self.rng.randrange(1000))
            times = f"Mornings; {coordinator} rings first"
        return _Row(
            display_name=display_name,
            email="",
            neighbourhood=neighbourhood,
            contact_method=method,
            phone=phone,
            contact_times=times,
            joined=joined,
        )

    def _display_name(self, first: str, last: str) -> str:
        """Mostly first names, as people use in a timebank; some add an initial or surname."""
        draw = self.rng.random()
        if draw < 0.65:
            return first
        if draw < 0.9:
            return f"{first} {last[0]}."
        return f"{first} {last}"

    def _mobile(self) -> str:
        return _MOBILE.format(self.rng.randrange(1000))

    def _write(
        self,
        community: Community,
        rows: list[_Row],
        *,
        users: list[int | None] | None = None,
        statuses: Sequence[str] | None = None,
        decided_by: Membership | None = None,
    ) -> list[Membership]:
        """Users, memberships and people for ``rows``, in three bulk inserts.

        ``users`` gives existing user ids (None: make one from the row's email).
        """
        new_users = User.objects.bulk_create(
            [
                User(email=row.email, password=self._password(row), date_joined=row.joined)
                for k, row in enumerate(rows)
                if row.email and (users is None or users[k] is None)
            ]
        )
        made = iter(new_users)
        memberships = []
        for k, row in enumerate(rows):
            user_id = users[k] if users is not None else None
            if user_id is None and row.email:
                user_id = next(made).pk
            status = statuses[k] if statuses is not None else MembershipStatus.ACTIVE
            decided = status == MembershipStatus.ACTIVE and decided_by is not None
            memberships.append(
                Membership(
                    community=community,
                    user_id=user_id,
                    status=status,
                    application_message=(
                        self.rng.choice(_APPLICATION_MESSAGES)
                        if status == MembershipStatus.APPLIED
                        else ""
                    ),
                    created_at=row.joined,
                    decided_at=row.joined + timedelta(days=self.rng.randint(1, 10))
                    if decided
                    else None,
                    decided_by=decided_by if decided else None,
                )
            )
        Membership.objects.bulk_create(memberships)
        people = Person.objects.bulk_create(
            [
                Person(
                    community=community,
                    membership=membership,
                    display_name=row.display_name,
                    neighbourhood=row.neighbourhood,
                    contact_method=row.contact_method,
                    contact_email=row.email,
                    phone=row.phone,
                    contact_times=row.contact_times,
                    created_at=row.joined,
                )
                for row, membership in zip(rows, memberships, strict=True)
            ]
        )
        for membership, person in zip(memberships, people, strict=True):
            membership.person = person
        return memberships

    def _password(self, row: _Row) -> str:
        if not row.login:
            return make_password(None)
        return make_password(
            login_password(seed=self.seed, slug=self.slug, role=row.role or Role.MEMBER)
        )

    # The carers' network --------------------------------------------------

    def _network(self, main: _Main, size: int, bar: tqdm) -> tuple[Community, list[int]]:
        """A smaller network joined by application, sharing some people with the timebank."""
        network = Community.objects.create(
            name=NETWORK_NAME,
            slug=network_slug(self.slug),
            kind=CommunityKind.NETWORK,
            signup_mode=SignupMode.APPLICATION,
            description=(
                "Peer support for unpaid carers across Millbeck: join by telling a "
                f"coordinator a little about yourself. All its people are fictional, {_MARKER}."
            ),
            created_at=self.start + timedelta(days=200),
        )
        places = Neighbourhood.objects.bulk_create(
            [Neighbourhood(community=network, name=name) for name in NETWORK_NEIGHBOURHOODS]
        )
        names = dict(
            Person.objects.filter(
                community=main.community,
                membership__user_id__in=[main.admin_user_id, main.coordinator_user_id],
            ).values_list("membership__user_id", "display_name")
        )

        def row(display_name: str, email: str, *, role: Role | None = None) -> _Row:
            return _Row(
                display_name=display_name,
                email=email,
                neighbourhood=self.rng.choice(places),
                contact_method=ContactMethod.EMAIL,
                phone=self._mobile() if self.rng.random() < 0.5 else "",
                contact_times=self.rng.choice(_CONTACT_TIMES),
                joined=network.created_at + timedelta(days=self.rng.uniform(0, 800)),
                role=role,
            )

        # The timebank's administrator runs the network too; the timebank's
        # coordinator is an ordinary member here. Both are printed logins.
        founders = [
            row(
                names[main.admin_user_id],
                login_email(self.slug, Role.ADMINISTRATOR),
                role=Role.ADMINISTRATOR,
            ),
            row(names[main.coordinator_user_id], login_email(self.slug, Role.COORDINATOR)),
        ]
        founder_users: list[int | None] = [main.admin_user_id, main.coordinator_user_id]
        founders[0].joined = founders[1].joined = network.created_at
        admin, coordinator_login = self._write(network, founders, users=founder_users)

        # Its own coordinator, who approves the applications.
        first, last = self.fake.first_name(), self.fake.last_name()
        (coordinator,) = self._write(
            network,
            [
                row(
                    f"{first} {last[0]}.",
                    f"{_ascii(first)}.{_ascii(last)}.carers@{_domain(self.slug)}",
                    role=Role.COORDINATOR,
                )
            ],
        )
        RoleGrant.objects.bulk_create(
            [
                RoleGrant(community=network, membership=admin, role=Role.ADMINISTRATOR),
                RoleGrant(
                    community=network,
                    membership=coordinator,
                    role=Role.COORDINATOR,
                    granted_by=admin,
                ),
            ]
        )

        # About a quarter are timebank members too; the rest are new.
        rest = size - 3
        shared = self.rng.sample(main.plain, min(len(main.plain), rest // 4))
        rows = [row(name, email) for _, email, name in shared]
        users: list[int | None] = [user_id for user_id, _, _ in shared]
        for k in range(rest - len(shared)):
            first, last = self.fake.first_name(), self.fake.last_name()
            rows.append(
                row(
                    self._display_name(first, last),
                    f"{_ascii(first)}.{_ascii(last)}.c{k}@{_domain(self.slug)}",
                )
            )
            users.append(None)
        # The newest few are still waiting for a coordinator.
        order = sorted(range(len(rows)), key=lambda k: rows[k].joined)
        rows = [rows[k] for k in order]
        users = [users[k] for k in order]
        waiting = max(2, len(rows) // 15)
        statuses = [MembershipStatus.ACTIVE] * (len(rows) - waiting)
        statuses += [MembershipStatus.APPLIED] * waiting
        members: list[Membership] = []
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = slice(start, start + BATCH_SIZE)
            members += self._write(
                network,
                rows[chunk],
                users=users[chunk],
                statuses=statuses[chunk],
                decided_by=coordinator,
            )
        CommunityEvent.objects.bulk_create(
            [
                CommunityEvent(
                    community=network,
                    action="community_created",
                    subject=admin,
                    at=network.created_at,
                ),
                *(
                    CommunityEvent(
                        community=network,
                        actor=coordinator,
                        action="application_approved",
                        subject=membership,
                        at=membership.decided_at,
                    )
                    for membership in members
                    if membership.decided_at is not None
                ),
            ]
        )
        bar.update(size)
        everyone = [admin, coordinator_login, coordinator, *members]
        return network, [m.person.pk for m in everyone]


@dataclass
class _Main:
    """What the network and the later steps need from the main community."""

    community: Community
    admin_user_id: int = 0
    coordinator_user_id: int = 0
    person_ids: list[int] = field(default_factory=list)
    # (user id, email, display name) of online members without a role or printed login.
    plain: list[tuple[int | None, str, str]] = field(default_factory=list)


def _logins(
    *, community: Community, network: Community, seed: int, slug: str
) -> tuple[DemoLogin, ...]:
    """One login per role, read back from the database (so a reused demo prints the same)."""
    roles = list(Role)
    emails = {login_email(slug, role): role for role in roles}
    people = {
        p.membership.user.email: p
        for p in Person.objects.filter(
            community=community, membership__user__email__in=list(emails)
        ).select_related("membership__user")
        if p.membership.user is not None
    }
    in_network = set(
        Membership.objects.filter(
            community=network,
            status=MembershipStatus.ACTIVE,
            user__email__in=list(emails),
        ).values_list("user__email", flat=True)
    )
    logins = []
    for email, role in emails.items():
        person = people.get(email)
        if person is None:
            raise GinnelError(f"The demo community has no login for {role.label}.")
        communities = (community.name, network.name) if email in in_network else (community.name,)
        logins.append(
            DemoLogin(
                role=role,
                name=person.display_name,
                email=email,
                password=login_password(seed=seed, slug=slug, role=role),
                communities=communities,
            )
        )
    return tuple(logins)


def _existing(*, slug: str, seed: int, people: int, neighbourhoods: int) -> DemoResult | None:
    """The demo ``slug`` if it was made with these numbers and is whole, else None."""
    community = Community.objects.filter(slug=slug).first()
    network = Community.objects.filter(slug=network_slug(slug)).first()
    if community is None or network is None:
        return None
    spec = _SPEC.search(community.description)
    if spec is None or tuple(map(int, spec.groups())) != (people, neighbourhoods, seed):
        return None
    try:
        logins = _logins(community=community, network=network, seed=seed, slug=slug)
    except GinnelError:
        return None
    for login in logins:
        user = User.objects.get(email=login.email)
        if not user.check_password(login.password):
            # Changed since it was made: set it back, so the printed login works.
            user.set_password(login.password)
            user.save(update_fields=["password"])
    return DemoResult(
        community=community,
        network=network,
        logins=logins,
        people=people,
        network_people=Membership.objects.filter(community=network).count(),
        reused=True,
    )


from ginnel.demo.referrals_data import generate_referrals  # noqa: E402
from ginnel.demo.strengths_data import generate_strengths  # noqa: E402 (needs DemoContext)
from ginnel.demo.timebank_data import generate_timebank  # noqa: E402
from ginnel.directory.demo_data import generate_directory  # noqa: E402

STEPS = (generate_timebank, generate_strengths, generate_directory, generate_referrals)
