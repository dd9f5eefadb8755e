"""The dispatcher's queue: the most urgent first (age, limits, repeats, channel), callbacks in a queue apart."""
import datetime as dt
import re

import pytest
import time_machine

from dispatch import handling, review, selectors
from dispatch.models import Reply, Role
from lib.workdays import SHANGHAI
from petitions.models import Channel, Status
from tests.factories import file_petition

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
QUEUE = "/admin/dispatch/queuedpetition/"


def filed(city, hours_ago, **fields):
    with time_machine.travel(NOW - dt.timedelta(hours=hours_ago), tick=False):
        return file_petition(city, **fields)


def order_on_page(page: str, petitions) -> list[str]:
    numbers = [p.number for p in petitions]
    return sorted(numbers, key=lambda number: page.index(number))


@pytest.mark.django_db
def test_a_short_limit_a_public_channel_and_an_unknown_item_go_before_mere_age(client, city, dispatcher):
    # urgency = hours waited + head start (docs/dispatch.md): 1+48, 10+24, 12+8+12, 30+0, 20+8
    outage = filed(city, 1, classification=city.heating_outage, title="整栋楼暖气不热")
    parking = filed(city, 10, classification=city.parking, title="小区门口违法停车")
    mailbox = filed(city, 12, classification=city.noise, channel=Channel.MAYOR_MAILBOX, title="工地夜间施工噪音")
    oldest = filed(city, 30, classification=city.demolition, title="征收补偿款未到位")
    unknown = filed(city, 20, classification=None, title="不知道归谁管")
    client.force_login(dispatcher)
    with time_machine.travel(NOW, tick=False):
        page = client.get(QUEUE).content.decode()
    assert order_on_page(page, [oldest, unknown, mailbox, parking, outage]) == [
        outage.number, parking.number, mailbox.number, oldest.number, unknown.number]
    # each row says why: the hours and the head starts
    row = page[page.index(mailbox.number):]
    row = row[:row.index("</tr>")]
    text = re.sub(r"<[^>]+>", "", row)
    assert "32 小时" in text and "渠道 +12 小时" in text and "时限 +8 小时" in text and "已等待 12 小时" in text


@pytest.mark.django_db
def test_the_third_complaint_about_the_same_matter_jumps_the_queue(city, django_capture_on_commit_callbacks):
    # No catalog: the petitions wait for a dispatcher; the receiver still links the repeats (same item, same area).
    first_of_other = filed(city, 40, classification=city.demolition, title="另一件事", area=city.other_street)
    with django_capture_on_commit_callbacks(execute=True):
        first = filed(city, 30, classification=city.property_fee, title="物业乱收费")
        second = filed(city, 20, classification=city.property_fee, title="物业乱收费又来了")
        third = filed(city, 2, classification=city.property_fee, title="物业乱收费第三次")
    third.refresh_from_db()
    assert third.repeat_of_id == first.pk
    with time_machine.travel(NOW, tick=False):
        rows = list(selectors.dispatcher_queue_by_urgency())
    # every petition of the matter complained about 3 times gets +48 h: even the newest (2 + 48 h) outranks
    # the other matter that has waited 40 h
    assert [r.pk for r in rows] == [first.pk, second.pk, third.pk, first_of_other.pk]
    assert rows[2].times_complained == 3 and rows[2].head_repeat == dt.timedelta(hours=48)
    assert rows[3].times_complained == 1 and rows[3].head_repeat == dt.timedelta(0)


@pytest.mark.django_db
def test_callbacks_wait_in_their_own_queue(client, city, catalog, dispatcher, street_handler,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answered = file_petition(city, title="路灯不亮已修复")
    lead = answered.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，路灯已修复。")
    review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    waiting = file_petition(city, classification=None, title="未分类的诉求")
    answered.refresh_from_db()
    assert answered.status == Status.CALLBACK
    client.force_login(dispatcher)
    routing_page = client.get(QUEUE).content.decode()
    callbacks_page = client.get(QUEUE + "?queue=callbacks").content.decode()
    assert waiting.number in routing_page and answered.number not in routing_page
    assert answered.number in callbacks_page and waiting.number not in callbacks_page
    assert "(1)" in routing_page  # both tabs show their counts
    assert re.search(r'href="\?queue=callbacks"[^>]*>[^<]*\(1\)', routing_page)
