"""The clocks swept by beat: yellow, red into the pool, sign-for chases,
escalation through three levels, repeated-complaint notices, the look-back,
and recomputing deadlines when the calendar changes. Time is frozen."""
import datetime as dt

import pytest
import time_machine

from dispatch import handling, review
from dispatch import recompute
from dispatch import services as dispatch_services
from dispatch.models import Assignment, LookbackSample, Reply, Role, WarningLevel
from dispatch.sweeps import lookback_draw, lookback_record, recompute_deadlines, sweep_deadlines
from org.models import CalendarDay
from petitions.models import Satisfaction, Status
from supervision.models import CaseEvent, CaseKind, CaseStatus, Level, SupervisionCase
from supervision.services import notice_reply, sweep_escalations
from tests.concurrency import postgres_only, race
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def at(day, hour=9, minute=0, second=0):
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=SH)


@pytest.fixture
def dispatched(city, catalog, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    return petition


def lead(petition):
    return petition.assignments.get(role=Role.LEAD)


@pytest.mark.django_db
def test_yellow_at_three_quarters_then_red_into_the_pool(dispatched):
    a = lead(dispatched)
    # 3 working days: Mon 09:00 -> Thu 23:59:59; 75% of the working time (office hours 09:00-17:00 of
    # Tue, Wed, Thu) is used a quarter into Thursday's office hours: Thu 11:00, not in the night.
    assert a.handle_due_at == at(26, 23, 59, 59)
    assert a.warn_at == at(26, 11, 0)
    assert sweep_deadlines(now=at(26, 10, 59, 59))["yellow"] == 0
    assert sweep_deadlines(now=at(26, 11, 0))["yellow"] == 2  # lead and co-unit
    assert sweep_deadlines(now=at(26, 11, 5))["yellow"] == 0  # idempotent
    a.refresh_from_db()
    assert a.warning == WarningLevel.YELLOW
    assert sweep_deadlines(now=at(26, 23, 59, 58))["red"] == 0
    counts = sweep_deadlines(now=at(27, 0, 0, 1))
    assert counts["red"] == 2
    a.refresh_from_db()
    assert (a.warning, a.overdue_at) == (WarningLevel.RED, at(27, 0, 0, 1))
    case = SupervisionCase.objects.get(object_id=a.pk, kind=CaseKind.OVERDUE)
    assert (case.level, case.status, case.unit, case.reference) == (Level.HOTLINE, CaseStatus.OPEN, a.unit,
                                                                    dispatched.number)
    notice = case.notices.get()
    # The notice's own reply deadline: 2 working days (Fri 27 Nov -> Tue 1 Dec).
    assert notice.reply_due_at == dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=SH)
    assert sweep_deadlines(now=at(27, 1))["red"] == 0
    assert SupervisionCase.objects.count() == 2


@pytest.mark.django_db
def test_sign_for_overdue_is_chased_once(dispatched):
    counts = sweep_deadlines(now=at(25, 0, 0, 1))  # sign-for by Tue 23:59:59
    assert counts["sign_overdue"] == 2
    assert sweep_deadlines(now=at(25, 1))["sign_overdue"] == 0
    assert lead(dispatched).sign_overdue_at == at(25, 0, 0, 1)


@pytest.mark.django_db
def test_a_paused_clock_does_not_turn_red(dispatched, street_handler):
    with time_machine.travel(MON, tick=False):
        handling.assignment_sign(assignment=lead(dispatched), actor=street_handler)
        handling.assignment_wait_for_citizen(assignment=lead(dispatched), actor=street_handler, reason="等待补充材料")
    sweep_deadlines(now=at(30))
    assert lead(dispatched).warning == WarningLevel.NONE


