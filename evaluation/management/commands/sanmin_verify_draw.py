from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluation import sanmin
from evaluation.models import Campaign


class Command(BaseCommand):
    help = "Re-run a published 三民 draw from its published inputs and compare it with the representatives drawn."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--pool", help="the published pool file (default: the pool in the database)")

    def handle(self, *args, year, pool=None, **options):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None or not campaign.drawn_at:
            raise CommandError(f"no draw for {year}")
        lines = Path(pool).read_text(encoding="utf-8").splitlines() if pool else None
        problems = sanmin.draw_verify(campaign=campaign, lines=lines)
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(self.style.SUCCESS(
            f"verified: pool hash {campaign.pool_hash}, {campaign.algorithm}, seed {campaign.seed}"))
