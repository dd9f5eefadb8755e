import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation import aggregates


class Command(BaseCommand):
    help = "Rebuild the pre-aggregated daily figures from the petitions, then check them against a direct computation."

    def add_arguments(self, parser):
        parser.add_argument("--no-check", action="store_true")

    def handle(self, *args, no_check=False, **options):
        started = time.perf_counter()
        now = timezone.now()  # one moment for the rebuild and the check: today's limits still to come are in neither
        rows = aggregates.rebuild(progress=lambda a, b: self.stdout.write(f"  {a} … {b}"), now=now)
        self.stdout.write(f"rebuilt {rows} daily rows in {time.perf_counter() - started:.1f} s")
        bounds = aggregates.span()
        if no_check or bounds is None:
            return
        problems = aggregates.check(*bounds, now=now)
        if problems:
            for line in problems[:50]:
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} differences between the aggregates and a direct computation")
        self.stdout.write(self.style.SUCCESS("aggregates agree with a direct computation"))
