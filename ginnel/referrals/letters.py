"""Letters back to the referrer: what happened to a referral, in plain words.

A letter is not stored: it is read from the append-only log. Each accepted,
declined, redirected (passed on) and closed entry of a referral is one letter
to whoever referred the person (their name, job and organisation), about the
person (their name only: the date of birth is not held), saying what happened
and when, what happens next and whom to ask. Because the log never changes, a
letter reads the same every time it is opened, printed or emailed.

A letter never carries special-category detail: not the reasons for the
referral, what matters to the person, risks, questionnaire scores, notes of
conversations, contacts or closing, nor the names of the people and groups
they were connected to. It uses only the state, the link worker's name, the
decline reason (which the coordinator writes for the referrer), the service a
referral was passed to, the closing outcome from the coded list and the
number of tries to make contact. A letter about a decline carries the SNOMED
CT code for "Social prescribing declined" for the referrer's records.

When a letter-worthy entry is written and the referral came from an
organisation with an email address (or a referrer with one), the letter is
emailed after the transaction commits; a failure to send is logged and never
undoes the step. The PDF is drawn with ReportLab in Bitstream Vera, embedded,
as the timebank statement is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape

import reportlab
from django.conf import settings
from django.core.mail import send_mail
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.signals import post_save
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from ginnel.communities.models import Community
from ginnel.communities.permissions import Access
from ginnel.errors import GinnelError
from ginnel.people.models import Person
from ginnel.referrals import selectors
from ginnel.referrals.models import (
    CloseOutcome,
    EventKind,
    Referral,
    ReferralEvent,
    Referrer,
    ReferrerKind,
)
from ginnel.referrals.referrer_access import referrers_of

logger = logging.getLogger(__name__)

#: The entries of the log that make a letter.
LETTER_KINDS: tuple[str, ...] = (
    EventKind.ACCEPTED,
    EventKind.DECLINED,
    EventKind.REDIRECTED,
    EventKind.CLOSED,
)
#: SNOMED CT, UK edition: the code a decline is sent back with.
DECLINED_CODE = "871711000000103"
DECLINED_CODE_TERM = "Social prescribing declined"

PER_PAGE = 25


@dataclass(frozen=True)
class Letter:
    """One letter to the referrer, every part already in words."""

    event_id: int
    referral_id: int
    kind: str
    title: str
    written_at: datetime
    dated: str
    community: str
    person: str
    greeting: str
    to_lines: tuple[str, ...]
    about: str
    references: tuple[str, ...]
    what_happened: tuple[str, ...]
    what_next: str
    contact: str
    sign_off: str
    code_line: str = ""

    @property
    def body(self) -> tuple[str, ...]:
        """The paragraphs after the greeting, in order."""
        return (*self.what_happened, self.what_next, self.contact)

    def as_text(self) -> str:
        """The letter as plain text: the email's body and what tests read."""
        parts = [
            "\n".join(self.to_lines),
            self.dated,
            "\n".join((self.about, *self.references)),
            self.title,
            self.greeting,
            *self.body,
            self.sign_off,
        ]
        if self.code_line:
            parts.append(self.code_line)
        return "\n\n".join(p for p in parts if p) + "\n"


# Building letters from the log ----------------------------------------------------------------


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment).date(), "j F Y")


def _contact(person: Person | None, community: Community, *, link_worker: bool) -> str:
    if person is None:
        return _(
            "If you have a question about this letter, contact %(community)s and give the "
            "reference above."
        ) % {"community": community.name}
    values = {"name": person.display_name, "community": community.name}
    if person.contact_email:
        values["email"] = person.contact_email
        if link_worker:
            return (
                _(
                    "If you have a question about this letter, contact %(name)s, the link "
                    "worker, at %(community)s: %(email)s."
                )
                % values
            )
        return (
            _(
                "If you have a question about this letter, contact %(name)s at %(community)s: "
                "%(email)s."
            )
            % values
        )
    if link_worker:
        return (
            _(
                "If you have a question about this letter, contact %(name)s, the link worker, "
                "at %(community)s."
            )
            % values
        )
    return (
        _("If you have a question about this letter, contact %(name)s at %(community)s.") % values
    )


def _failed_before(log: list[ReferralEvent], event: ReferralEvent) -> int:
    """How many failed tries to make contact the log counted up to ``event``."""
    failed = 0
    for entry in log:
        if entry.pk == event.pk:
            break
        if entry.kind == EventKind.CONTACT_ATTEMPT and isinstance(entry.detail.get("failed"), int):
            failed = entry.detail["failed"]
    return failed


