"""Demo step: a directory for the demo town — organisations, services, groups, hubs, events.

Millbeck is an invented Pennine mill town (set around 53.74°N 2.01°W). The
step gives the demo's neighbourhoods centres on a spiral around the town
centre, then makes a few dozen organisations of recognisable kinds
(churches, community associations, the library, advice agencies, a carers'
centre, telecare providers, …) with about 150 entries between them:
befriending, lunch clubs, walking groups, digital skills hubs, debt advice,
carers' support, falls alarms and the rest, each with a location near a
neighbourhood (a few in outlying villages, some online), a postcode, a
weekly or monthly schedule, cost options (many free), age limits, a phone
and the terms of a "Needs" taxonomy. Events follow: some one-off, some
weekly, with theme terms, and in one week several organisations run events
on the same themes on the same day, as the clash view should show.

Postcodes are in the invented area **MB** (there is no real UK postcode area
MB), so the demo's postcodes never stand in for real ones a deployer has
loaded with ``ginnel load-postcodes``. Every draw comes from
``ctx.rng("directory")`` and a Faker en_GB seeded from the demo seed, so the
same seed makes the same directory; rows are written in bulk.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from faker import Faker

from ginnel.communities.models import Community, Neighbourhood, Role, RoleGrant
from ginnel.directory.models import (
    Address,
    Attribute,
    CostOption,
    Event,
    Freq,
    Kind,
    Location,
    LocationType,
    Organization,
    Phone,
    Postcode,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from ginnel.directory.postcodes import postcodes_loaded_forget
from ginnel.directory.services.derived import kinds_taxonomy_ensure, services_refresh

if TYPE_CHECKING:
    from ginnel.demo.generator import DemoContext

#: The town centre (WGS84).
TOWN = (53.7410, -2.0130)
TOWN_NAME = "Millbeck"
#: The invented postcode area.
AREA = "MB"
NEEDS_TAXONOMY = "Needs"
# Neighbourhood k sits on a spiral: this far from the centre times sqrt(k), golden angle apart.
_SPIRAL_METRES = 900.0
_GOLDEN = math.radians(137.508)
_METRES_PER_DEGREE = 111_320.0
# Villages outside the town (more than 2 miles from its centre).
VILLAGES = (("Heptonstall Slack", 4_600.0, 300.0), ("Blackshaw Head", 5_800.0, 250.0))
# Letters real postcodes use for the unit (never C I K M O V).
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_PHONES = ("01632 960{:03d}", "0113 496 0{:03d}")
_STREET_ENDINGS = ("Street", "Road", "Lane", "Terrace", "Avenue", "Fold", "Gate", "Row")

# Needs taxonomy: parent → children.
NEEDS: dict[str, tuple[str, ...]] = {
    "Company and friendship": ("Befriending", "Lunch clubs", "Social groups", "Walking groups"),
    "Money and debt": ("Debt advice", "Benefits advice", "Energy and warm homes"),
    "Getting online": ("Digital skills", "Devices and data"),
    "Caring for someone": ("Carers' support", "Young carers", "Breaks for carers"),
    "Staying safe at home": ("Falls alarms", "Telecare and sensors", "Home adaptations"),
    "Health and wellbeing": ("Mental health", "Getting active", "Memory and dementia"),
    "Food": ("Food banks and pantries", "Cooking and eating well"),
}

# Slots: (opens, closes).
MORNING = (time(10), time(12))
LUNCH = (time(12), time(14))
AFTERNOON = (time(13, 30), time(15, 30))
EVENING = (time(18, 30), time(20))
OFFICE = (time(9, 30), time(16, 30))
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


@dataclass(frozen=True)
class Template:
    """One kind of entry an organisation of some type runs."""

    name: str  # may use {place} (a neighbourhood) and {town}
    kind: Kind
    terms: tuple[str, ...]
    description: str
    # How it runs: "weekly" (one day), "days" (several weekdays), "monthly", "none".
    when: str = "weekly"
    slots: tuple[tuple[time, time], ...] = (MORNING,)
    # Pounds per session, per week or per item; None: free.
    cost: str | None = None
    cost_label: str = ""
    min_age: int | None = None
    max_age: int | None = None
    online: bool = False


T = Template
TEMPLATES: dict[str, tuple[Template, ...]] = {
    "church": (
        T("{place} Lunch Club", Kind.GROUP, ("Lunch clubs", "Social groups"),
          "A hot two-course lunch and good company. Transport can be arranged.",
          slots=(LUNCH,), cost="4.50", cost_label="Lunch", min_age=55),
        T("{place} Befriending Group", Kind.GROUP, ("Befriending", "Social groups"),
          "Tea, cake and conversation for anyone feeling on their own. Just drop in.",
          slots=(MORNING, AFTERNOON)),
        T("Coffee Morning at {place}", Kind.GROUP, ("Social groups",),
          "A friendly coffee morning; bring a friend or come on your own.", slots=(MORNING,)),
        T("{place} Community Pantry", Kind.SERVICE, ("Food banks and pantries",),
          "Members pay a small amount each week for a bag of food worth much more.",
          slots=(AFTERNOON,), cost="3.50", cost_label="Weekly shop"),
        T("{place} Bereavement Café", Kind.GROUP, ("Befriending", "Mental health"),
          "A relaxed space to talk with others who have lost someone.", when="monthly",
          slots=(AFTERNOON,), min_age=18),
    ),
    "community": (
        T("{place} Walking Group", Kind.GROUP, ("Walking groups", "Getting active"),
          "Gentle walks of about an hour on good paths, ending with a cuppa.",
          slots=(MORNING,)),
        T("{place} Lunch Club", Kind.GROUP, ("Lunch clubs",),
          "A shared lunch cooked by volunteers.", slots=(LUNCH,), cost="3.00",
          cost_label="Lunch"),
        T("Chair Exercise at {place}", Kind.GROUP, ("Getting active",),
          "Seated exercise to music to keep you moving; all abilities welcome.",
          slots=(AFTERNOON,), cost="2.00", cost_label="Session", min_age=50),
        T("{place} Digital Drop-in", Kind.HUB, ("Digital skills", "Devices and data"),
          "Bring your phone, tablet or laptop and a volunteer will help you with it.",
          slots=(MORNING, AFTERNOON)),
        T("{place} Knit and Natter", Kind.GROUP, ("Social groups", "Befriending"),
          "Knitting, crochet and conversation. Wool and needles provided.",
          slots=(AFTERNOON, EVENING)),
        T("{place} Men's Shed", Kind.GROUP, ("Social groups", "Mental health"),
          "Woodwork, repairs and a brew, side by side.", when="days", slots=(MORNING,),
          min_age=18),
    ),
    "library": (
        T("{place} Library Digital Hub", Kind.HUB, ("Digital skills", "Devices and data"),
          "Free computers, wifi and printing, with staff to help you get online.",
          when="days", slots=(OFFICE,)),
        T("Tablet Lending at {place} Library", Kind.HUB, ("Devices and data",),
          "Borrow a tablet with data for up to three months, with help to use it.",
          when="days", slots=(OFFICE,)),
        T("{place} Reading Group", Kind.GROUP, ("Social groups",),
          "One book a month and a good chat about it.", when="monthly", slots=(EVENING,)),
        T("Memory Café at {place} Library", Kind.GROUP, ("Memory and dementia", "Befriending"),
          "For people living with dementia and the people who care for them.",
          when="monthly", slots=(AFTERNOON,)),
    ),
    "advice": (
        T("{town} Debt Advice", Kind.SERVICE, ("Debt advice", "Benefits advice"),
          "Free, confidential advice on debts, budgets and dealing with creditors.",
          when="days", slots=(OFFICE,), min_age=18),
        T("Benefits Check at {place}", Kind.SERVICE, ("Benefits advice",),
          "Find out what you are entitled to and get help to claim it.", slots=(MORNING,),
          min_age=16),
        T("Warm Homes Advice", Kind.SERVICE, ("Energy and warm homes", "Debt advice"),
          "Help with energy bills, grants for insulation and dealing with suppliers.",
          when="days", slots=(OFFICE,), online=True),
        T("Money Advice Phone Line", Kind.SERVICE, ("Debt advice",),
          "Call us for free advice about money worries.", when="days", slots=(OFFICE,),
          online=True, min_age=18),
    ),
    "carers": (
        T("{place} Carers' Support Group", Kind.GROUP, ("Carers' support",),
          "Meet other carers, share what works and take a break.", slots=(MORNING, EVENING),
          min_age=18),
        T("Young Carers Club", Kind.GROUP, ("Young carers", "Carers' support"),
          "Activities, trips and a space to be yourself for young people who care.",
          slots=(EVENING,), min_age=8, max_age=18),
        T("Carers' Sitting Service", Kind.SERVICE, ("Breaks for carers",),
          "A trained volunteer sits with the person you care for so you can have a break.",
          when="days", slots=(OFFICE,)),
        T("Carers' Assessment Help", Kind.SERVICE, ("Carers' support", "Benefits advice"),
          "Help to ask for a carer's assessment and get the support you are owed.",
          when="days", slots=(OFFICE,), min_age=18),
    ),
    "care_tech": (
        T("Falls Alarm Pendant", Kind.CARE_TECH, ("Falls alarms", "Telecare and sensors"),
          "A pendant or wristband that calls for help if you fall, answered day and night.",
          when="none", cost="4.75", cost_label="Per week", online=True),
        T("Home Sensors and Telecare", Kind.CARE_TECH, ("Telecare and sensors",),
          "Smoke, flood and movement sensors linked to a 24-hour response centre.",
          when="none", cost="6.20", cost_label="Per week", online=True),
        T("GPS Locator for People with Dementia", Kind.CARE_TECH,
          ("Telecare and sensors", "Memory and dementia"),
          "A small GPS device so family can find someone who has gone missing.",
          when="none", cost="3.00", cost_label="Per week", online=True),
        T("Telecare Demonstration Room", Kind.CARE_TECH,
          ("Telecare and sensors", "Falls alarms", "Home adaptations"),
          "See and try alarms, sensors and gadgets before you choose; free to visit.",
          when="weekly", slots=(OFFICE,)),
    ),
    "health": (
        T("{place} Health Walk", Kind.GROUP, ("Walking groups", "Getting active"),
          "Short, led walks for people getting back to being active.", slots=(MORNING,)),
        T("Mental Health Peer Support", Kind.GROUP, ("Mental health",),
          "A peer-led group for people living with anxiety or depression.", slots=(EVENING,),
          min_age=18),
        T("{place} Memory Café", Kind.GROUP, ("Memory and dementia", "Social groups"),
          "Music, games and company for people with memory problems and their carers.",
          when="monthly", slots=(AFTERNOON,)),
        T("Social Prescribing Link Workers", Kind.SERVICE, ("Mental health", "Befriending"),
          "Time to talk about what matters to you and find local help; ask your GP practice.",
          when="days", slots=(OFFICE,), min_age=16),
    ),
    "age": (
        T("Telephone Befriending", Kind.SERVICE, ("Befriending",),
          "A regular phone call with a volunteer who looks forward to talking to you.",
          when="days", slots=(OFFICE,), online=True, min_age=60),
        T("{place} Befriending Visits", Kind.SERVICE, ("Befriending",),
          "A vetted volunteer visits you at home for a chat each week.", slots=(AFTERNOON,),
          min_age=60),
        T("{place} Tea Dance", Kind.GROUP, ("Social groups", "Getting active"),
          "Ballroom and sequence dancing with tea and cake.", slots=(AFTERNOON,),
          cost="3.00", cost_label="Entry", min_age=50),
        T("Handyperson Service", Kind.SERVICE, ("Home adaptations", "Falls alarms"),
          "Grab rails, key safes and small jobs that help you stay safe at home.",
          when="days", slots=(OFFICE,), cost="15.00", cost_label="Per hour", min_age=60),
    ),
    "digital": (
        T("{place} Digital Skills Hub", Kind.HUB, ("Digital skills",),
          "Learn to shop, bank and video call safely online, at your own pace.",
          slots=(MORNING, AFTERNOON)),
        T("Free Data and SIM Cards", Kind.HUB, ("Devices and data",),
          "Free mobile data for people who cannot afford to get online.", when="days",
          slots=(OFFICE,)),
        T("Online Safety Sessions", Kind.HUB, ("Digital skills",),
          "Spot scams and keep your accounts safe.", when="monthly", slots=(MORNING,)),
    ),
    "food": (
        T("{town} Food Bank", Kind.SERVICE, ("Food banks and pantries",),
          "Emergency food parcels with a voucher from an advice agency or GP.",
          when="days", slots=(AFTERNOON,)),
        T("Cook and Eat at {place}", Kind.GROUP, ("Cooking and eating well", "Social groups"),
          "Cook a simple meal together and eat it together.", slots=(EVENING,)),
        T("{place} Community Fridge", Kind.SERVICE, ("Food banks and pantries",),
          "Surplus food from local shops, free to anyone.", when="days", slots=(AFTERNOON,)),
    ),
    "housing": (
        T("Home Adaptations Advice", Kind.SERVICE, ("Home adaptations",),
          "Advice and grants for stairlifts, level showers and ramps.", when="days",
          slots=(OFFICE,), online=True),
        T("Tenancy Support", Kind.SERVICE, ("Debt advice", "Benefits advice"),
          "Help to manage your tenancy, rent and bills.", when="days", slots=(OFFICE,),
          min_age=18),
    ),
}  # fmt: skip

# (name, type): {town} and {place} are filled in; {surname} from Faker.
ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("St Michael's Church, {place}", "church"),
    ("{place} Methodist Chapel", "church"),
    ("Friends Meeting House {town}", "church"),
    ("Our Lady of Lourdes, {place}", "church"),
    ("{place} Community Association", "community"),
    ("{place} Village Hall Trust", "community"),
    ("The {surname} Centre", "community"),
    ("{place} Residents' Association", "community"),
    ("{town} Library", "library"),
    ("{place} Library", "library"),
    ("{town} Citizens Advice", "advice"),
    ("Calder Valley Credit Union", "advice"),
    ("{town} Money Matters", "advice"),
    ("{town} Carers Centre", "carers"),
    ("Calder Young Carers", "carers"),
    ("Pennine Lifeline", "care_tech"),
    ("{town} Council Telecare", "care_tech"),
    ("Calder Community Alarms", "care_tech"),
    ("{town} Mind", "health"),
    ("Dementia Friendly {town}", "health"),
    ("{town} Primary Care Network", "health"),
    ("{town} Age Friends", "age"),
    ("The {surname} Trust", "age"),
    ("Get Online Calder", "digital"),
    ("{town} Digital Inclusion CIC", "digital"),
    ("{town} Food Bank", "food"),
    ("{place} Community Kitchen", "food"),
    ("Pennine Housing", "housing"),
    ("{surname} Homes", "housing"),
    ("{place} Baptist Church", "church"),
    ("{place} Walkers", "community"),
    ("{town} Rotary", "age"),
)

EVENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Scam awareness talk", ("Digital skills", "Debt advice"), "digital"),
    ("Carers' Rights Day drop-in", ("Carers' support", "Benefits advice"), "carers"),
    ("Winter warmth fair", ("Energy and warm homes", "Debt advice"), "advice"),
    ("Try a tablet afternoon", ("Digital skills", "Devices and data"), "library"),
    ("Falls prevention workshop", ("Falls alarms", "Getting active"), "care_tech"),
    ("Dementia Friends information session", ("Memory and dementia",), "health"),
    ("Community litter pick and picnic", ("Social groups", "Getting active"), "community"),
    ("Harvest lunch", ("Lunch clubs", "Social groups"), "church"),
    ("Pension credit clinic", ("Benefits advice",), "age"),
    ("Cook on a budget demonstration", ("Cooking and eating well",), "food"),
)
# The clash week: organisations that do not talk to each other all pick the same Thursday.
CLASHES: tuple[tuple[str, tuple[str, ...], str, time, time], ...] = (
    ("Carers' coffee and information morning", ("Carers' support",), "carers",
     time(10), time(12)),
    ("Support for carers: open morning", ("Carers' support", "Breaks for carers"), "health",
     time(10, 30), time(12, 30)),
    ("Caring for someone? Come and talk to us", ("Carers' support",), "age",
     time(11), time(13)),
    ("Get online: free help with phones", ("Digital skills",), "library", time(13), time(15)),
    ("Digital drop-in special", ("Digital skills", "Devices and data"), "digital",
     time(13, 30), time(15, 30)),
)  # fmt: skip


def offset(point: tuple[float, float], metres: float, bearing: float) -> tuple[float, float]:
    """The point ``metres`` away from ``point`` on ``bearing`` (radians), near enough."""
    lat, lon = point
    north = metres * math.cos(bearing) / _METRES_PER_DEGREE
    east = metres * math.sin(bearing) / (_METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + north, 6), round(lon + east, 6)


def neighbourhood_centre(index: int) -> tuple[float, float]:
    """Where the ``index``-th demo neighbourhood's centre is (the first at the town centre)."""
    return offset(TOWN, _SPIRAL_METRES * math.sqrt(index), index * _GOLDEN)


