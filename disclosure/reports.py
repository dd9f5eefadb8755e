"""The annual report on open government information (政府信息公开工作年度报告), its table of
requests in the national template (国务院办公厅政府信息公开办公室, 2021 revision): the applicant's
type in the columns, the requests' flow in the rows, totals that balance:

    new this year + carried over from last year = total handled this year + carried over to next year

in every column. A request counts as handled in the year of its `closed_on` (answered free, fee paid, or
abandoned); one still open on 31 December is carried over. The row and column labels are the template's
own wording and stay in Chinese whatever the interface language.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from disclosure.models import AbandonReason, AnswerType, ApplicantType, InfoRequest, WithholdReason

# Columns: natural persons; legal persons and other organisations by kind; the total.
COLUMNS = [
    ("person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("welfare", "社会公益组织"),
    ("law_firm", "法律服务机构"),
    ("other", "其他"),
]
TOTAL = ("total", "总计")
ORGANISATION_COLUMNS = [key for key, _label in COLUMNS[1:]]

# Outcome rows: (key, label, what counts). A request is either answered (by its answer type and, when
# withheld, its reason) or abandoned (by why).
Outcome = tuple[str, str, Q]
OUTCOMES: list[tuple[str, list[Outcome]]] = [
    ("（一）予以公开", [("disclosed", "（一）予以公开",
                    Q(answer_type__in=[AnswerType.DISCLOSED, AnswerType.ALREADY_PUBLIC]))]),
    ("（二）部分公开", [("partly", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                    Q(answer_type=AnswerType.PARTLY))]),
    ("（三）不予公开", [(f"withheld_{reason}", label, Q(answer_type=AnswerType.NOT_DISCLOSED, withhold_reason=reason))
                    for reason, label in [
                        (WithholdReason.STATE_SECRET, "1.属于国家秘密"),
                        (WithholdReason.OTHER_LAW, "2.其他法律行政法规禁止公开"),
                        (WithholdReason.SECURITY, "3.危及“三安全一稳定”"),
                        (WithholdReason.THIRD_PARTY, "4.保护第三方合法权益"),
                        (WithholdReason.INTERNAL, "5.属于三类内部事务信息"),
                        (WithholdReason.PROCESS, "6.属于四类过程性信息"),
                        (WithholdReason.ENFORCEMENT, "7.属于行政执法案卷"),
                        (WithholdReason.QUERY, "8.属于行政查询事项"),
                    ]]),
    ("（四）无法提供", [
        ("not_held", "1.本机关不掌握相关政府信息",
         Q(answer_type__in=[AnswerType.NOT_HELD, AnswerType.NOT_THIS_BODY])),
        ("needs_creation", "2.没有现成信息需要另行制作", Q(answer_type=AnswerType.NEEDS_CREATION)),
        ("unclear", "3.补正后申请内容仍不明确", Q(answer_type=AnswerType.UNCLEAR)),
    ]),
    ("（五）不予处理", [
        ("petition", "1.信访举报投诉类申请", Q(answer_type=AnswerType.PETITION)),
        ("repeat", "2.重复申请", Q(answer_type=AnswerType.REPEAT)),
        ("published_material", "3.要求提供公开出版物", Q(answer_type=AnswerType.PUBLISHED_MATERIAL)),
        ("mass", "4.无正当理由大量反复申请", Q(answer_type=AnswerType.MASS)),
        ("confirmation", "5.要求行政机关确认或重新出具已获取信息", Q(answer_type=AnswerType.CONFIRMATION)),
    ]),
    ("（六）其他处理", [
        ("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         Q(abandon_reason=AbandonReason.NO_CORRECTION)),
        ("fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
         Q(abandon_reason=AbandonReason.FEE_UNPAID)),
        ("other", "3.其他", Q(answer_type__in=[AnswerType.SPECIAL_REGISTER, AnswerType.OTHER])),
    ]),
]


ABANDONED_ROWS = ("no_correction", "fee_unpaid")


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, int]
    level: int = 0  # 0: a main row; 1: a detail row under a heading; -1: a heading without figures
    heading: bool = False

    @property
    def values(self) -> list[int]:
        return [self.cells[key] for key, _label in [*COLUMNS, TOTAL]]


@dataclass
class AnnualReport:
    year: int
    body: object | None
    rows: list[Row] = field(default_factory=list)
    fees: int = 0

    @property
    def columns(self) -> list[str]:
        return [label for _key, label in [*COLUMNS, TOTAL]]

    def row(self, key: str) -> Row:
        return next(row for row in self.rows if row.key == key)

    def balances(self) -> bool:
        """New + carried over from last year = handled + carried over to next year, in every column."""
        new, carried_in = self.row("new").cells, self.row("carried_in").cells
        total, carried_out = self.row("total").cells, self.row("carried_out").cells
        return all(new[c] + carried_in[c] == total[c] + carried_out[c] for c, _label in [*COLUMNS, TOTAL])


def _column_counts(queryset) -> dict[str, int]:
    """One query: the count per applicant-type column, and the total."""
    person = Q(applicant_type=ApplicantType.PERSON)
    organisation = Q(applicant_type=ApplicantType.ORGANISATION)
    aggregates = {"person": Count("pk", filter=person)}
    for key in ORGANISATION_COLUMNS:
        kind = Q(organisation_kind=key) if key != "other" else ~Q(organisation_kind__in=ORGANISATION_COLUMNS[:-1])
        aggregates[key] = Count("pk", filter=organisation & kind)
    counts = queryset.aggregate(**aggregates)
    counts["total"] = sum(counts.values())
    return counts


def annual_report(year: int, *, body=None) -> AnnualReport:
    """The table of one body's requests (or the whole city's) for `year`."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    requests = InfoRequest.objects.all()
    if body is not None:
        requests = requests.filter(body=body)
    still_open_on = lambda day: Q(closed_on__isnull=True) | Q(closed_on__gt=day)  # noqa: E731
    report = AnnualReport(year=year, body=body)
    report.rows.append(Row("new", "一、本年新收政府信息公开申请数量", _column_counts(requests.filter(
        received_on__range=(first, last)))))
    report.rows.append(Row("carried_in", "二、上年结转政府信息公开申请数量", _column_counts(requests.filter(
        still_open_on(first - dt.timedelta(days=1)), received_on__lt=first))))
    report.rows.append(Row("results", "三、本年度办理结果", {}, level=-1, heading=True))
    handled = requests.filter(closed_on__range=(first, last))
    total = dict.fromkeys([key for key, _label in [*COLUMNS, TOTAL]], 0)
    for heading, outcomes in OUTCOMES:
        if len(outcomes) > 1:
            report.rows.append(Row(f"heading_{outcomes[0][0]}", heading, {}, level=-1, heading=True))
        for key, label, condition in outcomes:
            if key not in ABANDONED_ROWS:  # an answer whose fee went unpaid counts only as abandoned
                condition &= Q(abandon_reason="")
            cells = _column_counts(handled.filter(condition))
            report.rows.append(Row(key, label, cells, level=1 if len(outcomes) > 1 else 0))
            for column in total:
                total[column] += cells[column]
    report.rows.append(Row("total", "（七）总计", total))
    report.rows.append(Row("carried_out", "四、结转下年度继续办理", _column_counts(requests.filter(
        still_open_on(last), received_on__lte=last))))
    report.fees = handled.filter(paid_on__isnull=False).aggregate(n=Sum("fee"))["n"] or 0
    return report


