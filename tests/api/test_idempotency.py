"""Idempotency keys over time (petitions/idempotency.py): remembered 24 hours, a key whose first request died
mid-way is taken over after five minutes, and the beat sweep forgets old keys and their stored answers."""
import datetime as dt

import pytest
import time_machine
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from petitions.idempotency import ABANDONED_AFTER, RETENTION, idempotency_records_sweep
from petitions.models import IdempotencyRecord, Petition
from petitions.tasks import sweep_idempotency_records

URL = "/api/v1/petitions/"
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


def body(city):
    return {"kind": "complaint", "area": city.street.code, "classification": city.noise.code, "title": "楼下噪音扰民",
            "content": "每天晚上十一点以后楼下商铺音响声音很大。", "complainant_name": "王小明",
            "complainant_phone": "13912345678"}


def post(city, key="retry-1"):
    return APIClient().post(URL, body(city), format="json", HTTP_IDEMPOTENCY_KEY=key)


def killed_mid_request(key="retry-1"):
    """What a worker killed after claiming the key leaves behind: a record without an answer."""
    first = IdempotencyRecord.objects.get(key=key)
    IdempotencyRecord.objects.filter(pk=first.pk).update(status_code=None, body=b"")
    Petition.objects.all().delete()


@pytest.mark.django_db
def test_a_key_whose_first_request_died_is_taken_over_after_five_minutes(city):
    with time_machine.travel(START, tick=False):
        assert post(city).status_code == 201
        killed_mid_request()
    with time_machine.travel(START + ABANDONED_AFTER - dt.timedelta(seconds=1), tick=False):
        busy = post(city)
        assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_use"
    with time_machine.travel(START + ABANDONED_AFTER + dt.timedelta(seconds=1), tick=False):
        retried = post(city)  # answered 409 for ever before
        assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
        assert Petition.objects.count() == 1
        replayed = post(city)
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().status_code == 201


@pytest.mark.django_db
def test_a_key_is_remembered_for_24_hours(city):
    with time_machine.travel(START, tick=False):
        assert post(city).status_code == 201
    with time_machine.travel(START + RETENTION - dt.timedelta(minutes=1), tick=False):
        assert post(city)["Idempotent-Replayed"] == "true"
    with time_machine.travel(START + RETENTION + dt.timedelta(minutes=1), tick=False):
        # Not swept yet, but forgotten all the same: the request runs again.
        assert "Idempotent-Replayed" not in post(city)
    assert Petition.objects.count() == 2 and IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_forgets_keys_older_than_24_hours_with_their_answers(city):
    with time_machine.travel(START, tick=False):
        post(city, "old")
    with time_machine.travel(START + dt.timedelta(hours=20), tick=False):
        post(city, "recent")
    with time_machine.travel(START + RETENTION + dt.timedelta(seconds=1), tick=False):
        assert sweep_idempotency_records() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
        assert idempotency_records_sweep() == 0  # idempotent
    schedule = {entry["task"]: entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["petitions.tasks.sweep_idempotency_records"]["schedule"] <= 3600
