"""Forms for editing organisations and services: parse and check, then hand a service data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ginnel.communities.models import Community
from ginnel.directory.models import (
    KINDS_TAXONOMY,
    Attribute,
    Kind,
    Organization,
    Service,
    ServiceStatus,
    TaxonomyTerm,
)
from ginnel.directory.selectors.organisations import organization_contact
from ginnel.directory.services.editing import (
    DAYS,
    POSTCODE,
    WEEKLY_SCHEDULES,
    AddressData,
    LocationData,
    ScheduleData,
    ServiceData,
    normalise_postcode,
)
from ginnel.people.models import Person
from ginnel.ui.forms import Form
from ginnel.ui.urls_safe import SafeURLField

DAY_CHOICES = [
    ("MO", gettext_lazy("Monday")),
    ("TU", gettext_lazy("Tuesday")),
    ("WE", gettext_lazy("Wednesday")),
    ("TH", gettext_lazy("Thursday")),
    ("FR", gettext_lazy("Friday")),
    ("SA", gettext_lazy("Saturday")),
    ("SU", gettext_lazy("Sunday")),
]
SCHEDULE_SLOTS = 3
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,25}$")


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def themes_queryset(
    community: Community, keep: Iterable[TaxonomyTerm] = ()
) -> QuerySet[TaxonomyTerm]:
    """Terms an editor may tag with: every taxonomy but the kinds one, and no retired term
    unless the entry already has it (``keep``)."""
    kept = [t.pk for t in keep]
    return (
        TaxonomyTerm.objects.filter(community=community)
        .filter(Q(retired_at__isnull=True) | Q(pk__in=kept))
        .exclude(taxonomy__name=KINDS_TAXONOMY)
        .select_related("taxonomy")
        .order_by("taxonomy__name", "name", "id")
    )


class TermChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def __init__(
        self, community: Community, *, keep: Iterable[TaxonomyTerm] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        super().__init__(queryset=themes_queryset(community, keep), **kwargs)

    def label_from_instance(self, obj: TaxonomyTerm) -> str:
        if obj.retired_at is not None:
            return _("%(term)s (%(taxonomy)s, no longer used for new entries)") % {
                "term": obj.name,
                "taxonomy": obj.taxonomy.name,
            }
        return f"{obj.name} ({obj.taxonomy.name})"


class OrganisationForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the organisation"),
        max_length=300,
        error_messages={"required": gettext_lazy("Enter the name of the organisation")},
    )
    description = forms.CharField(
        label=gettext_lazy("What the organisation does"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    email = forms.EmailField(label=gettext_lazy("Email address"), required=False, max_length=254)
    website = SafeURLField(
        label=gettext_lazy("Website"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("For example https://…"),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        required=False,
        max_length=30,
        help_text=gettext_lazy(
            "The number people call about the organisation, like 0113 496 0000."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address_1 = forms.CharField(
        label=gettext_lazy("Address line 1"), required=False, max_length=300
    )
    address_2 = forms.CharField(
        label=gettext_lazy("Address line 2"), required=False, max_length=300
    )
    city = forms.CharField(label=gettext_lazy("Town or city"), required=False, max_length=200)
    postal_code = forms.CharField(
        label=gettext_lazy("Postcode"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "input--short"}),
    )
    version = _version_field()

    def clean_phone(self) -> str:
        number = " ".join(str(self.cleaned_data.get("phone") or "").split())
        if number and (not _PHONE.match(number) or sum(c.isdigit() for c in number) < 6):
            raise forms.ValidationError(
                _("Enter a phone number with digits, spaces and + only, like 0113 496 0000.")
            )
        return number

    def clean_postal_code(self) -> str:
        value = str(self.cleaned_data.get("postal_code") or "").strip()
        if value and not POSTCODE.match(normalise_postcode(value)):
            raise forms.ValidationError(_("Enter a real postcode, like LS6 1AA."))
        return normalise_postcode(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(f) for f in ("address_1", "address_2", "city", "postal_code")):
            for name, message in (
                ("address_1", _("Enter the first line of the address")),
                ("city", _("Enter the town or city")),
                ("postal_code", _("Enter the postcode")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def address(self) -> AddressData | None:
        data = self.cleaned_data
        if not data.get("address_1"):
            return None
        return AddressData(
            address_1=data["address_1"],
            address_2=data.get("address_2") or "",
            city=data["city"],
            postal_code=data["postal_code"],
        )

    @staticmethod
    def initial_for(organization: Organization) -> dict[str, Any]:
        contact = organization_contact(organization=organization)
        address = contact.address
        return {
            "name": organization.name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
            "phone": contact.phone.number if contact.phone else "",
            "address_1": address.address_1 if address else "",
            "address_2": address.address_2 if address else "",
            "city": address.city if address else "",
            "postal_code": address.postal_code if address else "",
            "version": organization.version,
        }


class EditorsForm(Form):
    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["editors"] = forms.ModelMultipleChoiceField(
            queryset=candidates,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=gettext_lazy("Who edits this organisation's entries"),
            help_text=gettext_lazy(
                "Only people with the organisation editor or coordinator role are listed."
            ),
        )


class ServiceForm(Form):
    field_aliases: ClassVar[dict[str, str]] = {"schedules": "sched1_days"}

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=300,
        error_messages={"required": gettext_lazy("Enter the name of the service or group")},
    )
    description = forms.CharField(
        label=gettext_lazy("What it offers"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Who it is for and what happens, in plain words."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What is it?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.SERVICE,
        error_messages={"required": gettext_lazy("Choose what it is")},
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Is it running?"),
        choices=ServiceStatus.choices,
        initial=ServiceStatus.ACTIVE,
        error_messages={"required": gettext_lazy("Choose whether it is running")},
    )
    minimum_age = forms.IntegerField(
        label=gettext_lazy("Youngest age"), required=False, min_value=0, max_value=130
    )
    maximum_age = forms.IntegerField(
        label=gettext_lazy("Oldest age"), required=False, min_value=0, max_value=130
    )
    cost = forms.ChoiceField(
        label=gettext_lazy("Does it cost anything?"),
        choices=[
            ("free", gettext_lazy("It is free")),
            ("charge", gettext_lazy("There is a charge")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether it costs anything")},
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Charge in pounds"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty if it varies, and say how in the box below."),
    )
    fees = forms.CharField(
        label=gettext_lazy("About the cost"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("For example: “£2 a session, free for carers”."),
    )
    email = forms.EmailField(label=gettext_lazy("Email address"), required=False, max_length=254)
    url = SafeURLField(label=gettext_lazy("Website"), required=False, max_length=500)
    phones = forms.CharField(
        label=gettext_lazy("Phone numbers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One a line. To say what a number is for, add it after a comma: "
            "“0113 496 0000, bookings”."
        ),
    )
    location_name = forms.CharField(
        label=gettext_lazy("Name of the place"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("For example “Hebble End Library”."),
    )
    address_1 = forms.CharField(
        label=gettext_lazy("Address line 1"), required=False, max_length=300
    )
    address_2 = forms.CharField(
        label=gettext_lazy("Address line 2"), required=False, max_length=300
    )
    city = forms.CharField(label=gettext_lazy("Town or city"), required=False, max_length=200)
    postal_code = forms.CharField(label=gettext_lazy("Postcode"), required=False, max_length=10)
    latitude = forms.FloatField(
        label=gettext_lazy("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=gettext_lazy("Optional: found from the postcode when left empty."),
    )
    longitude = forms.FloatField(
        label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180
    )
    version = _version_field()

    def __init__(
        self,
        *args: Any,
        community: Community,
        keep: Iterable[TaxonomyTerm] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"] = TermChoice(
            community,
            keep=keep,
            label=_("Needs it helps with"),
            help_text=_("Tick all that apply."),
        )
        for slot in range(1, SCHEDULE_SLOTS + 1):
            self.fields[f"sched{slot}_days"] = forms.MultipleChoiceField(
                label=_("Days") if slot == 1 else _("Days (opening times %(n)s)") % {"n": slot},
                choices=DAY_CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"sched{slot}_opens"] = forms.TimeField(
                label=gettext_lazy("Opens at"),
                required=False,
                help_text=gettext_lazy("For example 10:00"),
            )
            self.fields[f"sched{slot}_closes"] = forms.TimeField(
                label=gettext_lazy("Closes at"),
                required=False,
                help_text=gettext_lazy("For example 14:30"),
            )
        order = ["name", "description", "kind", "status", "needs", "minimum_age", "maximum_age"]
        self.order_fields(order)

    # Field groups, for the template's fieldsets.
    def group(self, *names: str) -> list[forms.BoundField]:
        return [self[n] for n in names]

    @property
    def about_fields(self) -> list[forms.BoundField]:
        return self.group("name", "description", "kind", "status", "needs")

    @property
    def who_fields(self) -> list[forms.BoundField]:
        return self.group("minimum_age", "maximum_age")

    @property
    def cost_fields(self) -> list[forms.BoundField]:
        return self.group("cost", "amount", "fees")

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        return self.group("email", "url", "phones")

    @property
    def place_fields(self) -> list[forms.BoundField]:
        return self.group(
            "location_name",
            "address_1",
            "address_2",
            "city",
            "postal_code",
            "latitude",
            "longitude",
        )

    @property
    def schedule_slots(self) -> list[list[forms.BoundField]]:
        return [
            self.group(f"sched{s}_days", f"sched{s}_opens", f"sched{s}_closes")
            for s in range(1, SCHEDULE_SLOTS + 1)
        ]

    def clean_phones(self) -> list[tuple[str, str]]:
        phones = []
        for line in str(self.cleaned_data.get("phones") or "").splitlines():
            if not line.strip():
                continue
            number, _comma, what = line.partition(",")
            number = " ".join(number.split())
            if not _PHONE.match(number) or sum(c.isdigit() for c in number) < 6:
                raise forms.ValidationError(
                    _(
                        "“%(number)s” is not a phone number: use digits, spaces and + only, "
                        "like 0113 496 0000."
                    )
                    % {"number": number}
                )
            phones.append((number, what.strip()))
        return phones

    def clean_postal_code(self) -> str:
        value = str(self.cleaned_data.get("postal_code") or "").strip()
        if value and not POSTCODE.match(normalise_postcode(value)):
            raise forms.ValidationError(_("Enter a real postcode, like LS6 1AA."))
        return normalise_postcode(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "minimum_age", _("The youngest age must be the same as or lower than the oldest.")
            )
        if data.get("cost") == "free" and data.get("amount"):
            self.add_error(
                "amount", _("A free service cannot have a charge: leave the amount empty.")
            )
        address = ("address_1", "city", "postal_code")
        place = (*address, "location_name", "address_2", "latitude", "longitude")
        if any(data.get(f) not in (None, "") for f in place):
            for name, message in zip(
                address,
                (
                    _("Enter the first line of the address"),
                    _("Enter the town or city"),
                    _("Enter the postcode"),
                ),
                strict=True,
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        if (data.get("latitude") is None) != (data.get("longitude") is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            self.add_error("latitude", _("Enter both the latitude and the longitude, or neither."))
        for slot in range(1, SCHEDULE_SLOTS + 1):
            days = data.get(f"sched{slot}_days")
            opens, closes = data.get(f"sched{slot}_opens"), data.get(f"sched{slot}_closes")
            if self.has_error(f"sched{slot}_opens") or self.has_error(f"sched{slot}_closes"):
                continue
            if days and opens is None:
                self.add_error(f"sched{slot}_opens", _("Enter the time it opens"))
            if days and closes is None:
                self.add_error(f"sched{slot}_closes", _("Enter the time it closes"))
            if not days and (opens is not None or closes is not None):
                self.add_error(f"sched{slot}_days", _("Choose the days it is open at these times"))
            if opens is not None and closes is not None and closes <= opens:
                self.add_error(
                    f"sched{slot}_closes", _("The closing time must be after the opening time.")
                )
        return data

    def to_data(self) -> ServiceData:
        data = self.cleaned_data
        location = None
        if data["address_1"]:
            location = LocationData(
                name=data["location_name"],
                address_1=data["address_1"],
                address_2=data["address_2"],
                city=data["city"],
                postal_code=data["postal_code"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        schedules = [
            ScheduleData(
                days=data[f"sched{s}_days"],
                opens_at=data[f"sched{s}_opens"],
                closes_at=data[f"sched{s}_closes"],
            )
            for s in range(1, SCHEDULE_SLOTS + 1)
            if data[f"sched{s}_days"]
        ]
        return ServiceData(
            name=data["name"],
            description=data["description"],
            kind=Kind(data["kind"]),
            status=data["status"],
            needs=list(data["needs"]),
            minimum_age=data["minimum_age"],
            maximum_age=data["maximum_age"],
            free=data["cost"] == "free",
            amount=data["amount"],
            fees=data["fees"],
            email=data["email"],
            url=data["url"],
            phones=data["phones"],
            location=location,
            schedules=schedules,
        )

    @staticmethod
    def initial_for(service: Service) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": service.name,
            "description": service.description,
            "kind": service.kind,
            "status": service.status,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "cost": "free" if service.free else "charge",
            "email": service.email,
            "url": service.url,
            "version": service.version,
            "needs": list(
                Attribute.objects.filter(
                    community=service.community, link_type="service", link_id=service.uuid
                )
                .exclude(taxonomy_term__taxonomy__name=KINDS_TAXONOMY)
                .values_list("taxonomy_term_id", flat=True)
            ),
            "phones": "\n".join(
                f"{p.number}, {p.description}" if p.description else p.number
                for p in service.phones.all()
            ),
        }
        options = list(service.cost_options.all())
        charged = next((o for o in options if o.amount), None)
        initial["amount"] = charged.amount if charged else None
        initial["fees"] = service.fees_description or next(
            (o.amount_description for o in options if o.amount_description), ""
        )
        link = service.at_locations.select_related("location").order_by("id").first()
        if link is not None:
            location = link.location
            address = location.addresses.order_by("id").first()
            initial.update(
                location_name=location.name,
                latitude=location.latitude,
                longitude=location.longitude,
            )
            if address is not None:
                initial.update(
                    address_1=address.address_1,
                    address_2=address.address_2,
                    city=address.city,
                    postal_code=address.postal_code,
                )
        weekly = [
            s
            for s in service.schedules.filter(WEEKLY_SCHEDULES).order_by("id")
            if s.opens_at and s.closes_at and s.byday
        ][:SCHEDULE_SLOTS]
        for slot, schedule in enumerate(weekly, start=1):
            initial[f"sched{slot}_days"] = [
                d for d in DAYS if d in schedule.byday.replace(" ", "").split(",")
            ]
            initial[f"sched{slot}_opens"] = schedule.opens_at
            initial[f"sched{slot}_closes"] = schedule.closes_at
        return initial
