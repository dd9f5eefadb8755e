"""The four metrics against hand-computed figures, with the edge cases: no
ratings, a reopened petition rated twice, co-units, a month boundary."""
import datetime as dt
import io

import pytest
import time_machine

from dispatch import handling, review, routing, services
from dispatch.catalog import rule_create
from dispatch.models import Reply, Role, Target
from evaluation import aggregates, metrics, reports
from evaluation.models import DailyStat, Report
from petitions.models import Satisfaction
from petitions.services import petition_rate
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def world(city, street_handler, urban_handler, dispatcher, django_capture_on_commit_callbacks):
    """November 2026 in a two-district city (甲区 1,000,000 people, 乙区 500,000):

    p1 甲区 noise: street office leads (signs in time), urban management co (signs late);
       answered, rated satisfied + solved.
    p2 甲区 noise: lead signs in time; rated unsatisfied, reopened, rated basically satisfied + solved.
    p3 乙区 parking: its street office leads (never signs: not in time); never rated.
    p4 甲区 received 31 Oct 23:30 Beijing time (October), dispatched then.
    p5 甲区 received 30 Nov 23:59 Beijing time (still November), no rule for parking in 甲区.
    """
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    rule_create(key="noise-s", kind="sector", classification=city.noise, target=Target.UNIT,
                         lead_unit=city.urban)
    rule_create(key="parking-t", kind="territorial", classification=city.parking, area=city.other_district,
                         target=Target.STREET)
    routing.invalidate()

    def filed(when, **kw):
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            return file_petition(city, **kw)

    def act(when, fn, **kw):
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)

    p4 = filed(at(10, 31, 23, 30), complainant_phone="13700000004")
    p1 = filed(at(11, 2), complainant_phone="13700000001")
    p2 = filed(at(11, 3), complainant_phone="13700000002", area=city.community)
    p3 = filed(at(11, 4), complainant_phone="13700000003", area=city.other_street, classification=city.parking)
    p5 = filed(at(11, 30, 23, 59), complainant_phone="13700000005", classification=city.parking)

    lead1, co1 = p1.assignments.get(role=Role.LEAD), p1.assignments.get(role=Role.CO)
    act(at(11, 2, 15), handling.assignment_sign, assignment=lead1, actor=street_handler)
    act(at(11, 9), handling.assignment_sign, assignment=co1, actor=urban_handler)  # late: due 3 Nov
    act(at(11, 5), handling.assignment_answer, assignment=lead1, actor=street_handler, content="已整改完毕，音响已拆除。")
    act(at(11, 5, 11), review.reply_review, reply=Reply.objects.get(petition=p1), approve=True, actor=dispatcher)
    act(at(11, 6), petition_rate, petition=p1, satisfaction=Satisfaction.SATISFIED, solved=True)

    lead2 = p2.assignments.get(role=Role.LEAD)
    act(at(11, 3, 12), handling.assignment_sign, assignment=lead2, actor=street_handler)
    act(at(11, 4), handling.assignment_answer, assignment=lead2, actor=street_handler, content="已约谈商铺负责人，要求整改。")
    act(at(11, 4, 11), review.reply_review, reply=Reply.objects.get(petition=p2), approve=True, actor=dispatcher)
    act(at(11, 5), petition_rate, petition=p2, satisfaction=Satisfaction.UNSATISFIED, solved=False)
    act(at(11, 10), handling.assignment_answer, assignment=lead2, actor=street_handler, content="已再次上门核查处理完毕。")
    act(at(11, 10, 11), review.reply_review, reply=Reply.objects.get(petition=p2, review="pending"), approve=True,
        actor=dispatcher)
    act(at(11, 12), petition_rate, petition=p2, satisfaction=Satisfaction.BASIC, solved=True)
    aggregates.refresh(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}


NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.mark.django_db
def test_district_figures_by_hand(world, city, settings):
    settings.PORTAL_RANK_MIN_SAMPLE = 1  # a hand-made world of a few petitions: rank them all
    rows = {r.name: r for r in metrics.districts(*NOV)}
    jia, yi = rows["甲区"], rows["乙区"]
    # 万人诉求比: 甲区 p1, p2, p5 = 3 / 1,000,000 × 10,000 = 0.03; 乙区 p3 = 1 / 500,000 × 10,000 = 0.02
    assert jia.counts["petitions"] == 3 and jia.values["per_10k"] == pytest.approx(0.03)
    assert yi.values["per_10k"] == pytest.approx(0.02)
    # 响应率 (lead assignments whose sign-for limit fell in November): 甲区 p1, p2 signed in time, and p4
    # (dispatched Saturday 31 Oct, due Monday 2 Nov, never signed) = 2/3; 乙区 p3 never signed = 0/1
    assert (jia.counts["sign_due"], jia.counts["signed_in_time"]) == (3, 2)
    assert yi.values["response"] == 0.0
    # 解决率 / 满意率 count petitions by their last rating in the period: p1 satisfied + solved, p2 (unsatisfied,
    # then basically satisfied + solved) counts once, as basically satisfied + solved = 2/2 and 2/2
    assert (jia.counts["rated"], jia.counts["solved"], jia.counts["satisfied"]) == (2, 2, 2)
    assert jia.values["resolution"] == 1.0 and jia.values["satisfaction"] == 1.0
    # no ratings: no rate, not 0% and not 100%
    assert yi.values["resolution"] is None and yi.values["satisfaction"] is None
    assert yi.ranks["satisfaction"] is None and jia.ranks["satisfaction"] == 1
    assert jia.ranks["per_10k"] == 2 and yi.ranks["per_10k"] == 1  # fewer petitions per person ranks first


@pytest.mark.django_db
def test_unit_figures_count_co_units_for_response_and_the_lead_for_ratings(world, city):
    rows = {r.name: r for r in metrics.units(*NOV)}
    street, urban = rows["甲一街道办事处"], rows["市城市管理局"]
    # limits in November: the street office leads p1, p2 (in time) and p4 (never signed); urban management
    # co-handles the same three: p1 signed late, p4 never, and p2 not counted: the lead's answer covering it was
    # published on 4 Nov 11:00, before its limit (4 Nov 23:59:59), which withdrew it (the platform's decision)
    assert (street.counts["sign_due"], street.counts["signed_in_time"]) == (3, 2)
    assert (urban.counts["sign_due"], urban.counts["signed_in_time"]) == (2, 0)
    assert urban.values["response"] == 0.0
    assert street.counts["rated"] == 2 and urban.counts["rated"] == 0 and urban.values["satisfaction"] is None


@pytest.mark.django_db
def test_month_boundary_in_beijing_time(world):
    october = {r.name: r for r in metrics.districts(dt.date(2026, 10, 1), dt.date(2026, 10, 31))}
    assert october["甲区"].counts["petitions"] == 1  # p4, received 31 Oct 23:30 Beijing (15:30 UTC)
    city_nov = metrics.city(*NOV)
    assert city_nov.counts["petitions"] == 4  # p1, p2, p3, p5 (30 Nov 23:59 Beijing is still November)


@pytest.mark.django_db
def test_week_and_day_periods_sum_the_same_rows(world):
    first, last = metrics.period_bounds("weekly", dt.date(2026, 11, 4))
    assert (first, last) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    week = metrics.city(first, last)
    assert week.counts["petitions"] == 3 and week.counts["rated"] == 2  # p1, p2, p3; ratings on 5 and 6 Nov
    assert metrics.city(dt.date(2026, 11, 12), dt.date(2026, 11, 12)).counts["rated"] == 1


