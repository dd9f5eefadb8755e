"""The petitions by channel now count what the headline figure counts (routed-out media items and merged
duplicates left out: evaluation.by_channel). The stored analysis and channel tables were counted the old way,
some of them for good (final periods): drop them; they are recomputed on the next read."""
from django.db import migrations


def drop_stored_channels(apps, schema_editor):
    Snapshot = apps.get_model("evaluation", "Snapshot")
    Snapshot.objects.filter(key__startswith="analysis:").delete()
    Snapshot.objects.filter(key__startswith="channels:").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0011_snapshot"),
    ]

    operations = [
        migrations.RunPython(drop_stored_channels, migrations.RunPython.noop),
    ]