class _Maker:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.community: Community = ctx.community
        self.rng: random.Random = ctx.rng("directory")
        self.fake = Faker("en_GB")
        self.fake.seed_instance(ctx.seed)
        self.now = timezone.now()
        self.postcodes: dict[str, tuple[float, float]] = {}
        self.phones = 0

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def postcode(self, district: int, point: tuple[float, float]) -> str:
        """A new MB postcode in ``district`` centred on ``point``."""
        while True:
            sector = self.rng.randint(1, 9)
            unit = "".join(self.rng.choice(_UNIT_LETTERS) for _ in range(2))
            code = f"{AREA}{district} {sector}{unit}"
            if code not in self.postcodes:
                self.postcodes[code] = point
                return code

    def phone(self) -> str:
        self.phones += 1
        return _PHONES[self.phones % 2].format(self.phones % 1000)

    def street(self) -> str:
        return (
            f"{self.rng.randint(1, 140)} {self.fake.last_name()} {self.rng.choice(_STREET_ENDINGS)}"
        )


@dataclass
class _Place:
    name: str
    district: int
    centre: tuple[float, float]
    spread: float


def generate_directory(ctx: DemoContext) -> None:
    """The demo step: neighbourhood centres, then the demo town's directory."""
    maker = _Maker(ctx)
    places = _centres(ctx, maker)
    needs = _needs(maker)
    kinds = kinds_taxonomy_ensure(community=ctx.community)
    editors = list(
        RoleGrant.objects.filter(community=ctx.community, role=Role.ORG_EDITOR)
        .order_by("pk")
        .values_list("membership__person", flat=True)
    )
    reviewers = list(
        RoleGrant.objects.filter(community=ctx.community, role=Role.COORDINATOR)
        .order_by("pk")
        .values_list("membership__person", flat=True)
    )
    orgs = _organisations(maker, places, editors)
    services = _services(maker, orgs, needs, kinds, reviewers)
    services_refresh(community=ctx.community, service_ids=[e.service.pk for e in services])
    _events(maker, orgs, services, needs)
    Postcode.objects.bulk_create(
        [Postcode(postcode=c.replace(" ", ""), latitude=p[0], longitude=p[1])
         for c, p in maker.postcodes.items()],
        ignore_conflicts=True,
    )  # fmt: skip
    postcodes_loaded_forget()


