"""A small directory built with the ORM, for the ORUK API and search selector tests.

Places are real points in Calderdale (latitude, longitude); the test postcode
"HX7 8AA" is put at Hebden Bridge's centre by :func:`make_postcodes`. Every
value a test expects comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from ginnel.communities.models import Community
from ginnel.directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Kind,
    Language,
    Location,
    Organization,
    Phone,
    Postcode,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from ginnel.directory.services.derived import service_kind_set, services_refresh

HEBDEN = (53.7418, -2.0136)  # Hebden Bridge
TODMORDEN = (53.7137, -2.0977)  # about 6.5 km from Hebden Bridge
HALIFAX = (53.7248, -1.8658)  # about 10 km from Hebden Bridge
MYTHOLMROYD = (53.7297, -1.9822)  # about 2.5 km from Hebden Bridge


@dataclass
class Directory:
    community: Community
    needs: Taxonomy
    themes: Taxonomy
    wellbeing: TaxonomyTerm  # parent of loneliness
    loneliness: TaxonomyTerm
    money: TaxonomyTerm
    outdoors: TaxonomyTerm  # in "themes"
    org: Organization
    other_org: Organization
    befriending: Service  # free, group, Thursdays 10-12 at Hebden, loneliness, ages 18+
    debt: Service  # charged, Mondays 09-17 at Halifax, money, ages 16-
    walks: Service  # free, Saturdays monthly 2nd at Todmorden (schedule on the location)
    youth: Service  # ages 11-18, Wednesday evenings at Mytholmroyd (schedule on the SAL)
    closed: Service  # inactive: never listed
    online: Service  # no location, no schedule, care technology
    hebden: Location
    todmorden: Location
    halifax: Location
    mytholmroyd: Location
    befriending_hebden: ServiceAtLocation
    befriending_todmorden: ServiceAtLocation
    debt_halifax: ServiceAtLocation
    walks_todmorden: ServiceAtLocation
    youth_mytholmroyd: ServiceAtLocation

    @property
    def active(self) -> list[Service]:
        return [self.befriending, self.debt, self.walks, self.youth, self.online]


def make_postcodes() -> None:
    Postcode.objects.update_or_create(
        postcode="HX78AA", defaults={"latitude": HEBDEN[0], "longitude": HEBDEN[1]}
    )
    Postcode.objects.update_or_create(
        postcode="HX15AA", defaults={"latitude": HALIFAX[0], "longitude": HALIFAX[1]}
    )


def _link(community: Community, term: TaxonomyTerm, link_type: str, obj: object) -> Attribute:
    return Attribute.objects.create(
        community=community,
        taxonomy_term=term,
        link_type=link_type,
        link_id=obj.uuid,  # type: ignore[attr-defined]
        link_entity=link_type,
    )


def build_directory(community: Community) -> Directory:
    c = community
    needs = Taxonomy.objects.create(community=c, name="Needs", description="What people need")
    themes = Taxonomy.objects.create(
        community=c, name="Themes", description="Themes", uri="https://example.org/themes"
    )
    wellbeing = TaxonomyTerm.objects.create(
        community=c, taxonomy=needs, name="Wellbeing", code="wellbeing", description="Feeling well"
    )
    loneliness = TaxonomyTerm.objects.create(
        community=c,
        taxonomy=needs,
        parent=wellbeing,
        name="Loneliness",
        code="loneliness",
        description="Feeling alone",
        term_uri="https://example.org/needs/loneliness",
    )
    money = TaxonomyTerm.objects.create(
        community=c, taxonomy=needs, name="Money", code="money", description="Debts and benefits"
    )
    outdoors = TaxonomyTerm.objects.create(
        community=c, taxonomy=themes, name="Outdoors", description="Out in the air"
    )
    org = Organization.objects.create(
        community=c,
        name="Calder Valley Voluntary Action",
        description="Helps groups in the valley",
        email="hello@cvva.example.org",
        website="https://cvva.example.org",
    )
    other_org = Organization.objects.create(
        community=c, name="Halifax Advice", description="Money advice", parent_organization=org
    )
    Phone.objects.create(community=c, organization=org, number="01422 000001")

    def location(name: str, point: tuple[float, float], postcode: str) -> Location:
        loc = Location.objects.create(
            community=c, organization=org, name=name, latitude=point[0], longitude=point[1]
        )
        Address.objects.create(
            community=c, location=loc, address_1=f"1 {name} Road", city=name, postal_code=postcode
        )
        return loc

    hebden = location("Hebden Bridge Town Hall", HEBDEN, "HX7 6AE")
    todmorden = location("Todmorden Community Centre", TODMORDEN, "OL14 5AB")
    halifax = location("Halifax Library", HALIFAX, "HX1 1AA")
    mytholmroyd = location("Mytholmroyd Hall", MYTHOLMROYD, "HX7 5AA")
    Phone.objects.create(community=c, location=hebden, number="01422 000002")

    now = timezone.now()
    befriending = Service.objects.create(
        community=c,
        organization=org,
        name="Befriending Circle",
        description="A friendly group for people who feel lonely. Tea and chat.",
        fees_description="Free",
        minimum_age=18,
        url="https://cvva.example.org/befriending",
        email="friends@cvva.example.org",
        last_modified=now - timedelta(days=3),
    )
    debt = Service.objects.create(
        community=c,
        organization=other_org,
        name="Debt Advice Clinic",
        description="Help with debts, bills and benefits.",
        fees_description="£5 a session",
        minimum_age=16,
        last_modified=now - timedelta(days=30),
    )
    walks = Service.objects.create(
        community=c,
        organization=org,
        name="Walking Group",
        description="Gentle walks for wellbeing on the second Saturday.",
        last_modified=now - timedelta(days=60),
    )
    youth = Service.objects.create(
        community=c,
        organization=org,
        name="Youth Club",
        description="Games and music for young people.",
        minimum_age=11,
        maximum_age=18,
        last_modified=now - timedelta(days=1),
    )
    closed = Service.objects.create(
        community=c,
        organization=org,
        name="Closed Lunch Club",
        description="A lunch club for lonely people that has closed.",
        status=ServiceStatus.INACTIVE,
    )
    online = Service.objects.create(
        community=c,
        organization=other_org,
        name="Telecare Alarms",
        description="Pendant alarms that call for help.",
        alert="Waiting list of two weeks",
    )
    CostOption.objects.create(community=c, service=befriending, option="Free", amount=Decimal(0))
    CostOption.objects.create(
        community=c, service=debt, option="Session", amount=Decimal("5.00"), amount_description="£5"
    )
    CostOption.objects.create(community=c, service=walks, option="Free of charge")
    CostOption.objects.create(
        community=c, service=online, option="Monthly", amount=Decimal("12.50")
    )
    contact = Contact.objects.create(
        community=c, service=befriending, name="Bea Friend", title="Organiser", email="bea@x.org"
    )
    Phone.objects.create(community=c, contact=contact, number="07700 900001")
    Phone.objects.create(community=c, service=befriending, number="01422 000003", type="voice")
    Language.objects.create(community=c, service=befriending, name="English", code="en")
    ServiceArea.objects.create(community=c, service=befriending, name="Upper Calder Valley")

    def at(service: Service, loc: Location) -> ServiceAtLocation:
        return ServiceAtLocation.objects.create(community=c, service=service, location=loc)

    befriending_hebden = at(befriending, hebden)
    befriending_todmorden = at(befriending, todmorden)
    debt_halifax = at(debt, halifax)
    walks_todmorden = at(walks, todmorden)
    youth_mytholmroyd = at(youth, mytholmroyd)
    at(closed, hebden)

    Schedule.objects.create(
        community=c,
        service=befriending,
        freq="WEEKLY",
        byday="TH",
        opens_at=time(10),
        closes_at=time(12),
        description="Thursday mornings",
    )
    Schedule.objects.create(
        community=c,
        service=debt,
        freq="WEEKLY",
        byday="MO",
        opens_at=time(9),
        closes_at=time(17),
        valid_from=date(2000, 1, 1),
    )
    Schedule.objects.create(  # on the location: every service there is open then
        community=c,
        location=todmorden,
        freq="MONTHLY",
        byday="2SA",
        opens_at=time(14),
        closes_at=time(16),
    )
    Schedule.objects.create(  # on the service at a location
        community=c,
        service_at_location=youth_mytholmroyd,
        freq="WEEKLY",
        byday="WE",
        opens_at=time(18),
        closes_at=time(20, 30),
    )
    Schedule.objects.create(  # expired: never counts
        community=c,
        service=walks,
        freq="WEEKLY",
        byday="TU",
        opens_at=time(10),
        closes_at=time(11),
        valid_to=date(2001, 1, 1),
    )
    Schedule.objects.create(community=c, service=closed, freq="WEEKLY", byday="TH")

    _link(c, loneliness, "service", befriending)
    _link(c, loneliness, "service", closed)
    _link(c, money, "service", debt)
    _link(c, wellbeing, "service", walks)
    _link(c, outdoors, "service", walks)
    _link(c, outdoors, "location", todmorden)
    service_kind_set(service=befriending, kind=Kind.GROUP)
    service_kind_set(service=walks, kind=Kind.GROUP)
    service_kind_set(service=online, kind=Kind.CARE_TECH)
    services_refresh(community=c)
    for s in (befriending, debt, walks, youth, closed, online):
        s.refresh_from_db()
    return Directory(
        community=c,
        needs=needs,
        themes=themes,
        wellbeing=wellbeing,
        loneliness=loneliness,
        money=money,
        outdoors=outdoors,
        org=org,
        other_org=other_org,
        befriending=befriending,
        debt=debt,
        walks=walks,
        youth=youth,
        closed=closed,
        online=online,
        hebden=hebden,
        todmorden=todmorden,
        halifax=halifax,
        mytholmroyd=mytholmroyd,
        befriending_hebden=befriending_hebden,
        befriending_todmorden=befriending_todmorden,
        debt_halifax=debt_halifax,
        walks_todmorden=walks_todmorden,
        youth_mytholmroyd=youth_mytholmroyd,
    )
