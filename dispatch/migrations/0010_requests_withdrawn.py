"""Requests with nothing left to decide get a status of their own (withdrawn), and the ones already stale are
withdrawn: a pending return or extension on an assignment that was withdrawn, or on a closed petition (its
assignments are done or cancelled), and a pending extension on an answered assignment. They kept closed petitions in
the dispatcher's routing queue and "awaiting the platform" on the units' pages (dispatch.assignments.requests_withdraw
does it from now on)."""
from django.db import migrations, models
from django.utils import timezone

LIVE = ("proposed", "pending", "signed", "answered")
HANDLING = ("pending", "signed")


def withdraw_stale(apps, schema_editor):
    now = timezone.now()
    for name, live in (("ReturnRequest", LIVE), ("ExtensionRequest", HANDLING)):
        model = apps.get_model("dispatch", name)
        model.objects.filter(status="pending").exclude(assignment__status__in=live).update(
            status="withdrawn", decided_at=now)


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0009_lean_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='extensionrequest',
            name='status',
            field=models.CharField(choices=[('pending', 'Awaiting decision'), ('approved', 'Approved'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='returnrequest',
            name='status',
            field=models.CharField(choices=[('pending', 'Awaiting decision'), ('approved', 'Approved'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10, verbose_name='status'),
        ),
        migrations.RunPython(withdraw_stale, migrations.RunPython.noop),
    ]
