"""A calendar day before today cannot be added, moved, switched or deleted: deadlines were counted on it."""
import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError

from org.models import CalendarDay

SH = dt.timezone(dt.timedelta(hours=8))
FRIDAY = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SH)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def friday():
    with time_machine.travel(FRIDAY, tick=False):
        yield


def _csv(text: str):
    upload = io.BytesIO(text.encode())
    upload.name = "import.csv"
    return upload


def test_a_day_before_today_cannot_be_added_today_can():
    with pytest.raises(ValidationError) as error:
        CalendarDay(date=dt.date(2026, 11, 25), is_workday=False, name="补假").full_clean()
    assert "date" in error.value.message_dict
    CalendarDay(date=dt.date(2026, 11, 27), is_workday=False, name="补假").full_clean()
    CalendarDay(date=dt.date(2026, 11, 30), is_workday=False, name="补假").full_clean()


def test_a_past_day_cannot_be_switched_or_moved_but_can_be_renamed():
    day = CalendarDay.objects.create(date=dt.date(2026, 11, 25), is_workday=False, name="补假")
    day.is_workday = True
    with pytest.raises(ValidationError) as error:
        day.full_clean()
    assert "is_workday" in error.value.message_dict
    day.is_workday, day.date = False, dt.date(2026, 12, 2)
    with pytest.raises(ValidationError) as error:
        day.full_clean()
    assert "date" in error.value.message_dict
    day.date, day.name = dt.date(2026, 11, 25), "调休"
    day.full_clean()
    future = CalendarDay.objects.create(date=dt.date(2026, 12, 2), is_workday=False, name="补假")
    future.date = dt.date(2026, 11, 26)  # moved into the past
    with pytest.raises(ValidationError):
        future.full_clean()


def test_the_admin_refuses_to_add_or_delete_a_past_day(client, city, platform_admin):
    client.force_login(platform_admin)
    response = client.post("/admin/org/calendarday/add/", {"date": "2026-11-25", "is_workday": "", "name": "补假"})
    assert response.status_code == 200 and "date" in response.context["adminform"].form.errors
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 25)).exists()
    past = CalendarDay.objects.create(date=dt.date(2026, 11, 25), is_workday=False, name="补假")
    assert client.post(f"/admin/org/calendarday/{past.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post("/admin/org/calendarday/", {"action": "delete_selected", "_selected_action": [past.pk],
                                                        "post": "yes"})
    assert CalendarDay.objects.filter(pk=past.pk).exists()
    assert "2026-11-25 补假: 2026-11-25" in "".join(map(str, response.context["protected"]))  # says why
    future = CalendarDay.objects.create(date=dt.date(2026, 12, 2), is_workday=False, name="补假")
    client.post(f"/admin/org/calendarday/{future.pk}/delete/", {"post": "yes"})
    assert not CalendarDay.objects.filter(pk=future.pk).exists()


def test_the_import_refuses_a_past_day(client, city, platform_admin):
    client.force_login(platform_admin)
    url = "/admin/org/calendarday/import/"
    form = client.get(url).context["form"]
    csv = next(value for value, label in form.fields["format"].choices if str(label).lower() == "csv")
    response = client.post(url, {"format": csv, "resource": "0",
                                 "import_file": _csv("date,is_workday,name\n2026-11-25,0,补假\n")})
    assert "confirm_form" not in response.context
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 25)).exists()


def test_the_official_sync_keeps_the_days_before_today_of_a_year_already_loaded():
    from django.core.management import call_command

    from org.models import CalendarYear

    # 2026-10-01 was an official holiday, counted as one; a local record says so differently now (as the
    # admin could before days were fixed): the sync must not move deadlines already passed on it.
    call_command("sync_calendar")  # 2026 loaded
    CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).update(is_workday=True, name="本地调整")
    # A day still to come that differs from the official calendar is put back.
    CalendarDay.objects.create(date=dt.date(2026, 12, 7), is_workday=False, name="误录")
    # A year never loaded comes in whole, its past days included (a city deploying mid-year).
    CalendarDay.objects.filter(date__year=2025).delete()
    CalendarYear.objects.filter(year=2025).delete()
    call_command("sync_calendar")
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "本地调整"
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 7)).exists()
    assert CalendarDay.objects.filter(date=dt.date(2025, 10, 1), is_workday=False).exists()
    assert CalendarYear.objects.filter(year=2025).exists()
