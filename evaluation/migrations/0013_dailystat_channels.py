"""The city's daily rows keep the petitions by channel (DailyStat.channels): the bulletins and the dashboard read
the channel table beside the headline, from the same rows, and a report keeps it with its figures. The stored
analysis held a channel table, and the repeated matters counted the old way (today's count, no end to the period):
drop it and the old channel tables; they are recomputed on the next read. The days' channels are filled by the
beat for the last 12 days and by `manage.py rebuild_stats` for the rest (docs/evaluation.md)."""
from django.db import migrations, models


def drop_stored_analysis(apps, schema_editor):
    Snapshot = apps.get_model("evaluation", "Snapshot")
    Snapshot.objects.filter(key__startswith="analysis:").delete()
    Snapshot.objects.filter(key__startswith="channels:").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0012_recount_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailystat",
            name="channels",
            field=models.JSONField(blank=True, default=dict, verbose_name="petitions by channel"),
        ),
        migrations.RunPython(drop_stored_analysis, migrations.RunPython.noop),
    ]
