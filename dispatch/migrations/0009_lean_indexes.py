import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class AlterFieldOnPostgres(migrations.AlterField):
    """Drop an index no query needs (issue 20: every index is rewritten by each non-HOT update of an assignment,
    70,000 at once in an overdue sweep). On SQLite, which remakes the whole table to alter a field and would
    lose the open-work triggers (dispatch 0008) with it, only the migration state changes: the index stays."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0008_open_work_counts'),
        ('org', '0005_clocks_district_supervisor'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AlterFieldOnPostgres(
            model_name='assignment',
            name='dispatched_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='dispatched by'),
        ),
        AlterFieldOnPostgres(
            model_name='assignment',
            name='signed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed by'),
        ),
        AlterFieldOnPostgres(
            model_name='assignment',
            name='unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='org.handlingunit', verbose_name='unit'),
        ),
    ]
