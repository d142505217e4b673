"""Goals and coach notes: the person's own pages, and their coach's."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.people import services
from ginnel.people.forms import (
    ConsentForm,
    GoalForm,
    GoalStatusForm,
    NoteForm,
    ReviewForm,
    StepForm,
)
from ginnel.people.models import CoachNote, Consent, Goal, GoalStep, Person
from ginnel.web.forms import Form


def _person(access: Access, person_id: int | None) -> Person:
    """Yourself, or (for a coach) a person of this community; anyone else is not found."""
    if person_id is None:
        assert access.membership is not None  # noqa: S101 (members only)
        return access.membership.person
    person = Person.objects.filter(community=access.community, pk=person_id).first()
    if person is None or not services.can_work_on(access, person):
        raise Http404("There is no such person here.")
    return person


def _goal(access: Access, goal_id: int) -> Goal:
    goal = (
        Goal.objects.filter(community=access.community, pk=goal_id)
        .select_related("person", "coach__person")
        .first()
    )
    if goal is None or not services.can_work_on(access, goal.person):
        raise Http404("There is no such goal of yours.")
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
            messages.success(request, "Your goal is saved. Now add a first small step.")
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
        key, done = "step_form", "The step is added."
    elif which == "status":
        form = GoalStatusForm(request.POST)
        key, done = "status_form", "Saved."
    elif which == "review":
        form = ReviewForm(request.POST)
        key, done = "review_form", "The review is recorded."
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
    messages.success(request, "Well done: that step is ticked off." if done else "Step reopened.")
    return redirect("people:goal", community=access.community.slug, goal_id=step.goal_id)


@community_view(Perm.COACH)
@require_POST
def note_add(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = _person(access, person_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(access=access, person=person, text=form.cleaned_data["text"])
        messages.success(request, f"The note is saved. {person.display_name} can read it.")
    else:
        messages.error(request, "Write the note before saving it.")
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
                if consent_id.isdigit()
                else None
            )
            if consent is None:
                raise Http404
            services.consent_withdraw(access=access, consent=consent)
            messages.success(request, "Your consent is withdrawn, from now on.")
            return redirect("people:consents", community=access.community.slug)
        if form.is_valid():
            try:
                services.consent_give(access=access, person=person, **form.cleaned_data)
            except GinnelError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, "Thank you: your consent is recorded.")
                return redirect("people:consents", community=access.community.slug)
    return render(
        request,
        "people/consents.html",
        {"access": access, "form": form, "consents": person.consents.all()},
        status=400 if form.errors else 200,
    )
