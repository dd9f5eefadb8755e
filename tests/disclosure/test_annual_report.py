"""Item 6: the annual report's table of requests in the national template (2021 revision): applicant types
in the columns; carried over from last year, new, each outcome, carried over to next year in the rows; totals
that balance (new + carried over from last year = total handled + carried over to next year)."""
import datetime as dt
import io
import random

import pytest
import time_machine
from openpyxl import load_workbook

from disclosure import services
from disclosure.models import AnswerType, WithholdReason
from disclosure.reports import COLUMNS, annual_report

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date
APPLICANTS = [("person", ""), ("organisation", "commercial"), ("organisation", "research"),
              ("organisation", "welfare"), ("organisation", "law_firm"), ("organisation", "other")]


def on(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=SH), tick=False)


def generate_year(bodies, officer, seed=19) -> None:
    """Requests received from November 2025 to December 2026, each taken some steps further, at random:
    answered in each way (fees included), abandoned, or still open at the end of 2026."""
    rng = random.Random(seed)
    day = D(2025, 11, 3)
    answers = [t for t in AnswerType.values]
    while day <= D(2026, 12, 28):
        if day.weekday() < 5:
            kind, organisation = rng.choice(APPLICANTS)
            with on(day):
                item = services.request_submit(
                    applicant_name="申请人", applicant_phone=f"139{rng.randrange(10**8):08d}", body=bodies.urban,
                    description="请公开某项目的审批材料", applicant_type=kind, organisation_kind=organisation)
            fate = rng.random()
            later = day + dt.timedelta(days=rng.randrange(1, 40))
            if fate < 0.1:  # a correction never returned: abandoned
                with on(day + dt.timedelta(days=1)):
                    item = services.request_correction(request=item, actor=officer, text="请补充", answer_within_days=5)
                services.sweep(today=item.correction_until + dt.timedelta(days=1))
            elif fate < 0.85:
                answer = rng.choice(answers)
                extra = {"withhold_reason": rng.choice(WithholdReason.values)} \
                    if answer in (AnswerType.NOT_DISCLOSED, AnswerType.PARTLY) else {}
                extra.update({"where_published": "市政府网站", "right_body": "市交通运输局"})
                if answer in (AnswerType.DISCLOSED, AnswerType.PARTLY) and rng.random() < 0.3:
                    extra.update(fee_method="per_page", pages=rng.choice([50, 150]))
                with on(later):
                    item = services.request_answer(request=item, actor=officer, answer_type=answer, text="答复", **extra)
                if item.fee and rng.random() < 0.5:
                    with on(later + dt.timedelta(days=3)):
                        services.request_paid(request=item, actor=officer)
                elif item.fee:
                    services.sweep(today=item.fee_due_on + dt.timedelta(days=1))
            # else: still open
        day += dt.timedelta(days=rng.choice([1, 2, 3]))


@pytest.mark.django_db
def test_the_annual_report_of_a_generated_year_balances_in_every_column(bodies, urban_officer):
    generate_year(bodies, urban_officer)
    report = annual_report(2026, body=bodies.urban)
    assert report.columns == [label for _key, label in COLUMNS] + ["总计"]
    assert [row.key for row in report.rows if not row.heading][:2] == ["new", "carried_in"]
    assert [row.key for row in report.rows if not row.heading][-2:] == ["total", "carried_out"]
    assert report.balances()
    new, carried_in = report.row("new"), report.row("carried_in")
    total, carried_out = report.row("total"), report.row("carried_out")
    for index in range(len(report.columns)):
        assert new.values[index] + carried_in.values[index] == total.values[index] + carried_out.values[index]
    # The total column adds up the applicant columns, in every row.
    for row in report.rows:
        if not row.heading:
            assert row.values[-1] == sum(row.values[:-1]), row.key
    # The outcome rows add up to the total row.
    outcome_rows = [r for r in report.rows if not r.heading and r.key not in ("new", "carried_in", "total",
                                                                              "carried_out")]
    assert sum(r.values[-1] for r in outcome_rows) == total.values[-1]
    # Real figures: requests came from 2025 and stay open into 2027, in every kind of applicant.
    assert carried_in.values[-1] > 0 and carried_out.values[-1] > 0 and new.values[-1] > 100
    assert all(value > 0 for value in new.values)
    # Last year's carried-over is this year's carried-in.
    assert annual_report(2025, body=bodies.urban).row("carried_out").values == carried_in.values
    # Another body's table is empty, the city's equals the one body's.
    assert annual_report(2026, body=bodies.district).row("new").values[-1] == 0
    assert annual_report(2026).row("total").values == total.values


@pytest.mark.django_db
def test_an_answer_whose_fee_went_unpaid_counts_once_as_abandoned_for_the_fee(bodies, urban_officer):
    with on(D(2026, 3, 2)):
        item = services.request_submit(applicant_name="甲", applicant_phone="13900000001", body=bodies.urban,
                                       description="请公开某项目的审批材料")
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED,
                                       text="予以公开", fee_method="per_page", pages=40)
    services.sweep(today=item.fee_due_on + dt.timedelta(days=1))
    report = annual_report(2026)
    assert report.row("fee_unpaid").cells["person"] == 1 and report.row("disclosed").cells["person"] == 0
    assert report.row("total").cells["total"] == 1 and report.balances()


@pytest.mark.django_db
def test_the_annual_report_exports_to_excel_and_pdf_and_an_officer_sees_only_their_body(
        client, bodies, urban_officer, district_officer, office_officer):
    with on(D(2026, 3, 2)):
        services.request_submit(applicant_name="甲", applicant_phone="13900000001", body=bodies.urban,
                                description="请公开某项目的审批材料")
    client.force_login(district_officer)
    page = client.get("/disclosure/report/2026/")
    assert page.status_code == 200 and page.context["report"].row("new").cells["total"] == 0
    assert page.context["report"].body == bodies.district
    assert client.get("/disclosure/report/2026/", {"body": bodies.urban.pk}).context["report"].body == bodies.district
    client.force_login(office_officer)
    page = client.get("/disclosure/report/2026/")
    assert page.context["report"].row("new").cells["total"] == 1 and "本年新收" in page.content.decode()
    workbook = load_workbook(io.BytesIO(client.get("/disclosure/report/2026/", {"format": "xlsx"}).content))
    rows = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert rows[0][1:] == [label for _key, label in COLUMNS] + ["总计"]
    new = next(row for row in rows if row[0] == "一、本年新收政府信息公开申请数量")
    assert new[1:] == [1, 0, 0, 0, 0, 0, 1]
    response = client.get("/disclosure/report/2026/", {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
