"""The petitions-by-channel table counts the petitions of the headline figure (docs/evaluation.md, "Petitions"):
routed-out media items and merged duplicates are left out of both, so the table adds up to the bulletin's
number of petitions, on the dashboard as in the stored figures."""
import datetime as dt

import pytest
import time_machine

from dispatch import routing, services
from dispatch.catalog import rule_create
from dispatch.models import Target
from evaluation import aggregates, metrics, snapshots
from evaluation.by_channel import petitions_by_channel
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
        assert sum(r.count for r in snapshots.channels(*NOV)) == headline  # the bulletin's stored table
        client.force_login(supervisor)
        page = client.get("/evaluation/", {"month": "2026-11"})
    assert sum(r.count for r in page.context["by_channel"]) == page.context["data"]["city"]["counts"]["petitions"]
    assert "已合并的重复诉求不计" in page.content.decode()
