"""Information requests on their legal clock, on the 2026 official calendar
(National Day 1-7 Oct with Saturday 10 Oct worked; Spring Festival 15-23 Feb
with Saturdays 14 and 28 Feb worked). Dates hand-counted in the comments."""
import datetime as dt

import pytest
import time_machine

from disclosure import rules, services
from disclosure.models import AnswerType, InfoRequest, RequestStatus
from lib.errors import DomainError
from org.calendar import get_calendar
from supervision.models import CaseKind, SupervisionCase
from tests.factories import make_user

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def on(day: dt.date, hour=10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH), tick=False)


@pytest.fixture
def officer(city):
    from django.contrib.auth.models import Permission

    user = make_user("ogi_head", "admin", city.platform)
    user.user_permissions.add(Permission.objects.get(codename="approve_extension"))
    return user


def submit(day, **kw):
    with on(day):
        return services.request_submit(applicant_name="张三", applicant_phone="13900000001",
                                       description="请公开2026年老旧小区改造项目清单", **kw)


@pytest.mark.django_db
def test_received_online_and_due_in_20_working_days_across_national_day():
    request = submit(D(2026, 9, 28))
    # Sep 29, 30 (2); Oct 1-7 off; Oct 8, 9, 10 (Sat, worked) (5); 12-16 (10); 19-23 (15); 26-30 (20).
    assert (request.received_on, request.due_on) == (D(2026, 9, 28), D(2026, 10, 30))


@pytest.mark.django_db
def test_due_across_the_spring_festival_2026():
    request = submit(D(2026, 2, 10))
    # Feb 11-13 (3), Sat 14 worked (4), 15-23 off, 24-27 (8), Sat 28 worked (9), Mar 2-6 (14), 9-13 (19), 16 (20).
    assert request.due_on == D(2026, 3, 16)


@pytest.mark.django_db
def test_registered_mail_counts_from_the_day_it_was_signed_for():
    with pytest.raises(DomainError) as raised:
        submit(D(2026, 11, 20), via=InfoRequest.Via.MAIL)
    assert raised.value.field == "signed_for_on"
    request = submit(D(2026, 11, 25), via=InfoRequest.Via.MAIL, signed_for_on=D(2026, 11, 23))
    assert request.received_on == D(2026, 11, 23)


@pytest.mark.django_db
def test_whole_clock_with_a_correction_an_extension_and_a_consultation(officer):
    request = submit(D(2026, 9, 28))
    with on(D(2026, 9, 30)):
        request = services.request_correction(request=request, actor=officer, text="请补充小区名称和所在街道",
                                              answer_within_days=30)
    # The clock is stopped: past the original due date (30 Oct) it is not overdue.
    assert request.status == RequestStatus.CORRECTION
    assert services.sweep(today=D(2026, 10, 31)) == {"overdue": 0, "abandoned": 0, "resumed": 0}
    with on(D(2026, 10, 1)), pytest.raises(DomainError) as raised:
        services.request_correction(request=request, actor=officer, text="再补充")
    assert raised.value.code == "second_correction"
    with on(D(2026, 10, 12)):
        request = services.request_corrected(request=request, text="请公开市南区金湖路小区的改造清单")
    # The clock restarts on 12 Oct: 13-16 (4), 19-23 (9), 26-30 (14), Nov 2-6 (19), Nov 9 (20); the legal
    # receipt date (Art. 31) stays 28 Sep, and the restart is recorded on its own (Art. 30).
    assert (request.received_on, request.clock_restarted_on, request.due_on) == (
        D(2026, 9, 28), D(2026, 10, 12), D(2026, 11, 9))
    with on(D(2026, 10, 20)):
        request = services.request_consult(request=request, actor=officer)
    with on(D(2026, 11, 3)):
        request = services.request_consulted(request=request)
    # Oct 21-23 (3), 26-30 (8), Nov 2-3 (10) in consultation: Nov 9 + 10 working days = Nov 23.
    assert (request.consulted_workdays, request.due_on) == (10, D(2026, 11, 23))
    with on(D(2026, 11, 4)):
        request = services.request_extend(request=request, actor=officer, days=20, reason="需协调多个部门")
    # Nov 23 + 20 working days: Nov 24-27 (4), Nov 30-Dec 4 (9), 7-11 (14), 14-18 (19), 21 (20).
    assert request.due_on == D(2026, 12, 21)
    with on(D(2026, 11, 5)), pytest.raises(DomainError) as raised:
        services.request_extend(request=request, actor=officer, days=5, reason="再延")
    assert raised.value.code == "second_extension"
    with on(D(2026, 12, 18)):
        request = services.request_answer(request=request, actor=officer, answer_type=AnswerType.DISCLOSED,
                                          text="现将项目清单提供如下")
    assert request.status == RequestStatus.ANSWERED
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["received", "correction", "corrected", "consulting", "consulted", "extended", "answered"]


