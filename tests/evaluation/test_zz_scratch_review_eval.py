import datetime as dt
import pytest
import time_machine

from dispatch import services as dsvc
from dispatch.models import Role
from evaluation import aggregates, analysis, metrics, snapshots, reports
from evaluation.models import DailyStat, Report
from petitions.models import Petition
from tests.evaluation.test_metrics import world, at, NOV  # noqa: F401


@pytest.mark.django_db
def test_odd_month_500(client, world, supervisor):
    client.raise_request_exception = False
    client.force_login(supervisor)
    for m in ("9999-12", "0001-01", "0001-02"):
        r = client.get("/evaluation/", {"month": m})
        print(m, r.status_code)


@pytest.mark.django_db
def test_merge_after_refresh_window_drifts(world, dispatcher, django_capture_on_commit_callbacks):
    # p3 received 4 Nov, never signed; merged into p1's... p1 closed; use p5 (open) as target
    p3, p5 = world["p3"], world["p5"]
    with time_machine.travel(at(12, 1, 1), tick=False):
        aggregates.refresh(dt.date(2026, 10, 1), dt.date(2026, 12, 1))
        before = metrics.city(*NOV).counts["petitions"]
        assert aggregates.check(dt.date(2026, 10, 1), dt.date(2026, 12, 1)) == []
    with time_machine.travel(at(12, 1, 2), tick=False), django_capture_on_commit_callbacks(execute=True):
        p3.refresh_from_db()
        print("p3 status", p3.status, "p5", Petition.objects.get(pk=p5.pk).status)
        dsvc.dispatch_merge(petition=p3, into=Petition.objects.get(pk=p5.pk), actor=dispatcher, duplicate=True)
    with time_machine.travel(at(12, 1, 3), tick=False):
        aggregates.refresh_recent()
        after = metrics.city(*NOV).counts["petitions"]
        chan = sum(r.count for r in snapshots.channels(*NOV))
        problems = aggregates.check(dt.date(2026, 10, 1), dt.date(2026, 12, 1))
    print("headline before", before, "after", after, "channels", chan, "problems", problems)


@pytest.mark.django_db
def test_repeated_matters_leak_future(world):
    from dispatch import repeats
    print([f.name for f in Petition._meta.fields if "repeat" in f.name])


@pytest.mark.django_db
def test_repeated_leak(world):
    from petitions.publication import PUBLISHABLE_STATUSES
    root = world["p4"]  # received 31 Oct
    Petition.objects.filter(pk=root.pk).update(status=list(PUBLISHABLE_STATUSES)[0], repeat_count=3)
    # three repeats received in December, after November ends
    for i, p in enumerate([world["p1"], world["p2"], world["p3"]]):
        Petition.objects.filter(pk=p.pk).update(repeat_of=root, received_at=at(12, 5 + i))
    print("NOV repeated:", analysis.repeated_matters(*NOV, minimum=3))
    print("OCT repeated:", analysis.repeated_matters(dt.date(2026, 10, 1), dt.date(2026, 10, 31), minimum=3))
