"""The open-work counters' UPDATE trigger (PostgreSQL; dispatch 0008) reads each changed assignment's petition
once, not twice (issue 20).

0008 counted an updated assignment as -1 for its old row and +1 for its new one, each joined to its petition (for
the district) and its unit (for the kind): an overdue sweep flagging 10,000 assignments red made 20,000 petition
look-ups and 40,000 delta rows to group, ~0.15 s of each batch. An update keeps the keys of almost every row (the
unit, the petition and the day of dispatch), so the old and the new row are now paired by id: a row whose keys are
unchanged gives one delta (new counts minus old) from one look-up, and a row whose counted state did not change
(status, warning, not signed in time) gives nothing and is not looked up; only a row whose keys changed (a bulk
update of the unit or the day) is still counted as -1 old, +1 new (OFFSET 0 keeps the planner from looking up the
petitions of every row before it knows which moved). Measured on 10,000 assignments of the sweep benchmark's data
(EXPLAIN ANALYZE, three runs each, alternated): flagging them red, the trigger took 85-117 ms before and 79-98 ms
after; an update that changes nothing counted (a sign-for reminder), 72-74 ms before and 27-58 ms after. The
INSERT and DELETE triggers, the district
trigger and SQLite's row triggers are unchanged; the counters are checked against a full recount by
tests/perf/test_counters.py.
"""
import importlib

from django.db import migrations

_0008 = importlib.import_module("dispatch.migrations.0008_open_work_counts")
_pg_rows, _pg_insert, SERIES = _0008._pg_rows, _0008._pg_insert, _0008.SERIES

OPEN = "{a}.status IN ('pending', 'signed')"
KEYS_KEPT = ("n.unit_id IS NOT DISTINCT FROM o.unit_id AND n.petition_id IS NOT DISTINCT FROM o.petition_id "
             "AND n.dispatched_at IS NOT DISTINCT FROM o.dispatched_at")
COUNTED_STATE = "({a}.status, {a}.warning, {a}.sign_overdue_at IS NULL)"


def _counts(a: str) -> tuple[str, str, str, str]:
    open_ = OPEN.format(a=a)
    return (f"({open_})::int", f"({open_} AND {a}.warning = 'yellow')::int",
            f"({open_} AND {a}.warning = 'red')::int", f"({a}.status = 'pending' AND {a}.sign_overdue_at IS NOT NULL)::int")


KEPT_ROWS = (
    "SELECT CASE WHEN g.summary = 1 THEN n.unit_id END AS k_unit, p.district_id AS k_district, "
    "CASE WHEN g.summary = 1 THEN '' ELSE u.kind END AS k_kind, "
    "CASE WHEN g.summary = 1 THEN NULL ELSE (n.dispatched_at AT TIME ZONE 'Asia/Shanghai')::date END AS k_day, "
    + ", ".join(f"{new} - {old} AS {name}" for new, old, name in zip(_counts("n"), _counts("o"), "oyrl"))
    + " FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "LEFT JOIN petitions_petition p ON p.id = n.petition_id LEFT JOIN org_handlingunit u ON u.id = n.unit_id "
    f"CROSS JOIN {SERIES} "
    f"WHERE {KEYS_KEPT} AND ({OPEN.format(a='n')} OR {OPEN.format(a='o')}) "
    f"AND {COUNTED_STATE.format(a='n')} IS DISTINCT FROM {COUNTED_STATE.format(a='o')}"
)
MOVED_OLD = f"(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE NOT ({KEYS_KEPT}) OFFSET 0) a"
MOVED_NEW = f"(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE NOT ({KEYS_KEPT}) OFFSET 0) a"


def _function(update: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION dispatch_openwork_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_insert(_pg_rows('new_rows a', '1'))}
    ELSIF TG_OP = 'UPDATE' THEN
        {update}
    ELSE
        {_pg_insert(_pg_rows('old_rows a', '-1'))}
    END IF;
    RETURN NULL;
END $$;
"""


FORWARD = _function(_pg_insert(f"{KEPT_ROWS} UNION ALL {_pg_rows(MOVED_OLD, '-1')} UNION ALL {_pg_rows(MOVED_NEW, '1')}"))
BACKWARD = _function(_pg_insert(_pg_rows('old_rows a', '-1') + ' UNION ALL ' + _pg_rows('new_rows a', '1')))


def _replace(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [("dispatch", "0009_lean_indexes")]

    operations = [migrations.RunPython(_replace(FORWARD), _replace(BACKWARD))]