# --- the earlier summary, kept for the callers that read it ------------------------------------------------

REPORT_ROWS = [
    ("予以公开", [AnswerType.DISCLOSED]),
    ("部分公开", [AnswerType.PARTLY]),
    ("不予公开", [AnswerType.NOT_DISCLOSED]),
    ("无法提供", [AnswerType.NOT_HELD, AnswerType.NEEDS_CREATION, AnswerType.UNCLEAR]),
    ("不予处理", [AnswerType.PETITION, AnswerType.REPEAT, AnswerType.PUBLISHED_MATERIAL, AnswerType.MASS,
              AnswerType.CONFIRMATION]),
    ("其他处理", [AnswerType.ALREADY_PUBLIC, AnswerType.NOT_THIS_BODY, AnswerType.SPECIAL_REGISTER, AnswerType.OTHER]),
]


def annual_report_table(year: int) -> dict:
    """A short summary by answer type (the national table is `annual_report`)."""
    answered = InfoRequest.objects.filter(answered_on__year=year)
    by_type = dict(answered.values_list("answer_type").annotate(n=Count("pk")))
    by_reason = dict(answered.filter(answer_type=AnswerType.NOT_DISCLOSED).values_list("withhold_reason")
                     .annotate(n=Count("pk")))
    return {
        "year": year,
        "received": InfoRequest.objects.filter(received_on__year=year).count(),
        "carried_over": InfoRequest.objects.filter(received_on__year=year - 1).exclude(answered_on__year=year - 1)
        .exclude(status="abandoned").count(),
        "rows": [{"label": label, "count": sum(by_type.get(t, 0) for t in types),
                  "detail": {str(AnswerType(t).label): by_type.get(t, 0) for t in types}} for label, types in REPORT_ROWS],
        "withheld": {str(WithholdReason(r).label): by_reason.get(r, 0) for r in WithholdReason.values},
        "abandoned": InfoRequest.objects.filter(received_on__year=year, status="abandoned").count(),
        "fees": sum(answered.exclude(paid_on=None).values_list("fee", flat=True)),
    }
