"""The monthly bulletin of a generated month equals an independent SQL computation (issue 15, "done when").

The month holds what makes the numbers hard: assignments the platform withdrew before their sign-for limit
(re-dispatch, joint consultation), one withdrawn after its limit (the unit was late: it counts), a return asked
for by the limit and approved after it (the platform's time: not counted), a petition
reopened after an unsatisfied rating and rated again, repeats, co-handling units, a limit that falls in the
next month, and two units with equal rates (a tie). The expected figures are computed here with plain SQL
written from the definitions in docs/evaluation.md, not with the portal's code, and compared with the
bulletin's data and with the page a leader reads.
"""
import datetime as dt
import random
from collections import defaultdict

import pytest
import time_machine
from django.db import connection

from dispatch import handling, review, routing, services
from dispatch.catalog import rule_create
from dispatch.models import AssignmentStatus, Reply, Role, Target
from evaluation import aggregates, metrics, reports
from petitions.models import Satisfaction
from petitions.services import petition_rate
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
NOV_START = dt.datetime(2026, 11, 1, tzinfo=SH)
DEC_START = dt.datetime(2026, 12, 1, tzinfo=SH)


def at(day, hour=10, minute=0, month=11):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def month(city, street_handler, other_street_handler, urban_handler, dispatcher, operator,
          django_capture_on_commit_callbacks):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    rule_create(key="noise-s", kind="sector", classification=city.noise, target=Target.UNIT, lead_unit=city.urban)
    rule_create(key="fee-t", kind="territorial", classification=city.property_fee, target=Target.STREET)
    routing.invalidate()
    handlers = {city.street_office.pk: street_handler, city.other_street_office.pk: other_street_handler,
                city.urban.pk: urban_handler}

    def act(when, fn, **kw):
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)

    def filed(when, **kw):
        return act(when, file_petition, city=city, **kw)

    def lead(petition):
        return petition.assignments.filter(role=Role.LEAD).exclude(status=AssignmentStatus.CANCELLED).get()

    def sign(when, assignment):
        act(when, handling.assignment_sign, assignment=assignment, actor=handlers[assignment.unit_id])

    def answer_and_approve(when, petition):
        assignment = lead(petition)
        act(when, handling.assignment_answer, assignment=assignment, actor=handlers[assignment.unit_id],
            content="已上门核实并处理完毕，经回访问题已解决。")
        act(when + dt.timedelta(hours=1), review.reply_review,
            reply=Reply.objects.get(petition=petition, review="pending"), approve=True, actor=dispatcher)

    def rate(when, petition, satisfaction, solved):
        act(when, petition_rate, petition=petition, satisfaction=satisfaction, solved=solved)

    rng = random.Random(15)
    # Ordinary petitions across the two streets, signed on time or late, answered and rated.
    ordinary = []
    for i in range(10):
        street = city.street if i % 2 == 0 else city.other_street
        item = city.noise if i % 3 else city.property_fee
        p = filed(at(2 + i, 9), area=street, classification=item, complainant_phone=f"1370000{i:04d}")
        ordinary.append(p)
        for assignment in p.assignments.exclude(status=AssignmentStatus.CANCELLED):
            if rng.random() < 0.7:
                sign(at(2 + i, 15), assignment)  # same day: in time
            elif rng.random() < 0.5:
                sign(at(2 + i, 9) + dt.timedelta(days=6), assignment)  # late
        if lead(p).status == AssignmentStatus.SIGNED:
            answer_and_approve(at(2 + i, 9) + dt.timedelta(days=7), p)
            rate(at(2 + i, 9) + dt.timedelta(days=8), p, rng.choice(list(Satisfaction.values)), rng.random() < 0.6)

    # Re-dispatched before its limit: the first lead's assignment is withdrawn and must not count.
    moved = filed(at(16, 9), area=city.street, classification=city.property_fee, complainant_phone="13800000001")
    act(at(16, 11), services.dispatch_redispatch, petition=moved, lead_unit=city.urban, actor=dispatcher,
        reason="属于行业主管部门职责")
    sign(at(16, 14), lead(moved))

    # Withdrawn after its limit had passed unsigned: the unit was late, and that counts against it.
    late = filed(at(17, 9), area=city.other_street, classification=city.property_fee,
                 complainant_phone="13800000002")
    act(at(20, 11), services.dispatch_redispatch, petition=late, lead_unit=city.urban, actor=dispatcher,
        reason="街道逾期未签收，改派")

    # Returned: the street asked by its limit, the platform approved two days after it. The platform's time:
    # withdrawn in time, not counted.
    returned = filed(at(23, 9), area=city.other_street, classification=city.property_fee,
                     complainant_phone="13800000007")
    request = act(at(23, 10), handling.assignment_request_return, assignment=lead(returned),
                  actor=other_street_handler, reason="该小区物业费纠纷应由住建部门处理，不属于街道。")
    act(at(26, 10), review.return_decide, request=request, approve=True, actor=dispatcher, note="同意退单",
        new_lead=city.urban)

    # Joint consultation: the platform takes the petition back before the limit.
    consulted = filed(at(18, 9), area=city.street, classification=city.noise, complainant_phone="13800000003")
    act(at(18, 10), services.dispatch_to_consultation, petition=consulted, actor=dispatcher,
        reason="新业态，职责不清，需会商")

    # Reopened: unsatisfied, re-handled, then satisfied. It counts once, as satisfied.
    reopened = filed(at(19, 9), area=city.street, classification=city.noise, complainant_phone="13800000004")
    for assignment in reopened.assignments.exclude(status=AssignmentStatus.CANCELLED):
        sign(at(19, 10), assignment)
    answer_and_approve(at(19, 15), reopened)
    rate(at(20, 9), reopened, Satisfaction.UNSATISFIED, False)
    answer_and_approve(at(23, 15), reopened)
    rate(at(24, 9), reopened, Satisfaction.SATISFIED, True)

    # Repeats: the same caller about the same noise, three times.
    for day in (24, 25, 26):
        p = filed(at(day, 9), area=city.street, classification=city.noise, complainant_phone="13800000005")
        for assignment in p.assignments.exclude(status=AssignmentStatus.CANCELLED):
            sign(at(day, 11), assignment)

    # Filed on the last evening of November: its sign-for limit falls in December, not in this bulletin.
    filed(at(30, 20), area=city.street, classification=city.noise, complainant_phone="13800000006")

    aggregates.refresh(dt.date(2026, 11, 1), dt.date(2026, 12, 31), now=at(3, 10, month=12))  # the report's time
    return {"reopened": reopened, "moved": moved, "late": late, "consulted": consulted, "returned": returned}


