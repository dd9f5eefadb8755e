import datetime as dt

from celery import shared_task
from django.utils import timezone

from evaluation import aggregates, reports, sanmin, snapshots
from evaluation.models import Report


@shared_task
def refresh_stats():
    days = aggregates.refresh_recent()
    snapshots.refresh()  # the live periods' stored figures, before a reader finds them aged
    return days


@shared_task
def generate_report(kind):
    """Beat runs this just after each period ends: the report of the period that ended."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    reports.report_generate(kind=kind, day=yesterday)
    return kind


BEAT_SCHEDULE_KINDS = (Report.Kind.DAILY, Report.Kind.WEEKLY, Report.Kind.MONTHLY, Report.Kind.ANNUAL)


@shared_task
def sanmin_voting_reminders():
    return sanmin.voting_reminders()
