"""The petitions-by-channel table counts the petitions of the headline figure (docs/evaluation.md, "Petitions"):
routed-out media items and merged duplicates are left out of both, so the table adds up to the bulletin's
number of petitions, on the dashboard as in the stored figures."""
import datetime as dt

import pytest
import time_machine

from dispatch import routing, services
from dispatch.catalog import rule_create
from dispatch.models import Target
from evaluation import aggregates, metrics, reports
from evaluation.by_channel import petitions_by_channel
from evaluation.models import Report
from petitions.models import Petition, Status, Stream
from petitions.services import petition_screen
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.mark.django_db
def test_the_channel_table_adds_up_to_the_headline_figure(city, dispatcher, client, supervisor,
                                                          django_capture_on_commit_callbacks):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, tzinfo=SH), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        kept = file_petition(city, channel="wechat", complainant_phone="13700000001")
        duplicate = file_petition(city, channel="wechat", complainant_phone="13700000002")
        file_petition(city, channel="grid", complainant_phone="13700000003")
        media = file_petition(city, channel="media", complainant_phone="13700000004")
        services.dispatch_merge(petition=duplicate, into=kept, actor=dispatcher, duplicate=True, reason="同一事项")
        # A media item screened out to another body (not government service): never in the hotline's figures.
        petition_screen(petition=Petition.objects.get(pk=media.pk), stream=Stream.PUBLIC_OPINION, actor=dispatcher,
                        routed_to="市委宣传部舆情办")
    assert Petition.objects.get(pk=duplicate.pk).status == Status.MERGED
    assert Petition.objects.get(pk=media.pk).status == Status.ROUTED_OUT

    with time_machine.travel(dt.datetime(2026, 11, 17, 10, tzinfo=SH), tick=False):
        aggregates.refresh(*NOV)
        headline = metrics.city(*NOV).counts["petitions"]
        rows = {r.channel: r.count for r in petitions_by_channel(*NOV)}
        # Before the fix: wechat 2 and media 1, four in all against a headline of 2.
        assert headline == 2 and sum(rows.values()) == headline
        assert rows["wechat"] == 1 and rows["grid"] == 1 and rows["media"] == 0
        assert sum(metrics.bulletin(*NOV)["by_channel"].values()) == headline  # the bulletin's stored table
        client.force_login(supervisor)
        page = client.get("/evaluation/", {"month": "2026-11"})
    assert sum(r.count for r in page.context["by_channel"]) == page.context["data"]["city"]["counts"]["petitions"]
    assert "已合并的重复诉求不计" in page.content.decode()


def _three_petitions(city, capture):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, tzinfo=SH), tick=False), capture(execute=True):
        return [file_petition(city, channel=channel, complainant_phone=f"1370000000{i}")
                for i, channel in enumerate(("wechat", "wechat", "grid"))]


def _table(page) -> dict[str, int]:
    return {r.channel: r.count for r in page.context["by_channel"] if r.count}


@pytest.mark.django_db
def test_a_published_bulletin_shows_the_channels_of_its_own_figures(city, dispatcher, client,
                                                                     django_capture_on_commit_callbacks):
    # The headline is frozen in the report at generation; before the fix the channel table beside it was counted
    # again from the live petitions at each reading, and a merge afterwards made them disagree (3 against 2).
    kept, duplicate, _grid = _three_petitions(city, django_capture_on_commit_callbacks)
    with time_machine.travel(dt.datetime(2026, 12, 1, 0, 30, tzinfo=SH), tick=False):
        aggregates.refresh(*NOV)
        report = reports.report_generate(kind=Report.Kind.MONTHLY, day=dt.date(2026, 11, 30))
        reports.report_publish(report=report)
    assert report.data["by_channel"] == {"wechat": 2, "grid": 1}
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=SH), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        services.dispatch_merge(petition=duplicate, into=kept, actor=dispatcher, duplicate=True, reason="同一事项")
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, tzinfo=SH), tick=False):
        page = client.get(f"/evaluation/bulletins/{report.pk}/")
    assert page.context["data"]["city"]["counts"]["petitions"] == 3
    assert _table(page) == {"wechat": 2, "grid": 1}


@pytest.mark.django_db
def test_the_dashboards_channel_table_and_headline_come_from_the_same_counters(city, client, supervisor,
                                                                               django_capture_on_commit_callbacks):
    # Before the fix the headline came from the daily counters (refreshed every 5 minutes) and the channel table
    # from the stored analysis (kept 15 minutes): a petition filed in between was in one and not the other.
    _three_petitions(city, django_capture_on_commit_callbacks)
    client.force_login(supervisor)
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, tzinfo=SH), tick=False):
        aggregates.refresh_recent()
        assert _table(client.get("/evaluation/", {"month": "2026-11"})) == {"wechat": 2, "grid": 1}
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 1, tzinfo=SH), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        file_petition(city, channel="grid", complainant_phone="13700000009")
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 5, tzinfo=SH), tick=False):
        aggregates.refresh_recent()  # the beat
        page = client.get("/evaluation/", {"month": "2026-11"})
    assert page.context["data"]["city"]["counts"]["petitions"] == 4
    assert _table(page) == {"wechat": 2, "grid": 2}
