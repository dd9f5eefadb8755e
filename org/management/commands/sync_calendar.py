from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from org import calendar
from org.models import CalendarDay, CalendarYear
from org.signals import calendar_changed, quiet


class Command(BaseCommand):
    help = ("Load the official holidays and make-up working days from the chinese_calendar package (upgrade it "
            "first). Days before today of a year already loaded are kept as they are.")

    def handle(self, *args, **options):
        # Days before today stay as the portal counted them (deadlines already passed or flagged on them); a year
        # not loaded yet comes in whole (a city deploying mid-year gets its past holidays).
        # In one transaction (nobody reads a year without its holidays half-way), its row changes quiet: the open
        # deadlines are recomputed once, for the years synced, after it commits.
        with transaction.atomic(), quiet():
            years = calendar.sync_from_package(CalendarDay, CalendarYear, keep_before=timezone.localdate())
        calendar.invalidate()
        calendar_changed.send(sender=CalendarDay, years=years)
        self.stdout.write(self.style.SUCCESS(f"calendar loaded for {years[0]}-{years[-1]}"))
        missing = calendar.missing_years()
        if missing:
            self.stdout.write(self.style.WARNING(f"no official data yet for {missing}: Monday-Friday is assumed"))