def _centres(ctx: DemoContext, maker: _Maker) -> list[_Place]:
    """Give the demo neighbourhoods (both communities') centres; the town's places."""
    places = []
    for community_id in (ctx.community.pk, ctx.network.pk):
        rows = list(Neighbourhood.objects.filter(community_id=community_id).order_by("pk"))
        for index, row in enumerate(rows):
            row.latitude, row.longitude = neighbourhood_centre(index)
        Neighbourhood.objects.bulk_update(rows, ["latitude", "longitude"])
        if community_id == ctx.community.pk:
            for index, row in enumerate(rows):
                centre = (row.latitude or 0.0, row.longitude or 0.0)
                places.append(_Place(row.name, index + 1, centre, 650.0))
                maker.postcode(index + 1, centre)  # one at the centre itself
    district = len(places) + 1
    for name, metres, spread in VILLAGES:
        centre = offset(TOWN, metres, maker.rng.uniform(0, 2 * math.pi))
        places.append(_Place(name, district, centre, spread))
        district += 1
    return places


def _needs(maker: _Maker) -> dict[str, TaxonomyTerm]:
    community = maker.community
    taxonomy = Taxonomy.objects.create(
        community=community,
        uuid=maker.uuid(),
        name=NEEDS_TAXONOMY,
        description="What people are looking for help with, or want to take part in.",
    )
    terms: dict[str, TaxonomyTerm] = {}
    for parent_name, children in NEEDS.items():
        parent = TaxonomyTerm.objects.create(
            community=community, uuid=maker.uuid(), taxonomy=taxonomy, name=parent_name
        )
        terms[parent_name] = parent
        made = TaxonomyTerm.objects.bulk_create(
            [
                TaxonomyTerm(
                    community=community,
                    uuid=maker.uuid(),
                    taxonomy=taxonomy,
                    parent=parent,
                    name=name,
                )
                for name in children
            ]
        )
        terms.update({t.name: t for t in made})
    return terms


