"""Wellbeing on screen, and the person's own record.

- ``wellbeing``: a referral's questionnaires and answers for its link worker and
  coordinators (every look recorded as a read), with links to record answers
  with the person (``wellbeing_record``).
- ``mine``: the person's own referrals, their answers over time, and what they
  are asked to answer themselves (``mine_answer``). Nothing is recorded when
  the person reads their own.

Anyone who may not read a referral finds no such page (404), so a page never
says whether a referral exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.referrals import selectors_person, services
from ginnel.referrals.forms_person import QuestionnaireForm
from ginnel.referrals.models import Occasion
from ginnel.ui.paging import page_number


def _wellbeing(access: Access, pk: int) -> selectors_person.Wellbeing:
    try:
        return selectors_person.wellbeing_read(access=access, referral_id=pk)
    except GinnelError as error:  # PermissionRefused too: not yours is not found
        raise Http404 from error


@community_view(Perm.VIEW_COMMUNITY)
def wellbeing(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    if selectors_person.is_own_referral(access=access, referral_id=pk):
        return redirect("referrals:mine", community=access.community.slug)
    found = _wellbeing(access, pk)
    return render(
        request,
        "referrals/wellbeing.html",
        {
            "access": access,
            "referral": found.referral,
            "records": found.records,
            "may_record": found.referral.is_open and services.may_act_on(access, found.referral),
        },
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_http_methods(["GET", "POST"])
def wellbeing_record(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    """A link worker (or coordinator) records answers given with the person."""
    if selectors_person.is_own_referral(access=access, referral_id=pk):
        return redirect("referrals:mine", community=access.community.slug)
    found = _wellbeing(access, pk)
    questionnaire = selectors_person.in_use_by_code(access.community.pk, code)
    if questionnaire is None or not services.may_act_on(access, found.referral):
        raise Http404
    form = QuestionnaireForm(
        request.POST or None,
        questionnaire=questionnaire,
        answered=found.answered.get(code, set()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_answer(
                access=access,
                referral=found.referral,
                questionnaire=questionnaire,
                occasion=form.cleaned_data["occasion"],
                answers=form.answers(),
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The answers are saved."))
            return redirect("referrals:wellbeing", community=access.community.slug, pk=pk)
    return render(
        request,
        "referrals/wellbeing_record.html",
        {
            "access": access,
            "referral": found.referral,
            "questionnaire": questionnaire,
            "title": _(questionnaire.title),
            "intro": _(questionnaire.definition.get("intro", "")),
            "licence_note": _(questionnaire.licence_note) if questionnaire.licence_note else "",
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@community_view(Perm.VIEW_COMMUNITY)
def mine(request: HttpRequest, access: Access) -> HttpResponse:
    record = selectors_person.my_record(access=access, page=page_number(request.GET.get("page")))
    return render(
        request,
        "referrals/mine.html",
        {"access": access, "page": record.page, "referrals": record.referrals},
    )


@community_view(Perm.VIEW_COMMUNITY)
@require_http_methods(["GET", "POST"])
def mine_answer(request: HttpRequest, access: Access, pk: int, code: str) -> HttpResponse:
    """The person answers a questionnaire on their own, when one is due."""
    try:
        found = selectors_person.my_questionnaire(access=access, referral_id=pk, code=code)
    except GinnelError as error:
        raise Http404 from error
    if found.occasion is None:
        messages.info(request, _("There is nothing for you to answer on this questionnaire now."))
        return redirect("referrals:mine", community=access.community.slug)
    form = QuestionnaireForm(
        request.POST or None, questionnaire=found.questionnaire, ask_occasion=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_answer(
                access=access,
                referral=found.referral,
                questionnaire=found.questionnaire,
                occasion=found.occasion,
                answers=form.answers(),
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Thank you. Your answers are saved."))
            return redirect("referrals:mine", community=access.community.slug)
    questionnaire = found.questionnaire
    return render(
        request,
        "referrals/mine_answer.html",
        {
            "access": access,
            "referral": found.referral,
            "questionnaire": questionnaire,
            "title": _(questionnaire.title),
            "intro": _(questionnaire.definition.get("intro", "")),
            "occasion": Occasion(found.occasion).label,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
