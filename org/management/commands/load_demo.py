"""Load the demo city. Each app may contribute a `demo` module with a
`load(stdout)` function; they run in INSTALLED_APPS order, so an app's demo
data can build on the apps it depends on. Safe to run again."""
import importlib

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load (or refresh) the demo city: areas, units, classifications, accounts and sample petitions."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo city ready"))
