"""Problem analysis of a period (evaluation.analysis): what it lists comes from the period, not from today."""
import datetime as dt

import pytest
import time_machine

from evaluation import analysis
from petitions.services import petition_link_repeat
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


@pytest.mark.django_db
def test_repeated_matters_count_the_repeats_received_in_the_period(city):
    def matter(root_at, repeats_at, phone):
        with time_machine.travel(root_at, tick=False):
            root = file_petition(city, complainant_phone=phone, title=f"噪音扰民{phone[-2:]}")
        for when in repeats_at:
            with time_machine.travel(when, tick=False):
                petition_link_repeat(petition=file_petition(city, complainant_phone=phone), original=root)
        return root

    # Complained about three more times in November: listed, ×3.
    november = matter(at(11, 2), [at(11, 5), at(11, 9), at(11, 20)], "13700000001")
    # Repeated three times in October and once in November: 1 repeat in November, below 3; ×4 is today's count.
    october = matter(at(10, 1), [at(10, 5), at(10, 9), at(10, 12), at(11, 3)], "13700000002")
    # Repeated only in December: nothing of it in November. Before the fix it was listed (no end to the period).
    december = matter(at(9, 1), [at(12, 2), at(12, 3), at(12, 4)], "13700000003")
    # Three in November and two more in December: November's bulletin says ×3, not today's ×5.
    both = matter(at(11, 10), [at(11, 11), at(11, 12), at(11, 13), at(12, 5), at(12, 6)], "13700000004")

    listed = {m["number"]: m["repeats"] for m in analysis.repeated_matters(*NOV, minimum=3)}
    assert listed == {november.number: 3, both.number: 3}
    assert october.number not in listed and december.number not in listed
    december_list = {m["number"]: m["repeats"] for m in analysis.repeated_matters(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31), minimum=2)}
    assert december_list == {december.number: 3, both.number: 2}
