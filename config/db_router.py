"""Send the reports' reads to a read replica when one is configured.

With DATABASE_REPLICA_URL set, settings add a "replica" alias (a mirror of
default in tests). The evaluation app's pre-aggregated tables are read there,
and the analysis queries over petitions ask for `reports_alias()` explicitly:
a few seconds of replication lag are fine for a monthly bulletin, while the
citizen's and the units' pages keep reading their own writes from the primary.
Every write and every migration goes to the primary.
"""
from django.conf import settings

REPORT_APPS = {"evaluation"}


def reports_alias() -> str:
    return "replica" if "replica" in settings.DATABASES else "default"


class ReportsRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in REPORT_APPS:
            return reports_alias()
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
