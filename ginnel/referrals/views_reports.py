"""The monthly referral report: a page and the same table as CSV, numbers only."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.errors import PermissionRefused
from ginnel.referrals import reports
from ginnel.ui import spreadsheet
from ginnel.ui.forms import Form

MONTH_FORMATS = ["%Y-%m"]


class MonthWidget(forms.DateInput):
    input_type = "month"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m")


class ReportPeriodForm(Form):
    """The months a report covers: one month, or a range of whole months."""

    start = forms.DateField(
        label=_("From the month"),
        help_text=_("For example, 2026-03"),
        input_formats=MONTH_FORMATS,
        widget=MonthWidget(),
        required=False,
        error_messages={"invalid": _("Enter the first month as year and month, like 2026-03")},
    )
    end = forms.DateField(
        label=_("To the month"),
        help_text=_("Leave empty for the first month alone"),
        input_formats=MONTH_FORMATS,
        widget=MonthWidget(),
        required=False,
        error_messages={"invalid": _("Enter the last month as year and month, like 2026-05")},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The last month must not be before the first"))
        return data

    @staticmethod
    def last_month(today: date) -> date:
        """The first day of the last complete month."""
        return reports.first_of_month(reports.first_of_month(today) - timedelta(days=1))

    def period(self, today: date) -> reports.Period:
        """The months asked for; the last complete month when none is given."""
        data = self.cleaned_data if self.is_bound else {}
        start = data.get("start") or self.last_month(today)
        end = data.get("end") or start
        return reports.Period(reports.first_of_month(start), reports.first_of_month(end))


def _report(request: HttpRequest, access: Access) -> tuple[ReportPeriodForm, reports.Report | None]:
    today = timezone.localdate()
    form = ReportPeriodForm(
        request.GET or None, initial={"start": ReportPeriodForm.last_month(today)}
    )
    if form.is_bound and not form.is_valid():
        return form, None
    try:
        found = reports.monthly_report(access=access, period=form.period(today))
    except PermissionRefused as refused:
        raise PermissionDenied(refused.message) from refused
    return form, found


@community_view(Perm.VIEW_REFERRAL_COUNTS)
def report(request: HttpRequest, access: Access) -> HttpResponse:
    """Referrals in one month or a range of months, counted; small numbers hidden."""
    form, found = _report(request, access)
    return render(
        request,
        "referrals/report.html",
        {"access": access, "form": form, "report": found, "query": request.GET.urlencode()},
        status=200 if found is not None else 400,
    )


@community_view(Perm.VIEW_REFERRAL_COUNTS)
def report_csv(request: HttpRequest, access: Access) -> HttpResponse:
    """The same tables as the page, one row a line: table, then its cells."""
    form, found = _report(request, access)
    if found is None:
        return render(
            request,
            "referrals/report.html",
            {"access": access, "form": form, "report": None, "query": ""},
            status=400,
        )
    period = found.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="referrals-{period.start:%Y-%m}-to-{period.end:%Y-%m}.csv"'
    )
    writer = spreadsheet.writer(response)
    for table in found.tables:
        writer.writerow([table.title, *table.columns])
        for row in table.rows:
            writer.writerow([table.title, *row])
    return response
