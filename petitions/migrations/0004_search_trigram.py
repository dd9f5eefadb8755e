"""Trigram indexes for the operators' word search (PostgreSQL only).

pg_trgm indexes Chinese text on a UTF-8 database, so `LIKE '%无人机%'` on the
title and content no longer scans every petition (docs/benchmarks.md). Words
of one or two characters give no trigram and still scan; see docs/scaling.md.
"""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "content"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS petition_{column}_trgm ON petitions_petition USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in ("title", "content"):
        schema_editor.execute(f"DROP INDEX IF EXISTS petition_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0003_api_keys")]
    operations = [migrations.RunPython(forwards, backwards)]