@pytest.mark.django_db
def test_rebuild_agrees_with_a_direct_computation(world):
    DailyStat.objects.all().delete()
    with time_machine.travel(at(12, 15), tick=False):
        aggregates.rebuild()
        assert aggregates.check(*aggregates.span()) == []
    DailyStat.objects.filter(scope="city").update(petitions=99)
    assert aggregates.check(dt.date(2026, 10, 1), dt.date(2026, 12, 15)) != []


@pytest.mark.django_db
def test_reports_are_stored_with_excel_and_pdf_and_published_without_personal_data(world, client):
    from openpyxl import load_workbook

    with time_machine.travel(at(12, 1, 1), tick=False):
        report = reports.report_generate(kind=Report.Kind.MONTHLY, day=dt.date(2026, 11, 15))
    assert report.title.endswith("（2026年11月）")
    sheet = load_workbook(io.BytesIO(report.xlsx.read())).active
    assert any(row[0] == "甲区" for row in sheet.iter_rows(values_only=True))
    assert report.pdf.read()[:5] == b"%PDF-"
    assert client.get(f"/evaluation/bulletins/{report.pk}/").status_code == 404  # not yet published
    reports.report_publish(report=report)
    page = client.get(f"/evaluation/bulletins/{report.pk}/").content.decode()
    assert "甲区" in page and "66.67%" in page
    for phone in ("13700000001", "1370000", "王小明"):
        assert phone not in page
    assert client.get(f"/evaluation/bulletins/{report.pk}.pdf").status_code == 200


@pytest.mark.django_db
def test_dashboard_needs_a_supervisory_role(client, world, supervisor, street_handler):
    client.force_login(street_handler)
    assert client.get("/evaluation/").status_code == 403
    client.force_login(supervisor)
    response = client.get("/evaluation/", {"month": "2026-11"})
    assert response.status_code == 200
    assert "chart.umd.min.js" in response.content.decode() and "cdn" not in response.content.decode().lower()
    assert client.get("/evaluation/", {"month": "garbage"}).status_code == 200


@pytest.mark.django_db
def test_public_statistics_page(client, world):
    with time_machine.travel(at(11, 30, 12), tick=False):
        page = client.get("/evaluation/statistics/")
    assert page.status_code == 200 and "甲区" in page.content.decode()


def test_equal_values_share_a_rank_and_a_small_sample_is_listed_but_not_ranked(settings):
    from evaluation.metrics import COUNTERS, Row, rank

    settings.PORTAL_RANK_MIN_SAMPLE = 10

    def row(key, rated, satisfied):
        counts = dict.fromkeys(COUNTERS, 0)
        counts.update(rated=rated, satisfied=satisfied, solved=satisfied, dispatched=rated, signed_in_time=rated)
        return Row(key, f"单位{key}", None, counts).compute()

    rows = rank([row(1, 20, 20), row(2, 40, 40), row(3, 20, 18), row(4, 1, 1)])
    ranks = {r.key: r.ranks["satisfaction"] for r in rows}
    assert ranks == {1: 1, 2: 1, 3: 3, 4: None}  # one rated petition does not top the ranking


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01", "2026-13", "-5-1"])
def test_a_month_out_of_range_shows_this_month_and_stores_nothing(client, world, supervisor, month):
    # Before the fix: 9999-12 and 0001-01 were a 500 (OverflowError at the period's bounds), and any month that
    # parsed left stored figures (Snapshot rows) of its own.
    from evaluation.models import Snapshot

    client.force_login(supervisor)
    with time_machine.travel(at(11, 20), tick=False):
        response = client.get("/evaluation/", {"month": month})
    assert response.status_code == 200
    assert (response.context["first"], response.context["last"]) == NOV  # this month instead
    assert not Snapshot.objects.exclude(first__gte=dt.date(2025, 11, 1), last__lte=dt.date(2026, 11, 30)).exists()


