"""Nothing waits without a clock: a unit's stop of its handling clock needs a reason from a fixed
list, shows in the unit's own history, and past PORTAL_PAUSE_CAP_WORKING_DAYS (10) working days in
a handling round the clock runs again until the platform approves a longer stop.

Time is frozen. The noise item has 3 working days: signed Mon 23 Nov 2026 09:00, due Thu 26 23:59:59."""
import datetime as dt

import pytest
import time_machine

from dispatch import counters, handling, review, selectors
from dispatch.models import Assignment, Pause, PauseApproval, PauseReason, Reply, Role, WarningLevel
from dispatch.sweeps import sweep_deadlines, sweep_waiting_clocks
from lib.errors import DomainError
from petitions.models import EventKind
from supervision.models import CaseKind, CaseStatus, SupervisionCase
from supervision.services import sweep_escalations
from tests.factories import file_petition, make_user

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def day(month, d, hour=9, minute=0, second=0):
    return dt.datetime(2026, month, d, hour, minute, second, tzinfo=SH)


@pytest.fixture
def signed(city, catalog, street_handler, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = file_petition(city)
        lead = petition.assignments.get(role=Role.LEAD)
        handling.assignment_sign(assignment=lead, actor=street_handler)
    lead.refresh_from_db()
    assert lead.handle_due_at == day(11, 26, 23, 59, 59)
    return lead


def stop(assignment, actor, when, code=PauseReason.MATERIALS, reason=""):
    with time_machine.travel(when, tick=False):
        return handling.assignment_wait_for_citizen(assignment=assignment, actor=actor, code=code, reason=reason)


def restart(assignment, actor, when):
    with time_machine.travel(when, tick=False):
        return handling.assignment_resume(assignment=assignment, actor=actor)


@pytest.mark.django_db
def test_a_pause_needs_a_reason_from_the_fixed_list(signed, street_handler):
    with pytest.raises(DomainError) as error:
        stop(signed, street_handler, day(11, 23, 10), code="just_because", reason="先放一放")
    assert error.value.field == "code"
    with pytest.raises(DomainError) as error:
        stop(signed, street_handler, day(11, 23, 10), code=PauseReason.OTHER, reason="  ")
    assert error.value.field == "reason"
    signed.refresh_from_db()
    assert signed.paused_at is None and not Pause.objects.exists()
    stop(signed, street_handler, day(11, 23, 10), code=PauseReason.INSPECTION)
    assert Pause.objects.get().reason == PauseReason.INSPECTION


@pytest.mark.django_db
def test_the_unit_page_refuses_a_pause_without_a_listed_reason(client, signed, street_handler):
    client.force_login(street_handler)
    response = client.post(f"/dispatch/a/{signed.pk}/wait/", {"reason": "等一等"})
    assert response.status_code == 400 and response.context["wait_form"].errors["code"]
    response = client.post(f"/dispatch/a/{signed.pk}/wait/", {"code": "other", "reason": ""})
    assert response.status_code == 400 and response.context["wait_form"].errors["reason"]
    assert not Pause.objects.exists()


@pytest.mark.django_db
def test_a_pause_and_its_reason_show_in_the_units_own_history(client, signed, street_handler):
    stop(signed, street_handler, day(11, 23, 10), code=PauseReason.JUDICIAL)
    restart(signed, street_handler, day(11, 25, 10))
    client.force_login(street_handler)
    page = client.get(f"/dispatch/a/{signed.pk}/").content.decode()
    label = str(PauseReason.JUDICIAL.label)
    assert label in page  # the clock-stops table and the history both name the reason
    history = [e for e in page.split('<ol class="timeline">')[1].split("</ol>")[0].split("<li>") if label in e]
    assert history, "the stop is in the unit's history"
    assert signed.petition.events.filter(kind=EventKind.CLOCK).count() == 2
    pause = Pause.objects.get()
    assert (pause.ended_at, pause.workdays) == (day(11, 25, 10), 2)


@pytest.mark.django_db
def test_past_the_cap_the_clock_runs_again_until_the_platform_approves(signed, street_handler):
    stop(signed, street_handler, day(11, 23, 10))
    pause = Pause.objects.get()
    # Ten working days after Mon 23 Nov: Mon 7 Dec 23:59:59.
    assert pause.cap_at == day(12, 7, 23, 59, 59)
    assert sweep_waiting_clocks(now=day(12, 7, 23, 59, 58))["pauses_capped"] == 0
    assert sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))["pauses_capped"] == 1
    signed.refresh_from_db()
    pause.refresh_from_db()
    assert signed.paused_at is None  # the clock runs again from the cap
    assert pause.approval == PauseApproval.PENDING and pause.workdays == 10
    # The deadline moved by the ten working days stopped, no more: Thu 26 Nov + 10 = Thu 10 Dec.
    assert signed.handle_due_at == day(12, 10, 23, 59, 59)
    assert sweep_waiting_clocks(now=day(12, 8, 1))["pauses_capped"] == 0  # once
    # Nobody approved: the unit turns red when that deadline passes, though it still "waits".
    sweep_deadlines(now=day(12, 11, 0, 0, 1))
    signed.refresh_from_db()
    assert signed.warning == WarningLevel.RED


