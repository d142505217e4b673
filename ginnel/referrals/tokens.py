"""Tokens for the FHIR intake: issued to a referring organisation, kept as a digest, revocable.

A coordinator (``ALLOCATE_REFERRALS``) issues a token for one sending system
of a referring organisation; the token is shown once and only the SHA-256 of
it is stored. Each token sends as one :class:`Referrer` of the organisation,
named after the system, so a referral that comes in through the API records
who sent it. A revoked token, or one whose organisation no longer refers, is
refused. These functions are the only writers of :class:`IntakeToken`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access, Perm, require
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals.models import IntakeToken, Referrer, ReferrerKind, ReferringOrganisation

HINT_LENGTH = 6
MAX_LABEL = 120  # IntakeToken.label and Referrer.name


def token_digest(secret: str) -> str:
    """What is stored of a token: its SHA-256, in hexadecimal."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: ``secret`` is shown once and never stored."""

    token: IntakeToken
    secret: str


def _sender(organisation: ReferringOrganisation, label: str) -> Referrer:
    """The referrer a system sends as: one per system name at the organisation, without a login."""
    found = Referrer.objects.filter(
        community_id=organisation.community_id,
        organisation=organisation,
        kind=ReferrerKind.EXTERNAL,
        user__isnull=True,
        name=label,
    ).first()
    if found is not None:
        return found
    return Referrer.objects.create(
        community_id=organisation.community_id,
        kind=ReferrerKind.EXTERNAL,
        organisation=organisation,
        name=label,
        job_title=_("Referral system"),
    )


@transaction.atomic
def token_issue(*, access: Access, organisation: ReferringOrganisation, label: str) -> IssuedToken:
    """A coordinator gives an organisation's system a token for the FHIR intake."""
    require(access, Perm.ALLOCATE_REFERRALS)
    if access.membership is None or not access.is_member:
        raise PermissionRefused(_("Only members of this community can do this."))
    if organisation.community_id != access.community.pk:
        raise GinnelError(_("Choose an organisation of this community."), field="organisation")
    if not organisation.is_active:
        raise GinnelError(
            _("This organisation no longer sends referrals here."), field="organisation"
        )
    label = label.strip()
    if not label:
        raise GinnelError(
            _("Enter the name of the system that will send referrals."), field="label"
        )
    if len(label) > MAX_LABEL:
        raise GinnelError(_("Enter a name of 120 characters or fewer."), field="label")
    secret = secrets.token_urlsafe(32)
    token = IntakeToken.objects.create(
        community=access.community,
        organisation=organisation,
        referrer=_sender(organisation, label),
        label=label,
        digest=token_digest(secret),
        hint=secret[:HINT_LENGTH],
        issued_by=access.membership,
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, access: Access, token: IntakeToken) -> IntakeToken:
    """A coordinator stops a token working; it stays listed, marked revoked."""
    require(access, Perm.ALLOCATE_REFERRALS)
    if access.membership is None or not access.is_member:
        raise PermissionRefused(_("Only members of this community can do this."))
    found = (
        IntakeToken.objects.select_for_update()
        .filter(pk=token.pk, community=access.community)
        .first()
    )
    if found is None:
        raise GinnelError(_("There is no such token in this community."))
    if found.revoked_at is not None:
        raise GinnelError(_("This token is already revoked."))
    found.revoked_at = timezone.now()
    found.revoked_by = access.membership
    found.save(update_fields=["revoked_at", "revoked_by"])
    return found


def token_authenticate(*, community: Community, secret: str) -> IntakeToken | None:
    """The live token of this community with this secret, or None (reads only)."""
    if not secret:
        return None
    return (
        IntakeToken.objects.filter(
            community=community,
            digest=token_digest(secret),
            revoked_at__isnull=True,
            organisation__is_active=True,
        )
        .select_related("organisation", "referrer", "referrer__organisation", "community")
        .first()
    )


def token_mark_used(token: IntakeToken) -> None:
    """Record when the token last brought an answer (inside the request's transaction)."""
    token.last_used_at = timezone.now()
    token.save(update_fields=["last_used_at"])


def tokens_list(*, access: Access) -> QuerySet[IntakeToken]:
    """Every token of the community, newest first, for coordinators."""
    require(access, Perm.ALLOCATE_REFERRALS)
    return IntakeToken.objects.filter(community=access.community).select_related(
        "organisation", "issued_by__person", "revoked_by__person"
    )


def token_get(*, access: Access, pk: int) -> IntakeToken | None:
    """One token of the community, for coordinators."""
    require(access, Perm.ALLOCATE_REFERRALS)
    return IntakeToken.objects.filter(community=access.community, pk=pk).first()


def organisations_search(
    *, community: Community, text: str, limit: int
) -> list[ReferringOrganisation]:
    """Active organisations whose name or ODS code holds ``text`` (at most ``limit + 1``)."""
    return list(
        ReferringOrganisation.objects.filter(community=community, is_active=True)
        .filter(Q(name__icontains=text) | Q(ods_code__iexact=text))
        .order_by("name", "pk")[: limit + 1]
    )


def organisations_get(*, community: Community, ids: list[int]) -> list[ReferringOrganisation]:
    return list(
        ReferringOrganisation.objects.filter(community=community, is_active=True, pk__in=ids)
    )
