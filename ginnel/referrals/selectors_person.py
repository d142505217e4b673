"""Reads for the wellbeing pages and for the person's own record.

Two askers, two paths:

- staff (the person's link worker, coordinators) read a referral's answers
  through :func:`selectors.referral_answers`, which checks they may and
  records a :class:`ReferralRead`;
- the person reads their own referrals through :func:`selectors.my_referrals`
  (scoped to their membership, so they only ever find their own) and no read
  is recorded.

Answers are shown the way each questionnaire's authors report them: ONS4 one
question at a time with ONS's band in words and never added up (anxiety runs
the other way: higher is worse); UCLA-3 as a total from 3 to 9 (higher is
lonelier); SWEMWBS as its metric score.

What the person is asked to answer themselves (:func:`due_occasion`): the
start of each questionnaire in use, once their referral is accepted and
still open; and a follow-up when a follow-up their link worker arranged has
come due and they have not answered since it was arranged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ginnel.communities.models import Membership
from ginnel.communities.permissions import Access
from ginnel.errors import GinnelError, PermissionRefused
from ginnel.referrals import selectors
from ginnel.referrals.models import (
    OPEN_STATES,
    Administration,
    CloseOutcome,
    ConnectionOutcome,
    ContactBy,
    ContactOutcome,
    EventKind,
    FollowUp,
    Occasion,
    Questionnaire,
    Referral,
    ReferralEvent,
    ReferralState,
)

MINE_PER_PAGE = 10


# Bands and directions ------------------------------------------------------------------------


def _band_words(band: str, *, higher_is_better: bool) -> str:
    """ONS's band for one answer, in words; anxiety's bands say they are about anxiety."""
    if higher_is_better:
        words = {
            "low": _("Low"),
            "medium": _("Medium"),
            "high": _("High"),
            "very_high": _("Very high"),
        }
    else:
        words = {
            "very_low": _("Very low anxiety"),
            "low": _("Low anxiety"),
            "medium": _("Medium anxiety"),
            "high": _("High anxiety"),
        }
    return words.get(band, "")


def _item_higher_is_better(definition: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    default = bool(definition.get("scoring", {}).get("higher_is_better", True))
    return bool(item.get("higher_is_better", default))


def direction_note(questionnaire: Questionnaire) -> str:
    """How to read the numbers, said plainly."""
    definition = questionnaire.definition
    method = definition.get("scoring", {}).get("method")
    if method == "each_item":
        return _(
            "Each question is reported on its own and never added up. For the first three, "
            "higher is better. For anxiety, higher is worse: a lower answer means less anxiety."
        )
    if questionnaire.code == "ucla3":
        return _("The total runs from 3 to 9. Higher means lonelier.")
    if definition.get("scoring", {}).get("higher_is_better", True):
        return _("Higher is better.")
    return _("Higher is worse.")


def _change_words(difference: int, *, higher_is_better: bool) -> str:
    n = abs(difference)
    if difference == 0:
        return _("No change")
    if difference > 0 and higher_is_better:
        return ngettext("Up %(n)d point: better", "Up %(n)d points: better", n) % {"n": n}
    if difference > 0:
        return ngettext("Up %(n)d point: worse", "Up %(n)d points: worse", n) % {"n": n}
    if higher_is_better:
        return ngettext("Down %(n)d point: worse", "Down %(n)d points: worse", n) % {"n": n}
    return ngettext("Down %(n)d point: better", "Down %(n)d points: better", n) % {"n": n}


# What the pages show -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    code: str
    question: str
    value: int
    answer: str  # the answer in words: "6 out of 10", "Some of the time"
    band: str = ""  # ONS's band in words, where there is one


@dataclass(frozen=True)
class Taken:
    """One time a questionnaire was answered."""

    administration: Administration
    occasion: str
    answered_by: str
    recorded_by: str
    items: list[ItemScore]
    total: int | None = None
    metric: float | None = None


@dataclass(frozen=True)
class Change:
    """Before (the start) and after (the end, or the latest follow-up) for one item or total."""

    label: str
    before: int | float
    after: int | float
    says: str


@dataclass(frozen=True)
class QuestionnaireRecord:
    questionnaire: Questionnaire
    title: str
    licence_note: str
    how_to_read: str
    is_enabled: bool
    total_range: tuple[int, int] | None
    taken: list[Taken] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    compared: str = ""  # which two times the changes compare


def _answer_words(item: Mapping[str, Any], value: int) -> str:
    anchors = item.get("anchors", {})
    low, high = int(item["min"]), int(item["max"])
    if high - low <= 4 and str(value) in anchors:  # a short scale: every answer has words
        return _(str(anchors[str(value)]))
    return _("%(value)d out of %(high)d") % {"value": value, "high": high}


def _taken(administration: Administration) -> Taken:
    definition = administration.questionnaire.definition
    values = {a.item: a.value for a in administration.answers.all()}
    bands = administration.scores.get("bands", {})
    items = []
    for item in definition["items"]:
        code = item["code"]
        if code not in values:
            continue
        items.append(
            ItemScore(
                code=code,
                question=_(str(item["text"])),
                value=values[code],
                answer=_answer_words(item, values[code]),
                band=_band_words(
                    bands.get(code, ""), higher_is_better=_item_higher_is_better(definition, item)
                ),
            )
        )
    recorder = administration.recorded_by
    return Taken(
        administration=administration,
        occasion=administration.get_occasion_display(),
        answered_by=administration.get_answered_by_display(),
        recorded_by=recorder.person.display_name if hasattr(recorder, "person") else "",
        items=items,
        total=administration.scores.get("total"),
        metric=administration.scores.get("metric"),
    )


def _in_order(administrations: Iterable[Administration]) -> list[Administration]:
    rank = {Occasion.START: 0, Occasion.FOLLOW_UP: 1, Occasion.CLOSE: 2}
    return sorted(administrations, key=lambda a: (rank[Occasion(a.occasion)], a.answered_at, a.pk))


def _changes(questionnaire: Questionnaire, taken: Sequence[Taken]) -> tuple[list[Change], str]:
    start = next((t for t in taken if t.administration.occasion == Occasion.START), None)
    end = next((t for t in taken if t.administration.occasion == Occasion.CLOSE), None)
    follow_ups = [t for t in taken if t.administration.occasion == Occasion.FOLLOW_UP]
    after = end or (follow_ups[-1] if follow_ups else None)
    if start is None or after is None:
        return [], ""
    compared = (
        _("From the start to the end.")
        if after is end
        else _("From the start to the latest follow-up.")
    )
    definition = questionnaire.definition
    method = definition.get("scoring", {}).get("method")
    if method == "each_item":
        before_values = {i.code: i.value for i in start.items}
        changes = []
        for item in definition["items"]:
            code = item["code"]
            now = next((i for i in after.items if i.code == code), None)
            if now is None or code not in before_values:
                continue
            changes.append(
                Change(
                    label=now.question,
                    before=before_values[code],
                    after=now.value,
                    says=_change_words(
                        now.value - before_values[code],
                        higher_is_better=_item_higher_is_better(definition, item),
                    ),
                )
            )
        return changes, compared
    higher_is_better = bool(definition.get("scoring", {}).get("higher_is_better", True))
    if method == "sum_then_table" and start.metric is not None and after.metric is not None:
        difference = after.metric - start.metric
        return [
            Change(
                label=_("Metric score"),
                before=start.metric,
                after=after.metric,
                says=_("No change")
                if difference == 0
                else (
                    _("Up %(n).2f: better") % {"n": difference}
                    if difference > 0
                    else _("Down %(n).2f: worse") % {"n": -difference}
                ),
            )
        ], compared
    if start.total is None or after.total is None:
        return [], ""
    return [
        Change(
            label=_("Total"),
            before=start.total,
            after=after.total,
            says=_change_words(after.total - start.total, higher_is_better=higher_is_better),
        )
    ], compared


def _total_range(definition: Mapping[str, Any]) -> tuple[int, int] | None:
    if definition.get("scoring", {}).get("method") == "each_item":
        return None
    items = definition["items"]
    return sum(int(i["min"]) for i in items), sum(int(i["max"]) for i in items)


def questionnaire_records(
    questionnaires: Iterable[Questionnaire], administrations: Iterable[Administration]
) -> list[QuestionnaireRecord]:
    """Each questionnaire in use, and any no longer in use that was answered, with its answers.

    ``questionnaires`` are the community's in use (the newest version of each code first);
    answers given against an older version are shown under the code's newest.
    """
    by_code: dict[str, list[Administration]] = defaultdict(list)
    for administration in administrations:
        by_code[administration.questionnaire.code].append(administration)
    shown: dict[str, Questionnaire] = {}
    for questionnaire in questionnaires:
        shown.setdefault(questionnaire.code, questionnaire)
    for code, answered in by_code.items():
        if code not in shown:
            shown[code] = max((a.questionnaire for a in answered), key=lambda q: q.version)
    records = []
    for code, questionnaire in shown.items():
        taken = [_taken(a) for a in _in_order(by_code.get(code, []))]
        changes, compared = _changes(questionnaire, taken)
        records.append(
            QuestionnaireRecord(
                questionnaire=questionnaire,
                title=_(questionnaire.title),
                licence_note=_(questionnaire.licence_note) if questionnaire.licence_note else "",
                how_to_read=direction_note(questionnaire),
                is_enabled=questionnaire.is_enabled,
                total_range=_total_range(questionnaire.definition),
                taken=taken,
                changes=changes,
                compared=compared,
            )
        )
    return records


def in_use(community_id: int) -> list[Questionnaire]:
    """The questionnaires switched on in a community: the newest version of each code."""
    newest: dict[str, Questionnaire] = {}
    for questionnaire in Questionnaire.objects.filter(
        community_id=community_id, is_enabled=True
    ).order_by("code", "-version"):
        newest.setdefault(questionnaire.code, questionnaire)
    return list(newest.values())


def in_use_by_code(community_id: int, code: str) -> Questionnaire | None:
    return (
        Questionnaire.objects.filter(community_id=community_id, code=code, is_enabled=True)
        .order_by("-version")
        .first()
    )


# The staff wellbeing page --------------------------------------------------------------------


@dataclass(frozen=True)
class Wellbeing:
    referral: Referral
    records: list[QuestionnaireRecord]
    answered: dict[str, set[str]]  # questionnaire code → occasions already answered


def is_own_referral(*, access: Access, referral_id: int) -> bool:
    return selectors.my_referrals(access=access).filter(pk=referral_id).exists()


def wellbeing_read(*, access: Access, referral_id: int) -> Wellbeing:
    """A referral's questionnaires and answers, for its link worker or a coordinator.

    The answers are read through :func:`selectors.referral_answers`, which records the read.
    """
    referral = (
        Referral.objects.filter(community=access.community, pk=referral_id)
        .select_related("person", "link_worker__person")
        .first()
    )
    if referral is None:
        raise GinnelError(_("There is no such referral in this community."))
    if not selectors.can_read_content(access, referral):
        raise PermissionRefused(_("Only the person's link worker and coordinators can see this."))
    administrations = selectors.referral_answers(access=access, referral=referral)
    _with_recorders(administrations)
    answered: dict[str, set[str]] = defaultdict(set)
    for administration in administrations:
        answered[administration.questionnaire.code].add(administration.occasion)
    return Wellbeing(
        referral=referral,
        records=questionnaire_records(in_use(access.community.pk), administrations),
        answered=dict(answered),
    )


def _with_recorders(administrations: Sequence[Administration]) -> None:
    """Fetch who recorded each administration in one query, not one each."""
    ids = {a.recorded_by_id for a in administrations}
    found = {m.pk: m for m in Membership.objects.filter(pk__in=ids).select_related("person")}
    for administration in administrations:
        administration.recorded_by = found[administration.recorded_by_id]


# The person's own record ---------------------------------------------------------------------


def due_occasion(
    *,
    referral: Referral,
    code: str,
    administrations: Iterable[Administration],
    follow_ups: Iterable[FollowUp],
) -> str | None:
    """What the person is asked to answer of questionnaire ``code`` now, if anything.

    The start, once the referral is accepted and while it is open; then a
    follow-up, when a follow-up their link worker arranged has come due (not
    yet done) and they have not answered a follow-up since it was arranged.
    """
    if referral.state not in OPEN_STATES:
        return None
    mine = [a for a in administrations if a.questionnaire.code == code]
    if not any(a.occasion == Occasion.START for a in mine):
        return Occasion.START
    today = timezone.localdate()
    asked = [f.scheduled_at for f in follow_ups if f.done_at is None and f.due_on <= today]
    if not asked:
        return None
    last = max((a.answered_at for a in mine if a.occasion == Occasion.FOLLOW_UP), default=None)
    if last is None or max(asked) > last:
        return Occasion.FOLLOW_UP
    return None


def state_words(state: str) -> str:
    """Where a referral has got to, said to the person it is about."""
    return {
        ReferralState.RECEIVED: _(
            "We have your referral. A coordinator will give it to a link worker soon."
        ),
        ReferralState.ACCEPTED: _("Your referral is accepted. Your link worker will be in touch."),
        ReferralState.CONTACTED: _(
            "Your link worker has been in touch. Your first proper conversation comes next."
        ),
        ReferralState.ENGAGED: _("You are working with your link worker."),
        ReferralState.DECLINED: _("This referral was not taken on."),
        ReferralState.REDIRECTED: _("This referral was passed to another service."),
        ReferralState.CLOSED: _("This referral is finished."),
    }.get(ReferralState(state), "")


@dataclass(frozen=True)
class HistoryLine:
    at: Any
    what: str
    detail: str = ""
    state: str = ""


@dataclass(frozen=True)
class Due:
    questionnaire: Questionnaire
    title: str
    occasion: str
    occasion_label: str


@dataclass(frozen=True)
class MyReferral:
    referral: Referral
    state: str
    link_worker: str
    reasons: list[str]
    history: list[HistoryLine]
    records: list[QuestionnaireRecord]
    due: list[Due]

    @property
    def answered_any(self) -> bool:
        return any(record.taken for record in self.records)


def _history_line(event: ReferralEvent, titles: Mapping[str, str]) -> HistoryLine:
    """One step as the person sees it: what happened and when; working notes left out."""
    detail = event.detail or {}
    text = ""
    kind = event.kind
    if kind == EventKind.DECLINED:
        text = event.text
    elif kind == EventKind.REDIRECTED:
        text = _("Passed to: %(service)s") % {"service": detail.get("to_service", "")}
    elif kind == EventKind.CONTACT_ATTEMPT:
        channel = detail.get("channel", "")
        outcome = detail.get("outcome", "")
        if channel in ContactBy.values and outcome in ContactOutcome.values:
            text = _("%(channel)s: %(outcome)s") % {
                "channel": ContactBy(channel).label,
                "outcome": ContactOutcome(outcome).label,
            }
    elif kind == EventKind.FOLLOW_UP_SCHEDULED and detail.get("due_on"):
        day = date.fromisoformat(str(detail["due_on"]))
        text = _("Due on %(day)s") % {"day": date_format(day, "j F Y")}
    elif kind == EventKind.CONNECTION_MADE:
        text = str(detail.get("target_label", ""))
    elif kind == EventKind.CONNECTION_OUTCOME and detail.get("outcome") in ConnectionOutcome.values:
        text = str(ConnectionOutcome(detail["outcome"]).label)
    elif kind == EventKind.QUESTIONNAIRE:
        occasion = detail.get("occasion", "")
        title = titles.get(str(detail.get("questionnaire", "")), "")
        if occasion in Occasion.values and title:
            text = _("%(title)s, %(occasion)s") % {
                "title": title,
                "occasion": str(Occasion(occasion).label).lower(),
            }
    elif kind == EventKind.CLOSED and detail.get("outcome") in CloseOutcome.values:
        text = str(CloseOutcome(detail["outcome"]).label)
    return HistoryLine(
        at=event.happened_on or event.at,
        what=event.get_kind_display(),
        detail=text,
        state=event.get_state_to_display() if event.state_to else "",
    )


@dataclass(frozen=True)
class MyRecord:
    page: Page[Referral]
    referrals: list[MyReferral]


def my_record(*, access: Access, page: int = 1) -> MyRecord:
    """The asker's own referrals with everything shown to them, a page at a time.

    A fixed number of queries whatever the number of referrals; no read is recorded.
    """
    rows: QuerySet[Referral] = (
        selectors.my_referrals(access=access)
        .select_related("link_worker__person")
        .prefetch_related(
            "reasons",
            Prefetch(
                "events",
                queryset=ReferralEvent.objects.order_by("at", "id"),
            ),
            Prefetch(
                "administrations",
                queryset=Administration.objects.select_related(
                    "questionnaire", "recorded_by__person"
                ).prefetch_related("answers"),
            ),
            Prefetch("follow_ups", queryset=FollowUp.objects.all()),
        )
    )
    found = Paginator(rows, MINE_PER_PAGE).get_page(page)
    using = in_use(access.community.pk)
    titles = {q.code: _(q.title) for q in using}
    out = []
    for referral in found.object_list:
        administrations = list(referral.administrations.all())
        for administration in administrations:
            titles.setdefault(
                administration.questionnaire.code, _(administration.questionnaire.title)
            )
        follow_ups = list(referral.follow_ups.all())
        due = []
        for questionnaire in using:
            occasion = due_occasion(
                referral=referral,
                code=questionnaire.code,
                administrations=administrations,
                follow_ups=follow_ups,
            )
            if occasion is not None:
                due.append(
                    Due(
                        questionnaire=questionnaire,
                        title=_(questionnaire.title),
                        occasion=occasion,
                        occasion_label=str(Occasion(occasion).label),
                    )
                )
        worker = referral.link_worker
        out.append(
            MyReferral(
                referral=referral,
                state=state_words(referral.state),
                link_worker=worker.person.display_name if worker is not None else "",
                reasons=[_(r.label) for r in referral.reasons.all()],
                history=[_history_line(e, titles) for e in referral.events.all()],
                records=questionnaire_records(using, administrations),
                due=due,
            )
        )
    return MyRecord(page=found, referrals=out)


@dataclass(frozen=True)
class ToAnswer:
    referral: Referral
    questionnaire: Questionnaire
    occasion: str | None


def my_questionnaire(*, access: Access, referral_id: int, code: str) -> ToAnswer:
    """One of the asker's own referrals and a questionnaire in use, with what is due of it.

    Someone else's referral is not found: a person only ever finds their own.
    """
    referral = selectors.my_referrals(access=access).filter(pk=referral_id).first()
    questionnaire = in_use_by_code(access.community.pk, code)
    if referral is None or questionnaire is None:
        raise GinnelError(_("There is no such questionnaire for you to answer."))
    occasion = due_occasion(
        referral=referral,
        code=code,
        administrations=Administration.objects.filter(
            referral=referral, questionnaire__code=code
        ).select_related("questionnaire"),
        follow_ups=FollowUp.objects.filter(referral=referral),
    )
    return ToAnswer(referral=referral, questionnaire=questionnaire, occasion=occasion)


def questionnaires_due_count(*, access: Access) -> int:
    """How many of the asker's open referrals have a questionnaire for them to answer: one query.

    The same rule as :func:`due_occasion`, written as a query for the home page.
    """
    if access.membership is None or not access.is_member:
        return 0
    in_use_here = Questionnaire.objects.filter(community=access.community, is_enabled=True)
    start_answered = Administration.objects.filter(
        referral=OuterRef(OuterRef("pk")),
        questionnaire__code=OuterRef("code"),
        occasion=Occasion.START,
    )
    follow_up_answered = Administration.objects.filter(
        referral_id=OuterRef(OuterRef("referral_id")),
        questionnaire__code=OuterRef("code"),
        occasion=Occasion.FOLLOW_UP,
        answered_at__gte=OuterRef(OuterRef("scheduled_at")),
    )
    follow_up_due = FollowUp.objects.filter(
        referral=OuterRef("pk"), done_at__isnull=True, due_on__lte=timezone.localdate()
    ).filter(Exists(in_use_here.filter(~Exists(follow_up_answered))))
    return (
        selectors.my_referrals(access=access)
        .filter(state__in=OPEN_STATES)
        .filter(Q(Exists(in_use_here.filter(~Exists(start_answered)))) | Q(Exists(follow_up_due)))
        .order_by()
        .count()
    )