@pytest.mark.django_db
def test_correction_after_seven_working_days_is_refused(officer):
    request = submit(D(2026, 9, 28))
    # 7 working days after 28 Sep: 29, 30, Oct 8, 9, 10, 12, 13 -> the notice is due by 13 Oct.
    from org.calendar import get_calendar

    assert rules.correction_notice_deadline(get_calendar(), D(2026, 9, 28)) == D(2026, 10, 13)
    with on(D(2026, 10, 14)), pytest.raises(DomainError) as raised:
        services.request_correction(request=request, actor=officer, text="补充")
    assert raised.value.code == "correction_too_late"


@pytest.mark.django_db
def test_extension_needs_the_head_of_the_office(city, officer):
    clerk = make_user("clerk", "admin", city.platform)
    request = submit(D(2026, 11, 2))
    with pytest.raises(DomainError) as raised:
        services.request_extend(request=request, actor=clerk, days=5, reason="x")
    assert raised.value.code == "not_allowed"
    with pytest.raises(DomainError) as raised:
        services.request_extend(request=request, actor=officer, days=21, reason="x")
    assert raised.value.field == "days"


@pytest.mark.django_db
@pytest.mark.parametrize("answer_type,extra,missing", [
    (AnswerType.ALREADY_PUBLIC, {"where_published": "市政府门户网站“政府信息公开”栏目"}, "where_published"),
    (AnswerType.DISCLOSED, {}, None),
    (AnswerType.PARTLY, {"withhold_reason": "third_party"}, "withhold_reason"),
    (AnswerType.NOT_DISCLOSED, {"withhold_reason": "state_secret"}, "withhold_reason"),
    (AnswerType.NOT_HELD, {}, None),
    (AnswerType.NOT_THIS_BODY, {"right_body": "市自然资源和规划局"}, "right_body"),
    (AnswerType.REPEAT, {}, None),
    (AnswerType.PETITION, {}, None),
    (AnswerType.SPECIAL_REGISTER, {}, None),
])
def test_each_answer_type_and_what_it_requires(officer, answer_type, extra, missing):
    request = submit(D(2026, 11, 2))
    if missing:
        with pytest.raises(DomainError) as raised:
            services.request_answer(request=request, actor=officer, answer_type=answer_type, text="答复")
        assert raised.value.field == missing
    answered = services.request_answer(request=request, actor=officer, answer_type=answer_type, text="答复", **extra)
    assert (answered.answer_type, answered.status) == (answer_type, RequestStatus.ANSWERED)


@pytest.mark.parametrize("nth,fee", [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300)])
def test_fee_per_request_bands(nth, fee):
    assert rules.fee_per_request(nth) == fee


@pytest.mark.parametrize("pages,fee", [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700),
                                       (201, 2740), (250, 4700)])
def test_fee_per_page_bands(pages, fee):
    assert rules.fee_per_pages(pages) == fee


@pytest.mark.django_db
def test_eleventh_request_of_the_month_is_charged_and_unpaid_fee_abandons(officer):
    for i in range(11):
        request = submit(D(2026, 11, 2))
    answered = services.request_answer(request=request, actor=officer, answer_type=AnswerType.DISCLOSED,
                                       text="答复", fee_method="per_request")
    assert (answered.fee, answered.status) == (100, RequestStatus.FEE_DUE)
    assert services.sweep(today=answered.fee_due_on)["abandoned"] == 0
    assert services.sweep(today=answered.fee_due_on + dt.timedelta(days=1))["abandoned"] == 1
    answered.refresh_from_db()
    assert answered.status == RequestStatus.ABANDONED