def sql_response(scope: str) -> dict:
    """响应率's counters from SQL: limits that fell in November, minus withdrawals before the limit and returns
    asked for by it."""
    group = {"unit": "a.unit_id", "district": "p.district_id"}[scope]
    lead_only = "AND a.role = 'lead'" if scope == "district" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT {group}, COUNT(*),
                   SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_due_at THEN 1 ELSE 0 END)
            FROM dispatch_assignment a JOIN petitions_petition p ON p.id = a.petition_id
            WHERE a.sign_due_at >= %s AND a.sign_due_at < %s {lead_only}
              AND NOT (a.status = 'cancelled' AND (a.closed_at < a.sign_due_at OR EXISTS (
                  SELECT 1 FROM dispatch_returnrequest r WHERE r.assignment_id = a.id AND r.status = 'approved'
                     AND r.requested_at <= a.sign_due_at)))
            GROUP BY {group}""", [NOV_START, DEC_START])
        return {key: (total, ok) for key, total, ok in cursor.fetchall()}


def sql_ratings(scope: str) -> dict:
    """解决率 and 满意率's counters from SQL: each petition once, by its last rating in November, credited to
    the lead that was live when it was rated."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT r.id, r.petition_id, r.solved, r.satisfaction, p.district_id,
                   (SELECT a.unit_id FROM dispatch_assignment a
                     WHERE a.petition_id = r.petition_id AND a.role = 'lead' AND a.dispatched_at <= r.rated_at
                       AND NOT (a.status = 'cancelled' AND a.closed_at <= r.rated_at)
                     ORDER BY a.dispatched_at DESC LIMIT 1)
            FROM petitions_rating r JOIN petitions_petition p ON p.id = r.petition_id
            WHERE r.rated_at >= %s AND r.rated_at < %s
              AND NOT EXISTS (SELECT 1 FROM petitions_rating later
                              WHERE later.petition_id = r.petition_id AND later.rated_at >= %s
                                AND later.rated_at < %s
                                AND (later.rated_at > r.rated_at OR (later.rated_at = r.rated_at AND later.id > r.id)))
        """, [NOV_START, DEC_START, NOV_START, DEC_START])
        rows = cursor.fetchall()
    counts = defaultdict(lambda: [0, 0, 0])
    for _id, _petition, solved, satisfaction, district, unit in rows:
        key = unit if scope == "unit" else district
        if key is None:
            continue
        counts[key][0] += 1
        counts[key][1] += bool(solved)
        counts[key][2] += satisfaction in ("satisfied", "basic")
    return {key: tuple(value) for key, value in counts.items()}


def shared_ranks(values: dict, minimum_ok) -> dict:
    """Competition ranks (1, 1, 3) of the higher-is-better `values`, only for keys with enough sample."""
    ranked = sorted((v, k) for k, v in values.items() if v is not None and minimum_ok(k))
    ranked.reverse()
    ranks, position, previous = {}, 0, None
    for index, (value, key) in enumerate(ranked, start=1):
        if value != previous:
            position, previous = index, value
        ranks[key] = position
    return ranks


@pytest.mark.django_db
def test_the_bulletin_of_a_generated_month_equals_an_independent_sql_computation(month, city, client, supervisor,
                                                                                 settings):
    settings.PORTAL_RANK_MIN_SAMPLE = 2
    with time_machine.travel(at(3, 10, month=12), tick=False):
        report = reports.report_generate(kind="monthly", day=dt.date(2026, 11, 15))
    data = report.data

    units = {row["id"]: row for row in data["units"]}
    response, ratings = sql_response("unit"), sql_ratings("unit")
    assert set(units) == set(response) | set(ratings)
    for unit_id, row in units.items():
        c = row["counts"]
        assert (c["sign_due"], c["signed_in_time"]) == response.get(unit_id, (0, 0)), row["name"]
        assert (c["rated"], c["solved"], c["satisfied"]) == ratings.get(unit_id, (0, 0, 0)), row["name"]

    districts = {row["id"]: row for row in data["districts"]}
    d_response, d_ratings = sql_response("district"), sql_ratings("district")
    for area_id, row in districts.items():
        c = row["counts"]
        assert (c["sign_due"], c["signed_in_time"]) == d_response.get(area_id, (0, 0)), row["name"]
        assert (c["rated"], c["solved"], c["satisfied"]) == d_ratings.get(area_id, (0, 0, 0)), row["name"]

    # Ranks: equal values share a rank; a unit with fewer than 2 rated petitions is listed, not ranked.
    satisfaction = {k: (v[2] / v[0] if v[0] else None) for k, v in ratings.items()}
    expected = shared_ranks(satisfaction, lambda k: ratings[k][0] >= 2)
    assert {k: r["ranks"]["satisfaction"] for k, r in units.items() if r["ranks"]["satisfaction"]} == expected
    # ... and the table is sorted by that rank, the unranked last.
    ranked_order = [r["ranks"]["satisfaction"] for r in data["units"] if r["ranks"]["satisfaction"]]
    assert ranked_order == sorted(ranked_order)

    # The cases that make it hard are really in the month.
    moved_first = month["moved"].assignments.filter(status=AssignmentStatus.CANCELLED).get()
    assert moved_first.closed_at < moved_first.sign_due_at  # withdrawn in time: not counted
    late_first = month["late"].assignments.filter(status=AssignmentStatus.CANCELLED).get()
    assert late_first.closed_at > late_first.sign_due_at and late_first.signed_at is None  # counted, not in time
    assert month["reopened"].ratings.count() == 2
    returned_first = month["returned"].assignments.filter(status=AssignmentStatus.CANCELLED).get()
    assert returned_first.closed_at > returned_first.sign_due_at  # approved after the limit: still not counted

    # The page a leader reads shows the same figures.
    client.force_login(supervisor)
    page = client.get("/evaluation/?month=2026-11").content.decode()
    for unit_id, (total, ok) in response.items():
        assert f"({ok}/{total})" in page
    for unit_id, (rated, solved, satisfied) in ratings.items():
        assert f"({satisfied}/{rated})" in page and f"({solved}/{rated})" in page


@pytest.mark.django_db
def test_a_tie_shares_its_rank_and_the_next_rank_is_skipped(city, settings):
    from evaluation.metrics import Row, rank

    settings.PORTAL_RANK_MIN_SAMPLE = 10
    rows = [Row(i, name, None, {"sign_due": 20, "signed_in_time": ok, "rated": rated, "solved": rated,
                                  "satisfied": sat, "petitions": 0, "perfunctory": 0}).compute()
            for i, (name, ok, rated, sat) in enumerate([("甲", 20, 10, 10), ("乙", 20, 12, 12), ("丙", 19, 10, 9),
                                                        ("丁", 18, 3, 3)])]
    ranked = {r.name: r.ranks for r in rank(rows)}
    assert [ranked[n]["satisfaction"] for n in "甲乙丙丁"] == [1, 1, 3, None]  # 丁: 3 rated, below the sample
    assert [ranked[n]["response"] for n in "甲乙丙丁"] == [1, 1, 3, 4]
