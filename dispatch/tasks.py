"""Celery tasks: thin wrappers that call services (docs/development.md). The sweeps run
from beat (config/settings.py CELERY_BEAT_SCHEDULE), never as one ETA task
per petition."""
import datetime as dt

from celery import shared_task
from django.utils import timezone

from dispatch import counters, services, sweeps


@shared_task
def sweep_deadlines():
    result = sweeps.sweep_deadlines()
    counters.compact()  # fold the open-work counters' delta rows (the supervisors' dashboard)
    return result


@shared_task
def recount_open_work():
    """Nightly: the open-work counters against a full recount; any difference is repaired and returned."""
    return counters.repair()


@shared_task
def lookback_monthly():
    """On the 1st: sample last month's closed petitions."""
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return sweeps.lookback_draw(month=last_month)


@shared_task
def recompute_deadlines(years):
    return sweeps.recompute_deadlines(years=years)


@shared_task
def dispatch_stragglers():
    return services.dispatch_stragglers()


@shared_task
def remind_callbacks():
    return sweeps.remind_callbacks()


@shared_task
def daily_digest():
    return sweeps.daily_digest()


@shared_task
def sweep_waiting_clocks():
    """Joint consultation, callbacks and units' stopped clocks past their limits (docs/supervision.md)."""
    return sweeps.sweep_waiting_clocks()
