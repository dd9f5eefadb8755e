"""Perfunctory answers are flagged to the reviewer and counted per unit (issue 15, item 6;
DOMAIN.md section 6; dispatch/perfunctory.py)."""
import datetime as dt

import pytest
import time_machine

from dispatch import handling, perfunctory
from dispatch.models import PerfunctoryPhrase, Reply, Role
from evaluation import aggregates, metrics
from tests.factories import file_petition

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


def answered(city, capture, handler, content, **kw):
    with capture(execute=True):
        petition = file_petition(city, **kw)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=handler)
    handling.assignment_answer(assignment=lead, actor=handler, content=content)
    return petition, Reply.objects.get(petition=petition)


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_an_answer_that_only_says_it_is_being_studied_is_flagged_to_the_reviewer(
        city, catalog, client, street_handler, dispatcher, django_capture_on_commit_callbacks):
    petition, reply = answered(city, django_capture_on_commit_callbacks, street_handler,
                               "您反映的问题我们正在 研究，将出方案后再答复。")
    assert reply.perfunctory == ["将出方案", "正在研究"]
    client.force_login(dispatcher)
    page = client.get(f"/admin/dispatch/queuedpetition/{petition.pk}/console/").content.decode()
    assert "敷衍" in page and "正在研究" in page


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_real_answer_is_not_flagged(city, catalog, street_handler, django_capture_on_commit_callbacks):
    _petition, reply = answered(city, django_capture_on_commit_callbacks, street_handler,
                                "已于11月23日上门核查，商铺音响已拆除，夜间不再营业，经回访噪音已消除。")
    assert reply.perfunctory == []


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_phrase_added_in_the_admin_flags_answers_at_once(city, catalog, client, admin_user, street_handler,
                                                           django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    response = client.post("/admin/dispatch/perfunctoryphrase/add/", {"phrase": "按程序办理", "active": "on"})
    assert response.status_code == 302 and PerfunctoryPhrase.objects.filter(phrase="按程序办理").exists()
    _petition, reply = answered(city, django_capture_on_commit_callbacks, street_handler, "您的诉求我们将按程序办理，请耐心等待。")
    assert reply.perfunctory == ["按程序办理"]


@pytest.mark.django_db
def test_flagged_answers_are_counted_per_unit_in_the_bulletin(city, catalog, street_handler, settings,
                                                             django_capture_on_commit_callbacks):
    perfunctory.invalidate()
    with time_machine.travel(T0, tick=False):
        answered(city, django_capture_on_commit_callbacks, street_handler, "您反映的情况已转有关部门研究处理。")
        answered(city, django_capture_on_commit_callbacks, street_handler, "已上门处理完毕，经回访问题已解决。",
                 complainant_phone="13700000009")
    aggregates.refresh(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    units = {r.name: r for r in metrics.units(dt.date(2026, 11, 1), dt.date(2026, 11, 30))}
    assert units[city.street_office.name].counts["perfunctory"] == 1
    assert metrics.city(dt.date(2026, 11, 1), dt.date(2026, 11, 30)).counts["perfunctory"] == 1