@pytest.mark.django_db
def test_an_approved_longer_stop_stops_the_clock_again_from_the_cap(signed, street_handler, dispatcher):
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    with time_machine.travel(day(12, 9, 10), tick=False):
        handling.pause_decide(pause=Pause.objects.get(), actor=dispatcher, approve=True, note="等待司法鉴定结果")
    signed.refresh_from_db()
    assert signed.paused_at == day(12, 7, 23, 59, 59)
    sweep_deadlines(now=day(12, 11, 0, 0, 1))
    signed.refresh_from_db()
    assert signed.warning != WarningLevel.RED  # stopped: never red
    restart(signed, street_handler, day(12, 14, 9))
    signed.refresh_from_db()
    # From the cap (Mon 7 Dec) to Mon 14 Dec: 5 more working days: Thu 10 Dec + 5 = Thu 17 Dec.
    assert signed.handle_due_at == day(12, 17, 23, 59, 59)
    assert Pause.objects.get().approval == PauseApproval.APPROVED


@pytest.mark.django_db
def test_a_refused_longer_stop_keeps_the_clock_running(signed, street_handler, supervisor):
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    pause = Pause.objects.get()
    with pytest.raises(DomainError):
        handling.pause_decide(pause=pause, actor=supervisor, approve=False, note="")  # a refusal says why
    with time_machine.travel(day(12, 9, 10), tick=False):
        handling.pause_decide(pause=pause, actor=supervisor, approve=False, note="鉴定无需等待，请先行处置")
    signed.refresh_from_db()
    pause.refresh_from_db()
    assert signed.paused_at is None and signed.handle_due_at == day(12, 10, 23, 59, 59)
    assert (pause.approval, pause.ended_at) == (PauseApproval.REFUSED, day(12, 9, 10))


@pytest.mark.django_db
def test_the_cap_counts_every_stop_of_the_round(signed, street_handler):
    stop(signed, street_handler, day(11, 23, 10))
    restart(signed, street_handler, day(12, 1, 10))  # 24, 25, 26, 27, 30 Nov, 1 Dec: 6 working days
    assert Pause.objects.get().workdays == 6
    stop(signed, street_handler, day(12, 2, 10), code=PauseReason.COORDINATION)
    # 4 working days left: Thu 3, Fri 4, Mon 7, Tue 8 Dec.
    assert Pause.objects.get(ended_at__isnull=True).cap_at == day(12, 8, 23, 59, 59)


@pytest.mark.django_db
def test_the_cap_is_a_setting(signed, street_handler, settings):
    settings.PORTAL_PAUSE_CAP_WORKING_DAYS = 2
    stop(signed, street_handler, day(11, 23, 10))
    assert Pause.objects.get().cap_at == day(11, 25, 23, 59, 59)


@pytest.mark.django_db
def test_only_the_platform_decides_a_stop_past_the_cap(signed, street_handler):
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    with pytest.raises(DomainError):
        handling.pause_decide(pause=Pause.objects.get(), actor=street_handler, approve=True)
    assert Pause.objects.get().approval == PauseApproval.PENDING


