from django.core.management.base import BaseCommand

from org import calendar
from org.models import CalendarDay, CalendarYear
from org.signals import calendar_changed


class Command(BaseCommand):
    help = "Load the official holidays and make-up working days from the chinese_calendar package (upgrade it first)."

    def handle(self, *args, **options):
        years = calendar.sync_from_package(CalendarDay, CalendarYear)
        calendar.invalidate()
        calendar_changed.send(sender=CalendarDay, years=years)
        self.stdout.write(self.style.SUCCESS(f"calendar loaded for {years[0]}-{years[-1]}"))
        missing = calendar.missing_years()
        if missing:
            self.stdout.write(self.style.WARNING(f"no official data yet for {missing}: Monday-Friday is assumed"))
