"""A deadline computed on a year with no official calendar says so wherever it is shown (issue 15,
item 5; DOMAIN.md section 5)."""
import datetime as dt

import pytest
import time_machine

from dispatch.models import Role
from org.calendar import invalidate
from org.models import CalendarYear
from tests.factories import file_petition

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


def _file(city, capture):
    with time_machine.travel(T0, tick=False), capture(execute=True):
        return file_petition(city)


@pytest.mark.django_db
def test_pages_and_messages_say_a_deadline_is_provisional_without_the_years_calendar(
        city, catalog, client, street_handler, dispatcher, supervisor, django_capture_on_commit_callbacks):
    CalendarYear.objects.filter(year=2026).delete()
    invalidate()
    petition = _file(city, django_capture_on_commit_callbacks)
    lead = petition.assignments.get(role=Role.LEAD)
    client.force_login(street_handler)
    for url in ("/dispatch/", f"/dispatch/a/{lead.pk}/"):
        assert "calendar-note" in client.get(url).content.decode(), url
    client.force_login(dispatcher)
    assert "calendar-note" in client.get(f"/admin/dispatch/queuedpetition/{petition.pk}/console/").content.decode()
    client.force_login(supervisor)
    assert "calendar-note" in client.get(f"/dispatch/supervision/petition/{petition.pk}/").content.decode()
    from notifications.models import Notification
    sms = Notification.objects.filter(key__startswith="citizen.dispatched").values_list("body", flat=True)
    assert any("暂按" in body or "provisional" in body for body in sms)


@pytest.mark.django_db
def test_no_note_when_the_official_calendar_is_loaded(city, catalog, client, street_handler,
                                                      django_capture_on_commit_callbacks):
    CalendarYear.objects.get_or_create(year=2026, defaults={"source": "国务院办公厅通知"})
    invalidate()
    petition = _file(city, django_capture_on_commit_callbacks)
    lead = petition.assignments.get(role=Role.LEAD)
    client.force_login(street_handler)
    assert "calendar-note" not in client.get(f"/dispatch/a/{lead.pk}/").content.decode()
