import datetime as dt

from django.db import migrations, models


def counters_from_numbers(apps, schema_editor):
    """Start each day's counter after the numbers already given (YSQ + yyyymmdd + sequence),
    so the first request after the upgrade does not take a number in use."""
    InfoRequest = apps.get_model("disclosure", "InfoRequest")
    RequestCounter = apps.get_model("disclosure", "RequestCounter")
    last: dict[dt.date, int] = {}
    for number in InfoRequest.objects.values_list("number", flat=True).iterator():
        try:
            day, seq = dt.datetime.strptime(number[3:11], "%Y%m%d").date(), int(number[11:])
        except ValueError:
            continue
        last[day] = max(last.get(day, 0), seq)
    RequestCounter.objects.bulk_create([RequestCounter(day=d, last=n) for d, n in last.items()])


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0003_policy_attachment'),
    ]

    operations = [
        migrations.CreateModel(
            name='RequestCounter',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('last', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='inforequest',
            name='submission_token',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='signup',
            name='submission_token',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.RunPython(counters_from_numbers, migrations.RunPython.noop),
    ]
