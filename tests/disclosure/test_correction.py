"""Art. 30 correction (补正): the applicant sends the corrected request from the status page, or the office records
one that came by hand or post with the day it arrived; the text is stored and the answer period restarts from that
day. While the clock is paused the applicant's page shows no stale due date. 2026 calendar: November has no
holiday."""
import datetime as dt

import pytest
import time_machine
from django.test import Client

from disclosure import services
from disclosure.models import InfoRequest, RequestStatus

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date
ADMIN = "/admin/disclosure/inforequest/"


def on(day: dt.date, hour=10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH), tick=False)


@pytest.fixture
def awaiting(bodies, urban_officer) -> InfoRequest:
    """Received Monday 2 Nov (due 30 Nov), a correction notice on 4 Nov asking for the district and the estate."""
    with on(D(2026, 11, 2)):
        item = services.request_submit(applicant_name="张三", applicant_phone="13900000001", body=bodies.urban,
                                       description="请公开老旧小区改造清单")
    with on(D(2026, 11, 4)):
        return services.request_correction(request=item, actor=urban_officer, text="请写明所指的区和小区名称",
                                           answer_within_days=15)


def applicant(item: InfoRequest) -> Client:
    client = Client()
    session = client.session
    session["disclosure:tracked"] = [item.pk]
    session.save()
    return client


@pytest.mark.django_db
def test_the_applicant_sends_the_correction_online_and_the_period_restarts_that_day(awaiting, urban_officer):
    client = applicant(awaiting)
    status_url = f"/disclosure/requests/track/{awaiting.number}/"
    with on(D(2026, 11, 5)):
        page = client.get(status_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Paused: no stale due date, but how the clock stands and a way to send the correction.
    assert "2026-11-30" not in page and "Paused until your correction arrives" in page
    assert f'action="/disclosure/requests/track/{awaiting.number}/correct/"' in page
    with on(D(2026, 11, 9)):
        sent = client.post(f"{status_url}correct/", {"text": "请公开市南区金湖路小区2026年改造清单"})
    assert sent.status_code == 302 and sent["Location"] == status_url
    item = InfoRequest.objects.get(pk=awaiting.pk)
    # Restarted on 9 Nov: 10-13 (4), 16-20 (9), 23-27 (14), 30 Nov-4 Dec (19), 7 Dec (20). Art. 31's date stays.
    assert (item.status, item.received_on, item.corrected_on, item.clock_restarted_on, item.due_on) == (
        RequestStatus.RECEIVED, D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 9), D(2026, 12, 7))
    assert item.corrected_text == "请公开市南区金湖路小区2026年改造清单"
    event = item.events.get(kind="corrected")
    assert event.actor is None and event.data["via"] == "online" and event.data["arrived_on"] == "2026-11-09"
    page = client.get(status_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2026-12-07" in page and "金湖路小区" in page and "Send the correction" not in page
    # The officer sees it on the request's page.
    officer = Client()
    officer.force_login(urban_officer)
    assert "金湖路小区" in officer.get(f"{ADMIN}{item.pk}/change/").content.decode()
    # Sent twice (the back button): said, and nothing changes.
    with on(D(2026, 11, 10)):
        again = client.post(f"{status_url}correct/", {"text": "请公开市南区金湖路小区2026年改造清单（再次）"})
    assert again.status_code == 302
    item.refresh_from_db()
    assert (item.corrected_on, item.corrected_text) == (D(2026, 11, 9), "请公开市南区金湖路小区2026年改造清单")


@pytest.mark.django_db
def test_an_empty_correction_is_refused_on_its_field_and_another_browser_cannot_send_one(awaiting):
    url = f"/disclosure/requests/track/{awaiting.number}/correct/"
    with on(D(2026, 11, 5)):
        refused = applicant(awaiting).post(url, {"text": "  补充  "})
        assert refused.status_code == 400 and "text" in refused.context["correction_form"].errors
        assert Client().post(url, {"text": "请公开市南区金湖路小区2026年改造清单"}).status_code == 404
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.corrected_text, awaiting.corrected_on) == (RequestStatus.CORRECTION, "", None)


@pytest.mark.django_db
def test_the_office_records_a_correction_by_post_with_the_day_it_arrived(client, awaiting, urban_officer):
    client.force_login(urban_officer)
    url = f"{ADMIN}{awaiting.pk}/act/corrected/"
    text = "请公开市南区金湖路小区2026年改造清单"
    with on(D(2026, 11, 9)):
        assert client.get(url).context["form"]["on"].value() == D(2026, 11, 9)  # today by default
        for data, field in (({"text": text, "on": "2026-11-10"}, "on"),   # in the future
                            ({"text": text, "on": "2026-11-03"}, "on"),   # before the notice of 4 Nov
                            ({"text": "", "on": "2026-11-06"}, "text")):
            refused = client.post(url, data)
            assert refused.status_code == 400 and field in refused.context["form"].errors, data
        awaiting.refresh_from_db()
        assert (awaiting.status, awaiting.corrected_on) == (RequestStatus.CORRECTION, None)
        assert client.post(url, {"text": text, "on": "2026-11-06"}).status_code == 302
    item = InfoRequest.objects.get(pk=awaiting.pk)
    # Arrived Friday 6 Nov: the 20 working days run from then, to Friday 4 Dec.
    assert (item.corrected_on, item.clock_restarted_on, item.due_on, item.corrected_text) == (
        D(2026, 11, 6), D(2026, 11, 6), D(2026, 12, 4), text)
    event = item.events.get(kind="corrected")
    assert event.actor == urban_officer and event.data["via"] == "office" and event.note == text


