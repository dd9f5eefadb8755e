"""Signals org sends to the apps that depend on it.

`calendar_changed(years=[...])` is sent after commit whenever the working-day
calendar is edited or synced; dispatch recomputes the open deadlines it affects.
"""
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from org import calendar
from org.models import CalendarDay, CalendarYear

calendar_changed = Signal()


def _changed(year: int) -> None:
    calendar.invalidate()
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarDay, years=[year]))


@receiver([post_save, post_delete], sender=CalendarDay)
def _day_changed(sender, instance, **kwargs):
    _changed(instance.date.year)


@receiver([post_save, post_delete], sender=CalendarYear)
def _year_changed(sender, instance, **kwargs):
    _changed(instance.year)