@pytest.mark.django_db
def test_supervisors_approve_from_their_page_and_a_district_only_its_own(client, signed, street_handler, supervisor,
                                                                        operator, city):
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    pause = Pause.objects.get()
    other_district = make_user("d2_platform", "district_supervisor", _district_gov(city.other_district))
    client.force_login(other_district)
    assert signed.petition.number not in client.get("/dispatch/supervision/pauses/").content.decode()
    assert client.post("/dispatch/supervision/pauses/", {"pause": pause.pk, f"p{pause.pk}-approve": "yes"}
                       ).status_code == 404
    client.force_login(operator)
    assert client.get("/dispatch/supervision/pauses/").status_code == 403
    client.force_login(supervisor)
    page = client.get("/dispatch/supervision/pauses/").content.decode()
    assert signed.petition.number in page
    refused = client.post("/dispatch/supervision/pauses/", {"pause": pause.pk, f"p{pause.pk}-approve": "no"})
    assert refused.status_code == 400  # a refusal without a note
    with time_machine.travel(day(12, 9, 10), tick=False):
        response = client.post("/dispatch/supervision/pauses/", {"pause": pause.pk, f"p{pause.pk}-approve": "yes"})
    assert response.status_code == 302
    pause.refresh_from_db()
    assert (pause.approval, pause.decided_by) == (PauseApproval.APPROVED, supervisor)
    # Sent again (a second click, the back button): said to be decided already, not "Not found".
    again = client.post("/dispatch/supervision/pauses/", {"pause": pause.pk, f"p{pause.pk}-approve": "yes"},
                        follow=True)
    assert again.status_code == 200 and "已处理" in again.content.decode()
    assert client.post("/dispatch/supervision/pauses/", {"pause": "x"}).status_code == 404


def _district_gov(district):
    from org.models import HandlingUnit

    unit = HandlingUnit.objects.create(code=f"GOV-{district.code}", name=f"{district.name}人民政府",
                                       kind="district_government")
    unit.areas.set([district])
    return unit


@pytest.mark.django_db
def test_a_stop_on_a_withdrawn_assignment_just_ends_at_the_cap(signed, street_handler, dispatcher, city):
    from dispatch import services

    stop(signed, street_handler, day(11, 23, 10))
    with time_machine.travel(day(11, 24, 10), tick=False):
        services.dispatch_redispatch(petition=signed.petition, lead_unit=city.other_street_office, actor=dispatcher,
                                     reason="改派乙一街道")
    assert sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))["pauses_capped"] == 0
    pause = Pause.objects.get()
    assert (pause.ended_at, pause.approval) == (day(12, 7, 23, 59, 59), PauseApproval.NONE)
    assert not signed.petition.events.filter(kind=EventKind.CLOCK, data__clock="capped").exists()


@pytest.mark.django_db
def test_the_api_takes_the_reason_from_the_same_list(client, signed, street_handler):
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=street_handler)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    url = f"/api/v1/assignments/{signed.pk}/wait/"
    assert client.post(url, {"code": "bogus", "reason": "x"}, content_type="application/json", **headers).status_code == 400
    assert client.post(url, {"code": "other"}, content_type="application/json", **headers).status_code == 400
    assert not Pause.objects.exists()
    with time_machine.travel(day(11, 23, 10), tick=False):
        response = client.post(url, {"code": "inspection"}, content_type="application/json", **headers)
    assert response.status_code == 200
    assert Pause.objects.get().reason == PauseReason.INSPECTION


@pytest.mark.django_db
def test_a_district_platform_decides_stops_in_its_own_district_only(signed, street_handler, city):
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    pause = Pause.objects.get()
    other = make_user("d2_platform", "district_supervisor", _district_gov(city.other_district))
    with pytest.raises(DomainError):
        handling.pause_decide(pause=pause, actor=other, approve=True)
    own = make_user("d1_platform", "district_supervisor", city.district_gov)
    with time_machine.travel(day(12, 9, 10), tick=False):
        handling.pause_decide(pause=pause, actor=own, approve=True)
    assert Pause.objects.get().approval == PauseApproval.APPROVED


