"""Community pages: each names its permission; each calls one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ginnel.communities import selectors, services
from ginnel.communities.forms import (
    ClaimInvitationForm,
    CommunitySettingsForm,
    InvitationForm,
    JoinForm,
    LeaveForm,
    MemberSearchForm,
    NeighbourhoodForm,
    PersonForm,
    RolesForm,
)
from ginnel.communities.models import (
    Community,
    Invitation,
    MembershipStatus,
    Neighbourhood,
    SignupMode,
)
from ginnel.communities.permissions import Access, Perm, access_for, community_view
from ginnel.communities.roles_page import roles_page_links
from ginnel.errors import GinnelError
from ginnel.people import email_check
from ginnel.people.models import Person
from ginnel.ui.htmx import is_htmx

PERSON_FIELDS = (
    "display_name",
    "neighbourhood",
    "contact_method",
    "contact_email",
    "phone",
    "contact_times",
)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, community: str, token: str = "") -> HttpResponse:
    """Sign up to a community: open, by invitation (token) or by application."""
    found = get_object_or_404(Community, slug=community)
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        existing = access_for(user, found)
        if existing.is_member:
            return redirect("web:community_home", community=found.slug)
        if existing.membership is not None:
            return render(
                request,
                "communities/join_status.html",
                {"community": found, "membership": existing.membership},
            )
    if found.signup_mode == SignupMode.INVITATION and not token:
        return render(
            request, "communities/join_invitation_only.html", {"community": found}, status=403
        )
    # Someone claiming the record kept for them starts from the name it has.
    claim = (
        Invitation.objects.filter(community=found, token=token, membership__isnull=False)
        .select_related("membership__person")
        .first()
        if token
        else None
    )
    form = JoinForm(
        request.POST or None,
        community=found,
        user=user,
        initial=(
            {"display_name": claim.membership.person.display_name}
            if claim and claim.membership
            else None
        ),
    )
    if request.method == "POST" and form.is_valid() and user is None:
        return _sign_up(request, found, form, token)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.member_join(
                community=found,
                user=user,
                display_name=data["display_name"],
                neighbourhood=data.get("neighbourhood"),
                invitation_token=token,
                application_message=data.get("application_message", ""),
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            if membership.status == MembershipStatus.APPLIED:
                return render(
                    request,
                    "communities/join_status.html",
                    {"community": found, "membership": membership},
                )
            messages.success(request, _("Welcome to %(name)s.") % {"name": found.name})
            return redirect("web:welcome", community=found.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "communities/join.html",
        {"community": found, "form": form, "token": token},
        status=status,
    )


def _sign_up(
    request: HttpRequest, community: Community, form: JoinForm, token: str
) -> HttpResponse:
    """A visitor without a login joins. Whether the address already has an account, the
    page is the same ("check your email"); only the email sent differs."""
    data = form.cleaned_data
    try:
        membership = services.member_sign_up(
            community=community,
            email=data["email"],
            password=data["password"],
            display_name=data["display_name"],
            neighbourhood=data.get("neighbourhood"),
            invitation_token=token,
            application_message=data.get("application_message", ""),
            join_link=request.build_absolute_uri(request.path),
        )
    except GinnelError as error:
        form.add_domain_error(error)
        return render(
            request,
            "communities/join.html",
            {"community": community, "form": form, "token": token},
            status=400,
        )
    if membership is not None and membership.user is not None:
        # A new account: email the link that shows the address is theirs.
        email_check.check_send(
            user=membership.user,
            link=request.build_absolute_uri(
                reverse("web:email_check", args=[email_check.check_token(membership.user)])
            ),
        )
    return render(
        request,
        "communities/join_check_email.html",
        {"community": community, "email": data["email"]},
    )


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest, access: Access) -> HttpResponse:
    assert access.membership is not None  # noqa: S101 (EDIT_OWN_RECORD implies a membership)
    person: Person = access.membership.person
    return _person_form(
        request,
        access,
        person,
        template="communities/me.html",
        done=reverse("web:community_home", args=[access.community.slug]),
    )


@community_view(Perm.EDIT_OWN_RECORD)
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, access: Access) -> HttpResponse:
    """Say what leaving does; on POST, leave and go back to choosing a community."""
    form = LeaveForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.membership_leave(access=access)
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            if request.session.get("community") == access.community.slug:
                del request.session["community"]
            messages.success(
                request, _("You have left %(name)s.") % {"name": access.community.name}
            )
            return redirect("web:home")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "communities/leave.html", {"access": access, "form": form}, status=status
    )


def _person_form(
    request: HttpRequest, access: Access, person: Person | None, *, template: str, done: str
) -> HttpResponse:
    initial = {f: getattr(person, f) for f in PERSON_FIELDS} if person else {}
    form = PersonForm(
        request.POST or None,
        initial=initial,
        community=access.community,
        current=person.neighbourhood if person else None,
    )
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in PERSON_FIELDS}
        try:
            if person is None:
                person = services.person_record(access=access, **values)
                messages.success(
                    request, _("%(name)s has been recorded.") % {"name": person.display_name}
                )
            else:
                services.person_update(access=access, person=person, **values)
                messages.success(request, _("Your changes have been saved."))
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            return redirect(done)
    status = 400 if request.method == "POST" else 200
    return render(
        request, template, {"access": access, "form": form, "person": person}, status=status
    )


@community_view(Perm.VIEW_MEMBERS)
def members(request: HttpRequest, access: Access) -> HttpResponse:
    form = MemberSearchForm(request.GET or None, community=access.community)
    search, neighbourhood_id = "", None
    if form.is_valid():
        search = form.cleaned_data["q"]
        if form.cleaned_data["neighbourhood"] is not None:
            neighbourhood_id = form.cleaned_data["neighbourhood"].pk
    people = selectors.members_list(access=access, search=search, neighbourhood_id=neighbourhood_id)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    template = "communities/_members_table.html" if is_htmx(request) else "communities/members.html"
    return render(request, template, {"access": access, "form": form, "page": page})


@community_view(Perm.RECORD_PERSON)
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest, access: Access) -> HttpResponse:
    return _person_form(
        request,
        access,
        None,
        template="communities/member_new.html",
        done=reverse("communities:members", args=[access.community.slug]),
    )


@community_view(Perm.RECORD_PERSON)
@require_http_methods(["GET", "POST"])
def claim_invitation(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    """Invite someone recorded without a login to claim their record (link and email)."""
    person = selectors.member_get(access=access, person_id=person_id)
    if person is None or person.membership.user_id is not None:
        raise Http404(_("There is no such person without a login in this community."))
    form = ClaimInvitationForm(request.POST or None, initial={"email": person.contact_email})
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.claim_invitation_create(
                access=access, person=person, email=form.cleaned_data["email"]
            )
        except GinnelError as error:
            form.add_domain_error(error)
    link = (
        request.build_absolute_uri(
            reverse("communities:join_invited", args=[access.community.slug, created.token])
        )
        if created
        else None
    )
    if created is not None and link is not None:
        services.claim_invitation_send(invitation=created, name=person.display_name, link=link)
    status = 400 if request.method == "POST" and created is None else 200
    return render(
        request,
        "communities/claim_invitation.html",
        {"access": access, "form": form, "person": person, "created": created, "link": link},
        status=status,
    )


@community_view(Perm.MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
def member_roles(request: HttpRequest, access: Access, person_id: int) -> HttpResponse:
    person = selectors.member_get(access=access, person_id=person_id)
    if person is None:
        raise Http404(_("There is no such person in this community."))
    current = [g.role for g in person.membership.grants.all()]
    form = RolesForm(request.POST or None, initial={"roles": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.roles_set(
                access=access, membership_id=person.membership_id, roles=form.cleaned_data["roles"]
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, _("%(name)s's roles have been saved.") % {"name": person.display_name}
            )
            return redirect("web:person", community=access.community.slug, person_id=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "communities/member_roles.html",
        {
            "access": access,
            "form": form,
            "person": person,
            "more": roles_page_links(access=access, person=person),
        },
        status=status,
    )


@community_view(Perm.DECIDE_APPLICATIONS)
def applications(request: HttpRequest, access: Access) -> HttpResponse:
    pending = selectors.applications_pending(access=access)
    return render(request, "communities/applications.html", {"access": access, "pending": pending})


@community_view(Perm.DECIDE_APPLICATIONS)
@require_POST
def application_decide(request: HttpRequest, access: Access, membership_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in {"approve", "decline"}:
        messages.error(request, _("Choose whether to approve or decline the application."))
        return redirect("communities:applications", community=access.community.slug)
    try:
        membership = services.application_decide(
            access=access, membership_id=membership_id, approve=decision == "approve"
        )
    except GinnelError as error:
        messages.error(request, error.message)
    else:
        name = membership.person.display_name
        messages.success(
            request,
            _("%(name)s is now a member.") % {"name": name}
            if decision == "approve"
            else _("%(name)s's application was declined.") % {"name": name},
        )
    return redirect("communities:applications", community=access.community.slug)


@community_view(Perm.INVITE)
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, access: Access) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.invitation_create(access=access, email=form.cleaned_data["email"])
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            form = InvitationForm()
    status = 400 if request.method == "POST" and created is None else 200
    link = (
        request.build_absolute_uri(
            reverse("communities:join_invited", args=[access.community.slug, created.token])
        )
        if created
        else None
    )
    return render(
        request,
        "communities/invitations.html",
        {
            "access": access,
            "form": form,
            "created": created,
            "link": link,
            "invitations": selectors.invitations_list(access=access)[:100],
        },
        status=status,
    )


@community_view(Perm.MANAGE_COMMUNITY)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, access: Access) -> HttpResponse:
    community = access.community
    form = CommunitySettingsForm(
        request.POST or None,
        initial={
            "name": community.name,
            "description": community.description,
            "signup_mode": community.signup_mode,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.community_update(access=access, **form.cleaned_data)
        messages.success(request, _("The community's settings have been saved."))
        return redirect("communities:settings", community=community.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "communities/settings.html",
        {
            "access": access,
            "form": form,
            "neighbourhood_form": NeighbourhoodForm(prefix="n"),
            "neighbourhoods": selectors.neighbourhoods_for_settings(access=access),
            "events": selectors.events_recent(access=access, limit=20),
        },
        status=status,
    )


@community_view(Perm.MANAGE_COMMUNITY)
@require_POST
def neighbourhood_add(request: HttpRequest, access: Access) -> HttpResponse:
    form = NeighbourhoodForm(request.POST, prefix="n")
    if form.is_valid():
        try:
            services.neighbourhood_add(access=access, name=form.cleaned_data["name"])
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, _("%(name)s has been added.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("communities:settings", community=access.community.slug)
    community = access.community
    return render(
        request,
        "communities/settings.html",
        {
            "access": access,
            "neighbourhood_form": form,
            "form": CommunitySettingsForm(
                initial={
                    "name": community.name,
                    "description": community.description,
                    "signup_mode": community.signup_mode,
                }
            ),
            "neighbourhoods": selectors.neighbourhoods_for_settings(access=access),
            "events": selectors.events_recent(access=access, limit=20),
        },
        status=400,
    )


def _neighbourhood_page(
    request: HttpRequest,
    access: Access,
    neighbourhood: Neighbourhood,
    form: NeighbourhoodForm,
    *,
    retire_error: str = "",
) -> HttpResponse:
    failed = bool(retire_error) or (form.is_bound and bool(form.errors))
    return render(
        request,
        "communities/neighbourhood.html",
        {
            "access": access,
            "neighbourhood": neighbourhood,
            "form": form,
            "retire_error": retire_error,
        },
        status=400 if failed else 200,
    )


def _neighbourhood(access: Access, neighbourhood_id: int) -> Neighbourhood:
    found = selectors.neighbourhood_get(access=access, neighbourhood_id=neighbourhood_id)
    if found is None:
        raise Http404(_("There is no such neighbourhood in this community."))
    return found


@community_view(Perm.MANAGE_COMMUNITY)
@require_http_methods(["GET", "POST"])
def neighbourhood_edit(request: HttpRequest, access: Access, neighbourhood_id: int) -> HttpResponse:
    """Rename a neighbourhood, or retire it (or bring it back)."""
    neighbourhood = _neighbourhood(access, neighbourhood_id)
    form = NeighbourhoodForm(request.POST or None, initial={"name": neighbourhood.name})
    if request.method == "POST" and form.is_valid():
        old = neighbourhood.name
        try:
            renamed = services.neighbourhood_rename(
                access=access, neighbourhood_id=neighbourhood.pk, name=form.cleaned_data["name"]
            )
        except GinnelError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("%(old)s is now called %(name)s, for everyone who lives there.")
                % {"old": old, "name": renamed.name},
            )
            return redirect("communities:settings", community=access.community.slug)
    return _neighbourhood_page(request, access, neighbourhood, form)


@community_view(Perm.MANAGE_COMMUNITY)
@require_POST
def neighbourhood_retire(
    request: HttpRequest, access: Access, neighbourhood_id: int
) -> HttpResponse:
    neighbourhood = _neighbourhood(access, neighbourhood_id)
    retire = request.POST.get("retire", "")
    if retire not in ("yes", "no"):
        return _neighbourhood_page(
            request,
            access,
            neighbourhood,
            NeighbourhoodForm(initial={"name": neighbourhood.name}),
            retire_error=_("Choose whether to retire the neighbourhood or bring it back."),
        )
    neighbourhood = services.neighbourhood_retire(
        access=access, neighbourhood_id=neighbourhood.pk, retired=retire == "yes"
    )
    if neighbourhood.is_retired:
        done = _(
            "%(name)s is retired: it is no longer offered to new members. "
            "The people who live there keep it."
        ) % {"name": neighbourhood.name}
    else:
        done = _("%(name)s is offered to new members again.") % {"name": neighbourhood.name}
    messages.success(request, done)
    return redirect("communities:settings", community=access.community.slug)
