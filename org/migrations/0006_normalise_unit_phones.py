"""Units' duty phones stored normalised ("+86 139 0532 0399" -> "13905320399"), as HandlingUnit.save now does:
the unreachable-unit check reads the stored value, and the outbox already sent to the normalised one."""
from django.db import migrations

from lib.identity import normalise_phone


def normalise(apps, schema_editor):
    HandlingUnit = apps.get_model("org", "HandlingUnit")
    for unit in HandlingUnit.objects.exclude(phone="").only("pk", "phone").iterator():
        try:
            phone = normalise_phone(unit.phone)
        except ValueError:
            continue  # a hotline or a typo stays as written
        if phone != unit.phone:
            HandlingUnit.objects.filter(pk=unit.pk).update(phone=phone)


class Migration(migrations.Migration):
    dependencies = [("org", "0005_clocks_district_supervisor")]
    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
