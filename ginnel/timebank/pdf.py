"""A member's statement as a PDF, drawn with ReportLab (no system libraries)."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ginnel.timebank.ledger import format_minutes
from ginnel.timebank.selectors import Statement


def statement_pdf(statement: Statement, *, community: str) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=f"Timebank statement: {statement.person.display_name}",
        author=community,
        lang="en-GB",
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    story = [
        Paragraph(f"Timebank statement: {escape(statement.person.display_name)}", styles["Title"]),
        Paragraph(escape(community), styles["Heading2"]),
        Paragraph(
            f"Balance {format_minutes(statement.balance)} · given "
            f"{format_minutes(statement.given).lstrip('+')} · received "
            f"{format_minutes(statement.received).lstrip('+')} (hours:minutes)",
            styles["BodyText"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["Date", "What", "With", "Hours", "Balance"]]
    for row in statement.rows:
        rows.append(
            [
                row.on.strftime("%d %b %Y"),
                Paragraph(escape(row.description), cell),
                Paragraph(escape(row.counterpart), cell),
                format_minutes(row.minutes),
                format_minutes(row.balance),
            ]
        )
    if not statement.rows:
        rows.append(["", "No exchanges yet.", "", "", ""])
    table = Table(rows, colWidths=[25 * mm, 75 * mm, 40 * mm, 20 * mm, 20 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (3, 0), (4, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