def _closed(referral: Referral, event: ReferralEvent, failed: int) -> tuple[str, str]:
    """The closing outcome in plain words, and what happens next."""
    person = referral.person.display_name
    outcome = event.detail.get("outcome") or referral.outcome
    again = _("If %(person)s needs support again, you are welcome to refer them again.") % {
        "person": person
    }
    if outcome == CloseOutcome.COULD_NOT_CONTACT:
        if failed:
            said = ngettext(
                "We could not reach %(person)s: we tried %(count)d time to make contact.",
                "We could not reach %(person)s: we tried %(count)d times to make contact.",
                failed,
            ) % {"person": person, "count": failed}
        else:
            said = _("We could not reach %(person)s.") % {"person": person}
        return said, _(
            "If you have new contact details for %(person)s, or they would still like support, "
            "you are welcome to refer them again."
        ) % {"person": person}
    words: dict[str, str] = {
        CloseOutcome.GOALS_MET: _(
            "%(person)s was connected to support and met the goals they set."
        ),
        CloseOutcome.CONNECTED: _("%(person)s was connected to support."),
        CloseOutcome.PERSON_ENDED: _("%(person)s chose to stop working with their link worker."),
        CloseOutcome.NEEDS_OTHER_SERVICE: _("%(person)s needed a different service from ours."),
        CloseOutcome.MOVED_AWAY: _("%(person)s moved away from the area."),
        CloseOutcome.DIED: _("We are sorry to tell you that %(person)s has died."),
    }
    said = words.get(outcome, _("The referral of %(person)s has ended.")) % {"person": person}
    if outcome == CloseOutcome.DIED:
        return said, _("There is nothing more you need to do.")
    return said, again


def _letter(
    referral: Referral,
    event: ReferralEvent,
    log: list[ReferralEvent],
    workers: dict[int, Person],
) -> Letter:
    community = referral.community
    referrer = referral.referrer
    person = referral.person.display_name
    day = _day(event.at)
    values = {"person": person, "date": day}
    actor = event.actor.person if event.actor is not None else None
    code_line = ""
    if event.kind == EventKind.ACCEPTED:
        worker = workers.get(event.detail.get("link_worker") or 0)
        title = _("Referral accepted")
        if worker is not None:
            happened: tuple[str, ...] = (
                _("We accepted your referral of %(person)s on %(date)s.") % values,
                _("Their link worker is %(worker)s.") % {"worker": worker.display_name},
            )
            what_next = _(
                "%(worker)s will get in touch with %(person)s to arrange a first conversation. "
                "We will write to you again when the referral ends."
            ) % {"worker": worker.display_name, "person": person}
        else:
            happened = (_("We accepted your referral of %(person)s on %(date)s.") % values,)
            what_next = _(
                "Their link worker will get in touch with %(person)s to arrange a first "
                "conversation. We will write to you again when the referral ends."
            ) % {"person": person}
        contact = _contact(worker or actor, community, link_worker=worker is not None)
    elif event.kind == EventKind.DECLINED:
        title = _("Referral declined")
        reason = event.text.strip()
        happened = (
            _("We declined your referral of %(person)s on %(date)s.") % values,
            _("The reason given: %(reason)s") % {"reason": reason}
            if reason
            else _("No reason was recorded."),
        )
        what_next = _(
            "The referral has ended here. If things change, you are welcome to refer "
            "%(person)s again."
        ) % {"person": person}
        contact = _contact(actor, community, link_worker=False)
        code_line = _("Code for your records: SNOMED CT %(code)s %(term)s") % {
            "code": DECLINED_CODE,
            "term": DECLINED_CODE_TERM,
        }
    elif event.kind == EventKind.REDIRECTED:
        title = _("Referral passed to another service")
        service = str(event.detail.get("to_service") or "").strip()
        if service:
            happened = (
                _("On %(date)s we passed your referral of %(person)s to %(service)s.")
                % {**values, "service": service},
            )
            what_next = _(
                "%(service)s will take it from here: you do not need to refer %(person)s again. "
                "Ask %(service)s if you would like to know how it is going."
            ) % {"service": service, "person": person}
        else:
            happened = (
                _("On %(date)s we passed your referral of %(person)s to another service.") % values,
            )
            what_next = _("You do not need to refer %(person)s again.") % {"person": person}
        contact = _contact(actor, community, link_worker=False)
    else:
        title = _("Referral closed")
        said, what_next = _closed(referral, event, _failed_before(log, event))
        happened = (_("We closed the referral of %(person)s on %(date)s.") % values, said)
        contact = _contact(actor, community, link_worker=False)

    to_lines: list[str] = [referrer.name]
    if referrer.job_title:
        to_lines.append(referrer.job_title)
    if referral.organisation is not None:
        to_lines.append(referral.organisation.name)
    references = [_("Our reference: referral %(number)d") % {"number": referral.pk}]
    if referral.external_id:
        references.append(_("Your reference: %(reference)s") % {"reference": referral.external_id})
    return Letter(
        event_id=event.pk,
        referral_id=referral.pk,
        kind=event.kind,
        title=title,
        written_at=event.at,
        dated=day,
        community=community.name,
        person=person,
        greeting=_("Dear %(name)s,") % {"name": referrer.name},
        to_lines=tuple(to_lines),
        about=_("About: %(person)s") % {"person": person},
        references=tuple(references),
        what_happened=happened,
        what_next=what_next,
        contact=contact,
        sign_off=_("From %(community)s") % {"community": community.name},
        code_line=code_line,
    )


