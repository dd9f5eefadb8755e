"""Two 110 posts of one incident number racing each other (PostgreSQL: real locks, own connections)."""
import json
import time

import pytest
from django.test import Client

from channels import services
from channels.models import PoliceTransfer
from petitions.models import Petition
from tests.channels.test_police_110 import POLICE_KEY, URL, transfer
from tests.concurrency import postgres_only, race


@pytest.fixture
def slow_filing(monkeypatch):
    real = services.petition_file

    def slow(**kwargs):
        # Both posts are past the "already transferred?" look before either records it; the one with the usual
        # body files first and is done before the other files (each ordering of a real race has its test).
        usual = kwargs["complainant_phone"] == transfer()["caller_phone"] and kwargs["content"] == transfer()["content"]
        time.sleep(0.5 if usual else 1.5)
        return real(**kwargs)

    monkeypatch.setattr(services, "petition_file", slow)


def _post(body):
    def send():
        answer = Client(raise_request_exception=False).post(
            URL, data=json.dumps(body, ensure_ascii=False), content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {POLICE_KEY}")
        return answer.status_code
    return send


@pytest.mark.django_db(transaction=True)
@postgres_only
@pytest.mark.parametrize("other", [{"caller_phone": "13787654321"}, {"content": "群众报称小区门口路灯损坏两个月无人维修，夜间出行不便。"}],
                         ids=["another caller phone", "the same phone, other content"])
def test_two_posts_of_one_incident_with_other_content_file_once_and_the_second_is_a_conflict(
        city, fake_110, slow_filing, other):
    results = race(_post(transfer()), _post(transfer(**other)))
    assert sorted(r[1] for r in results) == [201, 409], results
    assert Petition.objects.count() == 1 and PoliceTransfer.objects.get().petition == Petition.objects.get()


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_two_posts_of_one_incident_with_the_same_body_file_once(city, fake_110, slow_filing):
    results = race(_post(transfer()), _post(transfer()))
    assert sorted(r[1] for r in results) == [200, 201], results
    assert Petition.objects.count() == 1
