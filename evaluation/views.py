"""The leaders' and supervisors' evaluation dashboard, the reports, and the
public bulletin and statistics pages (no personal data on those)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation

from evaluation import metrics, snapshots
from evaluation.by_channel import channel_rows
from lib.params import bounded_int
from evaluation.models import Report
from org.permissions import STAFF_ROLES, role_required


staff_required = role_required(*STAFF_ROLES)


# The months the dashboard shows, as the metrics API's dates (evaluation.api): beyond them a period's bounds overflow
# (9999-12) or nothing was ever recorded, and each month asked for would leave stored figures of its own.
YEARS = range(2000, 2101)


def _month(request) -> tuple[dt.date, dt.date]:
    """The month asked for (`?month=2026-11`); this month when it is missing, malformed or out of range."""
    year, _, month = request.GET.get("month", "").partition("-")
    year, month = bounded_int(year, YEARS.start, YEARS.stop - 1), bounded_int(month, 1, 12)
    if year is None or month is None:
        today = timezone.localdate()
        year, month = today.year, today.month
    return metrics.month_bounds(year, month)


def _digest(rows) -> str:
    """The key of the rendered units table: its figures and the reader's language (hundreds of rows are rendered
    once per change of a figure, not once per request)."""
    text = json.dumps(rows, sort_keys=True, default=str) + (translation.get_language() or "")
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _monthly_series(months: int = 12) -> dict:
    return snapshots.monthly_series(months)


@staff_required
def dashboard(request):
    first, last = _month(request)
    data = metrics.bulletin(first, last)  # DailyStat and the rating snapshots: a few thousand small rows
    found = snapshots.period_analysis(first, last)  # stored (evaluation.snapshots)
    context = {
        "first": first, "last": last, "data": data, "definitions": metrics.DEFINITIONS,
        "min_sample": settings.PORTAL_RANK_MIN_SAMPLE,
        "top": found["top"], "hotspots": found["hotspots"], "repeated": found["repeated"],
        "keywords": found["keywords"], "topics": snapshots.topics(),
        "series": json.dumps(_monthly_series()),
        "reports": Report.objects.order_by("-generated_at")[:12],
        "by_channel": channel_rows(data["by_channel"]), "tables_digest": _digest(data["units"]),
    }
    return render(request, "evaluation/dashboard.html", context)


@staff_required
def report_file(request, pk: int, fmt: str):
    report = get_object_or_404(Report, pk=pk)
    file = report.xlsx if fmt == "xlsx" else report.pdf
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{report.title}.{fmt}")


def bulletins(request):
    published = Report.objects.filter(kind=Report.Kind.MONTHLY, published_at__isnull=False).order_by("-period_start")
    return render(request, "evaluation/bulletins.html", {"bulletins": published})


def bulletin_detail(request, pk: int):
    report = get_object_or_404(Report, pk=pk, kind=Report.Kind.MONTHLY, published_at__isnull=False)
    return render(request, "evaluation/bulletin.html", {
        "report": report, "data": report.data, "definitions": metrics.DEFINITIONS,
        "min_sample": settings.PORTAL_RANK_MIN_SAMPLE,
        # As generated with the headline (report.data); a bulletin generated before they were kept has none.
        "by_channel": channel_rows(report.data["by_channel"]) if "by_channel" in report.data else None,
        "tables_digest": _digest(report.data["units"])})


def bulletin_pdf(request, pk: int):
    report = get_object_or_404(Report, pk=pk, kind=Report.Kind.MONTHLY, published_at__isnull=False)
    return FileResponse(report.pdf.open("rb"), as_attachment=True, filename=f"{report.title}.pdf")


def statistics(request):
    """Public: the city's figures month by month, and this year's districts."""
    today = timezone.localdate()
    year_first, year_last = dt.date(today.year, 1, 1), today
    return render(request, "evaluation/statistics.html", {
        "series": json.dumps(_monthly_series()), "districts": metrics.districts(year_first, year_last),
        "city": metrics.city(year_first, year_last), "definitions": metrics.DEFINITIONS,
        "min_sample": settings.PORTAL_RANK_MIN_SAMPLE, "year": today.year,
    })
