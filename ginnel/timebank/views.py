"""Timebank pages: each names its permission and calls one service or selector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.matching.selectors import who_could_help
from ginnel.people.models import Person
from ginnel.timebank import ledger, selectors, services
from ginnel.timebank.forms import (
    BrokerForm,
    CategoryRenameForm,
    ClaimDeclineForm,
    ClaimRejectForm,
    CompleteForm,
    ConfirmManyForm,
    DonateForm,
    GroupActivityForm,
    LimitsForm,
    ListingForm,
    ListingSearchForm,
    OnBehalfRecordForm,
    OrganisationForm,
    OrganisationTimeForm,
    PendingFilterForm,
    ProposeForm,
    RecordForm,
    ReverseForm,
    SafeguardingForm,
    ThankYouForm,
)
from ginnel.timebank.models import Exchange, ExchangeState, ListingKind, Safeguarding
from ginnel.timebank.pdf import statement_pdf
from ginnel.ui import spreadsheet
from ginnel.ui.charts import Panel, Series, part_month, small_multiples
from ginnel.ui.forms import Form
from ginnel.ui.htmx import is_htmx
from ginnel.ui.ids import is_id
from ginnel.ui.picker import PickerField, picker_results


def _me(access: Access) -> Person:
    assert access.membership is not None  # noqa: S101 (USE_TIMEBANK implies a membership)
    return access.membership.person


def _status(request: HttpRequest, *forms: Form) -> int:
    return 400 if request.method == "POST" and any(f.errors for f in forms) else 200


def _attempt(form: Form, action: Callable[[], Any]) -> Any:
    """Run a service; a domain error goes onto the form, next to its field."""
    try:
        return action()
    except GinnelError as error:
        form.add_domain_error(error)
        return None


# Listings ------------------------------------------------------------------------------------


@community_view(Perm.USE_TIMEBANK)
def listings(request: HttpRequest, access: Access) -> HttpResponse:
    form = ListingSearchForm(request.GET or None, community=access.community)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "text": data["q"],
            "kind": data["kind"],
            "where": data["where"],
            "sort": data["sort"] or "newest",
            "category_id": data["category"].pk if data["category"] else None,
            "neighbourhood_id": data["neighbourhood"].pk if data["neighbourhood"] else None,
        }
    page = Paginator(selectors.listings_search(access=access, **filters), 20).get_page(
        request.GET.get("page")
    )
    template = "timebank/_listing_results.html" if is_htmx(request) else "timebank/listings.html"
    return render(request, template, {"access": access, "form": form, "page": page})


@community_view(Perm.USE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def listing_new(request: HttpRequest, access: Access, kind: str) -> HttpResponse:
    if kind not in ListingKind.values:
        raise Http404
    return _listing_form(request, access, kind=kind, listing=None)


@community_view(Perm.USE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, access: Access, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get(access=access, listing_id=listing_id)
    if listing is None or listing.owner_id != _me(access).pk:
        raise Http404(_("There is no such offer or request of yours."))
    return _listing_form(request, access, kind=listing.kind, listing=listing)


def _listing_form(request: HttpRequest, access: Access, *, kind: str, listing: Any) -> HttpResponse:
    initial = {}
    if listing is not None:
        initial = {
            "title": listing.title,
            "description": listing.description,
            "availability": listing.availability,
            "expires_on": listing.expires_on,
            "categories": list(listing.categories.all()),
            "where": [w for w, f in listing.WHERE_FIELDS.items() if getattr(listing, f)],
        }
    form = ListingForm(
        request.POST or None,
        initial=initial,
        community=access.community,
        kind=kind,
        keep=[c.pk for c in initial.get("categories", [])],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _attempt(
            form,
            lambda: services.listing_save(
                access=access,
                listing=listing,
                kind=kind,
                title=data["title"],
                description=data["description"],
                categories=list(data["categories"]),
                where=data["where"],
                availability=data["availability"],
                expires_on=data["expires_on"],
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("Your offer has been saved.")
                if saved.kind == ListingKind.OFFER
                else _("Your request has been saved."),
            )
            return redirect(
                "timebank:listing", community=access.community.slug, listing_id=saved.pk
            )
    return render(
        request,
        "timebank/listing_form.html",
        {"access": access, "form": form, "kind": kind, "listing": listing},
        status=_status(request, form),
    )


@community_view(Perm.USE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def listing_detail(request: HttpRequest, access: Access, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get(access=access, listing_id=listing_id)
    if listing is None:
        raise Http404(_("There is no such offer or request in this community."))
    form = ProposeForm(
        request.POST or None,
        initial={
            "where": next(
                (w for w, f in listing.WHERE_FIELDS.items() if getattr(listing, f)), None
            ),
            "for_person": _acting_for_id(access, request.GET.get("for")),
        },
    )
    if request.method == "POST" and form.is_valid():
        exchange = _attempt(
            form,
            lambda: services.exchange_propose(
                access=access,
                listing=listing,
                message=form.cleaned_data["message"],
                where=form.cleaned_data["where"],
                for_person_id=form.cleaned_data["for_person"],
            ),
        )
        if exchange is not None:
            messages.success(
                request,
                _("Your proposal has been sent to %(name)s.")
                % {"name": listing.owner.display_name},
            )
            return redirect(
                "timebank:exchange", community=access.community.slug, exchange_id=exchange.pk
            )
    mine = listing.owner_id == _me(access).pk
    helpers = (
        who_could_help(access=access, listing=listing)
        if listing.kind == ListingKind.REQUEST
        and listing.is_live()
        and (mine or access.can(Perm.COORDINATE_TIMEBANK))
        else None
    )
    return render(
        request,
        "timebank/listing_detail.html",
        {
            "access": access,
            "listing": listing,
            "thanks": selectors.thank_yous_shown(access=access, person=listing.owner)[:5],
            "form": form,
            "mine": mine,
            "helpers": helpers,
            "not_mine": not mine,  # a coordinator looking: no "not for me" on someone else's behalf
            "acting_for": _acting_for(access, form),
        },
        status=_status(request, form),
    )


def _acting_for_id(access: Access, value: str | None) -> int | None:
    """``?for=<person>`` from a person's page: kept only for those who may act for people."""
    if not value or not is_id(value) or not access.can(Perm.COACH):
        return None
    return int(value)