@dataclass
class _Org:
    row: Organization
    type: str
    place: _Place
    locations: list[Location]
    places: list[_Place]


def _organisations(maker: _Maker, places: list[_Place], editors: list[int]) -> list[_Org]:
    rng, community = maker.rng, maker.community
    town_places = [p for p in places if p.spread > 500] or places
    made: list[_Org] = []
    for pattern, type_ in ORGANISATIONS:
        # Most organisations are in town; a few of the community ones are in the villages.
        village = type_ in {"community", "church"} and rng.random() < 0.2 and len(places) > 1
        place = rng.choice(places[len(town_places) :] if village else town_places)
        name = pattern.format(place=place.name, town=TOWN_NAME, surname=maker.fake.last_name())
        slug = "".join(c for c in name.lower() if c.isalnum())[:30]
        made.append(
            _Org(
                Organization(
                    community=community,
                    uuid=maker.uuid(),
                    name=name,
                    description=f"{name} serves people in and around {TOWN_NAME}.",
                    email=f"hello@{slug}.example.org",
                    website=f"https://{slug}.example.org/",
                    last_modified=maker.now - timedelta(days=rng.randint(1, 400)),
                ),
                type_,
                place,
                [],
                [],
            )
        )
    Organization.objects.bulk_create([o.row for o in made])
    if editors:
        through = Organization.editors.through
        through.objects.bulk_create(
            [
                through(organization_id=o.row.pk, person_id=editors[i % len(editors)])
                for i, o in enumerate(made)
            ]
        )
    locations: list[Location] = []
    addresses: list[Address] = []
    for org in made:
        for n in range(1 if rng.random() < 0.7 else 2):
            place = org.place if n == 0 else rng.choice(town_places)
            point = offset(place.centre, rng.uniform(50, place.spread), rng.uniform(0, 2 * math.pi))
            location = Location(
                community=community,
                uuid=maker.uuid(),
                organization=org.row,
                location_type=LocationType.PHYSICAL,
                name=org.row.name if n == 0 else f"{org.row.name}, {place.name}",
                latitude=point[0],
                longitude=point[1],
            )
            org.locations.append(location)
            org.places.append(place)
            locations.append(location)
            addresses.append(
                Address(
                    community=community,
                    uuid=maker.uuid(),
                    location=location,
                    address_1=maker.street(),
                    address_2=place.name,
                    city=TOWN_NAME,
                    region="West Yorkshire",
                    postal_code=maker.postcode(place.district, point),
                )
            )
    Location.objects.bulk_create(locations)
    for address in addresses:
        address.location_id = address.location.pk
    Address.objects.bulk_create(addresses)
    # Each organisation's own phone (its first location is its own address).
    Phone.objects.bulk_create(
        Phone(community=community, uuid=maker.uuid(), organization=org.row,
              number=maker.phone(), type="voice", description="Office")
        for org in made
    )  # fmt: skip
    return made


