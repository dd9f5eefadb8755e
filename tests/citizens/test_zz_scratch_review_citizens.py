import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch.models import Reply, Role
from notifications.models import Notification
from petitions.models import Petition, Status
from tests.dispatch.conftest import catalog  # noqa: F401
from tests.factories import file_petition
from tests.channels.test_pages import jpeg


def _track(client, number, phone="13912345678"):
    return client.post("/petitions/track/", {"number": number, "phone": phone})


@pytest.mark.django_db
def test_rejected_and_co_unit_answer_files_reach_citizen(client, city, catalog, street_handler, urban_handler,
                                                         platform_admin, django_capture_on_commit_callbacks):
    from dispatch import handling, review
    from petitions.services import attachment_clean

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    co = petition.assignments.get(role=Role.CO)
    handling.assignment_sign(assignment=co, actor=urban_handler)
    handling.assignment_answer(assignment=co, actor=urban_handler, content="协办单位内部意见：建议街道自行处理此事。",
                               uploads=[attachment_clean(SimpleUploadedFile("内部执法记录-李队长.jpg", jpeg()))])
    handling.assignment_sign(assignment=lead, actor=street_handler)
    with django_capture_on_commit_callbacks(execute=True):
        handling.assignment_answer(assignment=lead, actor=street_handler, content="已处理完毕，请知悉这件事情。",
                                   uploads=[attachment_clean(SimpleUploadedFile("被退回的答复附件.jpg", jpeg()))])
    reply = Reply.objects.get(petition=petition)
    with django_capture_on_commit_callbacks(execute=True):
        review.reply_review(reply=reply, approve=False, actor=platform_admin, note="答复敷衍，附件不当")
    lead.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已停止外放音响。")
    reply2 = Reply.objects.filter(petition=petition).latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        review.reply_review(reply=reply2, approve=True, actor=platform_admin)
    petition.refresh_from_db()
    assert petition.status == Status.CALLBACK
    _track(client, petition.number)
    page = client.get(f"/petitions/track/{petition.number}/").content.decode()
    print(page[page.find("files"):page.find("files") + 800])
    assert "内部执法记录-李队长.jpg" in page
    assert "被退回的答复附件.jpg" in page


@pytest.mark.django_db
@pytest.mark.parametrize("lat,lon", [("nan", "nan"), ("inf", "-inf"), ("1e999", "1"), ("١٢", "٣")])
def test_locate_odd(client, city, lat, lon):
    r = client.get("/petitions/locate/", {"lat": lat, "lon": lon})
    print(lat, r.status_code, r.content[:200])
    assert r.status_code < 500


@pytest.mark.django_db
def test_fullwidth_phone(client, city):
    from lib.identity import normalise_phone
    v = normalise_phone("１３９１２３４５６７８", mobile_only=True)
    print(repr(v))
    p = file_petition(city, complainant_phone=v)
    print(repr(Petition.objects.get(pk=p.pk).complainant_phone))
    assert v != "13912345678"
    # tracking with the ASCII phone the citizen sees in SMS fails
    r = _track(client, p.number, "13912345678")
    print(r.status_code)


@pytest.mark.django_db
def test_fullwidth_phone_on_web_form(client, city):
    page = client.get("/petitions/new/")
    token = re.search(r'name="submission_token" value="([^"]+)"', page.content.decode()).group(1)
    r = client.post("/petitions/new/", {
        "kind": "complaint", "area": city.street.pk, "title": "楼下噪音扰民", "content": "每天晚上十一点以后楼下商铺音响声音很大。",
        "complainant_type": "person", "complainant_name": "王小明", "complainant_phone": "１３９１２３４５６７８",
        "submission_token": token})
    print(r.status_code)
    p = Petition.objects.last()
    print(repr(p and p.complainant_phone))
    assert p is not None and p.complainant_phone != "13912345678"


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["２０２６０１０１０００００１", "9" * 16, "20260101000001"])
def test_track_odd_numbers(client, city, number):
    r = _track(client, number)
    print(number, r.status_code)
    assert r.status_code < 500
    r = client.get(f"/petitions/track/{number}/")
    assert r.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("lat,lon", [("NaN", "NaN"), ("1e999", "1e999"), ("Infinity", "0"), ("99999999999999999999", "1")])
def test_form_odd_coordinates(client, city, lat, lon):
    page = client.get("/petitions/new/")
    token = re.search(r'name="submission_token" value="([^"]+)"', page.content.decode()).group(1)
    r = client.post("/petitions/new/", {
        "kind": "complaint", "area": "", "title": "楼下噪音扰民", "content": "每天晚上十一点以后楼下商铺音响声音很大。",
        "complainant_type": "person", "complainant_name": "王小明", "complainant_phone": "13912345678",
        "submission_token": token, "latitude": lat, "longitude": lon})
    print(lat, r.status_code)
    body = r.content.decode()
    if r.status_code == 400:
        errs = re.findall(r'class="error"[^>]*>([^<]+)<', body)
        print(errs)
    assert r.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("area", ["99999999999999999999999", "１", "-1", "1.5", "٣"])
def test_form_odd_area(client, city, area):
    page = client.get("/petitions/new/")
    token = re.search(r'name="submission_token" value="([^"]+)"', page.content.decode()).group(1)
    r = client.post("/petitions/new/", {
        "kind": "complaint", "area": area, "classification": area, "title": "楼下噪音扰民",
        "content": "每天晚上十一点以后楼下商铺音响声音很大。",
        "complainant_type": "person", "complainant_name": "王小明", "complainant_phone": "13912345678",
        "submission_token": token})
    print(area, r.status_code)
    assert r.status_code < 500


@pytest.mark.django_db
def test_code_form_odd(client, city):
    r = client.post("/my/verify/", {"phone": "13912345678", "code": "１２３４５６"})
    print(r.status_code)
    r = client.post("/my/verify/", {})
    print(r.status_code)
    r = client.post("/my/", {"phone": "１３９１２３４５６７８"})
    print(r.status_code, Notification.objects.values_list("recipient", flat=True))


@pytest.mark.django_db
def test_code_check_race(city):
    import threading
    import time as _t
    from unittest import mock
    from django.core.cache import cache
    from citizens import services

    services.code_send(phone="13912345678")
    from django.core.cache.backends.locmem import LocMemCache
    real_get = LocMemCache.get

    def slow_get(*a, **k):
        v = real_get(*a, **k)
        if v:
            seen.append(1)
        _t.sleep(0.05)  # widen the window as network latency to Redis would
        return v

    results = []
    seen = []
    barrier = threading.Barrier(30)

    def guess(i):
        barrier.wait()
        results.append(services.code_check(phone="13912345678", code=f"{i:06d}"))

    with mock.patch.object(LocMemCache, "get", slow_get):
        threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
        [t.start() for t in threads]
        [t.join() for t in threads]
    print("guesses compared to live code:", len(seen), "stored after:", cache.get("citizens:code:13912345678"))