def _acting_for(access: Access, form: Form) -> Person | None:
    """The person a link worker or coordinator is proposing for, to name on the page."""
    value = form["for_person"].value()
    if not value or not is_id(str(value)) or not access.can(Perm.COACH):
        return None
    return Person.objects.filter(community=access.community, pk=int(value)).first()


@community_view(Perm.USE_TIMEBANK)
@require_POST
def listing_close(request: HttpRequest, access: Access, listing_id: int) -> HttpResponse:
    listing = selectors.listing_get(access=access, listing_id=listing_id)
    if listing is None:
        raise Http404
    try:
        services.listing_close(access=access, listing=listing)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(title)s” is closed and no longer listed.") % {"title": listing.title}
        )
    return redirect("timebank:mine", community=access.community.slug)


# A member's own page -------------------------------------------------------------------------


@community_view(Perm.USE_TIMEBANK)
def mine(request: HttpRequest, access: Access) -> HttpResponse:
    me = _me(access)
    exchanges = list(selectors.exchanges_of(access=access, person=me)[:100])
    waiting = [
        e
        for e in exchanges
        if (e.state == ExchangeState.PROPOSED and e.proposed_by_id != me.pk)
        or (e.state == ExchangeState.COMPLETED and e.claimed_by_id != me.pk)
        or (
            e.state == ExchangeState.AGREED
            and e.claim_declined_by_id is not None
            and e.claimed_by_id == me.pk
        )
    ]
    given, received = selectors.totals_of(person=me)
    return render(
        request,
        "timebank/mine.html",
        {
            "access": access,
            "me": me,
            "waiting": waiting,
            "exchanges": exchanges,
            "listings": selectors.listings_of(access=access, person=me),
            "balance": ledger.balance_of(me),
            "given": given,
            "received": received,
            "today": timezone.localdate(),
            "thanks": selectors.thank_yous_shown(access=access, person=me),
        },
    )


# Exchanges -----------------------------------------------------------------------------------


def _exchange_or_404(access: Access, exchange_id: int) -> Exchange:
    exchange = selectors.exchange_get(access=access, exchange_id=exchange_id)
    if exchange is None:
        raise Http404(_("There is no such exchange of yours."))
    return exchange


