"""Letters to the referrer: for staff on the referral's record, and for the referrer.

Staff reach a referral's letters only if they may read the referral (its link
worker, coordinators, the person themselves); anyone else, including a link
worker of another case, finds no such page (404) rather than learning it exists.
Someone at the referring organisation reads the letters of their organisation's
referrals and no others.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import GinnelError
from ginnel.referrals import letters as letters_module
from ginnel.referrals.models import Referrer
from ginnel.referrals.referrer_access import referrer_view
from ginnel.ui.paging import page_number


def _pdf(letter: letters_module.Letter) -> HttpResponse:
    response = HttpResponse(letters_module.letter_pdf(letter), content_type="application/pdf")
    filename = f"letter-{letter.referral_id}-{letter.event_id}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@community_view(Perm.VIEW_COMMUNITY)
def letters(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    try:
        referral, found = letters_module.staff_letters(access=access, referral_id=pk)
    except GinnelError as error:
        raise Http404 from error
    return render(
        request,
        "referrals/letters.html",
        {
            "access": access,
            "referral": referral,
            "letters": found,
            "has_letters": letters_module.has_letters(referral),
            "address": letters_module.letter_address(referral),
            "here": "letters",
        },
    )


@community_view(Perm.VIEW_COMMUNITY)
def letter(request: HttpRequest, access: Access, pk: int, event_id: int) -> HttpResponse:
    try:
        referral, found = letters_module.staff_letter(
            access=access, referral_id=pk, event_id=event_id
        )
    except GinnelError as error:
        raise Http404 from error
    return render(
        request,
        "referrals/letter.html",
        {"access": access, "referral": referral, "letter": found, "here": "letters"},
    )


@community_view(Perm.VIEW_COMMUNITY)
def letter_pdf(request: HttpRequest, access: Access, pk: int, event_id: int) -> HttpResponse:
    try:
        _referral, found = letters_module.staff_letter(
            access=access, referral_id=pk, event_id=event_id
        )
    except GinnelError as error:
        raise Http404 from error
    return _pdf(found)


def _outside(referrer: Referrer) -> Access:
    """The page frame's view of a referrer: the community's name, no member's menu."""
    return Access(community=referrer.community, membership=None)


@referrer_view
def referrer_home(request: HttpRequest, referrer: Referrer) -> HttpResponse:
    page = letters_module.referrer_referrals(
        referrer=referrer, page=page_number(request.GET.get("page"))
    )
    return render(
        request,
        "referrals/referrer_home.html",
        {"access": _outside(referrer), "referrer": referrer, "page": page},
    )


@referrer_view
def referrer_letter(
    request: HttpRequest, referrer: Referrer, pk: int, event_id: int
) -> HttpResponse:
    try:
        found = letters_module.referrer_letter(referrer=referrer, referral_id=pk, event_id=event_id)
    except GinnelError as error:
        raise Http404 from error
    return render(
        request,
        "referrals/referrer_letter.html",
        {"access": _outside(referrer), "referrer": referrer, "letter": found},
    )


@referrer_view
def referrer_letter_pdf(
    request: HttpRequest, referrer: Referrer, pk: int, event_id: int
) -> HttpResponse:
    try:
        found = letters_module.referrer_letter(referrer=referrer, referral_id=pk, event_id=event_id)
    except GinnelError as error:
        raise Http404 from error
    return _pdf(found)
