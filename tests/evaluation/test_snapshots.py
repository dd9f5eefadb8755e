"""Issue 20, target 3: the evaluation dashboard and the bulletins read stored figures (evaluation.snapshots,
evaluation.aggregates.rating_counts), and those equal a full recount: ratings made after a snapshot (a petition
rated unsatisfied then satisfied across it), a rating recorded late, a closed period, every table of the bulletin."""
import datetime as dt

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch import handling, review, services
from dispatch.models import Reply, Role
from evaluation import aggregates, metrics, snapshots
from evaluation.models import Snapshot
from petitions.models import Petition, Rating, Satisfaction
from petitions.services import petition_rate
from tests.evaluation.test_metrics import NOV, at, world  # noqa: F401  (the fixture)
from tests.factories import file_petition


def plain(counts) -> dict:
    return {key: dict(values) for key, values in counts.items() if any(values.values())}


def direct_bulletin(monkeypatch, first, last) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(aggregates, "rating_counts", aggregates.rating_counts_direct)
        return metrics.bulletin(first, last)


@pytest.mark.django_db
def test_snapshot_and_the_ratings_since_equal_a_full_recount(world, city, act, street_handler, dispatcher,  # noqa: F811
                                                              monkeypatch):
    monkeypatch.setattr(aggregates, "SNAPSHOT_REBUILD", dt.timedelta(days=30))  # the ratings since, read each time
    with time_machine.travel(at(11, 20), tick=False):
        first_read = plain(aggregates.rating_counts(*NOV))
        snapshot = Snapshot.objects.get(key=f"ratings:{NOV[0]}:{NOV[1]}")
        assert snapshot.as_of == at(11, 20) - aggregates.SNAPSHOT_MARGIN and snapshot.data["rows"]
        assert first_read == plain(aggregates.rating_counts_direct(*NOV))
    # After the snapshot: a new petition rated unsatisfied, re-handled and rated satisfied; its last rating counts.
    p6 = act(at(11, 21), file_petition, city=city, complainant_phone="13700000006")
    lead = p6.assignments.get(role=Role.LEAD)
    act(at(11, 21, 11), handling.assignment_sign, assignment=lead, actor=street_handler)
    act(at(11, 21, 12), handling.assignment_answer, assignment=lead, actor=street_handler,
        content="已联系物业，要求商铺限制营业时间。")
    act(at(11, 21, 13), review.reply_review, reply=Reply.objects.get(petition=p6), approve=True, actor=dispatcher)
    act(at(11, 22), petition_rate, petition=p6, satisfaction=Satisfaction.UNSATISFIED, solved=False)
    with time_machine.travel(at(11, 22, 1), tick=False):
        assert plain(aggregates.rating_counts(*NOV)) == plain(aggregates.rating_counts_direct(*NOV))
        city_rated = metrics.city(*NOV).counts["rated"]
    act(at(11, 23), handling.assignment_answer, assignment=lead, actor=street_handler, content="已再次上门处理完毕。")
    act(at(11, 23, 11), review.reply_review, reply=Reply.objects.get(petition=p6, review="pending"), approve=True,
        actor=dispatcher)
    act(at(11, 24), petition_rate, petition=Petition.objects.get(pk=p6.pk), satisfaction=Satisfaction.SATISFIED,
        solved=True)
    with time_machine.travel(at(11, 24, 1), tick=False):
        assert Snapshot.objects.get(key=f"ratings:{NOV[0]}:{NOV[1]}").as_of == snapshot.as_of  # not recomputed
        counts = plain(aggregates.rating_counts(*NOV))
        assert counts == plain(aggregates.rating_counts_direct(*NOV))
        assert metrics.city(*NOV).counts["rated"] == city_rated  # p6 once, by its last rating
        assert metrics.city(*NOV).counts["satisfied"] == 3  # p1, p2 (basic), p6
        assert metrics.bulletin(*NOV) == direct_bulletin(monkeypatch, *NOV)

    # A rating recorded with a time before the snapshot (a late commit, a correction): the snapshot is dropped.
    Rating.objects.create(petition=world["p3"], round=1, satisfaction=Satisfaction.UNSATISFIED, solved=False,
                          source=Rating.Source.CALLBACK, rated_at=at(11, 15))
    assert not Snapshot.objects.filter(key=f"ratings:{NOV[0]}:{NOV[1]}").exists()
    with time_machine.travel(at(11, 24, 2), tick=False):
        assert plain(aggregates.rating_counts(*NOV)) == plain(aggregates.rating_counts_direct(*NOV))
        assert metrics.city(*NOV).counts["rated"] == city_rated + 1


