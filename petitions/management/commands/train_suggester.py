from django.core.management.base import BaseCommand

from petitions import suggest


class Command(BaseCommand):
    help = ("Train the classification suggester now (beat does it nightly) on the classified petitions and the "
            "starter corpus; web workers pick the new model up within a minute.")

    def handle(self, *args, **options):
        stored = suggest.suggester_train()
        if stored is None:
            self.stdout.write(f"Fewer than {suggest.MIN_EXAMPLES} labelled texts: the keyword suggester answers.")
        else:
            self.stdout.write(f"Model {stored.pk}: {stored.examples} texts ({stored.petitions} petitions), "
                              f"{stored.leaves} leaves, {len(stored.data) // 1024} KB.")