@pytest.mark.django_db
def test_a_correction_sent_online_reaches_the_officers_inbox_and_no_other_body(awaiting, urban_officer, urban_head,
                                                                               district_officer):
    """The clock restarted: the body's officer and head are told in their inbox (with the request's admin page),
    not left to find it by chance among the received requests; another body's officer is not told."""
    from notifications.models import InboxItem

    with on(D(2026, 11, 9)):
        assert applicant(awaiting).post(f"/disclosure/requests/track/{awaiting.number}/correct/",
                                        {"text": "请公开市南区金湖路小区2026年改造清单"}).status_code == 302
    items = InboxItem.objects.filter(key__startswith="unit.request_corrected:")
    assert sorted(i.user.username for i in items) == ["ogi_urban_head", "ogi_urban_officer"]
    item = items.get(user=urban_officer)
    assert awaiting.number in item.body and "2026-12-07" in item.body
    assert item.link == f"{ADMIN}{awaiting.pk}/change/"
    assert not InboxItem.objects.filter(user=district_officer).exists()


@pytest.mark.django_db
def test_a_correction_sent_online_after_its_date_is_refused_the_request_abandoned_and_the_text_shown_back(
        awaiting):
    """Due by 25 Nov (15 working days from the notice of 4 Nov). On 26 Nov, before the nightly sweep, the page
    no longer offers the form; a post from a page left open is not accepted as a correction (Art. 30: the
    request counts as abandoned), the applicant is told, and what they wrote is shown back to copy."""
    client = applicant(awaiting)
    status_url = f"/disclosure/requests/track/{awaiting.number}/"
    with on(D(2026, 11, 25), hour=23):
        assert "Send the correction" in client.get(status_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with on(D(2026, 11, 26), hour=8):
        page = client.get(status_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Send the correction" not in page and "The correction had to arrive by 2026-11-25" in page
        late = client.post(f"{status_url}correct/", {"text": "请公开市南区金湖路小区2026年改造清单"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert late.status_code == 409
    page = late.content.decode()
    assert "Treated as abandoned" in page and "金湖路小区2026年改造清单" in page and "Send the correction" not in page
    assert 'href="/disclosure/requests/new/"' in page
    assert "2026-11-30" not in page  # no answer is due on an abandoned request
    item = InfoRequest.objects.get(pk=awaiting.pk)
    assert (item.status, item.abandon_reason, item.closed_on, item.corrected_on, item.corrected_text) == (
        RequestStatus.ABANDONED, "no_correction", D(2026, 11, 26), None, "")
    assert not item.events.filter(kind="corrected").exists()
    from notifications.models import Notification

    assert Notification.objects.filter(key__contains=f"{item.pk}:abandoned").exists()
    assert not Notification.objects.filter(key__contains=f"{item.pk}:corrected").exists()


@pytest.mark.django_db
def test_the_office_records_a_correction_that_arrived_in_time_even_after_its_date_but_not_one_that_came_late(
        client, awaiting, urban_officer):
    client.force_login(urban_officer)
    url = f"{ADMIN}{awaiting.pk}/act/corrected/"
    text = "请公开市南区金湖路小区2026年改造清单"
    with on(D(2026, 11, 27)):
        refused = client.post(url, {"text": text, "on": "2026-11-26"})
        assert refused.status_code == 400 and "on" in refused.context["form"].errors
        awaiting.refresh_from_db()
        assert awaiting.status == RequestStatus.CORRECTION  # the sweep decides, a mistyped date can be fixed
        assert client.post(url, {"text": text, "on": "2026-11-25"}).status_code == 302  # posted in time
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.corrected_on) == (RequestStatus.RECEIVED, D(2026, 11, 25))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_fields_hold_a_value_a_date_input_can_show(language):
    """<input type="date"> reads only YYYY-MM-DD: Chinese's 2026/12/04 showed an empty field, and "Correction
    received" was refused in the browser as missing its day (the hotline's and the calendar's date inputs were
    given the same format)."""
    import datetime as dt
    import re

    from django.utils import translation

    from disclosure.forms import CorrectedForm

    with translation.override(language):
        html = str(CorrectedForm(initial={"on": dt.date(2026, 12, 4)})["on"])
    assert 'value="2026-12-04"' in html and re.search(r'type="date"', html)


@pytest.mark.django_db
def test_a_correction_that_arrived_in_time_is_accepted_after_the_sweep_abandoned_the_request(client, awaiting,
                                                                                            urban_officer):
    """Due by 25 Nov; posted by hand on that last day (Art. 30), but the sweep of 00:05 on 26 Nov abandoned the
    request before the officer recorded it. Recorded on 26 Nov as arrived on 25 Nov: the request is reopened
    (recorded), no longer counted as abandoned (annual report), and its period restarts from 25 Nov."""
    from disclosure.reports import annual_report

    with on(D(2026, 11, 26), hour=0):
        assert services.sweep(today=D(2026, 11, 26))["abandoned"] == 1
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.abandon_reason, awaiting.closed_on) == (
        RequestStatus.ABANDONED, "no_correction", D(2026, 11, 26))
    client.force_login(urban_officer)
    text = "请公开市南区金湖路小区2026年改造清单"
    with on(D(2026, 11, 26)):
        page = client.get(f"{ADMIN}{awaiting.pk}/change/").content.decode()
        assert f"{ADMIN}{awaiting.pk}/act/corrected/" in page  # the step is offered on the abandoned request
        late = client.post(f"{ADMIN}{awaiting.pk}/act/corrected/", {"text": text, "on": "2026-11-26"})
        assert late.status_code == 400 and "on" in late.context["form"].errors  # really late: stays abandoned
        awaiting.refresh_from_db()
        assert awaiting.status == RequestStatus.ABANDONED
        assert client.post(f"{ADMIN}{awaiting.pk}/act/corrected/", {"text": text, "on": "2026-11-25"}).status_code == 302
    item = InfoRequest.objects.get(pk=awaiting.pk)
    # Restarted on Wednesday 25 Nov: 20 working days to Wednesday 23 Dec.
    assert (item.status, item.abandon_reason, item.closed_on, item.corrected_on, item.due_on) == (
        RequestStatus.RECEIVED, "", None, D(2026, 11, 25), D(2026, 12, 23))
    reopened = item.events.get(kind="reopened")
    assert reopened.actor == urban_officer and reopened.data["abandoned_on"] == "2026-11-26"
    assert list(item.events.values_list("kind", flat=True))[-2:] == ["reopened", "corrected"]
    report = annual_report(2026, body=item.body)
    assert report.row("no_correction").cells["total"] == 0 and report.row("carried_out").cells["total"] == 1
    assert report.balances()


@pytest.mark.django_db
def test_the_online_path_still_refuses_a_correction_after_the_sweep_abandoned_the_request(awaiting):
    with on(D(2026, 11, 26), hour=0):
        services.sweep(today=D(2026, 11, 26))
    with on(D(2026, 11, 26), hour=9):
        with pytest.raises(services.ConflictError):
            services.request_corrected(request=awaiting, text="请公开市南区金湖路小区2026年改造清单", online=True)
    awaiting.refresh_from_db()
    assert awaiting.status == RequestStatus.ABANDONED


@pytest.mark.django_db
def test_the_restarted_period_drops_consultation_days_and_an_extension_of_the_old_period(
        bodies, urban_officer, urban_head):
    """Art. 30: the period counts afresh from the corrected request. Working days spent consulting before the
    correction, and an extension approved for the old period, are not added to the new one (kept in the
    history); the restarted period may have its own extension."""
    with on(D(2026, 11, 2)):
        item = services.request_submit(applicant_name="张三", applicant_phone="13900000001", body=bodies.urban,
                                       description="请公开老旧小区改造清单")
        item = services.request_consult(request=item, actor=urban_officer, third_party="某公司")
    with on(D(2026, 11, 4)):
        item = services.request_consulted(request=item, actor=urban_officer)
        item = services.request_extend(request=item, actor=urban_head, days=10, reason="需调取档案")
        assert (item.consulted_workdays, item.extension_days) == (2, 10)
        item = services.request_correction(request=item, actor=urban_officer, text="请写明小区名称")
    with on(D(2026, 11, 9)):
        item = services.request_corrected(request=item, actor=urban_officer, text="请公开金湖路小区改造清单",
                                          on=D(2026, 11, 9))
    item.refresh_from_db()
    # 20 working days from 9 Nov: 7 Dec, nothing added.
    assert (item.due_on, item.consulted_workdays, item.extension_days, item.extension_approved_by) == (
        D(2026, 12, 7), 0, 0, None)
    event = item.events.get(kind="corrected")
    assert event.data["dropped_consulted_workdays"] == 2 and event.data["dropped_extension_days"] == 10
    with on(D(2026, 11, 10)):
        item = services.request_extend(request=item, actor=urban_head, days=5, reason="需调取档案")
    assert item.due_on == D(2026, 12, 14)
