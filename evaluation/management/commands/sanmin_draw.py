"""The draw, in two public steps:

    manage.py sanmin_draw prepare 2026 --representatives 10000   # publishes hash, quotas, commitment; prints the seed
    manage.py sanmin_draw run 2026 --seed <seed> --codes codes.xlsx   # draws, writes the one-time codes, publishes the seed
"""
from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook

from evaluation import sanmin
from evaluation.models import Campaign
from lib import spreadsheets
from lib.errors import DomainError


def proportional_quotas(lines: list[str], total: int) -> dict[str, int]:
    """Quotas per district and sector in proportion to the pool (largest remainders)."""
    sizes: dict[str, int] = {}
    for line in lines:
        stratum = line.split("|", 1)[1]
        sizes[stratum] = sizes.get(stratum, 0) + 1
    pool = sum(sizes.values())
    exact = {s: total * n / pool for s, n in sizes.items()}
    quotas = {s: int(v) for s, v in exact.items()}
    for s in sorted(exact, key=lambda s: exact[s] - quotas[s], reverse=True)[: total - sum(quotas.values())]:
        quotas[s] += 1
    return {s: min(q, sizes[s]) for s, q in quotas.items() if q}


class Command(BaseCommand):
    help = "Prepare (publish the inputs) or run the draw of the 三民 citizen representatives."

    def add_arguments(self, parser):
        parser.add_argument("step", choices=["prepare", "run"])
        parser.add_argument("year", type=int)
        parser.add_argument("--representatives", type=int, default=10000)
        parser.add_argument("--seed")
        parser.add_argument("--codes", default="sanmin-codes.xlsx")

    def handle(self, *args, step, year, representatives, seed=None, codes=None, **options):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"no campaign for {year}")
        try:
            if step == "prepare":
                quotas = proportional_quotas(sanmin.pool_lines(campaign), representatives)
                seed = sanmin.draw_prepare(campaign=campaign, quotas=quotas)
                self.stdout.write(f"published: pool hash {campaign.pool_hash}, {len(quotas)} strata, "
                                  f"commitment {campaign.seed_commitment}")
                self.stdout.write(f"SEED (keep it offline until the draw): {seed}")
                return
            if not seed:
                raise CommandError("--seed is required")
            issued = sanmin.draw_run(campaign=campaign, seed=seed)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        book = Workbook()
        spreadsheets.write_rows(book.active, header=["name", "phone", "district", "sector", "code"], rows=(
            [r.candidate.name, r.candidate.phone, r.candidate.district.name, r.candidate.sector, code]
            for r, code in issued))
        book.save(codes)
        left_out = sanmin.people_left_out(campaign)
        if left_out:
            self.stdout.write(self.style.WARNING(
                f"{left_out} recommended or volunteer candidates were already representatives by the same phone: "
                f"one code each, no second one"))
        texted = sanmin.codes_send(campaign=campaign, issued=issued)
        self.stdout.write(f"{texted} codes sent by SMS (the rest must be delivered from the sheet)")
        self.stdout.write(self.style.SUCCESS(f"{len(issued)} representatives drawn; codes written to {codes}; "
                                             f"seed published"))