@pytest.mark.django_db
def test_answering_closes_the_overdue_case(dispatched, street_handler):
    sweep_deadlines(now=at(27, 1))
    a = lead(dispatched)
    with time_machine.travel(at(27, 9), tick=False):
        handling.assignment_sign(assignment=a, actor=street_handler)
        handling.assignment_answer(assignment=a, actor=street_handler, content="已现场处置完毕，商铺停止外放。")
    case = SupervisionCase.objects.get(object_id=a.pk, kind=CaseKind.OVERDUE)
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
def test_escalation_through_three_levels(dispatched):
    sweep_deadlines(now=at(27, 1))
    case = SupervisionCase.objects.get(object_id=lead(dispatched).pk)
    # Opened Fri 27 Nov: escalates after 3 working days, Wed 2 Dec 23:59:59; the unanswered
    # notice (reply due Tue 1 Dec 23:59:59) escalates it first.
    assert case.escalate_at == dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=SH)
    assert sweep_escalations(now=dt.datetime(2026, 12, 1, 23, 59, 0, tzinfo=SH))["escalated"] == 0
    sweep_escalations(now=dt.datetime(2026, 12, 2, 0, 0, 1, tzinfo=SH))
    case.refresh_from_db()
    assert case.level == Level.INSPECTION
    assert case.notices.filter(level=Level.INSPECTION).exists()
    assert sweep_escalations(now=dt.datetime(2026, 12, 2, 0, 0, 2, tzinfo=SH))["escalated"] == 0
    sweep_escalations(now=dt.datetime(2026, 12, 20, tzinfo=SH))
    case.refresh_from_db()
    assert case.level == Level.DISCIPLINE and case.escalate_at is None
    sweep_escalations(now=dt.datetime(2027, 2, 1, tzinfo=SH))
    case.refresh_from_db()
    assert case.level == Level.DISCIPLINE
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 2


@pytest.mark.django_db
def test_a_reply_in_time_stops_the_notice_escalation(dispatched, street_handler):
    sweep_deadlines(now=at(27, 1))
    case = SupervisionCase.objects.get(object_id=lead(dispatched).pk)
    with time_machine.travel(at(27, 10), tick=False):
        notice_reply(notice=case.notices.get(), actor=street_handler, text="已安排专人今日上门处理。")
    sweep_escalations(now=dt.datetime(2026, 12, 2, 0, 0, 1, tzinfo=SH))
    case.refresh_from_db()
    assert case.level == Level.HOTLINE


@pytest.mark.django_db
def test_third_complaint_sends_a_special_notice(city, catalog, django_capture_on_commit_callbacks):
    for _ in range(3):  # the same caller about the same noise, three times
        with django_capture_on_commit_callbacks(execute=True):
            file_petition(city, complainant_phone="13900000001")
    case = SupervisionCase.objects.get(kind=CaseKind.REPEAT)
    assert case.level == Level.INSPECTION and case.notices.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        file_petition(city, complainant_phone="13900000001")
    # The matter is already under special supervision: a 4th call does not open a second case.
    assert SupervisionCase.objects.filter(kind=CaseKind.REPEAT).count() == 1


def _close(petition, handler, dispatcher, when):
    from dispatch.models import Reply
    from dispatch.review import callback_record

    with time_machine.travel(when, tick=False):
        a = lead(petition)
        handling.assignment_sign(assignment=a, actor=handler)
        handling.assignment_answer(assignment=a, actor=handler, content="已现场处置完毕，商铺停止外放。")
        review.reply_review(reply=Reply.objects.get(petition=petition, review="pending"), approve=True,
                              actor=dispatcher)
        callback_record(petition=petition, actor=dispatcher, satisfaction=Satisfaction.SATISFIED, solved=True)