def has_letters(referral: Referral) -> bool:
    """Someone referring themselves gets no letter to a referrer about it."""
    return referral.referrer.kind != ReferrerKind.SELF


def letters_for(referral: Referral) -> list[Letter]:
    """Every letter of one referral, oldest first (two queries, whatever the log holds).

    ``referral`` comes with its person, referrer, organisation and community.
    """
    if not has_letters(referral):
        return []
    log = list(
        ReferralEvent.objects.filter(community_id=referral.community_id, referral=referral)
        .select_related("actor__person")
        .order_by("at", "id")
    )
    wanted = [e for e in log if e.kind in LETTER_KINDS]
    worker_ids = {
        e.detail["link_worker"]
        for e in wanted
        if e.kind == EventKind.ACCEPTED and isinstance(e.detail.get("link_worker"), int)
    }
    workers = {
        p.membership_id: p
        for p in Person.objects.filter(
            community_id=referral.community_id, membership_id__in=worker_ids
        )
    }
    return [_letter(referral, e, log, workers) for e in wanted]


def _one(letters: list[Letter], event_id: int) -> Letter:
    for letter in letters:
        if letter.event_id == event_id:
            return letter
    raise GinnelError(_("There is no such letter about this referral."))


# Who reads them -------------------------------------------------------------------------------


def staff_letters(*, access: Access, referral_id: int) -> tuple[Referral, list[Letter]]:
    """A referral's letters, for those who may read the referral; the read is recorded."""
    referral = selectors.referral_read(access=access, referral_id=referral_id, what="letters")
    referral.community = access.community  # the same row, already at hand
    return referral, letters_for(referral)


def staff_letter(*, access: Access, referral_id: int, event_id: int) -> tuple[Referral, Letter]:
    referral, letters = staff_letters(access=access, referral_id=referral_id)
    return referral, _one(letters, event_id)


def _organisations(referrer: Referrer) -> list[int]:
    """The organisations this referrer's login refers for here (each active one)."""
    if referrer.user is None:
        return [referrer.organisation_id] if referrer.organisation_id else []
    mine = referrers_of(referrer.user, referrer.community)
    return [r.organisation_id for r in mine if r.organisation_id]


def referrer_referrals(*, referrer: Referrer, page: int = 1) -> Page[Referral]:
    """The referrals from the referrer's organisation, newest first, with their latest letter.

    Rows carry the person's name, the date it came in and its state, nothing of
    the content. ``latest_letter`` is the id of the latest letter-worthy entry.
    """
    latest = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"), kind__in=LETTER_KINDS)
        .order_by("-at", "-id")
        .values("id")[:1]
    )
    rows = (
        Referral.objects.filter(
            community_id=referrer.community_id, organisation_id__in=_organisations(referrer)
        )
        .exclude(referrer__kind=ReferrerKind.SELF)
        .select_related("person", "organisation")
        .only(
            "id",
            "community_id",
            "state",
            "received_at",
            "organisation__id",
            "organisation__name",
            "person__id",
            "person__display_name",
        )
        .annotate(latest_letter=Subquery(latest))
        .order_by("-received_at", "-id")
    )
    return Paginator(cast("QuerySet[Referral]", rows), PER_PAGE).get_page(page)


