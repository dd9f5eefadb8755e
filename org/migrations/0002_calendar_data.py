"""Fill the working-day calendar from the official data in the chinese_calendar
package, for every year it covers, whenever a database is created (issue 2)."""
from django.db import migrations


def load(apps, schema_editor):
    from org.calendar import sync_from_package

    sync_from_package(apps.get_model("org", "CalendarDay"), apps.get_model("org", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