@pytest.mark.django_db
def test_lookback_draws_once_and_reopens_a_false_closure(city, catalog, street_handler, dispatcher, supervisor,
                                                         settings, django_capture_on_commit_callbacks):
    settings.PORTAL_LOOKBACK_RATE_PERCENT = 50
    petitions = []
    for i in range(4):
        with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
            petitions.append(file_petition(city, complainant_phone=f"1360000000{i}", area=city.other_street
                                           if i % 2 else city.street))
    for p in petitions:
        with django_capture_on_commit_callbacks(execute=True):
            _close(p, street_handler if lead(p).unit == city.street_office else _handler(city, lead(p).unit),
                   dispatcher, at(24))
    assert lookback_draw(month=dt.date(2026, 11, 1)) == 2
    assert lookback_draw(month=dt.date(2026, 11, 15)) == 0  # same month: same sample, nothing added
    sample = LookbackSample.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        lookback_record(sample=sample, actor=supervisor, false_closure=True, note="回访核实问题仍存在，属假办结")
    petition = sample.petition
    petition.refresh_from_db()
    assert (petition.status, petition.handling_round) == (Status.IN_PROGRESS, 2)
    assert lead(petition).status == "signed"
    assert SupervisionCase.objects.filter(kind=CaseKind.FALSE_CLOSURE, object_id=petition.pk).exists()


def _handler(city, unit):
    from org.models import User
    from tests.factories import make_user

    return User.objects.filter(unit=unit).first() or make_user(f"h{unit.pk}", "unit_handler", unit)


@pytest.mark.django_db
def test_calendar_change_moves_open_deadlines(dispatched):
    a = lead(dispatched)
    assert a.handle_due_at == at(26, 23, 59, 59)
    CalendarDay.objects.create(date=dt.date(2026, 11, 25), is_workday=False, name="临时假日")
    assert recompute_deadlines(years=[2026]) == 2
    a.refresh_from_db()
    assert a.handle_due_at == at(27, 23, 59, 59)


@pytest.mark.django_db
def test_idle_sweep_reads_no_rows(dispatched, django_assert_max_num_queries):
    # Four empty index probes (yellow, red, sign-for reminder, sign-for overdue); in a test each
    # transaction adds a savepoint and its release. The supervision case's content type is read once per
    # process (Django caches it), as in a worker that has swept before.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Assignment)
    with django_assert_max_num_queries(12):
        assert sweep_deadlines(now=at(24)) == {"yellow": 0, "red": 0, "sign_reminded": 0, "sign_overdue": 0}


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_flag_each_row_once(city, catalog):
    with time_machine.travel(MON, tick=False):
        for i in range(30):
            file_petition(city, complainant_phone=f"135000000{i:02d}", area=city.other_street)
    now = at(27, 1)
    results = race(lambda: sweep_deadlines(now=now, batch=7), lambda: sweep_deadlines(now=now, batch=7))
    assert all(kind == "ok" for kind, _ in results), results
    total = Assignment.objects.count()
    assert sum(r[1]["red"] for r in results) == total
    assert SupervisionCase.objects.filter(kind=CaseKind.OVERDUE).count() == total


