import datetime as dt

import pytest

from dispatch import routing
from dispatch.catalog import rule_create
from dispatch.models import Target
from hotline import picker
from knowledge.models import Article
from petitions import suggest


@pytest.fixture(autouse=True)
def _fresh_indexes(monkeypatch):
    """Each test builds its own tree: forget the in-memory indexes built for another test's. (petitions.suggest
    stamps its index with the count of leaves only, and every test city has as many; on PostgreSQL the ids
    differ from test to test.)"""
    picker.clear()
    monkeypatch.setattr(suggest, "_INDEX", None, raising=False)


@pytest.fixture
def noise_to_street(city):
    """The catalog: noise goes to the street office of the place (territorial)."""
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()


@pytest.fixture
def parking_article(city):
    return Article.objects.create(
        title="小区内违法停车找谁管？", answer="小区内道路停车由物业管理，公共道路违停请拨打交警电话或12345。",
        policy_basis="《道路交通安全法》第五十六条", classification=city.parking, valid_from=dt.date(2020, 1, 1))


def call(city, **overrides):
    data = {
        "complainant_phone": "13912345678", "complainant_name": "王小明", "area": str(city.street.pk),
        "classification": str(city.noise.pk), "content": "每天晚上十一点以后楼下商铺音响声音很大，影响休息。",
        "kind": "complaint", "channel": "phone", "title": "", "address": "", "complainant_type": "person",
        "enterprise_name": "", "complainant_id_number": "", "kb_query": "", "answer": "",
        "token": "8f4f2c52-3d7e-4b52-9a55-1b7d3c1f0a01", "action": "save",
    }
    data.update(overrides)
    return data
