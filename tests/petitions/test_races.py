import uuid

import pytest

from petitions.models import Petition
from tests.concurrency import postgres_only, race
from tests.factories import file_petition

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def test_concurrent_filings_get_distinct_numbers(city):
    results = race(*[lambda: file_petition(city) for _ in range(8)])
    assert all(kind == "ok" for kind, _ in results), results
    numbers = [p.number for _, p in results]
    assert len(set(numbers)) == 8


def test_the_same_form_posted_at_once_makes_one_petition(city):
    token = uuid.uuid4()
    results = race(*[lambda: file_petition(city, submission_token=token) for _ in range(5)])
    assert all(kind == "ok" for kind, _ in results), results
    assert Petition.objects.count() == 1
    assert len({p.pk for _, p in results}) == 1
