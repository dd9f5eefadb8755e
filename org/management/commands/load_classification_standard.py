"""Load the classification standard (org/data/classification_standard.csv, or another file of the
same columns) into the classification tree. Safe to run again: items are matched by code."""
from django.core.management.base import BaseCommand, CommandError

from lib.errors import DomainError
from org.services import STANDARD_CSV, classification_load_standard, classification_read_standard


class Command(BaseCommand):
    help = "Load (or refresh) the five-level classification standard from a CSV file, by code."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(STANDARD_CSV), help="CSV with code, parent_code, level, name, "
                            "top_class, tier, urgent_hours, sector, keywords (parents first).")
        parser.add_argument("--retire-missing", action="store_true",
                            help="Deactivate items that are not in the file.")

    def handle(self, *args, **options):
        try:
            rows = classification_read_standard(options["file"])
            counts = classification_load_standard(rows=rows, retire_missing=options["retire_missing"])
        except (OSError, KeyError, ValueError) as error:
            raise CommandError(f"cannot read {options['file']}: {error!r}") from error
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(self.style.SUCCESS(
            "classification standard: {created} created, {updated} updated, {unchanged} unchanged, "
            "{retired} retired".format(**counts)))
