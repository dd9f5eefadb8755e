"""Traffic by channel (DOMAIN.md section 3: one door in, many channels): how many petitions each channel
brought in a period, for the bulletin and the dashboard. Kept apart from evaluation.metrics on purpose:
it counts from Petition.channel and needs none of the daily statistics; but it counts the same petitions as
the headline figure (aggregates.counted_petitions: routed-out media items and merged duplicates are not
counted), so the table adds up to the bulletin's number of petitions. The bulletins and the dashboard read it from
the city's daily rows, beside the headline (DailyStat.channels, evaluation.metrics.bulletin); the direct count
here serves the tests and any page that needs no headline beside it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from evaluation.aggregates import counted_petitions
from lib.workdays import SHANGHAI
from petitions.models import Channel


@dataclass
class ChannelCount:
    channel: str
    label: str
    count: int
    share: float  # of the period's petitions, 0..1


def petitions_by_channel(first: dt.date, last: dt.date) -> list[ChannelCount]:
    """Every channel, busiest first (those with none too: a silent channel is news), dates inclusive and
    in Beijing time."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    counts = dict(counted_petitions().filter(received_at__gte=start, received_at__lt=end)
                  .values_list("channel").annotate(n=Count("id")).order_by())
    return channel_rows(counts)


def channel_rows(counts: dict[str, int]) -> list[ChannelCount]:
    """The table of counts by channel code (a bulletin's `by_channel`, from the city's daily rows): every channel,
    busiest first, labels in the reader's language, not the language of whoever computed the figures."""
    total = sum(counts.values())
    codes = list(Channel.values) + [code for code in counts if code not in Channel.values]  # a channel since retired
    rows = [ChannelCount(code, str(Channel(code).label) if code in Channel.values else code, counts.get(code, 0),
                         counts.get(code, 0) / total if total else 0.0) for code in codes]
    return sorted(rows, key=lambda r: (-r.count, r.label))
