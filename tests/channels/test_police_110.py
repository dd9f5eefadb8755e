"""110 non-emergency transfers: filed once per incident number, acknowledged with the portal's number, and
each status change posted back to the 110 platform's callback (the local fake) once, through the outbox."""
import json

import pytest

from channels.models import PoliceTransfer
from dispatch import catalog as dispatch_catalog
from dispatch import routing
from dispatch.models import Target
from notifications.models import Notification
from notifications.services import sweep_outbox
from petitions.models import Petition
from tests.channels.conftest import CALLBACK_KEY, POLICE_KEY

URL = "/channels/110/transfers/"


def transfer(**overrides):
    body = {"incident_number": "110-20261202-0042", "content": "群众报称小区门口路灯损坏一个多月无人维修，夜间出行不便。",
            "caller_name": "赵先生", "caller_phone": "13612345678", "area": "D1S1", "classification": "010102",
            "address": "甲一街道幸福路8号"}
    body.update(overrides)
    return body


def post(client, body, key=POLICE_KEY, **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
                       HTTP_ACCEPT_LANGUAGE="zh-hans", **headers)


@pytest.fixture
def noise_to_street(city):
    dispatch_catalog.rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    yield
    routing.invalidate()


def test_a_transfer_posted_twice_makes_one_petition_and_its_status_change_reaches_110_once(
        client, city, fake_110, noise_to_street, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, transfer())
    with django_capture_on_commit_callbacks(execute=True):
        second = post(client, transfer())
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["duplicate"] is True and first.json()["number"] == second.json()["number"]
    petition = Petition.objects.get()
    assert petition.channel == "police_110" and petition.police_transfer.incident_number == "110-20261202-0042"
    assert petition.status == "dispatched"  # into dispatch like any petition

    sweep_outbox()
    sweep_outbox()
    assert [c["status"] for c in fake_110.received] == ["dispatched"]
    callback = fake_110.received[0]
    assert callback["incident_number"] == "110-20261202-0042" and callback["number"] == petition.number
    assert callback["answer"] == ""  # nothing before the platform approves an answer
    assert fake_110.headers[0]["Authorization"] == f"Bearer {CALLBACK_KEY}"


def test_the_answer_goes_back_once_published_and_a_down_callback_is_retried(client, city, fake_110, noise_to_street,
                                                                           street_handler, dispatcher,
                                                                           django_capture_on_commit_callbacks):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from dispatch import handling, review
    from dispatch.models import Reply, Role

    with django_capture_on_commit_callbacks(execute=True):
        post(client, transfer())
    petition = Petition.objects.get()
    fake_110.status = 503  # the 110 platform is down for a while
    lead = petition.assignments.get(role=Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        handling.assignment_sign(assignment=lead, actor=street_handler)
        handling.assignment_answer(assignment=lead, actor=street_handler, content="已安排维修人员更换路灯。")
        review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    failing = Notification.objects.filter(channel="webhook", status="pending").exclude(last_error="")
    assert failing.exists() and "503" in failing.first().last_error  # visible in the outbox
    fake_110.status = 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        sweep_outbox()
        sweep_outbox()
    statuses = [c["status"] for c in fake_110.received]
    assert sorted(statuses) == sorted(set(statuses))  # each change once
    published = [c for c in fake_110.received if c["status"] == "callback"]
    assert published[0]["answer"] == "已安排维修人员更换路灯。"
    assert all(c["answer"] == "" for c in fake_110.received if c["status"] in ("in_progress", "replied"))


def test_the_same_incident_number_with_other_content_is_a_conflict(client, city, fake_110):
    post(client, transfer())
    answer = post(client, transfer(content="另一份内容完全不同的转办材料，不应覆盖原来的工单。"))
    assert answer.status_code == 409 and answer.json()["code"] == "conflict"
    assert Petition.objects.count() == 1


@pytest.mark.parametrize("key", ["", "wrong-key"])
def test_a_wrong_or_missing_key_is_refused(client, city, fake_110, key):
    answer = post(client, transfer(), key=key)
    assert answer.status_code == 401 and not Petition.objects.exists()


def test_a_disabled_channel_is_refused(client, city, fake_110):
    from channels.models import Source

    Source.objects.filter(channel="police_110").update(enabled=False)
    assert post(client, transfer()).status_code == 403 and not Petition.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"content": {"nested": 1}}', b"\xff\xfe"])
def test_malformed_bodies_are_refused(client, city, fake_110, body):
    answer = post(client, body)
    assert answer.status_code == 400 and answer.json()["code"] == "malformed" and not Petition.objects.exists()


def test_an_oversized_transfer_is_refused(client, city, fake_110, settings):
    settings.PORTAL_CHANNEL_MAX_BYTES = 1024
    answer = post(client, transfer(content="很长" * 1000))
    assert answer.status_code == 413 and not Petition.objects.exists()


def test_bad_fields_are_named_with_translated_messages(client, city, fake_110):
    answer = post(client, transfer(incident_number="x", caller_phone="12345", content="太短", area="NOPE"))
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert set(errors) == {"incident_number", "caller_phone", "content", "area"}
    assert "服务热线号码" in errors["caller_phone"][0]
    assert not Petition.objects.exists() and not PoliceTransfer.objects.exists()


def test_without_area_or_point_the_transfer_waits_for_the_dispatcher_at_city_level(client, city, fake_110):
    answer = post(client, transfer(area="", classification=""))
    assert answer.status_code == 201
    assert Petition.objects.get().area == city.city


def test_the_transfers_token_cannot_be_computed_from_the_incident_number(client, city, fake_110):
    """The filing's token was uuid5(a namespace in the source, the incident number): anyone could post it on the
    citizen's form and be shown the caller's petition, or ask Open311 for its number. It is keyed now."""
    import uuid

    from channels.services import police_token

    assert post(client, transfer()).status_code == 201
    petition = Petition.objects.get()
    guessed = uuid.uuid5(uuid.UUID("6f1c2a8e-2d1b-4c5e-9a51-110110110110"), "110-20261202-0042")
    assert petition.submission_token == police_token("110-20261202-0042") != guessed
    stranger = type(client)()
    assert stranger.get(f"/open311/v2/tokens/{petition.submission_token}.json").status_code == 404  # not an API token
    stranger.post("/petitions/new/", {
        "kind": "complaint", "area": city.street.pk, "title": "路灯坏了", "content": "小区门口路灯坏了一个多月。",
        "complainant_type": "person", "complainant_name": "李四", "complainant_phone": "13700000000",
        "submission_token": str(petition.submission_token)})
    assert Petition.objects.count() == 2  # the stranger's own petition, not the caller's
    page = stranger.get(f"/petitions/track/{petition.number}/")
    assert page.status_code != 200 or "幸福路8号" not in page.content.decode()


def test_the_callbacks_status_text_is_in_the_platforms_language_whoever_changed_the_status(
        client, city, fake_110, noise_to_street, django_capture_on_commit_callbacks):
    """110 posts with Accept-Language: en (or a dispatcher works in English): the callback still says 已派单."""
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(URL, data=json.dumps(transfer(), ensure_ascii=False), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {POLICE_KEY}", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 201
    texts = [json.loads(row.body)["status_text"] for row in Notification.objects.filter(channel="webhook")]
    assert texts and all(not text.isascii() for text in texts), texts