@dataclass
class _Entry:
    service: Service
    template: Template
    location: Location | None  # None: by phone or online
    schedules: list[Schedule]


def _services(
    maker: _Maker,
    orgs: list[_Org],
    needs: dict[str, TaxonomyTerm],
    kinds: dict[str, TaxonomyTerm],
    reviewers: Sequence[int],
) -> list[_Entry]:
    rng, community = maker.rng, maker.community
    rows: list[tuple[Service, Template, _Org, Location | None]] = []
    seen: set[str] = set()
    for org in orgs:
        templates = list(TEMPLATES[org.type])
        rng.shuffle(templates)
        count = min(len(templates), rng.randint(4, 6))
        # Some organisations run the same kind of group in two places.
        picks = templates[:count] + ([templates[0]] if rng.random() < 0.25 else [])
        for template in picks:
            index = rng.randrange(len(org.locations))
            location = None if template.online else org.locations[index]
            place_name = org.place.name if location is None else org.places[index].name
            name = template.name.format(place=place_name, town=TOWN_NAME)
            if name in seen:
                name = f"{name} ({org.row.name})"
                if name in seen:
                    continue
            seen.add(name)
            # Most were reviewed in the last year; some are overdue.
            age = rng.randint(380, 700) if rng.random() < 0.15 else rng.randint(5, 330)
            reviewed = maker.now - timedelta(days=age)
            service = Service(
                community=community,
                uuid=maker.uuid(),
                organization=org.row,
                name=name,
                description=template.description,
                email=org.row.email,
                url=org.row.website,
                fees_description="" if template.cost else "Free",
                minimum_age=template.min_age,
                maximum_age=template.max_age,
                eligibility_description=_eligibility(template),
                kind=template.kind.value,
                last_modified=reviewed,
                last_reviewed=reviewed,
                reviewed_by_id=rng.choice(reviewers) if reviewers else None,
            )
            rows.append((service, template, org, location))
    Service.objects.bulk_create([r[0] for r in rows])

    at_locations = [
        ServiceAtLocation(community=community, uuid=maker.uuid(), service=s, location=loc)
        for s, _, _, loc in rows
        if loc is not None
    ]
    ServiceAtLocation.objects.bulk_create(at_locations)
    schedules: list[Schedule] = []
    costs: list[CostOption] = []
    phones: list[Phone] = []
    attributes: list[Attribute] = []
    entries: list[_Entry] = []
    for service, template, _, location in rows:
        made = _schedules(maker, service, template)
        schedules.extend(made)
        entries.append(_Entry(service, template, location, made))
        free = template.cost is None
        costs.append(
            CostOption(
                community=community,
                uuid=maker.uuid(),
                service=service,
                option="Free" if free else template.cost_label,
                amount=Decimal(template.cost or 0),
            )
        )
        phones.append(
            Phone(
                community=community,
                uuid=maker.uuid(),
                service=service,
                number=maker.phone(),
                type="voice",
            )
        )
        for term_name in template.terms:
            attributes.append(_link(maker, needs[term_name], service))
        attributes.append(_link(maker, kinds[template.kind.value], service))
    Schedule.objects.bulk_create(schedules)
    CostOption.objects.bulk_create(costs)
    Phone.objects.bulk_create(phones)
    Attribute.objects.bulk_create(attributes)
    return entries