@community_view(Perm.USE_TIMEBANK)
def exchange_detail(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    exchange = _exchange_or_404(access, exchange_id)
    return _exchange_page(request, access, exchange)


def _exchange_page(
    request: HttpRequest, access: Access, exchange: Exchange, **forms: Form
) -> HttpResponse:
    me = _me(access)
    coordinating = access.can(Perm.COORDINATE_TIMEBANK)
    party = me.pk in (exchange.giver_id, exchange.receiver_id)
    context = {
        "access": access,
        "exchange": exchange,
        "me": me,
        "party": party,
        "coordinating": coordinating,
        "complete_form": forms.get("complete_form")
        or CompleteForm(initial={"happened_on": timezone.localdate()}),
        "reverse_form": forms.get("reverse_form") or ReverseForm(),
        "thank_form": forms.get("thank_form") or ThankYouForm(),
        "decline_form": forms.get("decline_form") or ClaimDeclineForm(),
        "reject_form": forms.get("reject_form") or ClaimRejectForm(),
        # A claim waiting: the other person declines it, the claimant withdraws it, a
        # coordinator who is neither rejects it.
        "can_decline": exchange.state == ExchangeState.COMPLETED
        and party
        and exchange.claimed_by_id != me.pk,
        "can_withdraw": exchange.state == ExchangeState.COMPLETED
        and exchange.claimed_by_id == me.pk,
        "can_reject": exchange.state == ExchangeState.COMPLETED and coordinating and not party,
        "turned_down": exchange.state == ExchangeState.AGREED
        and exchange.claim_declined_by_id is not None,
        "can_agree": exchange.state == ExchangeState.PROPOSED
        and ((party and exchange.proposed_by_id != me.pk) or (coordinating and not party)),
        "can_confirm": exchange.state == ExchangeState.COMPLETED
        and exchange.claimed_by_id != me.pk
        and (party or coordinating),
        "thank_you": getattr(exchange, "thank_you", None),
    }
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "timebank/exchange_detail.html", context, status=status)


@community_view(Perm.USE_TIMEBANK)
@require_POST
def exchange_act(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    """Agree, decline, cancel, confirm or withdraw: one button each on the exchange page."""
    exchange = _exchange_or_404(access, exchange_id)
    actions: dict[str, tuple[Callable[..., Exchange], str]] = {
        "agree": (
            services.exchange_agree,
            _("You have agreed. Record the time once it has happened."),
        ),
        "decline": (services.exchange_decline, _("You have declined this exchange.")),
        "cancel": (services.exchange_cancel, _("The exchange has been cancelled.")),
        "confirm": (services.exchange_confirm, _("Confirmed: the hours are on both statements.")),
        "withdraw": (
            services.claim_withdraw,
            _(
                "You have withdrawn the hours you recorded. Record the right time, or cancel "
                "the exchange."
            ),
        ),
    }
    chosen = actions.get(request.POST.get("action", ""))
    if chosen is None:
        messages.error(request, _("Choose what to do with this exchange."))
    else:
        try:
            chosen[0](access=access, exchange=exchange)
        except GinnelError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, chosen[1])
    return redirect("timebank:exchange", community=access.community.slug, exchange_id=exchange.pk)


def _exchange_form_post(
    request: HttpRequest,
    access: Access,
    exchange_id: int,
    *,
    form_class: type[Form],
    key: str,
    action: Callable[[Exchange, dict[str, Any]], Any],
    success: Callable[[Exchange], str],
) -> HttpResponse:
    """One form on the exchange page: act, then back to the page, or the page again with errors."""
    exchange = _exchange_or_404(access, exchange_id)
    form = form_class(request.POST)
    if form.is_valid() and _attempt(form, lambda: action(exchange, form.cleaned_data)):
        messages.success(request, success(exchange))
        return redirect(
            "timebank:exchange", community=access.community.slug, exchange_id=exchange.pk
        )
    return _exchange_page(request, access, exchange, **{key: form})