@pytest.mark.django_db
def test_a_closed_month_is_read_from_its_snapshot_alone(world, monkeypatch, django_assert_num_queries):  # noqa: F811
    with time_machine.travel(at(12, 20), tick=False):
        expected = direct_bulletin(monkeypatch, *NOV)
        assert metrics.bulletin(*NOV) == expected
        assert Snapshot.objects.get(key=f"ratings:{NOV[0]}:{NOV[1]}").as_of > at(12, 1, 0)  # after the month
        with django_assert_num_queries(1):  # the snapshot: no rating is read again
            aggregates.rating_counts(*NOV)
        assert metrics.bulletin(*NOV) == expected


@pytest.mark.django_db
def test_the_ratings_since_the_snapshot_are_counted_once_between_two_ratings(world, monkeypatch,  # noqa: F811
                                                                             django_assert_num_queries):
    # The statistics page asks for a dozen periods a request: the ratings made since each period's snapshot are
    # counted once, then read from the cache until another rating comes (issue 20, target 3).
    monkeypatch.setattr(aggregates, "SNAPSHOT_REBUILD", dt.timedelta(days=30))
    with time_machine.travel(at(11, 20), tick=False):
        aggregates.rating_counts(*NOV)  # the snapshot
    Rating.objects.create(petition=world["p3"], round=1, satisfaction=Satisfaction.SATISFIED, solved=True,
                          source=Rating.Source.CALLBACK, rated_at=at(11, 21))
    with time_machine.travel(at(11, 22), tick=False):
        first = plain(aggregates.rating_counts(*NOV))
        assert first == plain(aggregates.rating_counts_direct(*NOV))
        with django_assert_num_queries(2):  # the snapshot and the mark of the ratings since: no recount
            assert plain(aggregates.rating_counts(*NOV)) == first
    # Another rating: counted at the next read.
    Rating.objects.create(petition=world["p3"], round=2, satisfaction=Satisfaction.UNSATISFIED, solved=False,
                          source=Rating.Source.CALLBACK, rated_at=at(11, 23))
    with time_machine.travel(at(11, 24), tick=False):
        assert plain(aggregates.rating_counts(*NOV)) == plain(aggregates.rating_counts_direct(*NOV)) != first


@pytest.mark.django_db
def test_the_dashboard_reads_stored_analysis_and_refresh_recomputes_it(world, client, supervisor):  # noqa: F811
    client.force_login(supervisor)
    with time_machine.travel(at(11, 30, 12), tick=False):
        first = client.get("/evaluation/", {"month": "2026-11"})
        assert first.status_code == 200 and Snapshot.objects.filter(key=f"analysis:{NOV[0]}:{NOV[1]}").exists()
        top = first.context["top"]
        assert top and top[0]["count"] == 4  # p1, p2, p3 and p5 under 城市管理 in November
        # A new petition: the stored analysis is served until it ages or the task refreshes it.
        Petition.objects.filter(pk=world["p4"].pk).update(received_at=at(11, 29))
        assert client.get("/evaluation/", {"month": "2026-11"}).context["top"][0]["count"] == 4
        snapshots.refresh(dt.date(2026, 11, 30))  # just computed: the task leaves it
        assert client.get("/evaluation/", {"month": "2026-11"}).context["top"][0]["count"] == 4
    refreshed = at(11, 30, 12) + snapshots.REFRESH_EVERY * 2
    with time_machine.travel(refreshed, tick=False):
        snapshots.refresh(dt.date(2026, 11, 30))  # a reader would find it aged before the next run: recomputed
        assert client.get("/evaluation/", {"month": "2026-11"}).context["top"][0]["count"] == 5
    with time_machine.travel(refreshed + snapshots.ANALYSIS_MAX_AGE + dt.timedelta(minutes=1), tick=False):
        Petition.objects.filter(pk=world["p4"].pk).update(received_at=at(10, 31, 23, 30))
        assert client.get("/evaluation/", {"month": "2026-11"}).context["top"][0]["count"] == 4  # aged: recomputed


