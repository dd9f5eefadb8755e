"""The public disclosure forms (issue 13): a double submit stores one row and shows the
same confirmation; request numbers come from a locked counter; hostile phones are refused
on the field and nothing is stored."""
import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from disclosure import services
from disclosure.models import Body, Event, InfoRequest, RequestCounter, RequestEvent, Signup
from org.models import HandlingUnit
from tests.disclosure.conftest import application
from tests.concurrency import postgres_only, race
from tests.identities import LANDLINE, SERVICE_NUMBERS

NEW = "/disclosure/requests/new/"
SH = dt.timezone(dt.timedelta(hours=8))


def request_data(**overrides):
    body = Body.objects.get_or_create(unit=HandlingUnit.objects.get(code="URB"))[0]
    return application(body, **overrides)


@pytest.fixture
def event(city):
    now = timezone.now()
    return Event.objects.create(kind=Event.Kind.INSPECTION, title="实地察看", starts_at=now + dt.timedelta(days=5),
                                place="市政府", capacity=5, signup_closes_at=now + dt.timedelta(days=4))


@pytest.mark.django_db
def test_a_request_posted_twice_is_stored_once_with_the_same_confirmation(client, city):
    data = request_data()
    first = client.post(NEW, data, follow=True)
    second = client.post(NEW, data, follow=True)
    item = InfoRequest.objects.get()
    assert RequestEvent.objects.filter(kind="received").count() == 1
    for page in (first, second):
        assert page.status_code == 200 and item.number in page.content.decode()


@pytest.mark.django_db
def test_the_request_form_carries_a_fresh_token_each_time_it_is_shown(client, city):
    first, second = client.get(NEW), client.get(NEW)
    tokens = {page.context["form"]["submission_token"].value() for page in (first, second)}
    assert len(tokens) == 2
    assert 'name="submission_token"' in first.content.decode()


@pytest.mark.django_db
def test_two_different_requests_of_the_same_second_get_consecutive_numbers(city):
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=SH), tick=False):
        numbers = [services.request_submit(applicant_name="张三", applicant_phone="13912345678",
                                           description="请公开2026年老旧小区改造项目清单").number for _ in range(3)]
    assert numbers == ["YSQ202611230001", "YSQ202611230002", "YSQ202611230003"]
    assert RequestCounter.objects.get(day=dt.date(2026, 11, 23)).last == 3


@pytest.mark.django_db
def test_numbers_do_not_come_from_counting_the_days_requests(city):
    """Count + 1 gave a number already in use once a request of the day had been removed."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=SH), tick=False):
        kwargs = dict(applicant_name="张三", applicant_phone="13912345678", description="请公开2026年老旧小区改造项目清单")
        first, second = services.request_submit(**kwargs), services.request_submit(**kwargs)
        first.events.all().delete()
        first.delete()
        third = services.request_submit(**kwargs)
    assert third.number == "YSQ202611230003" and third.number != second.number


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_requests_filed_at_the_same_moment_get_distinct_numbers(city):
    def submit(i):
        return services.request_submit(applicant_name=f"申请人{i}", applicant_phone=f"139000000{i:02d}",
                                       description="请公开2026年老旧小区改造项目清单").number

    results = race(*[lambda i=i: submit(i) for i in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8, results
    numbers = [number for _, number in results]
    assert len(set(numbers)) == 8 and InfoRequest.objects.count() == 8


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_at_the_same_moment_makes_one_request(city):
    token = uuid.uuid4()
    results = race(*[lambda: services.request_submit(applicant_name="张三", applicant_phone="13912345678",
                                                     description="请公开2026年老旧小区改造项目清单",
                                                     submission_token=token).pk for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert len({pk for _, pk in results}) == 1 and InfoRequest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("phone", SERVICE_NUMBERS + [LANDLINE, "1391234567"])
def test_a_request_with_a_hotline_or_a_landline_is_refused_and_nothing_stored(client, city, phone):
    response = client.post(NEW, request_data(applicant_phone=phone), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "手机号" in str(response.context["form"].errors["applicant_phone"]) or \
        "服务热线" in str(response.context["form"].errors["applicant_phone"])
    assert InfoRequest.objects.count() == 0 and RequestCounter.objects.count() == 0


@pytest.mark.django_db
def test_a_service_number_is_named_as_such(client, city):
    client.cookies["django_language"] = "en"
    response = client.post(NEW, request_data(applicant_phone="12345"), HTTP_ACCEPT_LANGUAGE="en")
    assert "service number" in str(response.context["form"].errors["applicant_phone"])
    response = client.post(NEW, request_data(applicant_phone=LANDLINE), HTTP_ACCEPT_LANGUAGE="en")
    assert "mobile number" in str(response.context["form"].errors["applicant_phone"])


def signup(client, event, **overrides):
    data = {"s-name": "甲", "s-phone": "13900000001", "s-submission_token": str(uuid.uuid4())}
    data.update(overrides)
    return client.post(f"/disclosure/events/{event.pk}/", data, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.mark.django_db
def test_a_sign_up_posted_twice_is_stored_once_and_confirmed_twice(client, event):
    token = str(uuid.uuid4())
    for _ in range(2):
        page = signup(client, event, **{"s-submission_token": token})
        assert page.status_code == 200 and "报名成功" in page.content.decode()
    assert Signup.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_a_second_sign_up_with_the_same_phone_is_still_refused(client, event):
    signup(client, event)
    again = signup(client, event)
    assert again.status_code == 400 and again.context["form"].errors["phone"]
    assert Signup.objects.count() == 1


@pytest.mark.django_db
def test_a_token_from_another_events_form_signs_up_for_this_one(event):
    other = Event.objects.create(kind=event.kind, title="座谈", starts_at=event.starts_at, place="市政府", capacity=5,
                                 signup_closes_at=event.signup_closes_at)
    token = uuid.uuid4()
    services.event_signup(event=event, name="甲", phone="13900000001", submission_token=token)
    services.event_signup(event=other, name="甲", phone="13900000001", submission_token=token)
    assert Signup.objects.filter(event=other).count() == 1 and Signup.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("phone", SERVICE_NUMBERS + [LANDLINE])
def test_a_sign_up_with_a_hotline_or_a_landline_is_refused_and_nothing_stored(client, event, phone):
    response = signup(client, event, **{"s-phone": phone})
    assert response.status_code == 400 and response.context["form"].errors["phone"]
    assert Signup.objects.count() == 0
