"""响应率 judges a sign-for limit only once it has come, and never charges a unit for the platform's time
(docs/evaluation.md, "Response"): today's figures leave out the limits still to come (a 23:59:59 limit at 10:00,
an urgent one-hour limit), and a return (退单) the unit asked for by its limit is withdrawn in time however long
the platform took to approve it. The daily counters and a full recount agree at every step."""
import datetime as dt

import pytest
import time_machine

from dispatch import handling, review, routing
from dispatch.catalog import rule_create
from dispatch.models import Role, Target
from evaluation import aggregates, metrics
from evaluation.models import DailyStat
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def at(day, hour=10, minute=0, month=11):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def street_rule(city):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    rule_create(key="heat", kind="sector", classification=city.heating_outage, target=Target.SECTOR)
    routing.invalidate()


def response(first, last, name=None):
    """(signed in time, limits due) of the city, or of the unit named, as the pages read them (DailyStat)."""
    if name is None:
        counts = metrics.city(first, last).counts
    else:
        counts = next((r.counts for r in metrics.units(first, last) if r.name == name),
                      {"signed_in_time": 0, "sign_due": 0})
    return counts["signed_in_time"], counts["sign_due"]


@pytest.mark.django_db
def test_a_limit_still_to_come_today_is_neither_met_nor_missed(city, street_rule, act, street_handler):
    # Monday 16 Nov 09:00: three petitions; the street office must sign by Tuesday 17 Nov 23:59:59.
    filed = [act(at(16, 9), file_petition, city=city, complainant_phone=f"1370000000{i}") for i in range(3)]
    leads = [p.assignments.get(role=Role.LEAD) for p in filed]
    assert leads[0].sign_due_at == at(17, 23, 59) + dt.timedelta(seconds=59)
    # An urgent item (heating outage): its limit is an hour after dispatch, Tuesday 11:00.
    heating = act(at(17, 10), file_petition, city=city, classification=city.heating_outage,
                  complainant_phone="13700000009").assignments.get(role=Role.LEAD)
    assert heating.sign_due_at == at(17, 11)

    # Tuesday 10:00: nothing has come yet. Before the fix every limit of the day counted as missed (0 of 4).
    with time_machine.travel(at(17, 10, 30), tick=False):
        aggregates.refresh_recent()
        assert response(*NOV) == (0, 0)
        assert metrics.city(*NOV).values["response"] is None  # "—": nothing due yet, not 0%
        assert response(dt.date(2026, 11, 1), dt.date(2026, 11, 17)) == (0, 0)  # the home page's month to date
    # One is signed for at 10:40: met, though its limit is still to come.
    act(at(17, 10, 40), handling.assignment_sign, assignment=leads[0], actor=street_handler)
    with time_machine.travel(at(17, 10, 45), tick=False):
        aggregates.refresh_recent()
        assert response(*NOV) == (1, 1)
        assert response(*NOV, name="甲一街道办事处") == (1, 1)
    # 11:05: the urgent limit has passed unsigned: missed. The 23:59:59 ones still wait.
    with time_machine.travel(at(17, 11, 5), tick=False):
        aggregates.refresh_recent()
        assert response(*NOV) == (1, 2)
        assert aggregates.check(*NOV, now=at(17, 11, 5)) == []
    # Wednesday 00:05: every limit of Tuesday has come; two were never signed for.
    with time_machine.travel(at(18, 0, 5), tick=False):
        aggregates.refresh_recent()
        assert response(*NOV) == (1, 4)
        assert response(*NOV, name="甲一街道办事处") == (1, 3)
        assert aggregates.check(*NOV) == []


