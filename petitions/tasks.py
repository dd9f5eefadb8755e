"""Celery tasks: thin wrappers that call services (docs/development.md). Run from beat
(config/settings.py CELERY_BEAT_SCHEDULE)."""
from celery import shared_task

from petitions import suggest
from petitions.idempotency import idempotency_records_sweep


@shared_task
def train_suggester():
    """Nightly: learn the classification suggestions from the day's classified petitions."""
    stored = suggest.suggester_train()
    return stored.pk if stored else None


@shared_task
def sweep_idempotency_records():
    """Hourly: forget Idempotency-Keys older than 24 hours and the answers stored with them (petitions.idempotency)."""
    return idempotency_records_sweep()