def _link(maker: _Maker, term: TaxonomyTerm, service: Service) -> Attribute:
    return Attribute(
        community=maker.community,
        uuid=maker.uuid(),
        taxonomy_term=term,
        link_type="service",
        link_id=service.uuid,
        link_entity="service",
    )


def _eligibility(template: Template) -> str:
    if template.min_age and template.max_age:
        return f"Young people aged {template.min_age} to {template.max_age}."
    if template.min_age:
        return f"People aged {template.min_age} and over."
    return "Anyone is welcome."


def _schedules(maker: _Maker, service: Service, template: Template) -> list[Schedule]:
    rng = maker.rng
    opens, closes = rng.choice(template.slots)
    common = {"community": maker.community, "service": service, "opens_at": opens,
              "closes_at": closes, "attending_type": "in person"}  # fmt: skip
    if template.when == "none":
        return []
    if template.when == "days":
        days = ",".join(d for d in WEEKDAYS if rng.random() < 0.7) or "TU,TH"
        return [Schedule(uuid=maker.uuid(), freq=Freq.WEEKLY, byday=days, **common)]
    if template.when == "monthly":
        ordinal, day = rng.randint(1, 4), rng.choice(WEEKDAYS)
        return [Schedule(uuid=maker.uuid(), freq=Freq.MONTHLY, byday=f"{ordinal}{day}", **common)]
    first = rng.choice(WEEKDAYS)
    rows = [Schedule(uuid=maker.uuid(), freq=Freq.WEEKLY, byday=first, **common)]
    if rng.random() < 0.15:
        second = rng.choice([d for d in WEEKDAYS if d != first])
        rows.append(Schedule(uuid=maker.uuid(), freq=Freq.WEEKLY, byday=second, **common))
    return rows