@pytest.mark.django_db
def test_the_rebuild_and_its_check_agree_in_the_middle_of_a_day(city, street_rule, act, street_handler):
    filed = act(at(16, 9), file_petition, city=city, complainant_phone="13700000001")
    act(at(16, 9), file_petition, city=city, complainant_phone="13700000002")
    act(at(17, 9), handling.assignment_sign, assignment=filed.assignments.get(role=Role.LEAD), actor=street_handler)
    with time_machine.travel(at(17, 12), tick=False):
        aggregates.rebuild()
        assert aggregates.check(*aggregates.span()) == []
        assert response(*NOV) == (1, 1)


def ask_return(act, petition, actor, when):
    return act(when, handling.assignment_request_return, assignment=petition.assignments.get(role=Role.LEAD),
               actor=actor, reason="该事项属于市城市管理局行业监管职责，不属于街道。")


@pytest.mark.django_db
def test_a_return_asked_by_the_limit_is_not_charged_to_the_unit_however_late_the_platform_approves(
        city, street_rule, act, street_handler, dispatcher):
    # Monday 16 Nov: two petitions for the street office, limits Tuesday 23:59:59. It asks to return both on
    # Monday 10:00 (先办后议: it could also have signed; it did not).
    approved, refused = (act(at(16, 9), file_petition, city=city, complainant_phone=f"1370000000{i}")
                         for i in range(2))
    approve_req, refuse_req = ask_return(act, approved, street_handler, at(16, 10)), \
        ask_return(act, refused, street_handler, at(16, 10))
    # The platform decides on Wednesday, after the limit: one approved (to urban management), one refused.
    act(at(18, 10), review.return_decide, request=approve_req, approve=True, actor=dispatcher, note="同意退单",
        new_lead=city.urban)
    act(at(18, 10), review.return_decide, request=refuse_req, approve=False, actor=dispatcher,
        note="属地街道负责，请继续办理。")
    with time_machine.travel(at(18, 10, 5), tick=False):
        aggregates.refresh_recent()
        # Before the fix the approved return counted as missed: (0, 2). The refused one was the unit's to sign.
        assert response(*NOV, name="甲一街道办事处") == (0, 1)
        assert response(*NOV, name="市城市管理局") == (0, 0)  # its own limit (Thursday) is still to come
        assert aggregates.check(*NOV) == []


@pytest.mark.django_db
def test_a_return_asked_after_the_limit_stays_late(city, street_rule, act, street_handler, dispatcher):
    petition = act(at(16, 9), file_petition, city=city, complainant_phone="13700000001")
    request = ask_return(act, petition, street_handler, at(18, 9))  # Wednesday: the limit passed unsigned
    act(at(18, 10), review.return_decide, request=request, approve=True, actor=dispatcher, note="同意退单")
    with time_machine.travel(at(18, 10, 5), tick=False):
        aggregates.refresh_recent()
        assert response(*NOV, name="甲一街道办事处") == (0, 1)


@pytest.mark.django_db
def test_an_approval_older_than_the_refresh_window_refreshes_the_day_of_the_limit(city, street_rule, act,
                                                                                  street_handler, dispatcher):
    petition = act(at(2, 9), file_petition, city=city, complainant_phone="13700000001")  # due Tue 3 Nov
    request = ask_return(act, petition, street_handler, at(2, 10))
    with time_machine.travel(at(4, 0, 5), tick=False):
        aggregates.refresh_recent()
        assert response(*NOV, name="甲一街道办事处") == (0, 1)  # waits for the platform: still the unit's
    # The platform approves on 30 November, long after the beat stopped refreshing 3 November.
    assert at(30).date() - dt.timedelta(days=aggregates.REFRESH_DAYS) > dt.date(2026, 11, 3)
    act(at(30, 10), review.return_decide, request=request, approve=True, actor=dispatcher, note="同意退单",
        new_lead=city.urban)
    assert response(*NOV, name="甲一街道办事处") == (0, 0)
    assert DailyStat.objects.filter(day=dt.date(2026, 11, 3), unit=city.street_office).count() == 0
    with time_machine.travel(at(30, 10, 5), tick=False):
        aggregates.refresh_recent()
        assert aggregates.check(*NOV) == []