@pytest.mark.django_db
def test_a_petition_merged_after_the_refresh_window_leaves_its_received_day(world, city, dispatcher, act):
    # p3 was received on 4 November and was still open on 1 December, when the dispatcher merged it into p5:
    # 4 November is older than the beat's refresh window, so before the fix its stored row kept counting p3.
    with time_machine.travel(at(12, 1), tick=False):
        aggregates.refresh_recent()
        assert aggregates.check(*aggregates.span()) == []
    act(at(12, 1, 11), services.dispatch_merge, petition=world["p3"], into=world["p5"], actor=dispatcher,
        duplicate=True, reason="同一违停事项")
    with time_machine.travel(at(12, 1, 12), tick=False):
        aggregates.refresh_recent()
        assert aggregates.check(*aggregates.span()) == []
        assert metrics.city(*NOV).counts["petitions"] == 3  # p1, p2, p5


@pytest.mark.django_db
def test_a_media_item_routed_out_after_the_refresh_window_leaves_its_received_day(city, dispatcher, act):
    from petitions.models import Petition, Stream
    from petitions.services import petition_screen

    media = act(at(11, 3), file_petition, city=city, channel="media", complainant_phone="13700000009")
    assert Petition.objects.get(pk=media.pk).status == "screening"  # counted while it waits to be screened
    with time_machine.travel(at(11, 30), tick=False):
        aggregates.refresh(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        assert metrics.city(*NOV).counts["petitions"] == 1
    act(at(11, 30, 11), petition_screen, petition=Petition.objects.get(pk=media.pk), stream=Stream.PUBLIC_OPINION,
        actor=dispatcher, routed_to="市委宣传部舆情办")
    with time_machine.travel(at(11, 30, 12), tick=False):
        aggregates.refresh_recent()
        assert aggregates.check(*aggregates.span()) == []
        assert metrics.city(*NOV).counts["petitions"] == 0


@pytest.mark.django_db
def test_publishing_a_bulletin_counts_the_platforms_decisions_made_since_it_was_generated(
        world, city, other_street_handler, dispatcher, act, client):
    from dispatch.models import ReturnRequest

    # 乙区's street office asked on 4 November, by its limit, to return p3, and never signed for it.
    lead3 = world["p3"].assignments.get(role=Role.LEAD)
    act(at(11, 4, 12), handling.assignment_request_return, assignment=lead3, actor=other_street_handler,
        reason="该路段停车管理不属于本街道职责范围。")
    with time_machine.travel(at(12, 1, 0, 30), tick=False):  # beat: the bulletin, before the platform decided
        report = reports.report_generate(kind=Report.Kind.MONTHLY, day=dt.date(2026, 11, 30))
    district = {d["name"]: d for d in report.data["districts"]}["乙区"]
    assert (district["counts"]["sign_due"], district["values"]["response"]) == (1, 0.0)
    # The platform approves the return on 3 December: its waiting time is the platform's, not the unit's
    # (DOMAIN.md section 4). Before the fix the bulletin published afterwards still charged 乙区 with it.
    act(at(12, 3), review.return_decide, request=ReturnRequest.objects.get(assignment=lead3), approve=True,
        actor=dispatcher)
    with time_machine.travel(at(12, 3, 11), tick=False):
        published = reports.report_publish(report=report)
    district = {d["name"]: d for d in published.data["districts"]}["乙区"]
    assert (district["counts"]["sign_due"], district["values"]["response"]) == (0, None)
    assert published.published_at == at(12, 3, 11) and published.generated_at == at(12, 3, 11)
    page = client.get(f"/evaluation/bulletins/{report.pk}/")
    assert {d["name"]: d for d in page.context["data"]["districts"]}["乙区"]["counts"]["sign_due"] == 0
    # Published, it is what the city read: publishing again changes nothing.
    with time_machine.travel(at(12, 10), tick=False):
        again = reports.report_publish(report=published)
    assert again.published_at == at(12, 3, 11) and again.generated_at == at(12, 3, 11)