def _at(day: date, when: time) -> datetime:
    return datetime.combine(day, when, tzinfo=timezone.get_current_timezone())


def _events(
    maker: _Maker,
    orgs: list[_Org],
    services: list[_Entry],
    needs: dict[str, TaxonomyTerm],
) -> None:
    """Events that agree with the directory: each is run by one of its organisation's
    entries when one is about the same things, at that entry's place (or online, with a
    link, when the entry has no place), and a group's own meetings keep its schedule."""
    rng, community = maker.rng, maker.community
    by_type: dict[str, list[_Org]] = {}
    for org in orgs:
        by_type.setdefault(org.type, []).append(org)
    entries_of: dict[int, list[_Entry]] = {}
    for entry in services:
        entries_of.setdefault(entry.service.organization_id, []).append(entry)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    made: list[tuple[Event, tuple[str, ...]]] = []

    def runner(org: _Org, themes: tuple[str, ...]) -> _Entry | None:
        """The organisation's entry most about these themes (None: the organisation)."""
        scored = [
            (len(set(themes) & set(e.template.terms)), e)
            for e in entries_of.get(org.row.pk, [])
            if e.service.status == "active"
        ]
        scored = [(n, e) for n, e in scored if n]
        return max(scored, key=lambda p: p[0])[1] if scored else None

    def add(org: _Org, title: str, themes: tuple[str, ...], day: date, start: time,
            end: time, entry: _Entry | None, **extra: object) -> None:  # fmt: skip
        location = entry.location if entry is not None else org.locations[0]
        online = entry is not None and entry.location is None
        event = Event(
            community=community,
            uuid=maker.uuid(),
            organization=org.row,
            service=entry.service if entry is not None else None,
            location=location,
            url=f"{org.row.website}join/" if online else "",
            title=title,
            description=f"{title}, run by {org.row.name}. Everyone welcome.",
            starts_at=_at(day, start),
            ends_at=_at(day, end),
            free=rng.random() < 0.8,
            last_modified=maker.now,
            **extra,
        )
        made.append((event, themes))

    # One-off events over the next eight weeks.
    for title, themes, type_ in EVENTS:
        for org in rng.sample(by_type[type_], min(2, len(by_type[type_]))):
            day = monday + timedelta(days=rng.randint(0, 55))
            start = time(rng.choice((10, 11, 13, 14, 18)))
            end = (datetime.combine(day, start) + timedelta(hours=2)).time()
            add(org, title, themes, day, start, end, runner(org, themes))
    # Groups' own meetings for six months, on their days and at their times.
    groups = [e for e in services if e.template.kind == Kind.GROUP and e.schedules]
    org_of = {o.row.pk: o for o in orgs}
    for entry in rng.sample(groups, min(12, len(groups))):
        org = org_of[entry.service.organization_id]
        schedule = entry.schedules[0]
        code = schedule.byday.split(",")[0]
        weekday = WEEKDAYS.index(code[-2:]) if code[-2:] in WEEKDAYS else 0
        opens = schedule.opens_at or time(10)
        closes = schedule.closes_at or time(opens.hour + 2)
        if schedule.freq == Freq.MONTHLY:
            ordinal = int(code[:-2] or 1)
            month = monday.replace(day=1)
            day = _nth_weekday(month, ordinal, weekday)
            if day < today:
                following = (month + timedelta(days=32)).replace(day=1)
                day = _nth_weekday(following, ordinal, weekday)
            rule = {"freq": Freq.MONTHLY, "interval": 1, "byday": f"{ordinal}{code[-2:]}"}
        else:
            day = monday + timedelta(days=weekday)
            rule = {"freq": Freq.WEEKLY, "interval": schedule.interval or 1,
                    "byday": schedule.byday}  # fmt: skip
        add(org, entry.service.name, entry.template.terms, day, opens, closes, entry,
            until=day + timedelta(weeks=26), **rule)  # fmt: skip
    # The clash week: a fortnight on, the same Thursday.
    thursday = monday + timedelta(weeks=2, days=3)
    for title, themes, type_, start, end in CLASHES:
        org = rng.choice(by_type[type_])
        add(org, title, themes, thursday, start, end, runner(org, themes))
    Event.objects.bulk_create([e for e, _ in made])
    through = Event.themes.through
    through.objects.bulk_create(
        [through(event_id=e.pk, taxonomyterm_id=needs[t].pk) for e, ts in made for t in ts]
    )
    Attribute.objects.bulk_create(
        [
            Attribute(community=community, uuid=maker.uuid(), taxonomy_term=needs[t],
                      link_type="event", link_id=e.uuid, link_entity="event")
            for e, ts in made
            for t in ts
        ]
    )  # fmt: skip


def _nth_weekday(month: date, ordinal: int, weekday: int) -> date:
    """The ``ordinal``-th ``weekday`` (0 = Monday) of ``month``'s month (1 to 4)."""
    first = month.replace(day=1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))
