"""Words people read: messages written whole, an exchange's proper headline, a PDF whose
minus sign does not run into its digits."""

from __future__ import annotations

import re
import zlib

import pytest
from django import forms
from django.urls import reverse
from reportlab.pdfbase.pdfmetrics import stringWidth

from ginnel.timebank import pdf, services
from ginnel.timebank.forms import (
    CategoryRenameForm,
    ClaimDeclineForm,
    ClaimRejectForm,
    CompleteForm,
    ConfirmManyForm,
    LimitsForm,
    ListingForm,
    OrganisationForm,
    ProposeForm,
    ReverseForm,
    SafeguardingForm,
    ThankYouForm,
)
from ginnel.timebank.ledger import format_minutes
from ginnel.timebank.models import Exchange, ListingKind, Where

pytestmark = pytest.mark.django_db


def built_from_label(field: forms.Field, message: str) -> bool:
    """ "Enter how long did it take?": a message made by gluing a label into a sentence."""
    label = str(field.label or "")
    if not label:
        return False
    glued = label[0].lower() + label[1:]
    return message in (f"Enter {glued}", f"Choose {glued}") or message.endswith("?")


@pytest.mark.parametrize(
    "make",
    [
        lambda c: ListingForm({}, community=c, kind=ListingKind.OFFER),
        lambda c: ProposeForm({}),
        lambda c: CompleteForm({}),
        lambda c: ReverseForm({}),
        lambda c: ClaimDeclineForm({"reason": "x" * 301}),
        lambda c: ClaimRejectForm({}),
        lambda c: ThankYouForm({}),
        lambda c: SafeguardingForm({"vetted_on": "soon"}),
        lambda c: LimitsForm({}),
        lambda c: ConfirmManyForm({}, community=c),
        lambda c: OrganisationForm({}),
        lambda c: CategoryRenameForm({}),
    ],
)
def test_every_form_error_is_a_message_written_whole(make, community):
    form = make(community)

    assert not form.is_valid()
    for name, errors in form.errors.items():
        for message in errors:
            assert not built_from_label(form.fields[name], message), (name, message)


def test_the_record_page_says_each_missing_thing_in_its_own_words(member, client_for, community):
    response = client_for(member).post(
        reverse("timebank:record", args=[community.slug]), {"description": ""}
    )

    page = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Choose who helped whom.",
        "Say what was done, for example “Walked the dog”.",
        "Enter how long it took, for example 1:30.",
        "Enter the date it happened.",
        "Choose where it happened.",
    ):
        assert message in page
    assert "Enter how long did it take?" not in page
    assert "Enter what was done?" not in page


def test_an_exchange_is_headed_by_its_listing_and_shows_the_message_as_a_message(
    as_, member, neighbour, categories, client_for, community
):
    listing = services.listing_save(
        access=as_(member),
        kind=ListingKind.OFFER,
        title="Help with your garden",
        description="",
        categories=[categories["Gardening"]],
        where=[Where.PUBLIC],
        availability="",
        expires_on=None,
    )
    client = client_for(neighbour)

    page = client.post(
        reverse("timebank:listing", args=[community.slug, listing.pk]),
        {"message": "Hello Mo, could you come on Saturday at 10?", "where": "public"},
        follow=True,
    ).content.decode()

    assert "<h1>Help with your garden</h1>" in page
    assert "Message from Nia Neighbour" in page
    assert "Hello Mo, could you come on Saturday at 10?" in page
    exchange = Exchange.objects.get()
    assert exchange.description == "Help with your garden"
    mine = client_for(member).get(reverse("timebank:mine", args=[community.slug])).content.decode()
    assert ">Help with your garden</a>" in mine
    assert "could you come on Saturday" not in mine


def test_coordinators_read_what_was_done_not_an_action_code(
    record, as_, coordinator, member, neighbour, client_for, community
):
    exchange = record(member, neighbour, minutes=60)
    services.claim_reject(access=as_(coordinator), exchange=exchange, reason="Not so")

    page = client_for(coordinator).get(reverse("timebank:coordinate", args=[community.slug]))

    assert "Rejected recorded hours" in page.content.decode()
    assert "Claim rejected" not in page.content.decode()


# The PDF statement ----------------------------------------------------------------------------


def pdf_text(data: bytes) -> bytes:
    """Every content stream of the PDF, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    out = []
    for stream in streams:
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            out.append(stream)
    return b"\n".join(out)


def test_the_pdf_statement_sets_negative_hours_in_one_embedded_font(
    record, member, neighbour, client_for, community
):
    record(member, neighbour, minutes=150, confirm=True)

    data = (
        client_for(neighbour).get(reverse("timebank:statement_pdf", args=[community.slug])).content
    )

    # The built-in fonts have no minus sign: ReportLab drew it from Symbol, whose stand-in
    # in viewers is wider than its room, so it ran into the digits.
    assert b"/Symbol" not in data
    assert b"/FontFile2" in data  # the TrueType font is embedded
    assert b"Helvetica" not in pdf_text(data)


def test_the_widest_balance_fits_its_column_with_its_minus_sign():
    pdf._fonts()
    # Limits go up to 1,000 hours; ten times that still fits.
    widest = format_minutes(-(9_999 * 60 + 59))  # "−9999:59"
    room = pdf.COLUMNS[4] - 2 * pdf.CELL_PADDING

    assert stringWidth("\u2212", pdf.FONT, pdf.FONT_SIZE) > 0
    assert stringWidth(widest, pdf.FONT, pdf.FONT_SIZE) <= room
    assert stringWidth(format_minutes(-150), pdf.FONT, pdf.FONT_SIZE) > stringWidth(
        "2:30", pdf.FONT, pdf.FONT_SIZE
    )


def test_the_pdf_statement_of_someone_with_no_exchanges_still_reads(member, client_for, community):
    data = client_for(member).get(reverse("timebank:statement_pdf", args=[community.slug])).content

    assert data.startswith(b"%PDF")
    assert b"/Symbol" not in data
