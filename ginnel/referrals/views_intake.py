"""Sending a referral: the three forms, their confirmations, and the person search.

Each form is sent, then the browser is sent on to a confirmation (post,
redirect, get). The confirmation shows back what was sent, with what happens
next, to the browser session that sent it and nobody else: the ids sent are
kept in the session, and ``selectors_intake.referral_sent`` checks the asker
wrote the referral.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.people.models import Person
from ginnel.referrals import selectors_intake, services, services_intake
from ginnel.referrals.forms_intake import (
    OrganisationReferralForm,
    SelfReferralForm,
    SomeoneReferralForm,
)
from ginnel.referrals.models import ContactBy, Referral, Referrer
from ginnel.referrals.referrer_access import referrer_view, referrers_of
from ginnel.ui.forms import Form
from ginnel.ui.ids import is_id
from ginnel.ui.picker import PickerField, picker_results

SENT_KEY = "referrals_sent"
SENT_KEPT = 10


def _status(request: HttpRequest, form: Form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _attempt(form: Form, action: Callable[[], Referral]) -> Referral | None:
    """Run a service; a domain error goes onto the form, next to its field."""
    try:
        return action()
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    except GinnelError as error:
        form.add_domain_error(error)
        return None


def _remember_sent(request: HttpRequest, referral: Referral) -> None:
    sent = [i for i in request.session.get(SENT_KEY, []) if isinstance(i, int)]
    request.session[SENT_KEY] = [*sent, referral.pk][-SENT_KEPT:]


def _sent_ids(request: HttpRequest) -> list[int]:
    return [i for i in request.session.get(SENT_KEY, []) if isinstance(i, int)]


def _failed_contacts(community: Community) -> int:
    return services.settings_read(community).failed_contacts_before_closing


def _who_contacts(referral: Referral, *, is_self: bool) -> str:
    """Who contacts the person next, and how, as a whole sentence."""
    sentences: dict[str, str]
    if is_self:
        sentences = {
            ContactBy.PHONE: _("Your link worker will phone you."),
            ContactBy.TEXT: _("Your link worker will send you a text message."),
            ContactBy.LETTER: _("Your link worker will write to you."),
            ContactBy.EMAIL: _("Your link worker will email you."),
            ContactBy.CARER: _(
                "Your link worker will contact you through the person who cares for you."
            ),
        }
        return sentences.get(referral.contact_by, "")
    sentences = {
        ContactBy.PHONE: _("Once it is accepted, a link worker will phone %(name)s."),
        ContactBy.TEXT: _("Once it is accepted, a link worker will send %(name)s a text message."),
        ContactBy.LETTER: _("Once it is accepted, a link worker will write to %(name)s."),
        ContactBy.EMAIL: _("Once it is accepted, a link worker will email %(name)s."),
        ContactBy.CARER: _(
            "Once it is accepted, a link worker will contact %(name)s through their carer."
        ),
    }
    sentence = sentences.get(referral.contact_by, "")
    return sentence % {"name": referral.person.display_name} if sentence else ""


def _me(access: Access) -> Person:
    if access.membership is None:
        raise PermissionDenied
    return access.membership.person


# A member asks for a link worker --------------------------------------------------------------


@community_view(Perm.REFER)
@require_http_methods(["GET", "POST"])
def refer_me(request: HttpRequest, access: Access) -> HttpResponse:
    me = _me(access)
    form = SelfReferralForm(request.POST or None, community=access.community, me=me)
    if request.method == "POST" and form.is_valid():
        today = timezone.localdate()
        statement = _("I asked for a link worker myself, through Ginnel, on %(date)s.") % {
            "date": date_format(today, "j F Y")
        }
        referral = _attempt(
            form,
            lambda: services.referral_create(
                access=access,
                person=me,
                reasons=list(form.cleaned_data["reasons"]),
                details=form.details(consent_statement=statement, consent_given_on=today),
            ),
        )
        if referral is not None:
            _remember_sent(request, referral)
            return redirect("referrals:refer_sent", access.community.slug, referral.pk)
    return render(
        request,
        "referrals/intake_me.html",
        {"access": access, "form": form},
        status=_status(request, form),
    )


# A member, link worker or coordinator refers someone who agreed -------------------------------


def _someone_form(request: HttpRequest, access: Access, data: Any) -> SomeoneReferralForm:
    # "Refer them" from a person's page: /refer/?person=<id> starts with them chosen (the
    # picker offers them only if the asker may choose them).
    wanted = request.GET.get("person", "") if data is None else ""
    return SomeoneReferralForm(
        data,
        initial={"person": wanted} if is_id(wanted) else {},
        access=access,
        me=access.membership.person if access.membership is not None else None,
        may_write_down=services_intake.may_write_down_referrals(access),
    )


@community_view(Perm.REFER)
@require_http_methods(["GET", "POST"])
def refer_someone(request: HttpRequest, access: Access) -> HttpResponse:
    may_write_down = services_intake.may_write_down_referrals(access)
    # Only staff write down another's referral or refer someone new: the fields are
    # not on a member's form, so sending them is refused rather than ignored.
    staff_only = request.POST.get("referrer") or request.POST.get("new_person_name")
    if request.method == "POST" and not may_write_down and staff_only:
        raise PermissionDenied(
            _("Only coordinators and link workers can write down another's referral.")
        )
    form = _someone_form(request, access, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person: Person | None = data["person"]
        referrer: Referrer | None = data.get("referrer")
        reasons = list(data["reasons"])
        details = form.details()
        if person is not None:
            chosen = person
            referral = _attempt(
                form,
                lambda: services.referral_create(
                    access=access,
                    person=chosen,
                    reasons=reasons,
                    details=details,
                    referrer=referrer,
                ),
            )
        else:
            referral = _attempt(
                form,
                lambda: services_intake.referral_create_for_new_person(
                    access=access,
                    display_name=data["new_person_name"],
                    reasons=reasons,
                    details=details,
                    referrer=referrer,
                ),
            )
        if referral is not None:
            _remember_sent(request, referral)
            return redirect("referrals:refer_sent", access.community.slug, referral.pk)
    return render(
        request,
        "referrals/intake_someone.html",
        {"access": access, "form": form, "may_write_down": may_write_down},
        status=_status(request, form),
    )


@community_view(Perm.REFER)
@require_GET
def refer_person_search(request: HttpRequest, access: Access) -> HttpResponse:
    """The matches for the person picker as one types (htmx); the same list the form's
    "Search" button shows without JavaScript."""
    form = _someone_form(request, access, request.GET)
    field = form.fields.get(request.GET.get("field", ""))
    if not isinstance(field, PickerField):
        raise Http404
    return picker_results(request, form[request.GET["field"]])


@community_view(Perm.REFER)
@require_GET
def refer_sent(request: HttpRequest, access: Access, referral_id: int) -> HttpResponse:
    try:
        referral = selectors_intake.referral_sent(
            community=access.community,
            referral_id=referral_id,
            sent_ids=_sent_ids(request),
            membership=access.membership,
        )
    except GinnelError as error:
        raise Http404 from error
    is_self = access.membership is not None and referral.person.membership_id == (
        access.membership.pk
    )
    return render(
        request,
        "referrals/intake_sent.html",
        {
            "access": access,
            "community": access.community,
            "referral": referral,
            "is_self": is_self,
            "who_contacts": _who_contacts(referral, is_self=is_self),
            "failed_contacts": services.settings_read(
                access.community
            ).failed_contacts_before_closing,
        },
    )


# Someone at a referring organisation sends one in ---------------------------------------------


@referrer_view
@require_http_methods(["GET", "POST"])
def refer_from_organisation(request: HttpRequest, referrer: Referrer) -> HttpResponse:
    community = referrer.community
    mine = referrers_of(request.user, community)
    form = OrganisationReferralForm(request.POST or None, community=community, referrers=mine)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sender: Referrer = data.get("send_as") or referrer
        referral = _attempt(
            form,
            lambda: services.referral_receive(
                referrer=sender,
                display_name=data["display_name"],
                reasons=list(data["reasons"]),
                details=form.details(),
            ),
        )
        if referral is not None:
            _remember_sent(request, referral)
            return redirect("referrals:refer_from_organisation_sent", community.slug, referral.pk)
    return render(
        request,
        "referrals/intake_organisation.html",
        {"community": community, "referrer": referrer, "form": form, "several": len(mine) > 1},
        status=_status(request, form),
    )


@referrer_view
@require_GET
def refer_from_organisation_sent(
    request: HttpRequest, referrer: Referrer, referral_id: int
) -> HttpResponse:
    community = referrer.community
    try:
        referral = selectors_intake.referral_sent(
            community=community,
            referral_id=referral_id,
            sent_ids=_sent_ids(request),
            referrers=referrers_of(request.user, community),
        )
    except GinnelError as error:
        raise Http404 from error
    return render(
        request,
        "referrals/intake_sent.html",
        {
            "community": community,
            "referrer": referrer,
            "referral": referral,
            "from_organisation": True,
            "who_contacts": _who_contacts(referral, is_self=False),
            "failed_contacts": _failed_contacts(community),
        },
    )