@pytest.mark.django_db
def test_a_sweep_in_many_batches_writes_each_case_event_and_notice_once_and_tells_units_the_exact_count(
        city, catalog, django_capture_on_commit_callbacks):
    from notifications.models import Notification
    from supervision.models import CaseEvent, SupervisionCase, SupervisionNotice

    city.street_office.phone = "13900000001"
    city.street_office.save()
    with time_machine.travel(at(20, 10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(7):
                file_petition(city)
    overdue = Assignment.objects.filter(role="lead").count()
    counts = sweep_deadlines(now=at(28, 10), batch=2)  # four batches for seven leads
    assert counts["red"] == Assignment.objects.count()
    cases = SupervisionCase.objects.filter(kind="overdue")
    assert cases.count() == counts["red"]
    assert CaseEvent.objects.filter(case__in=cases).count() == counts["red"]
    assert SupervisionNotice.objects.filter(case__in=cases).count() == counts["red"]
    digests = Notification.objects.filter(recipient="13900000001", key__contains="pool:overdue")
    assert digests.count() == 1 and f"{overdue}" in digests.get().subject



@pytest.mark.django_db
def test_review_time_is_the_platforms_a_rejected_answer_gets_its_review_days_back(
        dispatched, street_handler, dispatcher):
    from dispatch.models import Reply

    lead = Assignment.objects.get(petition=dispatched, role=Role.LEAD)
    with time_machine.travel(at(20, 10), tick=False):
        handling.assignment_sign(assignment=lead, actor=street_handler)
        handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，已处理完毕。")
    lead.refresh_from_db()
    due_before = lead.handle_due_at
    # The platform takes three working days (Mon 23 .. Thu 26 Nov) to look at it, then rejects it.
    with time_machine.travel(at(26, 10), tick=False):
        review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher, note="答复未说明整改结果")
    lead.refresh_from_db()
    assert lead.status == "signed"
    assert lead.handle_due_at.date() > due_before.date()  # the three working days in review come back
    sweep_deadlines(now=due_before + dt.timedelta(minutes=1))
    lead.refresh_from_db()
    assert lead.warning != WarningLevel.RED and lead.overdue_at is None  # not red a minute later


@pytest.mark.django_db
def test_closing_a_petition_closes_every_open_case_co_units_included(city, catalog, street_handler,
                                                                   django_capture_on_commit_callbacks):
    from dispatch import services as dispatch_services

    with time_machine.travel(at(20, 10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = file_petition(city)
    sweep_deadlines(now=at(28, 10))  # lead and co-unit overdue: both in the pool
    assert SupervisionCase.objects.filter(status=CaseStatus.OPEN).count() == 2
    dispatch_services.on_petition_closed(petition_id=petition.pk)
    assert SupervisionCase.objects.filter(status=CaseStatus.OPEN).count() == 0


@pytest.mark.django_db
def test_a_false_closure_found_on_a_confidential_petition_reaches_the_unit_masked(
        city, catalog, street_handler, dispatcher, supervisor, settings, django_capture_on_commit_callbacks):
    from notifications.models import Notification
    from supervision.models import SupervisionNotice

    settings.PORTAL_LOOKBACK_RATE_PERCENT = 100
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city, confidential=True)
    with django_capture_on_commit_callbacks(execute=True):
        _close(petition, street_handler, dispatcher, at(24))
    assert lookback_draw(month=dt.date(2026, 11, 1)) == 1
    before = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        lookback_record(sample=LookbackSample.objects.get(), actor=supervisor, false_closure=True,
                        note="电话回访王小明（13912345678），称噪音仍在，属假办结")
    to_unit = [n.body for n in Notification.objects.exclude(pk__in=before).exclude(recipient="13912345678")] + list(
        SupervisionNotice.objects.values_list("text", flat=True))
    assert any("假办结" in body for body in to_unit), to_unit
    assert not any("王小明" in body or "13912345678" in body for body in to_unit), to_unit


@pytest.mark.django_db
def test_removing_an_overdue_co_unit_closes_its_case(dispatched, urban_handler, dispatcher, act):
    co = dispatched.assignments.get(role=Role.CO)
    act(at(23, 10), handling.assignment_sign, assignment=co, actor=urban_handler)
    sweep_deadlines(now=at(27, 9))  # due Thu 26 23:59:59: the co-unit is in the pool on Friday
    case = SupervisionCase.objects.get(object_id=co.pk, kind=CaseKind.OVERDUE)
    act(at(27, 10), dispatch_services.dispatch_remove_co_unit, assignment=co, actor=dispatcher, reason="不需要协办")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    sweep_escalations(now=at(27, 9) + dt.timedelta(days=10))
    case.refresh_from_db()
    assert (case.status, case.level) == (CaseStatus.CLOSED, Level.HOTLINE)  # nothing escalates on a removed unit


@pytest.mark.django_db
def test_an_approved_return_of_an_overdue_co_unit_closes_its_case(dispatched, urban_handler, dispatcher, act):
    co = dispatched.assignments.get(role=Role.CO)
    act(at(23, 10), handling.assignment_sign, assignment=co, actor=urban_handler)
    request = act(at(23, 11), handling.assignment_request_return, assignment=co, actor=urban_handler,
                  reason="此事项不属于城管职责范围，请退回。")
    sweep_deadlines(now=at(27, 9))
    case = SupervisionCase.objects.get(object_id=co.pk, kind=CaseKind.OVERDUE)
    act(at(27, 10), review.return_decide, request=request, approve=True, actor=dispatcher, note="同意退单")
    case.refresh_from_db()
    co.refresh_from_db()
    assert (co.status, case.status) == ("cancelled", CaseStatus.CLOSED)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["python", pytest.param("sql", marks=postgres_only)])
def test_review_days_given_back_survive_a_calendar_change(dispatched, street_handler, dispatcher, act, path):
    a = lead(dispatched)
    act(at(23, 10), handling.assignment_sign, assignment=a, actor=street_handler)
    act(at(24, 10), handling.assignment_answer, assignment=a, actor=street_handler, content="经现场核查，已处理完毕。")
    # Rejected Mon 30 Nov: the four working days in review (25, 26, 27, 30 Nov) come back: due Thu 26 -> Wed 2 Dec.
    act(at(30, 10), review.reply_review, reply=Reply.objects.get(), approve=False, actor=dispatcher,
        note="答复未说明整改结果")
    a.refresh_from_db()
    given = a.handle_due_at
    assert given == dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=SH)
    # An unrelated day of the year is corrected: the open clocks of 2026 are recomputed from their columns.
    CalendarDay.objects.create(date=dt.date(2026, 12, 31), is_workday=False, name="更正")
    if path == "python":
        recompute._recompute_python([2026], 1000)
    else:
        recompute._recompute_sql([2026], 1000)
    a.refresh_from_db()
    assert a.handle_due_at == given
    sweep_deadlines(now=at(30, 12))
    a.refresh_from_db()
    assert a.warning != WarningLevel.RED and not SupervisionCase.objects.filter(object_id=a.pk).exists()


