"""The referrals' part of a person's roles page: where a coordinator or link worker works.

A coordinator allocates, sets the community's referral settings and keeps the
list of referring organisations; a link worker has a caseload. The links lead
to those pages (the caseload to this person's own) and are shown only to an
asker who may open them.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ginnel.communities.models import Role
from ginnel.communities.permissions import Access, Perm, roles_of
from ginnel.communities.roles_page import RoleLink
from ginnel.people.models import Person


def _url(name: str, *args: object) -> str:
    """The page's address, or "" while its page is not there yet (reports)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def referrals_roles_links(*, access: Access, person: Person) -> list[RoleLink]:
    if not access.can(Perm.ALLOCATE_REFERRALS):
        return []
    slug = access.community.slug
    held = roles_of(person.membership)
    links: list[RoleLink] = []
    if Role.COORDINATOR in held or Role.ADMINISTRATOR in held:
        pages = [
            ("referrals:allocate", _("Referrals to allocate, and link workers' caseloads")),
            ("referrals:settings", _("Referral settings, reasons and questionnaires")),
            ("referrals:organisations", _("Referring organisations and their referrers")),
            ("referrals:report", _("Referral reports")),
        ]
        for name, text in pages:
            url = _url(name, slug)
            if url:
                links.append(
                    RoleLink(
                        text=text,
                        url=url,
                        detail=_("A coordinator's referral page."),
                    )
                )
    if Role.LINK_WORKER in held:
        url = _url("referrals:caseload", slug)
        links.append(
            RoleLink(
                text=_("The caseload of %(name)s") % {"name": person.display_name},
                url=f"{url}?worker={person.membership_id}",
                detail=_("The referrals given to them as link worker."),
            )
        )
    return links