@pytest.mark.django_db
def test_the_metrics_api_stores_no_snapshot_for_a_period_of_its_own(world, supervisor, monkeypatch):  # noqa: F811
    # /api/v1/metrics/ takes any period: before the fix each one asked for left a row in the table for good.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=supervisor)[0].key}")
    with time_machine.travel(at(12, 20), tick=False):
        for day in range(2, 12):
            response = api.get("/api/v1/metrics/", {"first": f"2026-11-{day:02d}", "last": f"2026-11-{day + 13:02d}"})
            assert response.status_code == 200
        assert not Snapshot.objects.filter(key__startswith="ratings:").exists()
        # The figures are still exactly a full recount's, and a second read comes from the cache.
        assert metrics.bulletin(dt.date(2026, 11, 3), dt.date(2026, 11, 16)) == direct_bulletin(
            monkeypatch, dt.date(2026, 11, 3), dt.date(2026, 11, 16))
        # The periods the pages and reports publish are stored: a month, a week, a day, a year.
        for first, last in [NOV, (dt.date(2026, 11, 2), dt.date(2026, 11, 8)), (dt.date(2026, 11, 5),) * 2,
                            (dt.date(2026, 1, 1), dt.date(2026, 12, 31))]:
            assert api.get("/api/v1/metrics/", {"first": first, "last": last}).status_code == 200
        assert Snapshot.objects.filter(key__startswith="ratings:").count() == 4


@pytest.mark.django_db
def test_a_period_to_date_is_stored_and_yesterdays_dropped(world):  # noqa: F811
    # The home page (this month so far) and the statistics page (this year so far) ask for a new period each day.
    with time_machine.travel(at(11, 16), tick=False):
        metrics.city(dt.date(2026, 11, 1), dt.date(2026, 11, 16))
        metrics.city(dt.date(2026, 11, 16), dt.date(2026, 11, 16))  # today alone: a day, kept
    with time_machine.travel(at(11, 17), tick=False):
        metrics.city(dt.date(2026, 11, 1), dt.date(2026, 11, 17))
    assert set(Snapshot.objects.filter(key__startswith="ratings:").values_list("key", flat=True)) == {
        "ratings:2026-11-01:2026-11-17", "ratings:2026-11-16:2026-11-16"}


@pytest.mark.django_db
def test_figures_stored_for_good_follow_a_late_change_of_their_days(world, city, dispatcher, act):  # noqa: F811
    # November is final on 20 December: its analysis and the 12-month chart's closed months are stored for good.
    with time_machine.travel(at(12, 20), tick=False):
        assert snapshots.period_analysis(*NOV)["top"][0]["count"] == 4  # p1, p2, p3, p5
        series = snapshots.monthly_series()
        november = series["labels"].index("2026-11")
        assert series["petitions"][november] == 4 and series["satisfaction"][november] == 100.0
        assert Snapshot.objects.filter(key__startswith="series:").exists()
    # A rating recorded late, dated in November (a callback entered after the fact): before the fix the chart
    # kept November's stored satisfaction.
    Rating.objects.create(petition=world["p3"], round=1, satisfaction=Satisfaction.UNSATISFIED, solved=False,
                          source=Rating.Source.CALLBACK, rated_at=at(11, 15))
    with time_machine.travel(at(12, 20, 11), tick=False):
        series = snapshots.monthly_series()
        assert series["satisfaction"][november] == round(2 / 3 * 100, 2)
    # p3 merged into p5 on 20 December: November counts it no more, in the chart and in its analysis either.
    act(at(12, 20, 12), services.dispatch_merge, petition=Petition.objects.get(pk=world["p3"].pk), into=world["p5"],
        actor=dispatcher, duplicate=True, reason="同一违停事项")
    with time_machine.travel(at(12, 20, 13), tick=False):
        assert snapshots.monthly_series()["petitions"][november] == 3
        assert snapshots.period_analysis(*NOV)["top"][0]["count"] == 3
        assert aggregates.check(*aggregates.span()) == []
