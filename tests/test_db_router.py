"""Reports read from the replica when one is configured; writes never do."""
from django.test import override_settings

from config.db_router import ReportsRouter, reports_alias
from evaluation.models import DailyStat
from petitions.models import Petition

WITH_REPLICA = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
                "replica": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


def test_without_a_replica_everything_reads_the_primary():
    router = ReportsRouter()
    assert router.db_for_read(DailyStat) == "default" and reports_alias() == "default"
    assert router.db_for_read(Petition) is None  # the default: the primary


def test_with_a_replica_reports_read_it_and_writes_stay_on_the_primary():
    router = ReportsRouter()
    with override_settings(DATABASES=WITH_REPLICA):
        assert router.db_for_read(DailyStat) == "replica"
        assert reports_alias() == "replica"
        assert router.db_for_read(Petition) is None  # pages read their own writes from the primary
        assert router.db_for_write(DailyStat) == "default"
        assert router.allow_migrate("replica", "evaluation") is False
        assert router.allow_migrate("default", "evaluation") is True


def test_analysis_queries_ask_for_the_reports_alias():
    from evaluation.aggregates import counted_petitions

    with override_settings(DATABASES=WITH_REPLICA):
        assert counted_petitions().db == "replica"
    assert counted_petitions().db == "default"
