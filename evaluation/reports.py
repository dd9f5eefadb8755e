"""The scheduled reports: daily report, weekly analysis, monthly bulletin,
annual summary (日报告、周分析、月通报、年总结), stored with Excel and PDF."""
from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from evaluation import analysis, metrics
from evaluation.models import Report
from lib import spreadsheets
from lib.errors import DomainError

TITLES = {
    Report.Kind.DAILY: "{city}12345热线日报告（{first}）",
    Report.Kind.WEEKLY: "{city}12345热线周分析（{first}至{last}）",
    Report.Kind.MONTHLY: "{city}12345热线月度通报（{year}年{month}月）",
    Report.Kind.ANNUAL: "{city}12345热线年度总结（{year}年）",
}


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _num(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def report_generate(*, kind: str, day: dt.date) -> Report:
    """Compute (or recompute) the report of the period containing `day`."""
    first, last = metrics.period_bounds(kind, day)
    data = metrics.bulletin(first, last)
    data["analysis"] = {
        "top_classifications": analysis.top_classifications(first, last),
        "hotspots": analysis.hotspots(first, last),
        "repeated": [{k: v for k, v in m.items()} for m in analysis.repeated_matters(first, last, minimum=3)],
        "rising_keywords": analysis.rising_keywords(first, last) if kind != Report.Kind.DAILY else [],
    }
    title = TITLES[kind].format(city=settings.PORTAL_CITY_NAME, first=first, last=last, year=first.year,
                                month=first.month)
    with transaction.atomic():
        report, _created = Report.objects.update_or_create(
            kind=kind, period_start=first,
            defaults={"period_end": last, "title": title, "data": data, "generated_at": timezone.now()})
        stem = f"{kind}-{first.isoformat()}"
        report.xlsx.save(f"{stem}.xlsx", ContentFile(to_xlsx(report)), save=False)
        report.pdf.save(f"{stem}.pdf", ContentFile(to_pdf(report)), save=False)
        report.save(update_fields=["xlsx", "pdf"])
    return report


def report_publish(*, report: Report) -> Report:
    """Publish a monthly bulletin, computed again first: beat generated it at 00:30 on the 1st, and the platform may
    have decided since then what counts against a unit (a return asked for by the limit and approved later,
    a merge: DOMAIN.md section 4, the platform's time is not the unit's). What is published, page and PDF, reflects
    the platform's decisions up to publication. Publishing it again changes nothing (the admin's "regenerate" action
    is the one way to recompute a published bulletin)."""
    if report.kind != Report.Kind.MONTHLY:
        raise DomainError(_("Only the monthly bulletin is published."))
    with transaction.atomic():
        # The lock makes two publishers one: the second finds it published and leaves it as the first made it.
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.published_at is None:
            report_generate(kind=locked.kind, day=locked.period_start)
            Report.objects.filter(pk=locked.pk).update(published_at=timezone.now())
    report.refresh_from_db()
    return report


HEADERS = ["name", "population", "petitions", "per_10k", "sign_due", "signed_in_time", "response", "rated",
           "solved", "resolution", "satisfied", "satisfaction", "satisfaction_rank", "perfunctory"]


def _table(rows: list[dict], with_population: bool) -> list[list]:
    out = []
    for r in rows:
        c, v, k = r["counts"], r["values"], r["ranks"]
        out.append([r["name"], r["population"] if with_population else "", c["petitions"] if with_population else "",
                    _num(v["per_10k"]) if with_population else "", c.get("sign_due", c.get("dispatched", 0)),
                    c["signed_in_time"], _pct(v["response"]), c["rated"], c["solved"], _pct(v["resolution"]),
                    c["satisfied"], _pct(v["satisfaction"]), k.get("satisfaction") or "—", c.get("perfunctory", 0)])
    return out


def _labels() -> list[str]:
    return [_("Name"), _("Population"), _("Petitions"), _("Per 10,000 people"), _("Sign-for limits due"),
            _("Signed in time"), _("Response rate"), _("Petitions rated"), _("Solved"), _("Resolution rate"),
            _("Satisfied"), _("Satisfaction rate"), _("Satisfaction rank"), _("Perfunctory answers")]


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Districts")[:31]
    spreadsheets.write_rows(sheet, [[report.title], _labels(), *_table(report.data["districts"], True)])
    spreadsheets.write_rows(book.create_sheet(_("Units")[:31]), _table(report.data["units"], False),
                            header=_labels())
    spreadsheets.write_rows(book.create_sheet(_("Problems")[:31]), header=[_("Classification"), _("Petitions"),
                                                                           pgettext("trend", "Change")],
                            rows=([item["name"], item["count"], item["change"]]
                                  for item in report.data["analysis"]["top_classifications"]))
    spreadsheets.write_rows(book.create_sheet(_("Definitions")[:31]),
                            ([str(text)] for text in metrics.DEFINITIONS.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    """A printable bulletin. Chinese text uses reportlab's built-in STSong-Light
    CID font, so no font file needs installing."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    title = ParagraphStyle("t", fontName="STSong-Light", fontSize=16, leading=22)
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=9, leading=13)
    city = report.data["city"]
    story = [Paragraph(report.title, title), Spacer(1, 6),
             Paragraph(f"{_('Petitions')}: {city['counts']['petitions']} · {_('Response rate')}: "
                       f"{_pct(city['values']['response'])} · {_('Resolution rate')}: {_pct(city['values']['resolution'])}"
                       f" · {_('Satisfaction rate')}: {_pct(city['values']['satisfaction'])}", body), Spacer(1, 8)]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 7),
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    for rows, with_population in ((report.data["districts"], True), (report.data["units"][:60], False)):
        story += [Table([_labels()] + _table(rows, with_population), repeatRows=1, style=style), Spacer(1, 10)]
    for text in metrics.DEFINITIONS.values():
        story.append(Paragraph(str(text), body))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=landscape(A4), title=report.title).build(story)
    return out.getvalue()
