"""A member's statement as a PDF, drawn with ReportLab (no system libraries).

The text is set in Bitstream Vera, which ReportLab ships, embedded in the
file: the built-in PDF fonts have no minus sign (U+2212), so ReportLab drew it
from the Symbol font, whose stand-in in many viewers is wider than the room
left for it, and the sign ran into the digits.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ginnel.timebank.ledger import format_minutes
from ginnel.timebank.selectors import Statement

FONT = "GinnelVera"
FONT_BOLD = "GinnelVera-Bold"
FONT_SIZE = 9
# Date, what, with, hours, balance: 180 mm, the width of A4 inside 15 mm margins.
COLUMNS = (24 * mm, 70 * mm, 42 * mm, 22 * mm, 22 * mm)
CELL_PADDING = 6  # points each side: ReportLab's table default


def _fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _styles() -> StyleSheet1:
    styles = getSampleStyleSheet()
    for name in ("BodyText", "Title", "Heading2"):
        bold = name != "BodyText"
        styles[name].fontName = FONT_BOLD if bold else FONT
    styles["BodyText"].fontSize = FONT_SIZE
    styles["BodyText"].leading = FONT_SIZE * 1.25
    return styles


def statement_pdf(statement: Statement, *, community: str) -> bytes:
    _fonts()
    buffer = BytesIO()
    name = statement.person.display_name
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=_("Timebank statement: %(name)s") % {"name": name},
        author=community,
        lang="en-GB",
    )
    styles = _styles()
    cell = styles["BodyText"]
    story = [
        Paragraph(escape(_("Timebank statement: %(name)s") % {"name": name}), styles["Title"]),
        Paragraph(escape(community), styles["Heading2"]),
        Paragraph(
            escape(
                _("Balance %(balance)s · given %(given)s · received %(received)s (hours:minutes)")
                % {
                    "balance": format_minutes(statement.balance),
                    "given": format_minutes(statement.given).lstrip("+"),
                    "received": format_minutes(statement.received).lstrip("+"),
                }
            ),
            cell,
        ),
        Spacer(1, 6 * mm),
    ]
    rows: list[list[object]] = [[_("Date"), _("What"), _("With"), _("Hours"), _("Balance")]]
    for row in statement.rows:
        rows.append(
            [
                date_format(row.on, "j M Y"),
                Paragraph(escape(row.description), cell),
                Paragraph(escape(row.counterpart), cell),
                format_minutes(row.minutes),
                format_minutes(row.balance),
            ]
        )
    if not statement.rows:
        rows.append(["", _("No exchanges yet."), "", "", ""])
    table = Table(rows, colWidths=list(COLUMNS), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), FONT_SIZE),
                ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (3, 0), (4, -1), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