def referrer_letter(*, referrer: Referrer, referral_id: int, event_id: int) -> Letter:
    """One letter about a referral from the referrer's own organisation; others are not found."""
    referral = (
        Referral.objects.filter(
            community_id=referrer.community_id,
            organisation_id__in=_organisations(referrer),
            pk=referral_id,
        )
        .select_related("person", "referrer", "organisation", "community")
        .first()
    )
    if referral is None:
        raise GinnelError(_("There is no such referral from your organisation."))
    return _one(letters_for(referral), event_id)


# The PDF --------------------------------------------------------------------------------------

FONT = "GinnelVera"
FONT_BOLD = "GinnelVera-Bold"
FONT_SIZE = 11


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
        styles[name].fontName = FONT if name == "BodyText" else FONT_BOLD
    styles["BodyText"].fontSize = FONT_SIZE
    styles["BodyText"].leading = FONT_SIZE * 1.35
    styles["Title"].alignment = 0  # left, as a letter's heading is
    return styles


def letter_story(letter: Letter) -> list[Flowable]:
    """What the PDF draws, in order: every word is one of the letter's."""
    _fonts()
    styles = _styles()
    body = styles["BodyText"]

    def lines(*texts: str) -> Paragraph:
        return Paragraph("<br/>".join(escape(t) for t in texts), body)

    story: list[Flowable] = [
        Paragraph(escape(letter.community), styles["Heading2"]),
        lines(*letter.to_lines),
        Spacer(1, 4 * mm),
        lines(letter.dated),
        lines(letter.about, *letter.references),
        Paragraph(escape(letter.title), styles["Title"]),
        lines(letter.greeting),
    ]
    story.extend(lines(text) for text in letter.body)
    story.append(Spacer(1, 4 * mm))
    story.append(lines(letter.sign_off))
    if letter.code_line:
        story.append(Spacer(1, 8 * mm))
        small = styles["BodyText"].clone("Small", fontSize=8, leading=10)
        story.append(Paragraph(escape(letter.code_line), small))
    return story


def letter_pdf(letter: Letter) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        title=letter.title,
        author=letter.community,
        lang="en-GB",
    )
    doc.build(letter_story(letter))
    return buffer.getvalue()


# Email ----------------------------------------------------------------------------------------


def letter_address(referral: Referral) -> str:
    """Where a referral's letters are emailed: its organisation's address, else the referrer's."""
    if referral.referrer.kind != ReferrerKind.EXTERNAL or referral.organisation is None:
        return ""
    return referral.organisation.email or referral.referrer.email


def referrer_letter_link(letter: Letter, *, community: str) -> str:
    path = reverse(
        "referrals:referrer_letter", args=[community, letter.referral_id, letter.event_id]
    )
    return f"{settings.SITE_URL}{path}"


def letter_email(event_id: int) -> None:
    """Email one letter to the referring organisation, if it has an address. Never raises."""
    try:
        event = ReferralEvent.objects.select_related(
            "referral__person",
            "referral__referrer",
            "referral__organisation",
            "referral__community",
        ).get(pk=event_id)
        referral = event.referral
        address = letter_address(referral)
        if not address or event.kind not in LETTER_KINDS:
            return
        letter = _one(letters_for(referral), event_id)
        link = referrer_letter_link(letter, community=referral.community.slug)
        context = {"letter": letter, "link": link}
        subject = render_to_string("referrals/email_letter_subject.txt", context)
        body = render_to_string("referrals/email_letter.txt", context)
        send_mail(" ".join(subject.split()), body, None, [address])
    except Exception:
        # The step is written whatever happens here: say so in the log and carry on.
        logger.exception("The letter for referral event %s could not be emailed.", event_id)


_held: ContextVar[bool] = ContextVar("referral_letters_held", default=False)


@contextmanager
def letters_not_emailed() -> Iterator[None]:
    """Write steps without emailing their letters: for generated data (the demo, benchmarks)."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def _on_event_saved(sender: Any, instance: ReferralEvent, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw") or instance.kind not in LETTER_KINDS or _held.get():
        return
    transaction.on_commit(partial(letter_email, instance.pk), robust=True)


def letters_connect() -> None:
    """Email letters as their entries are written (called once, from the app's ``ready``)."""
    post_save.connect(_on_event_saved, sender=ReferralEvent, dispatch_uid="referral_letters")
