"""Goals and coach notes: the person's own pages, and their coach's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.matching.selectors import is_blocked
from ginnel.people import conversation, services
from ginnel.people.forms import (
    ConsentForm,
    GoalForm,
    GoalStatusForm,
    NoteForm,
    ReviewForm,
    StepForm,
)
from ginnel.people.models import AccessNeed, CoachNote, Consent, Goal, GoalStep, Person
from ginnel.ui.forms import Form
from ginnel.ui.ids import is_id


def _person(access: Access, person_id: int | None) -> Person:
    """Yourself, or (for a coach) a person of this community; anyone else is not found."""
    if person_id is None:
        assert access.membership is not None  # noqa: S101 (members only)
        return access.membership.person
    person = Person.objects.filter(community=access.community, pk=person_id).first()
    if person is None or not services.can_work_on(access, person):
        raise Http404(_("There is no such person here."))
    return person


def _goal(access: Access, goal_id: int) -> Goal:
    goal = (
        Goal.objects.filter(community=access.community, pk=goal_id)
        .select_related("person", "coach__person")
        .first()
    )
    if goal is None or not services.can_work_on(access, goal.person):
        raise Http404(_("There is no such goal of yours."))
    return goal


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def goals(request: HttpRequest, access: Access, person_id: int | None = None) -> HttpResponse:
    person = _person(access, person_id)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(access=access, person=person, **form.cleaned_data)
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Your goal is saved. Now add a first small step."))
            return redirect("people:goal", community=access.community.slug, goal_id=goal.pk)
    found = (
        Goal.objects.filter(community=access.community, person=person)
        .prefetch_related("steps")
        .order_by("status", "-created_at")
    )
    coaching = access.can(Perm.COACH) and person_id is not None
    notes = CoachNote.objects.filter(person=person).select_related("author__person")
    return render(
        request,
        "people/goals.html",
        {
            "access": access,
            "person": person,
            "goals": found,
            "form": form,
            "coaching": coaching,
            "notes": notes,
            "note_form": NoteForm(),
        },
        status=400 if form.errors else 200,
    )


def _goal_page(request: HttpRequest, access: Access, goal: Goal, **forms: Form) -> HttpResponse:
    context = {
        "access": access,
        "goal": goal,
        "steps": goal.steps.all(),
        "events": goal.events.select_related("actor__person"),
        "step_form": forms.get("step_form") or StepForm(),
        "status_form": forms.get("status_form") or GoalStatusForm(initial={"status": goal.status}),
        "review_form": forms.get("review_form") or ReviewForm(),
        "is_coach": access.can(Perm.COACH),
        "mine": access.membership is not None and goal.person_id == access.membership.person.pk,
    }
    return render(
        request,
        "people/goal.html",
        context,
        status=400 if any(f.errors for f in forms.values()) else 200,
    )


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def goal(request: HttpRequest, access: Access, goal_id: int) -> HttpResponse:
    found = _goal(access, goal_id)
    if request.method == "GET":
        return _goal_page(request, access, found)
    which = request.POST.get("form")
    form: Form
    if which == "step":
        form = StepForm(request.POST)
        key, done = "step_form", _("The step is added.")
    elif which == "status":
        form = GoalStatusForm(request.POST)
        key, done = "status_form", _("Saved.")
    elif which == "review":
        form = ReviewForm(request.POST)
        key, done = "review_form", _("The review is recorded.")
    else:
        raise Http404
    if form.is_valid():
        try:
            if which == "step":
                services.step_add(access=access, goal=found, **form.cleaned_data)
            elif which == "status":
                services.goal_update(access=access, goal=found, status=form.cleaned_data["status"])
            else:
                services.goal_review(access=access, goal=found, text=form.cleaned_data["text"])
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, done)
            return redirect("people:goal", community=access.community.slug, goal_id=found.pk)
    return _goal_page(request, access, found, **{key: form})


@community_view(Perm.EDIT_OWN_RECORD)
@require_POST
def step_tick(request: HttpRequest, access: Access, step_id: int) -> HttpResponse:
    step = (
        GoalStep.objects.filter(goal__community=access.community, pk=step_id)
        .select_related("goal__person")
        .first()
    )
    if step is None or not services.can_work_on(access, step.goal.person):
        raise Http404
    done = request.POST.get("done") == "yes"
    services.step_tick(access=access, step=step, done=done)
    messages.success(
        request, _("Well done: that step is ticked off.") if done else _("Step reopened.")
    )
    return redirect("people:goal", community=access.community.slug, goal_id=step.goal_id)


@community_view(Perm.COACH)
@require_POST
def note_add(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = _person(access, person_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(access=access, person=person, text=form.cleaned_data["text"])
        messages.success(
            request,
            _("The note is saved. %(name)s can read it.") % {"name": person.display_name},
        )
    else:
        messages.error(request, _("Write the note before saving it."))
    return redirect("people:person_goals", community=access.community.slug, person_id=person.pk)


@community_view(Perm.EDIT_OWN_RECORD)
def notes(request: HttpRequest, access: Access) -> HttpResponse:
    person = _person(access, None)
    found = CoachNote.objects.filter(person=person).select_related("author__person")
    return render(request, "people/notes.html", {"access": access, "notes": found})


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, access: Access) -> HttpResponse:
    person = _person(access, None)
    form = (
        ConsentForm(request.POST or None) if request.POST.get("form") == "give" else ConsentForm()
    )
    if request.method == "POST":
        if request.POST.get("form") == "withdraw":
            consent_id = request.POST.get("consent", "")
            consent = (
                Consent.objects.filter(person=person, pk=int(consent_id)).first()
                if is_id(consent_id)
                else None
            )
            if consent is None:
                raise Http404
            services.consent_withdraw(access=access, consent=consent)
            messages.success(request, _("Your consent is withdrawn, from now on."))
            return redirect("people:consents", community=access.community.slug)
        if form.is_valid():
            try:
                services.consent_give(access=access, person=person, **form.cleaned_data)
            except GinnelError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Thank you: your consent is recorded."))
                return redirect("people:consents", community=access.community.slug)
    return render(
        request,
        "people/consents.html",
        {"access": access, "form": form, "consents": person.consents.all()},
        status=400 if form.errors else 200,
    )


def _initial(profile: Any, person: Person, step: Any, *, own: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in step.fields:
        if name in {"contact_method", "contact_times"}:
            values[name] = getattr(person, name)
        elif name == "skills":
            values[name] = list(profile.skills.all())
        elif name == "peer_topics":
            # The person always sees their own words; a coach only while consent stands.
            values[name] = profile.peer_topics if own else services.peer_topics_visible(profile)
        else:
            values[name] = getattr(profile, name)
    return values


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def strengths(
    request: HttpRequest, access: Access, step: str = "", person_id: int | None = None
) -> HttpResponse:
    """One question a screen; each answer is saved before the next.

    A person answers for themselves; a coordinator or link worker can go
    through it with them (``person_id``), sitting together.
    """
    person = _person(access, person_id)
    profile = services.strengths_for(person)
    slugs = [s.slug for s in conversation.STEPS]
    slug = access.community.slug

    def step_url(name: str) -> str:
        if person_id is None:
            return reverse("people:strengths_step", args=[slug, name])
        return reverse("people:person_strengths_step", args=[slug, person_id, name])

    finished = (
        reverse("people:profile", args=[slug])
        if person_id is None
        else reverse("people:about", args=[slug, person_id])
    )
    if not step:
        waiting = [s for s in slugs if s not in profile.steps_done]
        return redirect(step_url(waiting[0]) if waiting else finished)
    current = conversation.BY_SLUG.get(step)
    if current is None:
        raise Http404
    kwargs: dict[str, Any] = {"community": access.community} if step == "skills" else {}
    form = current.form(
        request.POST or None,
        initial=_initial(profile, person, current, own=person_id is None),
        **kwargs,
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.strengths_answer(
                access=access, person=person, step=step, answers=form.cleaned_data
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            index = slugs.index(step)
            if "later" in request.POST:
                messages.success(request, _("Saved. Come back any time to carry on."))
                return redirect(
                    finished if person_id else reverse("web:community_home", args=[slug])
                )
            if index + 1 < len(slugs) and slugs[index + 1] not in profile.steps_done:
                return redirect(step_url(slugs[index + 1]))
            return redirect(finished)
    index = slugs.index(step)
    return render(
        request,
        "people/strengths_step.html",
        {
            "access": access,
            "person": person,
            "with_coach": person_id is not None,
            "form": form,
            "step": current,
            "number": index + 1,
            "total": len(slugs),
            "previous_url": step_url(slugs[index - 1]) if index else None,
            "has_peer_consent": services.has_consent(person, "peer_support"),
        },
        status=400 if form.errors else 200,
    )


@community_view(Perm.EDIT_OWN_RECORD)
def profile(request: HttpRequest, access: Access) -> HttpResponse:
    person = _person(access, None)
    found = services.strengths_for(person)
    return render(
        request,
        "people/profile.html",
        {
            "access": access,
            "person": person,
            "profile": found,
            "skills": found.skills.all(),
            "peer_topics": found.peer_topics,  # the person's own words, always theirs to see
            "peer_consent": services.has_consent(person, "peer_support"),
            "steps": conversation.STEPS,
            "done": set(found.steps_done),
            "access_labels": [AccessNeed(n).label for n in found.access_needs],
        },
    )


@community_view(Perm.VIEW_COMMUNITY)
def person_about(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    """A person's profile as the asker may see it: coaches everything they need,
    other members only what the person chose to share."""
    person = (
        Person.objects.filter(community=access.community, pk=person_id)
        .select_related("neighbourhood", "membership")
        .first()
    )
    if person is None or person.membership.status != "active":
        raise Http404(_("There is no such member in this community."))
    if access.membership is not None and access.membership.person.pk == person.pk:
        return redirect("people:profile", community=access.community.slug)
    found = services.strengths_for(person)
    coaching = access.can(Perm.COACH)
    return render(
        request,
        "people/about.html",
        {
            "access": access,
            "person": person,
            "profile": found,
            "coaching": coaching,
            "blocked": is_blocked(access=access, person_id=person.pk),
            "skills": found.skills.all() if coaching or found.share_skills else [],
            "show_skills": coaching or found.share_skills,
            "show_interests": coaching or found.share_interests,
            "show_neighbourhood": coaching or found.share_neighbourhood,
            "peer_topics": services.peer_topics_visible(found) if coaching else "",
            "access_labels": [AccessNeed(n).label for n in found.access_needs] if coaching else [],
            "compare": services.then_and_now(access=access, person=person) if coaching else None,
        },
    )


@community_view(Perm.EDIT_OWN_RECORD)
def then_and_now(request: HttpRequest, access: Access) -> HttpResponse:
    person = _person(access, None)
    return render(
        request,
        "people/then_and_now.html",
        {
            "access": access,
            "person": person,
            "compare": services.then_and_now(access=access, person=person),
        },
    )


@community_view(Perm.EDIT_OWN_RECORD)
@require_POST
def strengths_again(request: HttpRequest, access: Access) -> HttpResponse:
    services.strengths_start_again(access=access, person=_person(access, None))
    messages.success(request, _("Your answers are kept: change what is different now."))
    return redirect("people:strengths", community=access.community.slug)
