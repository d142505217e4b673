"""An organisation's own phone and address: what its pages, its events and its entries show."""

from __future__ import annotations

from dataclasses import dataclass

from ginnel.directory.models import Address, Location, Organization, Phone


@dataclass(frozen=True)
class OrganisationContact:
    phone: Phone | None
    location: Location | None  # its own place: the first of its locations
    address: Address | None

    @property
    def address_line(self) -> str:
        a = self.address
        if a is None:
            return ""
        return ", ".join(p for p in (a.address_1, a.address_2, a.city, a.postal_code) if p)


def organization_contact(*, organization: Organization) -> OrganisationContact:
    """The organisation's own phone (not one of a service's) and its first place's address."""
    phone = (
        Phone.objects.filter(organization=organization, service__isnull=True, location__isnull=True)
        .order_by("id")
        .first()
    )
    location = Location.objects.filter(organization=organization).order_by("id").first()
    address = location.addresses.order_by("id").first() if location is not None else None
    return OrganisationContact(phone, location, address)