@pytest.mark.django_db
def test_overdue_request_enters_the_supervision_pool_once(officer):
    request = submit(D(2026, 9, 28))  # due 30 Oct
    assert services.sweep(today=D(2026, 10, 30))["overdue"] == 0
    assert services.sweep(today=D(2026, 10, 31))["overdue"] == 1
    assert services.sweep(today=D(2026, 11, 2))["overdue"] == 0
    case = SupervisionCase.objects.get(kind=CaseKind.DISCLOSURE_OVERDUE)
    assert case.reference == request.number
    services.request_answer(request=request, actor=officer, answer_type=AnswerType.DISCLOSED, text="答复")
    case.refresh_from_db()
    assert case.status == "closed"


@pytest.mark.django_db
def test_correction_not_returned_in_time_abandons(officer):
    request = submit(D(2026, 11, 2))
    with on(D(2026, 11, 3)):
        request = services.request_correction(request=request, actor=officer, text="补充", answer_within_days=5)
    assert services.sweep(today=request.correction_until)["abandoned"] == 0
    assert services.sweep(today=request.correction_until + dt.timedelta(days=1))["abandoned"] == 1


@pytest.mark.django_db
def test_annual_report_table(officer):
    for answer_type, extra in ((AnswerType.DISCLOSED, {}), (AnswerType.NOT_DISCLOSED, {"withhold_reason": "process"}),
                               (AnswerType.NOT_HELD, {}), (AnswerType.REPEAT, {})):
        with on(D(2026, 11, 2)):
            request = submit(D(2026, 11, 2))
            services.request_answer(request=request, actor=officer, answer_type=answer_type, text="答复", **extra)
    table = services.annual_report_table(2026)
    rows = {row["label"]: row["count"] for row in table["rows"]}
    assert rows == {"予以公开": 1, "部分公开": 0, "不予公开": 1, "无法提供": 1, "不予处理": 1, "其他处理": 0}
    assert table["received"] == 4 and sum(table["withheld"].values()) == 1


@pytest.mark.django_db
def test_art_32_a_silent_third_party_has_15_working_days_then_the_clock_resumes(officer):
    with on(D(2026, 11, 2)):
        request = services.request_submit(applicant_name="赵六", applicant_phone="13655556666",
                                          description="申请公开某企业的环评审批材料")
    first_due = request.due_on
    with on(D(2026, 11, 4)):
        request = services.request_consult(request=request, actor=officer)
    assert request.consultation_due_on == D(2026, 11, 25)  # 15 working days
    assert services.sweep(today=D(2026, 11, 25))["resumed"] == 0
    assert services.sweep(today=D(2026, 11, 26))["resumed"] == 1  # silence recorded, the clock runs again
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and request.consulted_workdays == 15
    assert request.due_on == get_calendar().add_workdays(first_due, 15).due
    assert request.events.filter(kind="consulted").get().data["silent"] is True


@pytest.mark.django_db
def test_the_fee_month_is_the_beijing_month_and_fees_only_on_answers_that_supply_information(officer):
    import datetime as _dt

    from disclosure.models import AnswerType

    # Ten requests in October, then one at 07:30 Beijing time on 1 November (23:30 UTC on 31 October).
    for day in range(1, 11):
        with on(D(2026, 10, day + 5)):
            services.request_submit(applicant_name="钱七", applicant_phone="13611112222", description=f"第{day}件申请内容")
    with time_machine.travel(_dt.datetime(2026, 11, 1, 7, 30, tzinfo=SH), tick=False):
        first_of_month = services.request_submit(applicant_name="钱七", applicant_phone="13611112222",
                                                 description="十一月的第一件申请")
    with on(D(2026, 11, 3)):
        answered = services.request_answer(request=first_of_month, actor=officer, answer_type=AnswerType.DISCLOSED,
                                           text="现予公开。", fee_method="per_request")
    assert answered.fee == 0  # the first of November, not the eleventh of October
    with on(D(2026, 10, 20)):
        eleventh = services.request_submit(applicant_name="钱七", applicant_phone="13611112222", description="第十一件")
        refused = services.request_answer(request=eleventh, actor=officer, answer_type=AnswerType.NOT_HELD,
                                          text="本机关未制作或获取该信息。", fee_method="per_request")
    assert refused.fee == 0  # nothing supplied, nothing charged
