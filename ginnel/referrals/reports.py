"""Monthly referral reports: numbers only, counted in the database, small numbers hidden.

A report covers whole months, from the first day of ``start`` to the last day of
``end`` (the community's time zone), and is built of tables whose cells are
already as they may be published: a count of 1 to 4 reads "fewer than 5", and
so does any figure that would give such a count away. Nothing in it names a
person; it is for analysts and coordinators (``VIEW_REFERRAL_COUNTS``).

What each table counts:

- **Where referrals came from** and **by organisation**, **reasons**: referrals
  *received* in the period (a referral with two reasons counts under each).
- **Decisions**: of the referrals received in the period, those accepted (given
  to a link worker, whatever happened next) and those decided (accepted,
  declined or passed on); the acceptance rate is accepted / decided.
- **Waiting for first contact**: referrals *first contacted* in the period, the
  days from received to that contact: median and 90th percentile.
- **Connections**: connections *made* in the period by kind, and how many of
  them the person went to.
- **Closed**: referrals *closed* in the period, by outcome.
- **Change in wellbeing**: referrals whose *end* questionnaire was answered in
  the period and which have a start answer of the same questionnaire: the
  number of pairs, the mean change (end minus start) and its 95% confidence
  interval, for each ONS4 question on its own and for the UCLA-3 total; shown
  only with at least 5 pairs.

Every count is one aggregate query; only the paired answers (bounded by the
questionnaires ended in the period) and the waiting times (one column pair,
bounded by the referrals first contacted in the period) come into Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ginnel.communities.permissions import Access, Perm
from ginnel.errors import PermissionRefused
from ginnel.referrals import stats
from ginnel.referrals.models import (
    Answer,
    CloseOutcome,
    Connection,
    ConnectionKind,
    ConnectionOutcome,
    Occasion,
    OrganisationKind,
    Referral,
    ReferralReasonLink,
    ReferralState,
    ReferrerKind,
)

#: The questionnaires whose change is reported, with the items reported one by one.
ONS4_ITEMS = ("life_satisfaction", "worthwhile", "happiness", "anxiety")
UCLA3_ITEMS = ("lack_companionship", "left_out", "isolated")


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months: ``start`` and ``end`` are the first days of the first and last month."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1 or self.end < self.start:
            raise ValueError("A period runs from the first of one month to a later month.")

    @classmethod
    def month(cls, day: date) -> Period:
        first = first_of_month(day)
        return cls(first, first)

    def bounds(self) -> tuple[datetime, datetime]:
        """From the first moment of the first month to the first moment after the last."""
        zone = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), zone),
            timezone.make_aware(datetime.combine(next_month(self.end), time.min), zone),
        )


def shown(count: int) -> str:
    """A count as it may be published."""
    if stats.is_small(count):
        return small()
    return str(count)


def small() -> str:
    return _("fewer than %(smallest)d") % {"smallest": stats.SMALLEST}


def withheld() -> str:
    """A count not shown so that a small one cannot be worked out from a total."""
    return _("not shown")


def shown_all(counts: list[int]) -> list[str]:
    """Counts whose total is published elsewhere, small ones and their complement hidden."""
    return [
        (small() if stats.is_small(n) else withheld()) if hide else str(n)
        for n, hide in zip(counts, stats.to_hide(counts), strict=True)
    ]


def hidden() -> str:
    """A figure (a rate, a median, a mean) not shown because it rests on too few."""
    return _("not shown: fewer than %(smallest)d") % {"smallest": stats.SMALLEST}


@dataclass(frozen=True)
class Table:
    """One table of the report; ``rows`` hold the cells as they may be published."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    @property
    def labelled(self) -> list[list[tuple[str, str]]]:
        """Each row's cells with their column's name (narrow screens show it by each cell)."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    period: Period
    tables: tuple[Table, ...]


def _in(queryset: QuerySet[Any], field: str, period: Period) -> QuerySet[Any]:
    start, end = period.bounds()
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def _counts(queryset: QuerySet[Any], *fields: str) -> dict[Any, int]:
    """``{value(s) of fields: count}`` in one GROUP BY."""
    rows = queryset.order_by().values_list(*fields).annotate(n=Count("pk"))
    if len(fields) == 1:
        return {row[0]: row[1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


def _sources(received: QuerySet[Referral]) -> tuple[Table, Table]:
    by_kind = _counts(received, "referrer__kind", "organisation__kind")
    labels = [str(kind.label) for kind in OrganisationKind]
    counts = [by_kind.get((ReferrerKind.EXTERNAL, kind.value), 0) for kind in OrganisationKind]
    labels += [_("The person themselves"), _("A member or staff, for someone else")]
    counts += [_sum(by_kind, ReferrerKind.SELF), _sum(by_kind, ReferrerKind.ON_BEHALF)]
    kind_cells = shown_all(counts)
    kinds = Table(
        key="sources",
        title=_("Where referrals came from"),
        columns=(_("Source"), _("Referrals")),
        rows=tuple(zip(labels, kind_cells, strict=True)),
        note=_("“Not shown”: hidden so that a number under 5 cannot be worked out from the total."),
    )
    by_organisation = _counts(
        received.filter(organisation__isnull=False), "organisation__kind", "organisation__name"
    )
    # Each kind's organisations add up to its row above: hidden in the same way, kind by
    # kind, and all of them when their kind's row is withheld (or they would give it away).
    cells: list[tuple[int, str, str]] = []
    for kind, kind_cell in zip(OrganisationKind, kind_cells, strict=False):
        group = sorted((name, n) for (k, name), n in by_organisation.items() if k == kind.value)
        group_cells = shown_all([count for _name, count in group])
        if kind_cell == withheld():
            group_cells = [small() if stats.is_small(n) else withheld() for _name, n in group]
        for (name, n), cell in zip(group, group_cells, strict=True):
            cells.append((n, name, cell))
    organisations = Table(
        key="organisations",
        title=_("Referrals by referring organisation"),
        columns=(_("Organisation"), _("Referrals")),
        rows=tuple((name, cell) for _n, name, cell in sorted(cells, key=lambda c: (-c[0], c[1]))),
    )
    return kinds, organisations


def _sum(by_kind: dict[Any, int], referrer_kind: str) -> int:
    return sum(n for (kind, _org), n in by_kind.items() if kind == referrer_kind)


def _reasons(access: Access, period: Period) -> Table:
    links = _in(
        ReferralReasonLink.objects.filter(community=access.community),
        "referral__received_at",
        period,
    )
    found = sorted(
        ((_(label), n) for label, n in _counts(links, "reason__label").items()),
        key=lambda row: (-row[1], row[0]),
    )
    return Table(
        key="reasons",
        title=_("Reasons for referral"),
        columns=(_("Reason"), _("Referrals")),
        rows=tuple((label, shown(n)) for label, n in found),
        note=_("A referral with more than one reason is counted under each."),
    )


def _decisions(received: QuerySet[Referral]) -> Table:
    found = received.order_by().aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        decided=Count(
            "pk",
            filter=Q(accepted_at__isnull=False)
            | Q(state__in=(ReferralState.DECLINED, ReferralState.REDIRECTED)),
        ),
    )
    accepted, decided = found["accepted"], found["decided"]
    if decided < stats.SMALLEST or stats.is_small(accepted) or stats.is_small(decided - accepted):
        rate = hidden() if decided else "–"
    else:
        rate = f"{100 * accepted / decided:.0f}%"
    received_count = found["received"]
    # Shown side by side, received − decided and decided − accepted must not be small either.
    gives_away = stats.is_small(received_count - decided) or stats.is_small(decided - accepted)
    return Table(
        key="decisions",
        title=_("Received and accepted"),
        columns=(_("Measure"), _("Value")),
        rows=(
            (_("Referrals received"), shown(received_count)),
            (
                _("Decided (accepted, declined or passed on)"),
                withheld() if gives_away and not stats.is_small(decided) else shown(decided),
            ),
            (
                _("Accepted"),
                withheld() if gives_away and not stats.is_small(accepted) else shown(accepted),
            ),
            (_("Acceptance rate (accepted of those decided)"), rate),
        ),
        note=_(
            "A figure is hidden when it, or its difference from the one above, would give away a "
            "count of fewer than %(n)d."
        )
        % {"n": stats.SMALLEST},
    )


def _days(value: float | None) -> str:
    return "–" if value is None else _("%(days).1f days") % {"days": value}


def _waiting(access: Access, period: Period) -> Table:
    rows = (
        _in(Referral.objects.filter(community=access.community), "first_contact_at", period)
        .order_by()
        .values_list("received_at", "first_contact_at")
    )
    waits = [(contact - received).total_seconds() / 86_400 for received, contact in rows]
    count = len(waits)
    if count and count < stats.SMALLEST:
        middle = ninetieth = hidden()
    else:
        middle, ninetieth = _days(stats.median(waits)), _days(stats.percentile(waits, 90))
    return Table(
        key="waiting",
        title=_("Waiting from referral to first contact"),
        columns=(_("Measure"), _("Value")),
        rows=(
            (_("Referrals first contacted"), shown(count)),
            (_("Median wait"), middle),
            (_("90th percentile (9 in 10 waited no longer)"), ninetieth),
        ),
    )


def _connections(access: Access, period: Period) -> Table:
    made = _in(Connection.objects.filter(community=access.community), "made_at", period)
    found = {
        kind: (n, went)
        for kind, n, went in made.order_by()
        .values_list("kind")
        .annotate(n=Count("pk"), went=Count("pk", filter=Q(outcome=ConnectionOutcome.WENT)))
        .values_list("kind", "n", "went")
    }
    rows = []
    for kind in ConnectionKind:
        n, went = found.get(kind.value, (0, 0))
        rows.append((str(kind.label), shown(n), shown(went)))
    return Table(
        key="connections",
        title=_("Connections made"),
        columns=(_("Connected to"), _("Connections made"), _("They went")),
        rows=tuple(rows),
        note=_("Whether they went may be recorded later: a recent month's figure can still grow."),
    )


def _closed(access: Access, period: Period) -> Table:
    closed = _in(
        Referral.objects.filter(community=access.community, state=ReferralState.CLOSED),
        "finished_at",
        period,
    )
    found = _counts(closed, "outcome")
    return Table(
        key="closed",
        title=_("Closed, by outcome"),
        columns=(_("Outcome"), _("Referrals")),
        rows=tuple((str(o.label), shown(found.get(o.value, 0))) for o in CloseOutcome),
    )


def paired_values(
    access: Access, period: Period, code: str
) -> dict[int, dict[str, dict[str, int]]]:
    """``{referral id: {occasion: {item: value}}}`` for referrals whose end answers of the
    questionnaire ``code`` were given in the period: their start and end answers only."""
    start, end = period.bounds()
    ended = Answer.objects.filter(
        community=access.community,
        administration__questionnaire__code=code,
        administration__occasion=Occasion.CLOSE,
        administration__answered_at__gte=start,
        administration__answered_at__lt=end,
    ).values("administration__referral_id")
    rows = (
        Answer.objects.filter(
            community=access.community,
            administration__questionnaire__code=code,
            administration__occasion__in=(Occasion.START, Occasion.CLOSE),
            administration__referral_id__in=ended,
        )
        .order_by()
        .values_list("administration__referral_id", "administration__occasion", "item", "value")
    )
    found: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for referral, occasion, item, value in rows:
        found[referral][occasion][item] = value
    return found


def _change_row(label: str, changes: list[float]) -> tuple[str, ...]:
    if len(changes) < stats.SMALLEST:
        figure = hidden() if changes else "–"
        return (label, shown(len(changes)), figure, figure)
    result = stats.change_of(changes)
    assert result is not None and result.low is not None and result.high is not None  # noqa: S101, PT018
    return (
        label,
        str(result.pairs),
        f"{result.mean:+.2f}",
        _("%(low)+.2f to %(high)+.2f") % {"low": result.low, "high": result.high},
    )


def _change(access: Access, period: Period) -> Table:
    rows: list[tuple[str, ...]] = []
    ons4 = paired_values(access, period, "ons4")
    labels = {
        "life_satisfaction": _("ONS4: life satisfaction (higher is better)"),
        "worthwhile": _("ONS4: things done are worthwhile (higher is better)"),
        "happiness": _("ONS4: happiness yesterday (higher is better)"),
        "anxiety": _("ONS4: anxiety yesterday (higher is worse)"),
    }
    for item in ONS4_ITEMS:
        changes = [
            float(answers[Occasion.CLOSE][item] - answers[Occasion.START][item])
            for answers in ons4.values()
            if item in answers.get(Occasion.START, {}) and item in answers.get(Occasion.CLOSE, {})
        ]
        rows.append(_change_row(labels[item], changes))
    ucla = paired_values(access, period, "ucla3")
    totals = [
        float(sum(answers[Occasion.CLOSE][i] for i in UCLA3_ITEMS))
        - sum(answers[Occasion.START][i] for i in UCLA3_ITEMS)
        for answers in ucla.values()
        if all(
            i in answers.get(o, {}) for o in (Occasion.START, Occasion.CLOSE) for i in UCLA3_ITEMS
        )
    ]
    rows.append(_change_row(_("UCLA-3 loneliness, total 3 to 9 (higher is lonelier)"), totals))
    return Table(
        key="change",
        title=_("Change in wellbeing, start to end"),
        columns=(
            _("Measure"),
            _("People with both"),
            _("Mean change (end minus start)"),
            pgettext("statistics", "95% confidence interval"),
        ),
        rows=tuple(rows),
        note=_(
            "For referrals whose end questionnaire was answered in the period and that have a "
            "start answer of the same questionnaire. Shown only with at least %(n)d people."
        )
        % {"n": stats.SMALLEST},
    )


def monthly_report(*, access: Access, period: Period) -> Report:
    """The report for ``period``, for someone who may see referral counts."""
    if not (access.can(Perm.VIEW_REFERRAL_COUNTS) or access.can(Perm.ALLOCATE_REFERRALS)):
        raise PermissionRefused(_("You do not have a role in this community that allows this."))
    received = _in(Referral.objects.filter(community=access.community), "received_at", period)
    sources, organisations = _sources(received)
    return Report(
        period=period,
        tables=(
            _decisions(received),
            sources,
            organisations,
            _reasons(access, period),
            _waiting(access, period),
            _connections(access, period),
            _closed(access, period),
            _change(access, period),
        ),
    )