@pytest.mark.django_db
def test_an_extension_approved_after_the_deadline_closes_the_overdue_case(dispatched, street_handler, dispatcher,
                                                                         act):
    a = lead(dispatched)
    act(at(23, 10), handling.assignment_sign, assignment=a, actor=street_handler)
    request = act(at(24, 10), handling.assignment_request_extension, assignment=a, actor=street_handler, days=5,
                  reason="需要等待环保部门出具噪音检测报告。")
    sweep_deadlines(now=at(27, 0, 0, 1))  # due Thu 26: the platform has not decided yet, the unit is in the pool
    case = SupervisionCase.objects.get(object_id=a.pk, kind=CaseKind.OVERDUE)
    act(at(27, 10), review.extension_decide, request=request, approve=True, actor=dispatcher, note="同意")
    case.refresh_from_db()
    a.refresh_from_db()
    assert a.handle_due_at == dt.datetime(2026, 12, 3, 23, 59, 59, tzinfo=SH)  # Thu 26 Nov + 5 working days
    assert case.status == CaseStatus.CLOSED and a.warning != WarningLevel.RED
    sweep_deadlines(now=at(27, 11))
    sweep_escalations(now=dt.datetime(2026, 12, 3, 10, tzinfo=SH))
    assert not SupervisionCase.objects.filter(object_id=a.pk, status=CaseStatus.OPEN).exists()


@pytest.mark.django_db
def test_the_published_answer_ends_the_co_units_clocks(dispatched, street_handler, urban_handler, dispatcher, act):
    a, co = lead(dispatched), dispatched.assignments.get(role=Role.CO)
    act(at(23, 10), handling.assignment_sign, assignment=a, actor=street_handler)
    act(at(23, 10), handling.assignment_sign, assignment=co, actor=urban_handler)
    act(at(23, 11), handling.assignment_answer, assignment=a, actor=street_handler,
        content="经联合执法，商铺已停止外放音响。")
    act(at(23, 15), review.reply_review, reply=Reply.objects.get(), approve=True, actor=dispatcher)
    co.refresh_from_db()
    assert co.status == "cancelled"  # the lead's answer covers it: no clock left to run
    sweep_deadlines(now=at(27, 0, 0, 1))  # past the co-unit's deadline, the petition awaiting its callback
    co.refresh_from_db()
    assert co.warning != WarningLevel.RED
    assert not SupervisionCase.objects.filter(status=CaseStatus.OPEN).exists()
