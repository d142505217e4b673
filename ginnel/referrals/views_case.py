"""One referral's page and its steps: each step a small form posting to its own address.

The page is for the staff who work the referral (its link worker, coordinators);
anyone else, the person it is about included, finds no such page (404), so
nobody learns whether a referral exists. Each step parses its form, calls its
one service and comes back to the page with a message (post, redirect, get);
bad input or a refused step shows the whole page again with the problem by
its field and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import selectors_case, services
from ginnel.referrals.forms_case import (
    CloseForm,
    ContactForm,
    ConversationForm,
    CorrectionForm,
    DeclineForm,
    FollowUpDoneForm,
    FollowUpForm,
    LinkWorkerForm,
    RedirectForm,
)
from ginnel.referrals.models import (
    FollowUp,
    Referral,
    ReferralEvent,
    ReferralState,
)
from ginnel.ui.forms import Form

# The forms of the steps that take one form a page, by step.
SIMPLE_FORMS: dict[str, type[Form]] = {
    "decline": DeclineForm,
    "redirect": RedirectForm,
    "contact": ContactForm,
    "conversation": ConversationForm,
    "follow_up": FollowUpForm,
    "close": CloseForm,
}


def _link_worker_form(access: Access, referral: Referral, step: str, data: Any = None) -> Form:
    leaving_out = referral.link_worker_id if step == "reassign" else None
    return LinkWorkerForm(
        data,
        prefix=step,
        link_workers=selectors_case.link_workers(access=access, leaving_out=leaving_out),
    )


def _correct_prefix(event_id: int) -> str:
    return f"correct-{event_id}"


def _done_prefix(follow_up_id: int) -> str:
    return f"done-{follow_up_id}"


def _page(
    request: HttpRequest,
    access: Access,
    pk: int,
    *,
    bound: tuple[str, int, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page; ``bound`` is a step's form posted with a problem: (step, its id, form)."""
    try:
        case = selectors_case.case_read(access=access, referral_id=pk)
    except GinnelError as error:  # not there, or not for the asker: the same answer
        raise Http404(_("There is no such referral here.")) from error
    referral = case.referral
    steps: dict[str, Form] = {}
    # Today and the way they asked to be contacted, as most attempts are.
    initial: dict[str, dict[str, Any]] = {
        "contact": {"happened_on": timezone.localdate(), "channel": referral.contact_by},
        "conversation": {"happened_on": timezone.localdate()},
    }
    for step in case.steps:
        if step in SIMPLE_FORMS:
            steps[step] = SIMPLE_FORMS[step](prefix=step, initial=initial.get(step))
        elif step in ("accept", "reassign"):
            steps[step] = _link_worker_form(access, referral, step)
    correct_forms: dict[int, Form] = {}
    if "correct" in case.steps:
        correct_forms = {
            entry.event.pk: CorrectionForm(prefix=_correct_prefix(entry.event.pk))
            for entry in case.history
            if entry.event.kind != "correction"
        }
    done_forms: dict[int, Form] = {}
    if "follow_up" in case.steps:
        done_forms = {
            f.pk: FollowUpDoneForm(prefix=_done_prefix(f.pk))
            for f in case.follow_ups
            if f.done_at is None
        }
    form: Form | None = None
    if bound is not None:
        step, item, form = bound
        if step == "correct":
            correct_forms[item] = form
        elif step == "done":
            done_forms[item] = form
        else:
            steps[step] = form
    open_follow_ups = [f for f in case.follow_ups if f.done_at is None]
    return render(
        request,
        "referrals/case.html",
        {
            "access": access,
            "referral": referral,
            "case": case,
            "steps": steps,
            "correct_forms": correct_forms,
            "done_forms": done_forms,
            "open_follow_ups": open_follow_ups,
            "done_follow_ups": [f for f in case.follow_ups if f.done_at is not None],
            "form": form,
            "failed_left": max(case.failed_contacts_before_closing - referral.failed_contacts, 0),
        },
        status=status,
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_GET
def case(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """The referral, its history and the steps open to the asker; the read is recorded."""
    return _page(request, access, pk)


def _referral(access: Access, pk: int) -> Referral:
    try:
        return selectors_case.case_for_step(access=access, referral_id=pk)
    except GinnelError as error:
        raise Http404(_("There is no such referral here.")) from error


Act = Callable[[dict[str, Any]], str]


def _run(
    request: HttpRequest,
    access: Access,
    referral: Referral,
    form: Form,
    act: Act,
    *,
    step: str,
    item: int = 0,
) -> HttpResponse:
    """Check the form, call the step's service, and come back to the page."""
    status = 400
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except PermissionRefused as refused:
            form.add_domain_error(refused)
            status = 403
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, done)
            return redirect("referrals:case", community=access.community.slug, pk=referral.pk)
    return _page(request, access, referral.pk, bound=(step, item, form), status=status)


def _name(referral: Referral) -> str:
    return referral.person.display_name


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def accept(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)
    form = _link_worker_form(access, referral, "accept", request.POST)

    def act(data: dict[str, Any]) -> str:
        services.referral_accept(access=access, referral=referral, link_worker=data["link_worker"])
        return _("The referral is accepted and given to %(worker)s.") % {
            "worker": data["link_worker"].person.display_name
        }

    return _run(request, access, referral, form, act, step="accept")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def reassign(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)
    form = _link_worker_form(access, referral, "reassign", request.POST)

    def act(data: dict[str, Any]) -> str:
        services.referral_reassign(
            access=access, referral=referral, link_worker=data["link_worker"]
        )
        return _("The referral is now with %(worker)s.") % {
            "worker": data["link_worker"].person.display_name
        }

    return _run(request, access, referral, form, act, step="reassign")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def decline(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)

    def act(data: dict[str, Any]) -> str:
        services.referral_decline(access=access, referral=referral, reason=data["reason"])
        return _("The referral of %(name)s is declined.") % {"name": _name(referral)}

    form = DeclineForm(request.POST, prefix="decline")
    return _run(request, access, referral, form, act, step="decline")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def redirect_to_service(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)

    def act(data: dict[str, Any]) -> str:
        services.referral_redirect(
            access=access, referral=referral, to_service=data["to_service"], reason=data["reason"]
        )
        return _("The referral of %(name)s is passed to %(service)s.") % {
            "name": _name(referral),
            "service": data["to_service"].strip(),
        }

    form = RedirectForm(request.POST, prefix="redirect")
    return _run(request, access, referral, form, act, step="redirect")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def contact(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)

    def act(data: dict[str, Any]) -> str:
        services.contact_attempt_log(access=access, referral=referral, **data)
        after = Referral.objects.only("state", "failed_contacts").get(pk=referral.pk)
        if after.state == ReferralState.CLOSED:
            return ngettext(
                "The attempt is recorded. After %(count)d failed attempt the referral is "
                "closed as could not contact.",
                "The attempt is recorded. After %(count)d failed attempts the referral is "
                "closed as could not contact.",
                after.failed_contacts,
            ) % {"count": after.failed_contacts}
        if after.state == ReferralState.CONTACTED and referral.state == ReferralState.ACCEPTED:
            return _("The attempt is recorded: %(name)s is reached.") % {"name": _name(referral)}
        return _("The attempt is recorded.")

    form = ContactForm(request.POST, prefix="contact")
    return _run(request, access, referral, form, act, step="contact")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def conversation(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)

    def act(data: dict[str, Any]) -> str:
        services.first_conversation_record(access=access, referral=referral, **data)
        return _("The first conversation with %(name)s is recorded.") % {"name": _name(referral)}

    form = ConversationForm(request.POST, prefix="conversation")
    return _run(request, access, referral, form, act, step="conversation")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def follow_up(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)

    def act(data: dict[str, Any]) -> str:
        found = services.follow_up_schedule(access=access, referral=referral, **data)
        return _("A follow-up is arranged for %(date)s.") % {
            "date": date_format(found.due_on, "j F Y")
        }

    form = FollowUpForm(request.POST, prefix="follow_up")
    return _run(request, access, referral, form, act, step="follow_up")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def follow_up_done(
    request: HttpRequest, access: Access, pk: int, follow_up_id: int
) -> HttpResponse:
    referral = _referral(access, pk)
    found = (
        FollowUp.objects.filter(community=access.community, referral=referral, pk=follow_up_id)
        .select_related("referral")
        .first()
    )
    if found is None:
        raise Http404(_("There is no such follow-up here."))

    def act(data: dict[str, Any]) -> str:
        services.follow_up_complete(access=access, follow_up=found, **data)
        return _("The follow-up due on %(date)s is done.") % {
            "date": date_format(found.due_on, "j F Y")
        }

    form = FollowUpDoneForm(request.POST, prefix=_done_prefix(found.pk))
    return _run(request, access, referral, form, act, step="done", item=found.pk)


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def close(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    referral = _referral(access, pk)

    def act(data: dict[str, Any]) -> str:
        services.referral_close(access=access, referral=referral, **data)
        return _("The referral of %(name)s is closed.") % {"name": _name(referral)}

    form = CloseForm(request.POST, prefix="close")
    return _run(request, access, referral, form, act, step="close")


@community_view(Perm.VIEW_COMMUNITY)
@require_POST
def correct(request: HttpRequest, access: Access, pk: int, event_id: int) -> HttpResponse:
    referral = _referral(access, pk)
    event = (
        ReferralEvent.objects.filter(community=access.community, referral=referral, pk=event_id)
        .select_related("referral")
        .first()
    )
    if event is None:
        raise Http404(_("There is no such entry in this referral's history."))

    def act(data: dict[str, Any]) -> str:
        services.event_correct(access=access, event=event, correction=data["correction"])
        return _("Your correction is added to the history.")

    form = CorrectionForm(request.POST, prefix=_correct_prefix(event.pk))
    return _run(request, access, referral, form, act, step="correct", item=event.pk)
