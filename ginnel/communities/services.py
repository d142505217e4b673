"""Use-cases that change communities, memberships and roles.

One function a use-case, keyword-only arguments, one transaction; each
coordinator or administrator action writes its CommunityEvent in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ginnel.communities import signals
from ginnel.communities.models import (
    Community,
    CommunityEvent,
    Invitation,
    Membership,
    MembershipStatus,
    Neighbourhood,
    Role,
    RoleGrant,
    SignupMode,
)
from ginnel.communities.permissions import Access, Perm, require
from ginnel.communities.setup import run_community_setups, run_member_left_hooks
from ginnel.errors import GinnelError
from ginnel.people.models import ContactMethod, Person, User, email_key


def _retired_neighbourhood() -> GinnelError:
    return GinnelError(
        _("That neighbourhood is no longer in use. Choose another, or leave it out."),
        field="neighbourhood",
    )


def _event(
    *,
    community: Community,
    actor: Membership | None,
    action: str,
    subject: Membership | None = None,
    **detail: Any,
) -> None:
    CommunityEvent.objects.create(
        community=community, actor=actor, action=action, subject=subject, detail=detail
    )


@transaction.atomic
def community_create(
    *,
    name: str,
    slug: str,
    kind: str,
    signup_mode: str = SignupMode.OPEN,
    neighbourhoods: Iterable[str] = (),
    admin_email: str,
    admin_password: str | None,
    admin_name: str,
    description: str = "",
) -> Community:
    """Create a community with its neighbourhoods and its first administrator."""
    if Community.objects.filter(slug=slug).exists():
        raise GinnelError(
            _("A community with the address %(slug)s already exists.") % {"slug": slug},
            field="slug",
        )
    community = Community.objects.create(
        name=name, slug=slug, kind=kind, signup_mode=signup_mode, description=description
    )
    Neighbourhood.objects.bulk_create(
        [Neighbourhood(community=community, name=n) for n in dict.fromkeys(neighbourhoods)]
    )
    user = User.objects.filter(email__iexact=admin_email).first()
    if user is None:
        if not admin_password:
            raise GinnelError(_("A new administrator needs a password."), field="admin_password")
        try:
            validate_password(admin_password)
        except ValidationError as error:
            raise GinnelError(" ".join(error.messages), field="admin_password") from None
        user = User.objects.create_user(admin_email, admin_password)
    membership = Membership.objects.create(community=community, user=user)
    Person.objects.create(community=community, membership=membership, display_name=admin_name)
    RoleGrant.objects.create(community=community, membership=membership, role=Role.ADMINISTRATOR)
    _event(community=community, actor=None, action="community_created", subject=membership)
    # Each capability gives a new community what it needs (the timebank its skill taxonomy).
    run_community_setups(community=community)
    return community


class AddressTaken(GinnelError):
    """Sign-up with an address that already has an account (member_sign_up hides it)."""


def member_sign_up(
    *,
    community: Community,
    email: str,
    password: str,
    display_name: str,
    neighbourhood: Neighbourhood | None,
    invitation_token: str = "",
    application_message: str = "",
    join_link: str,
) -> Membership | None:
    """A visitor without a login joins; the answer never shows whether the address is known.

    A new address gets its account and membership (``member_join``), and the caller
    emails the link that checks the address. An address that already has an account
    gets nothing made: its owner is emailed that someone tried to join with it, and
    the caller shows the same "check your email" page. The password is hashed either
    way, so the two take about as long.
    """
    try:
        return member_join(
            community=community,
            user=None,
            email=email,
            password=password,
            display_name=display_name,
            neighbourhood=neighbourhood,
            invitation_token=invitation_token,
            application_message=application_message,
        )
    except AddressTaken:
        make_password(password)
        owner = email_key(email)
        subject = _("Someone tried to join %(name)s with your email address") % {
            "name": community.name
        }
        body = render_to_string(
            "communities/join_address_taken.txt", {"community": community, "link": join_link}
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [owner]))
        return None


@transaction.atomic
def member_join(
    *,
    community: Community,
    user: User | None,
    email: str = "",
    password: str = "",
    display_name: str,
    neighbourhood: Neighbourhood | None,
    invitation_token: str = "",
    application_message: str = "",
) -> Membership:
    """Join a community by its sign-up mode; creates the user too when there is none.

    Open: active at once. Invitation: needs a usable invitation for this
    community. Application: waits for a coordinator.
    """
    invitation: Invitation | None = None
    if community.signup_mode == SignupMode.INVITATION or invitation_token:
        invitation = (
            Invitation.objects.select_for_update()
            .filter(community=community, token=invitation_token)
            .first()
            if invitation_token
            else None
        )
        if invitation is None or not invitation.is_usable:
            raise GinnelError(
                _(
                    "%(name)s is open by invitation only, and this invitation "
                    "is not valid: it may have been used already or have expired."
                )
                % {"name": community.name}
            )
    if neighbourhood is not None and neighbourhood.community_id != community.pk:
        raise GinnelError(
            _("Choose one of this community's neighbourhoods."), field="neighbourhood"
        )
    if neighbourhood is not None and neighbourhood.retired_at is not None:
        raise _retired_neighbourhood()
    if user is None:
        if User.objects.filter(email=email_key(email)).exists():
            raise AddressTaken(
                _("There is already an account with this email address. Log in to join."),
                field="email",
            )
        # Not shown to other members until the emailed link is opened (people/email_check.py).
        user = User.objects.create_user(email, password, email_verified=False)
    elif Membership.objects.filter(community=community, user=user).exists():
        raise GinnelError(
            _("You have already joined or applied to %(name)s.") % {"name": community.name}
        )

    if invitation is not None and invitation.membership_id is not None:
        return _claim(invitation, user=user, display_name=display_name, neighbourhood=neighbourhood)
    applying = community.signup_mode == SignupMode.APPLICATION and invitation is None
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                community=community,
                user=user,
                status=MembershipStatus.APPLIED if applying else MembershipStatus.ACTIVE,
                application_message=application_message if applying else "",
            )
    except IntegrityError:
        raise GinnelError(
            _("You have already joined or applied to %(name)s.") % {"name": community.name}
        ) from None
    Person.objects.create(
        community=community,
        membership=membership,
        display_name=display_name,
        neighbourhood=neighbourhood,
        contact_email=user.email,
    )
    if invitation is not None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    if applying:
        signals.application_received.send(sender=Membership, membership=membership)
    return membership


def _claim(
    invitation: Invitation, *, user: User, display_name: str, neighbourhood: Neighbourhood | None
) -> Membership:
    """Give the membership recorded for someone the login they just made or logged in with."""
    membership = Membership.objects.select_for_update().get(claim_invitations=invitation)
    if membership.user_id is not None or membership.status != MembershipStatus.ACTIVE:
        raise GinnelError(
            _("This record has been claimed already. Log in, or ask for a new invitation.")
        )
    membership.user = user
    membership.save(update_fields=["user"])
    person = membership.person
    person.display_name = display_name.strip() or person.display_name
    if neighbourhood is not None:
        person.neighbourhood = neighbourhood
    person.contact_email = person.contact_email or user.email
    person.save(update_fields=["display_name", "neighbourhood", "contact_email", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    _event(
        community=invitation.community,
        actor=membership,
        action="record_claimed",
        subject=membership,
    )
    return membership


@transaction.atomic
def application_decide(*, access: Access, membership_id: int, approve: bool) -> Membership:
    require(access, Perm.DECIDE_APPLICATIONS)
    membership = (
        Membership.objects.select_for_update()
        .filter(community=access.community, pk=membership_id)
        .first()
    )
    if membership is None:
        raise GinnelError(_("There is no such application in this community."))
    if membership.status != MembershipStatus.APPLIED:
        raise GinnelError(_("This application has already been decided."))
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    membership.decided_at = timezone.now()
    membership.decided_by = access.membership
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    _event(
        community=access.community,
        actor=access.membership,
        action="application_approved" if approve else "application_declined",
        subject=membership,
    )
    signals.application_decided.send(
        sender=Membership, membership=membership, approved=approve, decided_by=access.membership
    )
    return membership


@transaction.atomic
def invitation_create(*, access: Access, email: str) -> Invitation:
    require(access, Perm.INVITE)
    email = email.strip().lower()
    if Membership.objects.filter(community=access.community, user__email__iexact=email).exists():
        raise GinnelError(
            _("Someone with this email address is already in this community."), field="email"
        )
    invitation = Invitation.objects.create(
        community=access.community, email=email, invited_by=access.membership
    )
    _event(community=access.community, actor=access.membership, action="invited", email=email)
    return invitation


@transaction.atomic
def claim_invitation_create(*, access: Access, person: Person, email: str) -> Invitation:
    """Invite someone recorded without a login to claim their own record.

    A link worker or coordinator (``RECORD_PERSON``) gives the person's email
    address; the single-use link lets them make a login that becomes the login
    of the membership already held for them, so their history, referrals and
    timebank account stay theirs. An earlier unused claim link for the same
    person stops working.
    """
    require(access, Perm.RECORD_PERSON)
    if person.community_id != access.community.pk:
        raise GinnelError(_("There is no such person in this community."))
    membership = Membership.objects.select_for_update().get(pk=person.membership_id)
    if membership.user_id is not None:
        raise GinnelError(
            _("%(name)s already has a login.") % {"name": person.display_name}, field="email"
        )
    if membership.status != MembershipStatus.ACTIVE:
        raise GinnelError(_("%(name)s is not an active member.") % {"name": person.display_name})
    email = email.strip().lower()
    if Membership.objects.filter(community=access.community, user__email__iexact=email).exists():
        raise GinnelError(
            _("Someone with this email address is already in this community."), field="email"
        )
    now = timezone.now()
    Invitation.objects.filter(membership=membership, accepted_at__isnull=True).update(
        expires_at=now
    )
    invitation = Invitation.objects.create(
        community=access.community, email=email, invited_by=access.membership, membership=membership
    )
    _event(
        community=access.community,
        actor=access.membership,
        action="invited_to_claim",
        subject=membership,
        email=email,
    )
    return invitation


def claim_invitation_send(*, invitation: Invitation, name: str, link: str) -> None:
    """Email a claim link once the invitation is saved (a failure to send is not an error:
    the page shows the link to pass on another way)."""
    subject = _("Your own login for %(community)s") % {"community": invitation.community.name}
    body = _(
        "Hello %(name)s,\n\n"
        "%(community)s keeps a record for you. To see it yourself, and to use the "
        "timebank and your own pages, make a login with this link. It works once, "
        "until %(until)s:\n\n%(link)s\n\n"
        "If you did not expect this, you can ignore this email."
    ) % {
        "name": name,
        "community": invitation.community.name,
        "until": date_format(timezone.localtime(invitation.expires_at), "j F Y"),
        "link": link,
    }
    transaction.on_commit(
        partial(send_mail, subject, body, None, [invitation.email], fail_silently=True)
    )


@transaction.atomic
def person_record(
    *,
    access: Access,
    display_name: str,
    neighbourhood: Neighbourhood | None,
    contact_method: str = ContactMethod.IN_PERSON,
    phone: str = "",
    contact_email: str = "",
    contact_times: str = "",
) -> Person:
    """A coordinator or link worker records a person who is not online."""
    require(access, Perm.RECORD_PERSON)
    if neighbourhood is not None and neighbourhood.community_id != access.community.pk:
        raise GinnelError(
            _("Choose one of this community's neighbourhoods."), field="neighbourhood"
        )
    if neighbourhood is not None and neighbourhood.retired_at is not None:
        raise _retired_neighbourhood()
    membership = Membership.objects.create(community=access.community, user=None)
    person = Person.objects.create(
        community=access.community,
        membership=membership,
        display_name=display_name,
        neighbourhood=neighbourhood,
        contact_method=contact_method,
        phone=phone,
        contact_email=contact_email,
        contact_times=contact_times,
    )
    _event(
        community=access.community,
        actor=access.membership,
        action="person_recorded",
        subject=membership,
    )
    return person


@transaction.atomic
def person_update(*, access: Access, person: Person, **fields: Any) -> Person:
    """A member edits their own record (coordinators edit others' through the same rule)."""
    own = access.membership is not None and person.membership_id == access.membership.pk
    if person.community_id != access.community.pk:
        raise GinnelError(_("There is no such person in this community."))
    require(access, Perm.EDIT_OWN_RECORD if own else Perm.RECORD_PERSON)
    allowed = {
        "display_name",
        "neighbourhood",
        "contact_method",
        "contact_email",
        "phone",
        "contact_times",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise GinnelError(
            _("These details cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    neighbourhood = fields.get("neighbourhood")
    if neighbourhood is not None and neighbourhood.community_id != access.community.pk:
        raise GinnelError(
            _("Choose one of this community's neighbourhoods."), field="neighbourhood"
        )
    if (
        neighbourhood is not None
        and neighbourhood.retired_at is not None
        and neighbourhood.pk != person.neighbourhood_id
    ):
        raise _retired_neighbourhood()
    for name, value in fields.items():
        setattr(person, name, value)
    person.save(update_fields=[*fields, "updated_at"])
    if not own:
        _event(
            community=access.community,
            actor=access.membership,
            action="person_updated",
            subject=person.membership,
            fields=sorted(fields),
        )
    return person


@transaction.atomic
def roles_set(*, access: Access, membership_id: int, roles: Iterable[str]) -> Membership:
    """An administrator sets a member's roles (member is implied)."""
    require(access, Perm.MANAGE_ROLES)
    membership = (
        Membership.objects.select_for_update()
        .filter(community=access.community, pk=membership_id, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        raise GinnelError(_("There is no such active member in this community."))
    wanted = {Role(r) for r in roles} - {Role.MEMBER}
    current = {Role(g.role) for g in membership.grants.all()}
    if (
        access.membership is not None
        and membership.pk == access.membership.pk
        and Role.ADMINISTRATOR in current
        and Role.ADMINISTRATOR not in wanted
    ):
        raise GinnelError(
            _("You cannot remove your own administrator role; ask another administrator."),
            field="roles",
        )
    RoleGrant.objects.filter(membership=membership, role__in=current - wanted).delete()
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(
                community=access.community,
                membership=membership,
                role=r,
                granted_by=access.membership,
            )
            for r in sorted(wanted - current)
        ]
    )
    _event(
        community=access.community,
        actor=access.membership,
        action="roles_set",
        subject=membership,
        added=sorted(wanted - current),
        removed=sorted(current - wanted),
    )
    return membership


@transaction.atomic
def membership_leave(*, access: Access) -> Membership:
    """A member leaves the community.

    Their membership becomes "left", so they no longer see the community's pages
    and others no longer see them listed or suggested. Each capability's
    ``on_member_left`` hook runs in this transaction: the timebank closes their
    account, keeping it and its balance, and closes their offers and requests.
    Nothing is erased: that is asked for separately. The last administrator
    cannot leave, or no one could run the community.
    """
    require(access, Perm.EDIT_OWN_RECORD)
    assert access.membership is not None  # noqa: S101 (EDIT_OWN_RECORD implies a membership)
    membership = Membership.objects.select_for_update().get(pk=access.membership.pk)
    if membership.status != MembershipStatus.ACTIVE:
        raise GinnelError(_("You have already left %(name)s.") % {"name": access.community.name})
    if membership.grants.filter(role=Role.ADMINISTRATOR).exists():
        # Lock the community's administrators so two cannot both leave at once.
        others = [
            g.pk
            for g in RoleGrant.objects.select_for_update()
            .filter(community=access.community, role=Role.ADMINISTRATOR)
            .exclude(membership=membership)
            .filter(membership__status=MembershipStatus.ACTIVE)
        ]
        if not others:
            raise GinnelError(
                _(
                    "You are the only administrator of %(name)s, so you cannot leave yet. "
                    "Make another member an administrator first, then leave."
                )
                % {"name": access.community.name}
            )
    membership.status = MembershipStatus.LEFT
    membership.save(update_fields=["status"])
    run_member_left_hooks(membership=membership)
    _event(community=access.community, actor=membership, action="member_left", subject=membership)
    return membership


@transaction.atomic
def community_update(*, access: Access, name: str, description: str, signup_mode: str) -> Community:
    require(access, Perm.MANAGE_COMMUNITY)
    community = Community.objects.select_for_update().get(pk=access.community.pk)
    before = {"name": community.name, "signup_mode": community.signup_mode}
    community.name = name
    community.description = description
    community.signup_mode = signup_mode
    community.save(update_fields=["name", "description", "signup_mode"])
    _event(
        community=community,
        actor=access.membership,
        action="community_updated",
        before=before,
        after={"name": name, "signup_mode": signup_mode},
    )
    return community


@transaction.atomic
def neighbourhood_add(*, access: Access, name: str) -> Neighbourhood:
    require(access, Perm.MANAGE_COMMUNITY)
    name = name.strip()
    if Neighbourhood.objects.filter(community=access.community, name__iexact=name).exists():
        raise GinnelError(
            _("There is already a neighbourhood called %(name)s.") % {"name": name}, field="name"
        )
    neighbourhood = Neighbourhood.objects.create(community=access.community, name=name)
    _event(
        community=access.community,
        actor=access.membership,
        action="neighbourhood_added",
        name=name,
    )
    return neighbourhood


def _neighbourhood_locked(access: Access, neighbourhood_id: int) -> Neighbourhood:
    found = (
        Neighbourhood.objects.select_for_update()
        .filter(community=access.community, pk=neighbourhood_id)
        .first()
    )
    if found is None:
        raise GinnelError(_("There is no such neighbourhood in this community."))
    return found


@transaction.atomic
def neighbourhood_rename(*, access: Access, neighbourhood_id: int, name: str) -> Neighbourhood:
    """An administrator renames a neighbourhood; the people in it, and its history, follow."""
    require(access, Perm.MANAGE_COMMUNITY)
    neighbourhood = _neighbourhood_locked(access, neighbourhood_id)
    name = name.strip()
    if not name:
        raise GinnelError(_("Enter the neighbourhood's name"), field="name")
    clash = Neighbourhood.objects.filter(community=access.community, name__iexact=name).exclude(
        pk=neighbourhood.pk
    )
    if clash.exists():
        raise GinnelError(
            _("There is already a neighbourhood called %(name)s.") % {"name": name}, field="name"
        )
    old = neighbourhood.name
    if old == name:
        return neighbourhood
    neighbourhood.name = name
    neighbourhood.save(update_fields=["name"])
    _event(
        community=access.community,
        actor=access.membership,
        action="neighbourhood_renamed",
        old=old,
        name=name,
    )
    return neighbourhood


@transaction.atomic
def neighbourhood_retire(*, access: Access, neighbourhood_id: int, retired: bool) -> Neighbourhood:
    """Retire a neighbourhood (not offered for new members or records; people who live
    there keep it) or bring it back."""
    require(access, Perm.MANAGE_COMMUNITY)
    neighbourhood = _neighbourhood_locked(access, neighbourhood_id)
    if neighbourhood.is_retired == retired:
        return neighbourhood
    neighbourhood.retired_at = timezone.now() if retired else None
    neighbourhood.save(update_fields=["retired_at"])
    _event(
        community=access.community,
        actor=access.membership,
        action="neighbourhood_retired" if retired else "neighbourhood_restored",
        name=neighbourhood.name,
    )
    return neighbourhood