@community_view(Perm.USE_TIMEBANK)
@require_POST
def exchange_complete(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    return _exchange_form_post(
        request,
        access,
        exchange_id,
        form_class=CompleteForm,
        key="complete_form",
        action=lambda exchange, data: services.exchange_complete(
            access=access,
            exchange=exchange,
            minutes=data["hours"],
            happened_on=data["happened_on"],
        ),
        success=lambda _exchange: _(
            "The time is recorded. The other person will be asked to confirm it."
        ),
    )


@community_view(Perm.COORDINATE_TIMEBANK)
@require_POST
def exchange_reverse(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    return _exchange_form_post(
        request,
        access,
        exchange_id,
        form_class=ReverseForm,
        key="reverse_form",
        action=lambda exchange, data: services.exchange_reverse(
            access=access, exchange=exchange, reason=data["reason"]
        ),
        success=lambda _exchange: _("The hours have been reversed on both statements."),
    )


@community_view(Perm.USE_TIMEBANK)
@require_POST
def claim_decline(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    return _exchange_form_post(
        request,
        access,
        exchange_id,
        form_class=ClaimDeclineForm,
        key="decline_form",
        action=lambda exchange, data: services.claim_decline(
            access=access, exchange=exchange, reason=data["reason"]
        ),
        success=lambda exchange: (
            _("You have declined the hours. %(name)s can see why, and can record them again.")
            % {"name": exchange.claimed_by.display_name if exchange.claimed_by else ""}
        ),
    )


@community_view(Perm.COORDINATE_TIMEBANK)
@require_POST
def claim_reject(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    return _exchange_form_post(
        request,
        access,
        exchange_id,
        form_class=ClaimRejectForm,
        key="reject_form",
        action=lambda exchange, data: services.claim_reject(
            access=access, exchange=exchange, reason=data["reason"]
        ),
        success=lambda exchange: (
            _("The hours are rejected. %(name)s can see your reason, and can record them again.")
            % {"name": exchange.claimed_by.display_name if exchange.claimed_by else ""}
        ),
    )


@community_view(Perm.USE_TIMEBANK)
@require_POST
def exchange_thank(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    return _exchange_form_post(
        request,
        access,
        exchange_id,
        form_class=ThankYouForm,
        key="thank_form",
        action=lambda exchange, data: services.thank_you_leave(
            access=access, exchange=exchange, text=data["text"]
        ),
        success=lambda exchange: (
            _("Thank you sent to %(name)s.") % {"name": exchange.giver.display_name}
        ),
    )


@community_view(Perm.USE_TIMEBANK)
@require_POST
def thank_you_show(request: HttpRequest, access: Access, exchange_id: int) -> HttpResponse:
    exchange = _exchange_or_404(access, exchange_id)
    thank_you = getattr(exchange, "thank_you", None)
    if thank_you is None:
        raise Http404
    try:
        services.thank_you_show(
            access=access, thank_you=thank_you, show=request.POST.get("show") == "yes"
        )
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your choice has been saved."))
    return redirect("timebank:exchange", community=access.community.slug, exchange_id=exchange.pk)


@community_view(Perm.USE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def exchange_record(request: HttpRequest, access: Access) -> HttpResponse:
    me = _me(access)
    form = RecordForm(
        request.POST or None,
        access=access,
        me=me,
        initial={"happened_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        exchange = _attempt(
            form,
            lambda: services.exchange_record(
                access=access,
                other_id=data["other"].pk,
                i_gave=data["direction"] == "gave",
                minutes=data["hours"],
                happened_on=data["happened_on"],
                description=data["description"],
                where=data["where"],
                category=data["category"],
            ),
        )
        if exchange is not None:
            messages.success(
                request,
                _("Recorded. %(name)s will be asked to confirm it.")
                % {"name": data["other"].display_name},
            )
            return redirect(
                "timebank:exchange", community=access.community.slug, exchange_id=exchange.pk
            )
    return render(
        request,
        "timebank/record.html",
        {"access": access, "form": form},
        status=_status(request, form),
    )


# Statements ----------------------------------------------------------------------------------


def _statement_person(access: Access, person_id: int | None) -> Person:
    if person_id is None:
        return _me(access)
    person = Person.objects.filter(community=access.community, pk=person_id).first()
    if person is None:
        raise Http404(_("There is no such member in this community."))
    return person


@community_view(Perm.USE_TIMEBANK)
def statement(
    request: HttpRequest, access: Access, person_id: int | None = None, fmt: str = "html"
) -> HttpResponse:
    person = _statement_person(access, person_id)
    try:
        found = selectors.statement(access=access, person=person)
    except GinnelError as error:
        raise Http404(error.message) from None
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statement-{person.pk}.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(
            [
                "date",
                "type",
                "description",
                "with",
                "minutes",
                "hours",
                "balance_minutes",
                "balance_hours",
            ]
        )
        for row in found.rows:
            writer.writerow(
                [
                    row.on.isoformat(),
                    row.kind,
                    row.description,
                    row.counterpart,
                    row.minutes,
                    ledger.format_minutes(row.minutes),
                    row.balance,
                    ledger.format_minutes(row.balance),
                ]
            )
        return response
    if fmt == "pdf":
        response = HttpResponse(
            statement_pdf(found, community=access.community.name), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="statement-{person.pk}.pdf"'
        return response
    return render(
        request,
        "timebank/statement.html",
        {"access": access, "statement": found, "person_id": person_id},
    )


@community_view(Perm.USE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest, access: Access) -> HttpResponse:
    me = _me(access)
    form = DonateForm(request.POST or None, access=access, me=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.donation_make(
                access=access,
                minutes=data["hours"],
                note=data["note"],
                to_person_id=data["to"].pk if data["to"] else None,
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you: your hours have been given."))
            return redirect("timebank:statement", community=access.community.slug)
    return render(
        request,
        "timebank/donate.html",
        {"access": access, "form": form, "balance": ledger.balance_of(me)},
        status=_status(request, form),
    )


# Coordinator tools ---------------------------------------------------------------------------


@community_view(Perm.COORDINATE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def coordinate(request: HttpRequest, access: Access) -> HttpResponse:
    filter_form = PendingFilterForm(request.GET or None)
    days = 7
    if filter_form.is_valid() and filter_form.cleaned_data["days"] is not None:
        days = filter_form.cleaned_data["days"]
    ledger.settings_read(access.community)
    forms: dict[str, Form] = {
        "broker": BrokerForm(prefix="broker", access=access),
        "record": OnBehalfRecordForm(
            prefix="record",
            access=access,
            initial={"happened_on": timezone.localdate()},
        ),
        "group": GroupActivityForm(
            prefix="group",
            access=access,
            initial={"happened_on": timezone.localdate()},
        ),
        "limits": LimitsForm(
            prefix="limits",
            initial={
                "credit_limit": ledger.settings_read(access.community).credit_limit // 60,
                "debit_limit": ledger.settings_read(access.community).debit_limit // 60,
            },
        ),
    }
    forms["confirm"] = ConfirmManyForm(prefix="confirm", community=access.community)
    forms["organisation"] = OrganisationForm(prefix="organisation")
    forms["organisation_time"] = OrganisationTimeForm(
        prefix="organisation_time",
        access=access,
        initial={"happened_on": timezone.localdate()},
    )
    which = request.POST.get("form", "")
    if request.method == "POST" and which in forms:
        done = _coordinate_post(request, access, which, forms)
        if done is not None:
            return done
    return render(
        request,
        "timebank/coordinate.html",
        {
            "access": access,
            "filter_form": filter_form,
            "days": days,
            "pending": selectors.pending_confirmations(access=access, older_than_days=days)[:100],
            "actions": selectors.actions_recent(access=access, limit=30),
            "pot_balance": ledger.pot_balance(access.community),
            "organisations": selectors.organisation_accounts(access=access),
            "forms": forms,
            "can_set_limits": access.can(Perm.MANAGE_COMMUNITY),
        },
        status=_status(request, *forms.values()),
    )


def _coordinate_post(
    request: HttpRequest, access: Access, which: str, forms: dict[str, Form]
) -> HttpResponse | None:
    community = access.community
    form: Form
    if which == "broker":
        form = forms[which] = BrokerForm(request.POST, prefix="broker", access=access)
    elif which == "record":
        form = forms[which] = OnBehalfRecordForm(request.POST, prefix="record", access=access)
    elif which == "group":
        form = forms[which] = GroupActivityForm(request.POST, prefix="group", access=access)
    elif which == "organisation":
        form = forms[which] = OrganisationForm(request.POST, prefix="organisation")
    elif which == "organisation_time":
        form = forms[which] = OrganisationTimeForm(
            request.POST, prefix="organisation_time", access=access
        )
    elif which == "confirm":
        form = forms[which] = ConfirmManyForm(request.POST, prefix="confirm", community=community)
    else:
        form = forms[which] = LimitsForm(request.POST, prefix="limits")
    if not form.is_valid():
        return None
    data = form.cleaned_data
    actions: dict[str, Callable[[], Any]] = {
        "broker": lambda: services.exchange_broker(
            access=access,
            giver_id=data["giver"].pk,
            receiver_id=data["receiver"].pk,
            description=data["description"],
            where=data["where"],
        ),
        "record": lambda: services.exchange_record(
            access=access,
            on_behalf_of=data["on_behalf_of"].pk,
            other_id=data["other"].pk,
            i_gave=data["direction"] == "gave",
            minutes=data["hours"],
            happened_on=data["happened_on"],
            description=data["description"],
            where=data["where"],
            category=data["category"],
        ),
        "group": lambda: services.group_activity_record(
            access=access,
            organiser_id=data["organiser"].pk,
            receiver_ids=[p.pk for p in data["receivers"]],
            minutes=data["hours"],
            happened_on=data["happened_on"],
            description=data["description"],
        ),
        "organisation": lambda: services.organisation_account_add(access=access, name=data["name"]),
        "organisation_time": lambda: services.organisation_time_record(
            access=access,
            organisation_id=data["organisation"].pk,
            person_id=data["person"].pk,
            member_gave=data["direction"] == "member",
            minutes=data["hours"],
            happened_on=data["happened_on"],
            description=data["description"],
        ),
        "confirm": lambda: services.exchanges_confirm_many(
            access=access, exchange_ids=[e.pk for e in data["exchanges"]]
        ),
        "limits": lambda: services.limits_set(
            access=access,
            credit_limit=data["credit_limit"] * 60,
            debit_limit=data["debit_limit"] * 60,
        ),
    }
    if _attempt(form, actions[which]) is None:
        return None
    messages.success(
        request,
        {
            "broker": _("The exchange has been suggested to both people."),
            "record": _("Recorded. The other person, or a coordinator, confirms it."),
            "group": _("The group activity is on everyone's statement."),
            "limits": _("The limits have been saved."),
            "confirm": _("The ticked exchanges are confirmed and on everyone's statements."),
            "organisation": _("The organisation can now give and receive time."),
            "organisation_time": _("The time is on the member's statement."),
        }[which],
    )
    return redirect("timebank:coordinate", community=community.slug)


@community_view(Perm.COORDINATE_TIMEBANK)
@require_http_methods(["GET", "POST"])
def safeguarding(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = _statement_person(access, person_id)
    record = Safeguarding.objects.filter(person=person).first()
    initial = (
        {
            "vetted_on": record.vetted_on,
            "checks": record.checks,
            "needs_support": record.needs_support,
        }
        if record
        else {}
    )
    form = SafeguardingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            lambda: services.safeguarding_set(
                access=access, person_id=person.pk, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("%(name)s's safeguarding record is saved.") % {"name": person.display_name},
            )
            return redirect("web:person", community=access.community.slug, person_id=person.pk)
    return render(
        request,
        "timebank/safeguarding.html",
        {"access": access, "person": person, "form": form, "record": record},
        status=_status(request, form),
    )


# Categories (administrators) ------------------------------------------------------------------


@community_view(Perm.MANAGE_COMMUNITY)
def categories(request: HttpRequest, access: Access) -> HttpResponse:
    return render(
        request,
        "timebank/categories.html",
        {"access": access, "categories": selectors.categories_in_use(access=access)},
    )


@community_view(Perm.MANAGE_COMMUNITY)
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, access: Access, category_id: int) -> HttpResponse:
    category = selectors.category_get(access=access, category_id=category_id)
    if category is None:
        raise Http404(_("There is no such category in this community."))
    form = CategoryRenameForm(request.POST or None, initial={"name": category.name})
    if request.method == "POST" and form.is_valid():
        renamed = _attempt(
            form,
            lambda: services.category_rename(
                access=access, category_id=category.pk, name=form.cleaned_data["name"]
            ),
        )
        if renamed is not None:
            messages.success(
                request, _("The category is now called %(name)s.") % {"name": renamed.name}
            )
            return redirect("timebank:categories", community=access.community.slug)
    return render(
        request,
        "timebank/category_edit.html",
        {"access": access, "category": category, "form": form},
        status=_status(request, form),
    )


@community_view(Perm.MANAGE_COMMUNITY)
@require_POST
def category_retire(request: HttpRequest, access: Access, category_id: int) -> HttpResponse:
    retire = request.POST.get("retired") != "no"
    try:
        category = services.category_retire(access=access, category_id=category_id, retired=retire)
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is retired: it is no longer offered for new offers and requests.")
            % {"name": category.name}
            if retire
            else _("%(name)s is offered again.") % {"name": category.name},
        )
    return redirect("timebank:categories", community=access.community.slug)


@community_view(Perm.COORDINATE_TIMEBANK)
def report(request: HttpRequest, access: Access, fmt: str = "html") -> HttpResponse:
    found = selectors.report(access=access)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="timebank-report.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(
            [
                "month",
                "minutes_exchanged",
                "hours_exchanged",
                "exchanges",
                "active_members",
                "new_members",
                "minutes_given_as_gifts",
                "by_category",
                "by_neighbourhood",
            ]
        )
        for month in found.months:
            writer.writerow(
                [
                    month.month.strftime("%Y-%m"),
                    month.minutes,
                    ledger.format_minutes(month.minutes),
                    month.exchanges,
                    month.active_members,
                    month.new_members,
                    month.donated,
                    "; ".join(f"{k}: {v}" for k, v in sorted(month.by_category.items())),
                    "; ".join(f"{k}: {v}" for k, v in sorted(month.by_neighbourhood.items())),
                ]
            )
        return response
    months = list(reversed(found.months))
    # Hours and people are two measures: one panel each, never one axis.
    today, began = timezone.localdate(), timezone.localdate(access.community.created_at)
    chart = small_multiples(
        chart_id="hours-by-month",
        title=_("Hours exchanged, and members who exchanged, by month"),
        description=(
            _("Hours exchanged, and members who gave or received, each month: ")
            + "; ".join(
                _("%(month)s %(hours)s hours, %(members)s members")
                % {
                    "month": date_format(m.month, "F Y"),
                    "hours": number_format(m.minutes / 60, 1),
                    "members": m.active_members,
                }
                for m in months
            )
            if months
            else _("No confirmed exchanges yet.")
        ),
        x_labels=[date_format(m.month, "M y") for m in months],
        part=[part_month(m.month, today=today, began=began) for m in months],
        panels=[
            Panel(_("Hours exchanged"), [Series(_("Hours"), [m.minutes / 60 for m in months])]),
            Panel(
                _("Members who exchanged"),
                [Series(_("Members"), [float(m.active_members) for m in months])],
            ),
        ],
    )
    return render(
        request, "timebank/report.html", {"access": access, "report": found, "chart": chart}
    )


# Choosing a person ---------------------------------------------------------------------------


@community_view(Perm.USE_TIMEBANK)
def person_search(request: HttpRequest, access: Access, form_key: str) -> HttpResponse:
    """The matches for a person picker as one types (htmx); the same list the form's
    "Search" button shows without JavaScript."""
    form: Form
    if form_key in ("record", "donate"):
        me = _me(access)
        if form_key == "record":
            form = RecordForm(request.GET, access=access, me=me)
        else:
            form = DonateForm(request.GET, access=access, me=me)
    elif form_key in ("broker", "on_behalf", "group", "organisation_time"):
        if not access.can(Perm.COORDINATE_TIMEBANK):
            raise PermissionDenied
        prefix = "record" if form_key == "on_behalf" else form_key
        classes: dict[str, Any] = {
            "broker": BrokerForm,
            "on_behalf": OnBehalfRecordForm,
            "group": GroupActivityForm,
            "organisation_time": OrganisationTimeForm,
        }
        form = classes[form_key](request.GET, prefix=prefix, access=access)
    else:
        raise Http404
    name = request.GET.get("field", "")
    field_name = name.removeprefix(f"{form.prefix}-") if form.prefix else name
    if not isinstance(form.fields.get(field_name), PickerField):
        raise Http404
    return picker_results(request, form[field_name])
