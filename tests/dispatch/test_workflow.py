"""The whole loop and each action: dispatch at intake, sign, answer, review,
callback; returns, extensions, re-handling, duplicates and merges."""
import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch import handling, review, selectors, services
from dispatch.models import Assignment, AssignmentStatus, Reply, RequestStatus, Role
from lib.errors import ConflictError, DomainError
from petitions.models import EventKind, Petition, Satisfaction, Status
from petitions.services import petition_rate
from tests.factories import file_petition

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


def filed(city, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return file_petition(city, **kw)


def lead_of(petition):
    return petition.assignments.get(role=Role.LEAD, status__in=["pending", "signed", "answered", "done"])


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_filing_dispatches_at_once_with_clocks(city, catalog, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED
    lead = lead_of(petition)
    assert (lead.unit, lead.rule, lead.status) == (city.street_office, catalog["noise_street"], AssignmentStatus.PENDING)
    co = petition.assignments.get(role=Role.CO)
    assert co.unit == city.urban and co.rule == catalog["noise_sector"]
    # Noise is the 3-working-day tier: Mon 23 Nov -> Thu 26 Nov 23:59:59; sign-for by Tue 24.
    assert lead.handle_due_at.isoformat() == "2026-11-26T15:59:59+00:00"
    assert lead.sign_due_at.isoformat() == "2026-11-24T15:59:59+00:00"
    event = petition.events.get(kind=EventKind.DISPATCHED)
    assert event.public and event.data["units"] == ["甲一街道办事处", "市城市管理局"]


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_urgent_item_runs_in_hours(city, catalog, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks, classification=city.heating_outage)
    lead = lead_of(petition)
    assert lead.unit == city.heating
    assert lead.handle_due_at == T0 + dt.timedelta(hours=24)
    assert lead.sign_due_at == T0 + dt.timedelta(minutes=60)


@pytest.mark.django_db
def test_unclassified_petition_waits_for_the_dispatcher(city, catalog, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks, classification=None)
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED and not petition.assignments.exists()


@pytest.mark.django_db
def test_confirm_mode_proposes_then_the_dispatcher_confirms(city, catalog, settings, dispatcher,
                                                            django_capture_on_commit_callbacks):
    settings.PORTAL_DISPATCH_MODE = "confirm"
    petition = filed(city, django_capture_on_commit_callbacks)
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED
    assert set(petition.assignments.values_list("status", flat=True)) == {AssignmentStatus.PROPOSED}
    assert lead_of_any(petition).sign_due_at is None  # no clock before confirmation
    services.dispatch_confirm(petition=petition, actor=dispatcher)
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED
    assert lead_of(petition).sign_due_at is not None
    with pytest.raises(ConflictError):
        services.dispatch_confirm(petition=petition, actor=dispatcher)


def lead_of_any(petition):
    return petition.assignments.get(role=Role.LEAD)


@pytest.mark.django_db
def test_in_confirm_mode_a_corrected_item_replaces_the_proposal_made_for_the_old_one(
        city, catalog, settings, dispatcher, django_capture_on_commit_callbacks):
    """Before: the new item was saved, re-routing failed on the old proposal ("already has a proposed dispatch"),
    and Confirm then sent the petition where the old item went."""
    settings.PORTAL_DISPATCH_MODE = "confirm"
    petition = filed(city, django_capture_on_commit_callbacks, classification=city.heating_outage)
    assert lead_of_any(petition).unit == city.heating and lead_of_any(petition).status == AssignmentStatus.PROPOSED
    services.dispatch_classify(petition=petition, classification=city.parking, actor=dispatcher, reason="分类纠正")
    petition.refresh_from_db()
    assert petition.classification == city.parking
    proposed = petition.assignments.filter(status=AssignmentStatus.PROPOSED)
    assert [a.unit for a in proposed] == [city.urban]  # the new item's unit, and only it
    services.dispatch_confirm(petition=petition, actor=dispatcher)
    assert [a.unit for a in petition.assignments.filter(status=AssignmentStatus.PENDING)] == [city.urban]


@pytest.mark.django_db
def test_full_loop_sign_answer_review_callback_close(city, catalog, street_handler, urban_handler, dispatcher,
                                                     operator, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    lead, co = lead_of(petition), petition.assignments.get(role=Role.CO)
    with pytest.raises(DomainError):
        handling.assignment_answer(assignment=lead, actor=street_handler, content="已处理完毕，商铺已整改。")
    handling.assignment_sign(assignment=lead, actor=street_handler)
    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS
    handling.assignment_record_contact(assignment=lead, actor=street_handler, note="已电话联系诉求人，约定上门。")
    handling.assignment_sign(assignment=co, actor=urban_handler)
    handling.assignment_answer(assignment=co, actor=urban_handler, content="城管已对商铺外放音响立案调查。")
    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS  # a co-unit answers to the lead, not the citizen
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经联合执法，商铺已停止外放音响。")
    petition.refresh_from_db()
    assert petition.status == Status.REPLIED
    reply = Reply.objects.get(petition=petition)
    review.reply_review(reply=reply, approve=True, actor=dispatcher, public_answer="商铺已停止夜间外放音响。")
    petition.refresh_from_db()
    assert (petition.status, petition.answer) == (Status.CALLBACK, "商铺已停止夜间外放音响。")
    with django_capture_on_commit_callbacks(execute=True):
        review.callback_record(petition=petition, actor=operator, satisfaction=Satisfaction.SATISFIED, solved=True)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    assert set(petition.assignments.values_list("status", flat=True)) == {AssignmentStatus.DONE}
    kinds = list(petition.events.values_list("kind", flat=True))
    for kind in ("filed", "dispatched", "signed", "contacted", "replied", "reviewed", "rated"):
        assert kind in kinds


@pytest.mark.django_db
def test_rejected_answer_goes_back_for_rehandling(city, catalog, street_handler, dispatcher,
                                                  django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    lead = lead_of(petition)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="正在研究中，将出方案。")
    reply = Reply.objects.get()
    with pytest.raises(DomainError) as raised:
        review.reply_review(reply=reply, approve=False, actor=dispatcher)
    assert raised.value.field == "note"
    review.reply_review(reply=reply, approve=False, actor=dispatcher, note="答复敷衍，未说明处理结果。")
    petition.refresh_from_db()
    lead.refresh_from_db()
    assert (petition.status, lead.status) == (Status.IN_PROGRESS, AssignmentStatus.SIGNED)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="已约谈商铺负责人，音响已拆除。")
    assert Reply.objects.filter(review="pending").count() == 1


@pytest.mark.django_db
def test_unsatisfied_citizen_reopens_the_lead_on_a_new_clock(city, catalog, street_handler, dispatcher,
                                                             django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    lead = lead_of(petition)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="已处理完毕，请诉求人知悉。")
    review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        petition_rate(petition=petition, satisfaction=Satisfaction.UNSATISFIED, solved=False, comment="还是很吵")
    lead.refresh_from_db()
    petition.refresh_from_db()
    assert (petition.status, petition.handling_round) == (Status.IN_PROGRESS, 2)
    assert (lead.status, lead.round) == (AssignmentStatus.SIGNED, 2)


@pytest.mark.django_db
def test_return_refused_then_approved_back_to_the_queue(city, catalog, street_handler, dispatcher,
                                                        django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    lead = lead_of(petition)
    with pytest.raises(DomainError):
        handling.assignment_request_return(assignment=lead, actor=street_handler, reason="不是")
    request = handling.assignment_request_return(assignment=lead, actor=street_handler,
                                                 reason="该商铺位于乙区，不属于本街道辖区。")
    with pytest.raises(DomainError):
        handling.assignment_request_return(assignment=lead, actor=street_handler, reason="再次申请退单，理由同上。")
    review.return_decide(request=request, approve=False, actor=dispatcher, note="经核实属本辖区，请继续办理。")
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.PENDING  # first-receiver: the unit must handle it
    request = handling.assignment_request_return(assignment=lead, actor=street_handler,
                                                 reason="再次核实：地址实为乙区乙一街道。")
    review.return_decide(request=request, approve=True, actor=dispatcher, note="同意退回")
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED
    assert not petition.assignments.filter(status__in=["pending", "signed"]).exists()
    with pytest.raises(ConflictError):
        review.return_decide(request=request, approve=True, actor=dispatcher)


@pytest.mark.django_db
def test_approved_return_with_a_new_lead_redispatches(city, catalog, street_handler, dispatcher,
                                                      django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    request = handling.assignment_request_return(assignment=lead_of(petition), actor=street_handler,
                                                 reason="地址实为乙区乙一街道，请改派。", suggested_unit=city.other_street_office)
    review.return_decide(request=request, approve=True, actor=dispatcher, new_lead=city.other_street_office)
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED
    assert lead_of(petition).unit == city.other_street_office
    assert petition.assignments.get(role=Role.CO, status="pending").unit == city.urban  # co-units kept


@pytest.mark.django_db
def test_approved_return_with_a_new_lead_keeps_the_co_units_work_and_clocks(city, catalog, street_handler,
                                                                          urban_handler, dispatcher, act):
    petition = act(T0, file_petition, city=city)
    co = petition.assignments.get(role=Role.CO)
    act(T0 + dt.timedelta(hours=1), handling.assignment_sign, assignment=co, actor=urban_handler)
    act(T0 + dt.timedelta(hours=2), handling.assignment_answer, assignment=co, actor=urban_handler,
        content="城管已对商铺外放音响立案调查并责令整改。")
    request = act(T0 + dt.timedelta(hours=3), handling.assignment_request_return, assignment=lead_of(petition),
                  actor=street_handler, reason="此事项不属于本街道辖区，请退回。")
    co.refresh_from_db()
    act(T0 + dt.timedelta(days=1), review.return_decide, request=request, approve=True, actor=dispatcher,
        note="同意退单", new_lead=city.other_street_office)
    kept = petition.assignments.get(role=Role.CO, status__in=["pending", "signed", "answered"])
    # The same co-assignment, answered, on its own clock: nothing to sign or answer again.
    assert (kept.pk, kept.status, kept.answer) == (co.pk, AssignmentStatus.ANSWERED, co.answer)
    assert (kept.dispatched_at, kept.handle_due_at) == (co.dispatched_at, co.handle_due_at)
    new_lead = lead_of(petition)
    assert (new_lead.unit, new_lead.status) == (city.other_street_office, AssignmentStatus.PENDING)
    assert new_lead.dispatched_at == T0 + dt.timedelta(days=1)  # the new lead's clock starts now


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_extension_adds_working_days_to_the_deadline(city, catalog, street_handler, dispatcher,
                                                     django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    lead = lead_of(petition)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    with pytest.raises(DomainError) as raised:
        handling.assignment_request_extension(assignment=lead, actor=street_handler, days=30, reason="需要协调多个部门现场核查。")
    assert raised.value.field == "days"
    request = handling.assignment_request_extension(assignment=lead, actor=street_handler, days=2,
                                                    reason="需要协调多个部门现场核查。")
    review.extension_decide(request=request, approve=True, actor=dispatcher)
    lead.refresh_from_db()
    # Thu 26 Nov + 2 working days = Mon 30 Nov.
    assert lead.handle_due_at.astimezone(T0.tzinfo).date() == dt.date(2026, 11, 30)
    assert lead.extended_days == 2
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


@pytest.mark.django_db
def test_waiting_for_the_citizen_does_not_count(city, catalog, street_handler, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        petition = filed(city, django_capture_on_commit_callbacks)
        lead = lead_of(petition)
        handling.assignment_sign(assignment=lead, actor=street_handler)
        handling.assignment_wait_for_citizen(assignment=lead, actor=street_handler, reason="等待诉求人提供照片")
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):  # Wed: two working days waited
        handling.assignment_resume(assignment=lead, actor=street_handler)
    lead.refresh_from_db()
    assert lead.handle_due_at.astimezone(T0.tzinfo).date() == dt.date(2026, 11, 30)  # Thu + 2 = Mon
    assert lead.paused_at is None


@pytest.mark.django_db
def test_redispatch_add_and_remove_co_units(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        services.dispatch_redispatch(petition=petition, lead_unit=city.district_gov, actor=dispatcher, reason="")
    services.dispatch_redispatch(petition=petition, lead_unit=city.district_gov, co_units=[city.street_office],
                                 actor=dispatcher, reason="跨街道问题由区政府牵头")
    assert lead_of(petition).unit == city.district_gov
    co = services.dispatch_add_co_unit(petition=petition, unit=city.urban, actor=dispatcher)
    with pytest.raises(DomainError):
        services.dispatch_add_co_unit(petition=petition, unit=city.urban, actor=dispatcher)
    services.dispatch_remove_co_unit(assignment=co, actor=dispatcher)
    live = set(petition.assignments.filter(status="pending").values_list("unit__code", flat=True))
    assert live == {"GOV1", "ST1"}


@pytest.mark.django_db
def test_direct_to_street_only_accepts_street_offices(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        services.dispatch_direct_to_street(petition=petition, unit=city.urban, actor=dispatcher, reason="直派")
    services.dispatch_direct_to_street(petition=petition, unit=city.other_street_office, actor=dispatcher, reason="直派")
    assert lead_of(petition).unit == city.other_street_office


@pytest.mark.django_db
def test_consultation_then_fallback_owner(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    services.dispatch_to_consultation(petition=petition, actor=dispatcher, reason="新业态，职责不清")
    assert petition.status == Status.CONSULTATION
    assert not petition.assignments.filter(status="pending").exists()
    services.dispatch_redispatch(petition=petition, lead_unit=city.district_gov, actor=dispatcher,
                                 reason="会商确定区政府兜底")
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED


@pytest.mark.django_db
def test_duplicate_and_merge(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    first = filed(city, django_capture_on_commit_callbacks)
    second = filed(city, django_capture_on_commit_callbacks, complainant_phone="13700000000")
    services.dispatch_merge(petition=second, into=first, actor=dispatcher, duplicate=True, reason="同一事项")
    second.refresh_from_db()
    assert (second.status, second.merged_into) == (Status.MERGED, first)
    assert not second.assignments.filter(status__in=["pending", "signed"]).exists()
    assert first.events.filter(kind=EventKind.MERGED).exists()
    with pytest.raises(DomainError):
        services.dispatch_merge(petition=first, into=first, actor=dispatcher, duplicate=False)


@pytest.mark.django_db
def test_repeats_are_linked_and_counted(city, catalog, django_capture_on_commit_callbacks):
    original = filed(city, django_capture_on_commit_callbacks)
    filed(city, django_capture_on_commit_callbacks)  # same phone, same item
    neighbour = filed(city, django_capture_on_commit_callbacks, complainant_phone="13600000001")  # same place only
    third = filed(city, django_capture_on_commit_callbacks, area=city.other_street)  # same phone, same item
    other_item = filed(city, django_capture_on_commit_callbacks, classification=city.parking)  # same phone only
    for p in (original, neighbour, third, other_item):
        p.refresh_from_db()
    assert original.repeat_count == 2 and third.repeat_of == original and third.repeat_count == 2
    assert neighbour.repeat_of is None and other_item.repeat_of is None


@pytest.mark.django_db
def test_repeats_outside_the_window_are_new_matters(city, catalog, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_REPEAT_WINDOW_DAYS = 30
    with time_machine.travel(T0, tick=False):
        original = filed(city, django_capture_on_commit_callbacks)
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        later = filed(city, django_capture_on_commit_callbacks)
    later.refresh_from_db()
    assert later.repeat_of is None


@pytest.mark.django_db
def test_units_act_only_on_their_own_assignments(city, catalog, other_street_handler, urban_handler,
                                                 django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as raised:
        handling.assignment_sign(assignment=lead_of(petition), actor=other_street_handler)
    assert raised.value.code == "not_your_unit"


@pytest.mark.django_db
def test_second_sign_is_told_who_signed(city, catalog, street_handler, django_capture_on_commit_callbacks):
    from tests.factories import make_user

    colleague = make_user("colleague", "unit_handler", city.street_office)
    petition = filed(city, django_capture_on_commit_callbacks)
    handling.assignment_sign(assignment=lead_of(petition), actor=street_handler)
    with pytest.raises(ConflictError) as raised:
        handling.assignment_sign(assignment=lead_of(petition), actor=colleague)
    assert "street_handler" in str(raised.value)


@pytest.mark.django_db
def test_answer_after_redispatch_is_a_conflict(city, catalog, street_handler, dispatcher,
                                               django_capture_on_commit_callbacks):
    petition = filed(city, django_capture_on_commit_callbacks)
    lead = lead_of(petition)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    services.dispatch_redispatch(petition=petition, lead_unit=city.district_gov, actor=dispatcher, reason="改派区政府")
    with pytest.raises(ConflictError):
        handling.assignment_answer(assignment=lead, actor=street_handler, content="已处理完毕，商铺已整改。")


@pytest.mark.django_db
def test_a_petition_classified_after_intake_is_checked_for_repeats_and_routed(city, catalog, dispatcher,
                                                                            django_capture_on_commit_callbacks):
    from dispatch import services as dispatch_services

    with django_capture_on_commit_callbacks(execute=True):
        first = file_petition(city)
        later = file_petition(city, classification=None)
    later.refresh_from_db()
    assert later.repeat_of is None and later.status == Status.RECEIVED  # unclassified: it waits
    dispatch_services.dispatch_classify(petition=later, classification=city.noise, actor=dispatcher, reason="噪音")
    later.refresh_from_db()
    assert later.repeat_of_id == first.pk and later.status == Status.DISPATCHED


@pytest.mark.django_db
def test_an_answer_withdraws_the_pending_extension_and_a_closed_petition_leaves_the_queue(
        city, catalog, street_handler, dispatcher, act):
    petition = act(T0, file_petition, city=city)
    lead = lead_of(petition)
    act(T0, handling.assignment_sign, assignment=lead, actor=street_handler)
    request = act(T0 + dt.timedelta(hours=1), handling.assignment_request_extension, assignment=lead,
                  actor=street_handler, days=3, reason="需要等待环保部门出具检测报告。")
    act(T0 + dt.timedelta(hours=2), handling.assignment_answer, assignment=lead, actor=street_handler,
        content="经联合执法，商铺已停止外放音响。")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN  # the answer needs no more time
    act(T0 + dt.timedelta(days=1), review.reply_review, reply=Reply.objects.get(), approve=True, actor=dispatcher)
    act(T0 + dt.timedelta(days=1, hours=1), petition_rate, petition=petition, satisfaction=Satisfaction.SATISFIED,
        solved=True)
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    assert petition not in selectors.dispatcher_queue_by_urgency(selectors.ROUTING_QUEUE)
    assert petition not in selectors.dispatcher_queue()


@pytest.mark.django_db
def test_an_answer_withdraws_the_units_return_request_so_approving_it_cannot_discard_the_answer(
        city, catalog, street_handler, dispatcher, act):
    petition = act(T0, file_petition, city=city)
    lead = lead_of(petition)
    act(T0, handling.assignment_sign, assignment=lead, actor=street_handler)
    request = act(T0 + dt.timedelta(hours=1), handling.assignment_request_return, assignment=lead,
                  actor=street_handler, reason="此事项不属于本街道辖区，请退回。")
    act(T0 + dt.timedelta(hours=2), handling.assignment_answer, assignment=lead, actor=street_handler,
        content="经联合执法，商铺已停止外放音响。")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    with pytest.raises(ConflictError):
        act(T0 + dt.timedelta(hours=3), review.return_decide, request=request, approve=True, actor=dispatcher)
    petition.refresh_from_db()
    lead.refresh_from_db()
    assert petition.status == Status.REPLIED and lead.status == AssignmentStatus.ANSWERED
    assert Reply.objects.get(petition=petition).review == Reply.Review.PENDING


@pytest.mark.django_db
def test_withdrawing_the_work_or_closing_the_petition_withdraws_the_units_requests(
        city, catalog, street_handler, urban_handler, dispatcher, act):
    petition = act(T0, file_petition, city=city)
    lead, co = lead_of(petition), petition.assignments.get(role=Role.CO)
    act(T0, handling.assignment_sign, assignment=co, actor=urban_handler)
    co_return = act(T0, handling.assignment_request_return, assignment=co, actor=urban_handler,
                    reason="此事项不属于城管职责范围，请退回。")
    lead_return = act(T0, handling.assignment_request_return, assignment=lead, actor=street_handler,
                      reason="此事项不属于本街道辖区，请退回。")
    act(T0 + dt.timedelta(hours=1), services.dispatch_remove_co_unit, assignment=co, actor=dispatcher,
        reason="不需要协办")
    co_return.refresh_from_db()
    assert co_return.status == RequestStatus.WITHDRAWN  # no "awaiting the platform" on work the unit lost
    act(T0 + dt.timedelta(hours=2), services.on_petition_closed, petition_id=petition.pk)
    lead_return.refresh_from_db()
    assert lead_return.status == RequestStatus.WITHDRAWN


@pytest.mark.django_db
def test_a_request_left_pending_on_withdrawn_work_is_not_in_the_dispatchers_queue(city, catalog, street_handler,
                                                                                    dispatcher, act):
    petition = act(T0, file_petition, city=city)
    lead = lead_of(petition)
    act(T0, handling.assignment_sign, assignment=lead, actor=street_handler)
    request = act(T0, handling.assignment_request_extension, assignment=lead, actor=street_handler, days=3,
                  reason="需要等待环保部门出具检测报告。")
    assert petition in selectors.dispatcher_queue()
    # As the stale rows of before were: pending on an assignment no longer live, the petition closed.
    Assignment.objects.filter(petition=petition).update(status=AssignmentStatus.CANCELLED)
    Petition.objects.filter(pk=petition.pk).update(status=Status.CLOSED)
    assert petition not in selectors.dispatcher_queue()
    assert petition not in selectors.dispatcher_queue_by_urgency(selectors.ROUTING_QUEUE)
    # The data migration withdraws such rows.
    importlib.import_module("dispatch.migrations.0010_requests_withdrawn").withdraw_stale(django_apps, None)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


@pytest.mark.django_db
@pytest.mark.parametrize("closed_as", [Status.CLOSED, Status.ROUTED_OUT, Status.CLOSED_ON_SPOT])
def test_a_petition_cannot_be_merged_into_one_nobody_handles_any_more(city, catalog, dispatcher, closed_as,
                                                                     django_capture_on_commit_callbacks):
    """Another neighbour's complaint merged into a closed petition would stop being handled and never be answered:
    refused on the field, and it stays with its unit."""
    from petitions.models import Petition

    first = filed(city, django_capture_on_commit_callbacks)
    second = filed(city, django_capture_on_commit_callbacks, complainant_phone="13700000000")
    Petition.objects.filter(pk=first.pk).update(status=closed_as)
    first.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.dispatch_merge(petition=second, into=first, actor=dispatcher, duplicate=False)
    assert refused.value.field == "into"
    second.refresh_from_db()
    assert second.status == Status.DISPATCHED and second.assignments.filter(status="pending").exists()


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_refusing_an_extension_says_why_on_the_console_and_through_the_api(
        client, city, catalog, street_handler, dispatcher, django_capture_on_commit_callbacks):
    """As a refused return does: the unit must finish by its deadline and is told why. Without a note nothing is
    decided, and the error is on the note's field."""
    petition = filed(city, django_capture_on_commit_callbacks)
    lead = lead_of(petition)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    request = handling.assignment_request_extension(assignment=lead, actor=street_handler, days=2,
                                                    reason="需要协调多个部门现场核查。")
    with pytest.raises(DomainError) as raised:
        review.extension_decide(request=request, approve=False, actor=dispatcher, note="  ")
    assert raised.value.field == "note"
    client.force_login(dispatcher)
    response = client.post(f"/admin/dispatch/queuedpetition/{petition.pk}/console/extension/",
                           {"request": request.pk, "approve": "no", "note": ""})
    assert response.status_code == 400
    [shown] = [item for item in response.context["extensions"] if item.pk == request.pk]
    assert shown.form.errors["note"]
    token, _created = Token.objects.get_or_create(user=dispatcher)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(f"/api/v1/dispatch/decisions/{request.pk}/extension/", {"approve": False, "note": ""},
                        format="json")
    assert response.status_code == 400 and "note" in response.json()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING and not request.decided_at
    response = api.post(f"/api/v1/dispatch/decisions/{request.pk}/extension/",
                        {"approve": False, "note": "现有期限足以办结，请按期答复"}, format="json")
    assert response.status_code == 200
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REFUSED, "现有期限足以办结，请按期答复")
