"""The demo city's past: six months of realistic history, the daily figures,
last months' bulletins (published) and two leaders' topics. Idempotent."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from evaluation import aggregates, history, reports, sanmin_demo
from evaluation.models import DailyStat, Report, Topic
from org.models import Classification, HandlingUnit
from petitions.models import Petition

DAYS = 180
PER_DAY = 25


def load(stdout=None) -> None:
    today = timezone.localdate()
    if not Petition.objects.filter(number__endswith="900000").exists():
        history.generate(start=today - dt.timedelta(days=DAYS), days=DAYS - 1, per_day=PER_DAY)
    if not DailyStat.objects.exists() or not Report.objects.exists():
        aggregates.rebuild()
        month = today.replace(day=1)
        for _ in range(3):
            month = (month - dt.timedelta(days=1)).replace(day=1)
            report = reports.report_generate(kind=Report.Kind.MONTHLY, day=month)
            reports.report_publish(report=report)
        reports.report_generate(kind=Report.Kind.WEEKLY, day=today - dt.timedelta(days=7))
        reports.report_generate(kind=Report.Kind.DAILY, day=today - dt.timedelta(days=1))
    if not Topic.objects.exists():
        now = timezone.now()
        for title, item, unit in (("物业服务管理专项整治", "物业服务", "D01"), ("违法停车综合治理", "违法停车", "D03")):
            Topic.objects.create(title=title, month=today.replace(day=1), status=Topic.Status.ADOPTED,
                                 classification=Classification.objects.filter(name=item).order_by("depth").first(),
                                 lead_unit=HandlingUnit.objects.filter(code=unit).first(), adopted_by="市委书记点题",
                                 progress=35, created_at=now,
                                 description="针对群众反映集中的问题，开展专项整治，推动解决一件事向解决一类事转变。")

    sanmin_demo.load(stdout=stdout)
    if stdout:
        stdout.write(f"evaluation: {Petition.objects.count()} petitions, {DailyStat.objects.count()} daily rows, "
                     f"{Report.objects.count()} reports")