@pytest.mark.django_db
def test_answering_while_the_clock_is_stopped_keeps_the_stopped_days(signed, street_handler, dispatcher):
    stop(signed, street_handler, day(11, 24, 10))
    # The materials arrive Mon 30 Nov and the unit answers at once, without pressing "Resume" first.
    with time_machine.travel(day(11, 30, 10), tick=False):
        handling.assignment_answer(assignment=signed, actor=street_handler, content="收到当事人补充材料后已现场核查处理。")
    signed.refresh_from_db()
    # The four working days stopped (25, 26, 27, 30 Nov) are the unit's: Thu 26 Nov -> Wed 2 Dec.
    assert (signed.paused_at, signed.waited_days) == (None, 4)
    assert signed.handle_due_at == day(12, 2, 23, 59, 59)
    assert Pause.objects.get().workdays == 4
    with time_machine.travel(day(12, 1, 10), tick=False):
        review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher, note="答复未说明整改结果")
    sweep_deadlines(now=day(12, 1, 11))
    signed.refresh_from_db()
    # Rejected: one more working day in review (1 Dec) comes back; not red an hour later.
    assert signed.handle_due_at == day(12, 3, 23, 59, 59) and signed.waited_days == 5
    assert signed.warning != WarningLevel.RED


@pytest.mark.django_db
def test_an_urgent_items_stops_use_the_allowance_in_working_days(city, catalog, django_capture_on_commit_callbacks):
    heat = make_user("heat", "unit_handler", city.heating)
    with time_machine.travel(MON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = file_petition(city, classification=city.heating_outage)
        lead = petition.assignments.get(role=Role.LEAD)
        handling.assignment_sign(assignment=lead, actor=heat)
    stop(lead, heat, day(11, 23, 10), code=PauseReason.INSPECTION)
    restart(lead, heat, day(12, 4, 10))
    # Nine working days stopped (24 Nov .. 4 Dec), though the urgent deadline moved by the hours stopped.
    assert Pause.objects.get().workdays == 9
    second = stop(lead, heat, day(12, 4, 11), code=PauseReason.INSPECTION)
    # One working day of the round's ten is left: the stop ends Mon 7 Dec unless the platform approves.
    assert Pause.objects.get(ended_at__isnull=True).cap_at == day(12, 7, 23, 59, 59)
    assert sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))["pauses_capped"] == 1
    second.refresh_from_db()
    assert second.paused_at is None
    assert Pause.objects.get(approval=PauseApproval.PENDING).workdays == 1


def _red_on_the_dashboard(assignment) -> int:
    counts = selectors.open_work_summary(selectors.open_work_counts(), "unit__name")
    return sum(row["red"] for row in counts if row["unit__name"] == assignment.unit.name)


