from django.core.management.base import BaseCommand, CommandError

from lib.errors import DomainError
from petitions.services import apikey_issue


class Command(BaseCommand):
    help = "Issue an API key for an integrator (Open311 and /api/v1/) and print it. It is shown only once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who the key is for, e.g. 'District hotline' or 'WeChat mini-program'")

    def handle(self, *args, name, **options):
        try:
            key, raw = apikey_issue(name=name)
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(raw)
