"""Open-government bodies of the small test city: the city's urban-management department, a district
government and the city's office that supervises them all (DOMAIN.md section 10)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from disclosure.models import Body
from org.models import HandlingUnit
from tests.factories import make_user


@dataclass
class Bodies:
    urban: Body
    district: Body
    office: Body


def make_bodies(city) -> Bodies:
    office_unit = HandlingUnit.objects.get_or_create(code="OFFICE", defaults={
        "name": "测试市人民政府办公厅", "kind": "city_department"})[0]
    return Bodies(urban=Body.objects.get_or_create(unit=city.urban)[0],
                  district=Body.objects.get_or_create(unit=city.district_gov)[0],
                  office=Body.objects.get_or_create(unit=office_unit, defaults={"supervises_all": True})[0])


@pytest.fixture
def bodies(city) -> Bodies:
    return make_bodies(city)


@pytest.fixture
def urban_officer(bodies):
    return make_user("ogi_urban_officer", "disclosure_officer", bodies.urban.unit)


@pytest.fixture
def urban_head(bodies):
    return make_user("ogi_urban_head", "disclosure_head", bodies.urban.unit)


@pytest.fixture
def district_officer(bodies):
    return make_user("ogi_district_officer", "disclosure_officer", bodies.district.unit)


@pytest.fixture
def district_head(bodies):
    return make_user("ogi_district_head", "disclosure_head", bodies.district.unit)


@pytest.fixture
def office_officer(bodies):
    return make_user("ogi_office_officer", "disclosure_officer", bodies.office.unit)


def application(body: Body, **overrides) -> dict:
    """A complete Art. 29 application, as the public form posts it."""
    data = {"body": str(body.pk), "applicant_type": "person", "organisation_kind": "", "applicant_name": "张三",
            "id_type": "resident_id", "id_number": "370202199001011237", "applicant_phone": "13912345678",
            "applicant_email": "", "applicant_address": "", "description": "请公开本街道2026年财政预算执行情况",
            "delivery_form": "electronic", "delivery_way": "online", "submission_token": str(uuid.uuid4())}
    data.update(overrides)
    return data
