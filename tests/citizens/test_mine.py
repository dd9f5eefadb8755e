"""“My petitions”: a phone and a one-time SMS code show everything one has filed, and nothing else."""
import datetime as dt
import re

import pytest
import time_machine

from notifications.models import Notification
from tests import factories

PHONE = "13912345678"


def _code(phone=PHONE) -> str:
    sms = Notification.objects.filter(recipient=phone, key__startswith="citizen.login_code:").latest("id")
    return re.search(r"\d{6}", sms.body).group(0)


@pytest.mark.django_db
def test_a_citizen_signs_in_with_a_code_and_sees_all_they_filed_and_nothing_else(client, city):
    from disclosure import services as disclosure_services

    mine = factories.file_petition(city, complainant_phone=PHONE, title="我的噪音投诉")
    factories.file_petition(city, complainant_phone="13800000000", title="别人的投诉")
    request = disclosure_services.request_submit(applicant_name="王小明", applicant_phone=PHONE,
                                                 description="申请公开本街道的垃圾分类经费使用情况。")
    assert client.get("/my/all/").status_code == 302  # not signed in
    page = client.post("/my/", {"phone": PHONE})
    assert page.status_code == 200 and "139****5678" in page.content.decode()
    response = client.post("/my/verify/", {"phone": PHONE, "code": _code()})
    assert response.status_code == 302 and response["Location"] == "/my/all/"
    body = client.get("/my/all/").content.decode()
    assert mine.number in body and "我的噪音投诉" in body and request.number in body
    assert "别人的投诉" not in body
    # Each item opens without asking for the number and phone again.
    assert client.get(f"/petitions/track/{mine.number}/").status_code == 200
    assert client.get(f"/disclosure/requests/track/{request.number}/").status_code == 200
    client.post("/my/sign-out/")
    assert client.get("/my/all/").status_code == 302


@pytest.mark.django_db
def test_wrong_expired_and_reused_codes_get_one_answer_and_five_tries_kill_a_code(client, city):
    client.post("/my/", {"phone": PHONE})
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        response = client.post("/my/verify/", {"phone": PHONE, "code": wrong})
        assert response.status_code == 400 and "no longer valid" in response.content.decode() or "不再有效" in \
            response.content.decode()
    assert client.post("/my/verify/", {"phone": PHONE, "code": wrong}).status_code == 400  # the fifth
    assert client.post("/my/verify/", {"phone": PHONE, "code": code}).status_code == 400  # now dead too
    # An expired code.
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=2)):
        client.post("/my/", {"phone": PHONE})
    fresh = _code()
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=30)):
        assert client.post("/my/verify/", {"phone": PHONE, "code": fresh}).status_code == 400


@pytest.mark.django_db
def test_codes_are_throttled_per_number_and_per_address(client, city, settings):
    settings.PORTAL_RATE_MY_CODE = "4/h"
    for _ in range(3):
        assert client.post("/my/", {"phone": PHONE}).status_code == 200
    assert Notification.objects.filter(key__startswith="citizen.login_code:").count() == 1  # one a minute
    assert client.post("/my/", {"phone": "13700000001"}).status_code == 200
    # A script walking through numbers from one address is stopped, and is sent nothing more.
    assert client.post("/my/", {"phone": "13700000002"}).status_code == 429
    assert not Notification.objects.filter(recipient="13700000002").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["12345", "0532-88886666", "abc"])
def test_only_a_mobile_number_can_ask_for_a_code(client, city, phone):
    response = client.post("/my/", {"phone": phone})
    assert response.status_code == 400
    assert not Notification.objects.filter(key__startswith="citizen.login_code:").exists()


def _sign_in(client, phone=PHONE):
    client.post("/my/", {"phone": phone})
    client.post("/my/verify/", {"phone": phone, "code": _code(phone)})
    assert client.get("/my/all/").status_code == 200


@pytest.mark.django_db
def test_signing_out_on_a_shared_phone_closes_everything_the_sign_in_opened(client, city):
    """The next person on the same phone or library computer reads nothing: not the petitions "My petitions"
    listed, nor those the browser tracked by number and phone before."""
    mine = factories.file_petition(city, complainant_phone=PHONE, title="我的噪音投诉")
    tracked = factories.file_petition(city, complainant_phone="13800000000", title="邻居帮忙查的投诉")
    assert client.post("/petitions/track/", {"number": tracked.number, "phone": "13800000000"}).status_code == 302
    _sign_in(client)
    assert "我的噪音投诉" in client.get(f"/petitions/track/{mine.number}/").content.decode()
    client.post("/my/sign-out/")
    assert client.get("/my/all/").status_code == 302
    assert client.get(f"/petitions/track/{mine.number}/").status_code == 404
    assert client.get(f"/petitions/track/{tracked.number}/").status_code == 404


@pytest.mark.django_db
def test_what_my_petitions_opened_closes_when_the_sign_in_ends(client, city, settings):
    from disclosure import services as disclosure_services

    mine = factories.file_petition(city, complainant_phone=PHONE, title="我的噪音投诉")
    request = disclosure_services.request_submit(applicant_name="王小明", applicant_phone=PHONE,
                                                 description="申请公开本街道的垃圾分类经费使用情况。")
    start = dt.datetime.now(dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        _sign_in(client)
        assert client.get(f"/petitions/track/{mine.number}/").status_code == 200
        assert client.get(f"/disclosure/requests/track/{request.number}/").status_code == 200
    later = start + dt.timedelta(minutes=settings.PORTAL_MY_SESSION_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert client.get(f"/petitions/track/{mine.number}/").status_code == 404
        assert client.get(f"/disclosure/requests/track/{request.number}/").status_code == 404
        assert client.get("/my/all/").status_code == 302


@pytest.mark.django_db
def test_a_citizens_sign_out_leaves_a_staff_member_signed_in_to_the_same_browser(client, city, operator):
    mine = factories.file_petition(city, complainant_phone=PHONE, title="我的噪音投诉")
    client.force_login(operator)
    _sign_in(client)
    client.post("/my/sign-out/")
    assert client.get(f"/petitions/track/{mine.number}/").status_code == 404
    assert client.get("/my/all/").status_code == 302
    assert int(client.session["_auth_user_id"]) == operator.pk
