"""Issue 20: the units' work orders of one filing are written in a fixed number of statements, whatever the
number of units' members (their recipients in two queries, the outbox rows and the inbox items in one INSERT
each), with the same keys as one message at a time."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dispatch import messages
from dispatch.models import AssignmentStatus
from notifications.models import InboxItem, Notification
from org.models import HandlingUnit
from tests.factories import file_petition, make_user

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.mark.django_db
def test_work_orders_are_written_in_bulk_with_their_keys(city, catalog, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    pending = list(petition.assignments.filter(status=AssignmentStatus.PENDING).select_related("unit"))
    assert len(pending) == 2  # lead and co-unit
    for n, assignment in enumerate(pending):
        HandlingUnit.objects.filter(pk=assignment.unit_id).update(email=f"u{n}@example.gov.cn", phone=f"1390000001{n}")
        for m in range(6):
            make_user(f"m{n}-{m}", "unit_handler", assignment.unit)
    for assignment in pending:
        assignment.unit.refresh_from_db()
    Notification.objects.filter(key__startswith="unit.new_work_order").delete()
    InboxItem.objects.all().delete()

    with time_machine.travel(MON, tick=False), CaptureQueriesContext(connection) as queries:
        messages.announce(pending, petition)

    writes = [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) <= 4, [q["sql"][:80] for q in writes]  # outbox, inbox, the citizen's SMS
    for n, assignment in enumerate(pending):
        keys = set(Notification.objects.filter(key__startswith=f"unit.new_work_order:{assignment.pk}:")
                   .values_list("key", flat=True))
        assert keys == {f"unit.new_work_order:{assignment.pk}:sms:1390000001{n}",
                        f"unit.new_work_order:{assignment.pk}:email:u{n}@example.gov.cn"}
        members = assignment.unit.members.filter(is_active=True).count()
        assert InboxItem.objects.filter(key=f"unit.new_work_order:{assignment.pk}").count() == members >= 6
    # Announcing again writes nothing twice.
    with time_machine.travel(MON, tick=False):
        messages.announce(pending, petition)
    assert Notification.objects.filter(key__startswith="unit.new_work_order").count() == 4
