from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation import sanmin
from evaluation.models import Campaign
from lib.errors import DomainError


class Command(BaseCommand):
    help = "After voting closes: seal the tally and publish the 三民 results."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"no campaign for {year}")
        try:
            sanmin.tally_seal(campaign=campaign)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        Campaign.objects.filter(pk=campaign.pk).update(results_published_at=timezone.now())
        self.stdout.write(self.style.SUCCESS("tally sealed, results published"))
