"""Realistic petition history, generated in bulk: the demo city's past months
(evaluation/demo.py) and the benchmarks' city-year (benchmarks/generate.py).

The shape follows DOMAIN.md: districts by population, the top complaints
(物业服务, 违法停车, 占道经营, 噪音, 油烟, 供暖 in winter ...) weighted up,
most petitions by phone, ~92% dispatched to units by the real catalog,
response ~97%, satisfaction ~93%, some repeats and some overdue.
"""
from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from dispatch import deadlines, routing
from dispatch.models import Assignment, Role
from org.models import Area, Classification
from petitions.models import Channel, Kind, Petition, PetitionEvent, Rating, Status

SH = ZoneInfo("Asia/Shanghai")
HOT = {"物业": 6, "停车": 6, "占道": 4, "噪音": 4, "油烟": 3, "暖气": 3, "工资": 3, "食品": 2, "垃圾": 2}
CHANNELS = [(Channel.PHONE, 62), (Channel.WECHAT, 14), (Channel.WEB, 8), (Channel.MAYOR_MAILBOX, 4),
            (Channel.GRID, 5), (Channel.ENTERPRISE, 2), (Channel.POLICE_110, 3), (Channel.API, 2)]
KINDS = [(Kind.COMPLAINT, 48), (Kind.HELP, 20), (Kind.CONSULTATION, 16), (Kind.SUGGESTION, 8), (Kind.REPORT, 6),
         (Kind.PRAISE, 2)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def generate(*, start: dt.date, days: int, per_day: int, seed: int = 2026, number_offset: int = 900000,
             batch: int = 5000, on_batch=None) -> int:
    rng = random.Random(seed)
    leaves = list(Classification.objects.filter(is_leaf=True, is_active=True))
    weights = [next((w for k, w in HOT.items() if k in c.name), 1) for c in leaves]
    streets = list(Area.objects.filter(level=Area.Level.STREET, is_active=True).select_related("parent"))
    street_weights = [max(s.population, 1) for s in streets]
    catalog = routing.get_catalog()
    decided: dict = {}
    total = 0
    pending: list[tuple] = []

    def flush():
        nonlocal pending
        if pending:
            _write(pending, rng)
            if on_batch:
                on_batch(len(pending))
        pending = []

    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        count = max(0, int(rng.gauss(per_day, per_day * 0.15)))
        for index in range(count):
            leaf = rng.choices(leaves, weights=weights)[0]
            street = rng.choices(streets, weights=street_weights)[0]
            received = dt.datetime.combine(day, dt.time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=SH)
            key = (leaf.pk, street.pk)
            if key not in decided:
                decided[key] = routing.decide(classification_path=leaf.path, area_path=street.path, text="",
                                              sector_id=leaf.sector_id, catalog=catalog)
            pending.append((f"{day:%Y%m%d}{number_offset + index:06d}", leaf, street, received, decided[key]))
            total += 1
            if len(pending) >= batch:
                flush()
    flush()
    return total


def _write(items: list[tuple], rng: random.Random) -> None:
    now = dt.datetime.now(SH)
    petitions = []
    for number, leaf, street, received, decision in items:
        kind = _weighted(rng, KINDS)
        on_spot = kind == Kind.CONSULTATION and rng.random() < 0.6
        petitions.append(Petition(
            number=number, channel=_weighted(rng, CHANNELS), kind=kind, status=Status.RECEIVED,
            classification=leaf, area=street, district_id=street.parent_id, title=f"{leaf.name}问题",
            content=f"{street.name}附近{leaf.name}问题，请有关部门尽快处理。", complainant_name=rng.choice(SURNAMES) + "先生",
            complainant_phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}", received_at=received,
            updated_at=received, answer="", closed_at=None,
        ))
        petitions[-1]._plan = (decision, on_spot)
    Petition.objects.bulk_create(petitions, batch_size=2000)
    assignments, ratings, events, updates = [], [], [], []
    for petition in petitions:
        decision, on_spot = petition._plan
        received = petition.received_at
        events.append(PetitionEvent(petition=petition, at=received, kind="filed", to_status="received", public=True))
        if on_spot:
            updates.append((petition, Status.CLOSED_ON_SPOT, "已按知识库当场答复。", received, received))
            continue
        if not decision.lead_unit_id:
            continue
        dispatched = received + dt.timedelta(minutes=rng.randint(1, 30))
        clocks = deadlines.clocks(dispatched, petition.classification)
        in_time = rng.random() < 0.97
        signed = (dispatched + (clocks["sign_due_at"] - dispatched) * rng.uniform(0.05, 0.9) if in_time
                  else clocks["sign_due_at"] + dt.timedelta(hours=rng.randint(1, 30)))
        span = clocks["handle_due_at"] - dispatched
        answered = dispatched + span * rng.uniform(0.2, 1.15)
        finished = answered < now and signed < now
        for unit_id, role in [(decision.lead_unit_id, Role.LEAD)] + [(u, Role.CO) for u in decision.co_unit_ids]:
            assignments.append(Assignment(
                petition=petition, unit_id=unit_id, role=role, rule_id=decision.rule_by_unit.get(unit_id),
                status="done" if finished else ("signed" if signed < now else "pending"), dispatched_at=dispatched,
                signed_at=signed if signed < now else None, answered_at=answered if finished else None,
                closed_at=answered if finished else None,
                warning="red" if answered > clocks["handle_due_at"] and finished else "none", **clocks))
        if not finished:
            updates.append((petition, Status.IN_PROGRESS if signed < now else Status.DISPATCHED, "", None, None))
            continue
        rated_at = answered + dt.timedelta(hours=rng.randint(4, 72))
        if rated_at > now:
            updates.append((petition, Status.CALLBACK, "经核查已处理完毕。", answered, None))
            continue
        roll = rng.random()
        satisfaction = "satisfied" if roll < 0.82 else ("basic" if roll < 0.93 else "unsatisfied")
        ratings.append(Rating(petition=petition, round=1, satisfaction=satisfaction,
                              solved=satisfaction != "unsatisfied" and rng.random() < 0.97,
                              source=rng.choice(["citizen", "callback"]), rated_at=rated_at))
        updates.append((petition, Status.CLOSED, "经核查已处理完毕，已向诉求人反馈。", answered, rated_at))
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    Rating.objects.bulk_create(ratings, batch_size=2000)
    PetitionEvent.objects.bulk_create(events, batch_size=2000)
    by_status: dict = {}
    for petition, status, answer, answered_at, closed_at in updates:
        petition.status, petition.answer, petition.answered_at, petition.closed_at = status, answer, answered_at, closed_at
        by_status.setdefault(status, []).append(petition)
    Petition.objects.bulk_update([u[0] for u in updates], ["status", "answer", "answered_at", "closed_at"],
                                 batch_size=2000)
