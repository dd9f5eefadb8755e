"""响应率 by sign-for limit, 解决率 and 满意率 by petition (issue 15, items 8 and 9): the daily table
counts limits due instead of dispatches, no longer holds ratings (computed per period), and counts
perfunctory answers. The old rows meant something else: they are dropped here; the beat refreshes the
recent days and `manage.py rebuild_stats` recomputes the whole history."""
from django.db import migrations, models


def drop_old_rows(apps, schema_editor):
    apps.get_model("evaluation", "DailyStat").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0008_commitment_published_at"),
    ]

    operations = [
        migrations.RunPython(drop_old_rows, migrations.RunPython.noop),
        migrations.RenameField(model_name="dailystat", old_name="dispatched", new_name="sign_due"),
        migrations.AlterField(model_name="dailystat", name="sign_due",
                              field=models.PositiveIntegerField(default=0, verbose_name="sign-for limits due")),
        migrations.RemoveField(model_name="dailystat", name="rated"),
        migrations.RemoveField(model_name="dailystat", name="solved"),
        migrations.RemoveField(model_name="dailystat", name="satisfied"),
        migrations.AddField(model_name="dailystat", name="perfunctory",
                            field=models.PositiveIntegerField(default=0, verbose_name="perfunctory answers")),
    ]