@pytest.mark.django_db
def test_the_platforms_late_approval_of_a_longer_stop_lifts_the_red_mark_and_closes_the_case(
        signed, street_handler, dispatcher):
    """Fair clocks: the allowance runs out (Mon 7 Dec), the clock runs again while the platform decides, the deadline
    (Thu 10 Dec) passes and the sweep turns the lead unit red with a case. The platform then approves the longer stop: the
    time since the cap is the platform's, so the unit is not overdue and the case neither stays open nor escalates."""
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    with time_machine.travel(day(12, 11, 0, 0, 1), tick=False):
        sweep_deadlines(now=day(12, 11, 0, 0, 1))
    signed.refresh_from_db()
    case = SupervisionCase.objects.get(kind=CaseKind.OVERDUE, object_id=signed.pk)
    assert signed.warning == WarningLevel.RED and case.status == CaseStatus.OPEN
    assert _red_on_the_dashboard(signed) == 1
    with time_machine.travel(day(12, 11, 10), tick=False):
        handling.pause_decide(pause=Pause.objects.get(), actor=dispatcher, approve=True, note="等待司法鉴定结果")
    signed.refresh_from_db()
    case.refresh_from_db()
    assert signed.paused_at == day(12, 7, 23, 59, 59)
    # The clock stands at the cap, with its 75% point passed (Mon 7 Dec) but its deadline still to come: yellow.
    assert signed.warning == WarningLevel.YELLOW and signed.warn_at <= day(12, 7, 23, 59, 59)
    assert signed.overdue_at == day(12, 11, 0, 0, 1)  # on record, as after an extension approved late
    assert case.status == CaseStatus.CLOSED and case.close_note
    event = signed.petition.events.filter(kind=EventKind.CLOCK, data__clock="approved").get()
    assert event.data["overdue_lifted"] is True
    counters.compact()
    assert counters.check() == [] and _red_on_the_dashboard(signed) == 0
    # A week later nothing escalates, and the stopped clock is not flagged again.
    with time_machine.travel(day(12, 18, 9), tick=False):
        sweep_escalations(now=day(12, 18, 9))  # the co-unit's own case, its clock never stopped, does escalate
        sweep_deadlines(now=day(12, 18, 9))
    case.refresh_from_db()
    assert (case.status, case.level, case.notices.count()) == (CaseStatus.CLOSED, 1, 1)
    restart(signed, street_handler, day(12, 18, 10))
    signed.refresh_from_db()
    # From the cap to Fri 18 Dec: 9 more working days, Thu 10 Dec -> Wed 23 Dec, and no red.
    assert signed.handle_due_at == day(12, 23, 23, 59, 59) and signed.warning != WarningLevel.RED
    assert not SupervisionCase.objects.filter(object_id=signed.pk, status=CaseStatus.OPEN).exists()


@pytest.mark.django_db
def test_an_approval_leaves_red_a_deadline_that_passed_before_the_cap(signed, street_handler, dispatcher):
    """The unit's own time: overdue Fri 27 Nov, it then stops the clock; the deadline moved by the allowance still
    passed before the cap, so the platform's approval does not lift the mark."""
    sweep_deadlines(now=day(11, 27, 0, 0, 1))
    stop(signed, street_handler, day(11, 27, 10))
    sweep_waiting_clocks(now=day(12, 12, 0, 0, 1))  # the allowance ran out Fri 11 Dec
    signed.refresh_from_db()
    assert signed.handle_due_at <= Pause.objects.get().cap_at and signed.warning == WarningLevel.RED
    with time_machine.travel(day(12, 14, 10), tick=False):
        handling.pause_decide(pause=Pause.objects.get(), actor=dispatcher, approve=True, note="等待司法鉴定结果")
    signed.refresh_from_db()
    assert signed.warning == WarningLevel.RED
    assert SupervisionCase.objects.get(kind=CaseKind.OVERDUE, object_id=signed.pk).status == CaseStatus.OPEN


@pytest.mark.django_db
def test_a_restart_with_its_deadline_still_to_come_closes_the_overdue_case(signed, street_handler):
    """A red mark from before (here: the capped clock ran past its deadline, nobody decided) is lifted, and its case
    closed, when the clock restarts with a deadline still to come, as _restart has always lowered the mark."""
    stop(signed, street_handler, day(11, 23, 10))
    sweep_waiting_clocks(now=day(12, 8, 0, 0, 1))
    with time_machine.travel(day(12, 11, 0, 0, 1), tick=False):
        sweep_deadlines(now=day(12, 11, 0, 0, 1))
    signed.refresh_from_db()
    # Simulate a stopped clock that was red when it stopped again (data from before pause approval lifted the mark).
    Assignment.objects.filter(pk=signed.pk).update(paused_at=day(12, 7, 23, 59, 59))
    Pause.objects.update(approval=PauseApproval.APPROVED)
    restart(signed, street_handler, day(12, 14, 10))
    signed.refresh_from_db()
    assert signed.handle_due_at > day(12, 14, 10)
    assert signed.warning == WarningLevel.YELLOW
    case = SupervisionCase.objects.get(kind=CaseKind.OVERDUE, object_id=signed.pk)
    assert case.status == CaseStatus.CLOSED and case.close_note
