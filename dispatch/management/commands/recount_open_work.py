"""Recount the open-work counters of the supervisors' dashboard from the assignments and repair them.

    python manage.py recount_open_work          # report and repair
    python manage.py recount_open_work --check  # report only; exit status 1 when they differ
"""
from django.core.management.base import BaseCommand, CommandError

from dispatch import counters


class Command(BaseCommand):
    help = "Recount the open-work counters of the supervisors' dashboard and repair any difference."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report only")

    def handle(self, *args, check=False, **options):
        problems = counters.check()
        for row in problems[:20]:
            self.stdout.write(f"differs (recount − counters): {row}")
        if check:
            if problems:
                raise CommandError(f"{len(problems)} keys differ")
            self.stdout.write("the counters agree with a full recount")
            return
        fixed = counters.repair() if problems else 0
        self.stdout.write(f"{fixed} keys repaired; {counters.compact()} counter rows")
