"""Signals org sends to the apps that depend on it.

`calendar_changed(years=[...])` is sent after commit whenever the working-day
calendar is edited or synced; dispatch recomputes the open deadlines it affects.
"""
import contextlib
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from org import calendar
from org.models import CalendarDay, CalendarYear

calendar_changed = Signal()
_quiet = threading.local()


@contextlib.contextmanager
def quiet():
    """Row changes inside send nothing: a sync rewriting a year's rows (one delete per day) sends one
    calendar_changed for all of it afterwards, not one full recompute of the open deadlines per row."""
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = False


def _changed(years: list[int]) -> None:
    if getattr(_quiet, "on", False):
        return
    calendar.invalidate()
    years = sorted(set(years))
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarDay, years=years))


@receiver(pre_save, sender=CalendarDay)
def _day_saving(sender, instance, **kwargs):
    # A day moved to another date changes the clocks of its old year too (2026-12-01 moved to 2027-12-01
    # must recompute 2026): remember the date the row had before this save.
    instance._previous_date = (
        CalendarDay.objects.filter(pk=instance.pk).values_list("date", flat=True).first() if instance.pk else None
    )


@receiver([post_save, post_delete], sender=CalendarDay)
def _day_changed(sender, instance, **kwargs):
    previous = getattr(instance, "_previous_date", None)
    _changed([instance.date.year] + ([previous.year] if previous else []))


@receiver([post_save, post_delete], sender=CalendarYear)
def _year_changed(sender, instance, **kwargs):
    _changed([instance.year])
