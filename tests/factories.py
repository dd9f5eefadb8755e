"""Small reference data and named users per role, for fast tests.

`city()` builds a two-district city with streets, communities, units and a
few classification leaves of each tier. Tests that need the full demo city
load it with the `demo_city` fixture instead.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from org.models import Area, Classification, HandlingUnit, Sector, User
from org.services import classification_refresh_leaves, user_set_role
from petitions import services
from petitions.models import Channel, Kind

PASSWORD = "pw-for-tests-1"


@dataclass
class City:
    city: Area
    district: Area
    other_district: Area
    street: Area
    other_street: Area
    community: Area
    sector_urban: Sector
    sector_heating: Sector
    platform: HandlingUnit
    urban: HandlingUnit
    heating: HandlingUnit
    district_gov: HandlingUnit
    street_office: HandlingUnit
    other_street_office: HandlingUnit
    parking: Classification  # 1 working day
    noise: Classification  # 3 working days
    property_fee: Classification  # 7 working days
    demolition: Classification  # 11 working days
    heating_outage: Classification  # urgent, 24 hours
    livelihood: Classification


def make_city() -> City:
    city = Area.objects.create(code="C1", name="测试市", level="city", population=2_000_000)
    district = Area.objects.create(code="D1", name="甲区", level="district", parent=city, population=1_000_000)
    other = Area.objects.create(code="D2", name="乙区", level="district", parent=city, population=500_000)
    street = Area.objects.create(code="D1S1", name="甲一街道", level="street", parent=district, population=200_000)
    other_street = Area.objects.create(code="D2S1", name="乙一街道", level="street", parent=other, population=100_000)
    community = Area.objects.create(code="D1S1C1", name="甲一社区", level="community", parent=street, population=10_000)
    s_urban = Sector.objects.create(code="urban", name="城市管理")
    s_heat = Sector.objects.create(code="heating", name="供热")
    platform = HandlingUnit.objects.create(code="PLATFORM", name="12345热线", kind="platform")
    urban = HandlingUnit.objects.create(code="URB", name="市城市管理局", kind="city_department", sector=s_urban)
    heating = HandlingUnit.objects.create(code="HEAT", name="热电集团", kind="public_service", sector=s_heat,
                                          round_the_clock=True)
    gov = HandlingUnit.objects.create(code="GOV1", name="甲区人民政府", kind="district_government")
    office = HandlingUnit.objects.create(code="ST1", name="甲一街道办事处", kind="street_office", parent=gov)
    other_office = HandlingUnit.objects.create(code="ST2", name="乙一街道办事处", kind="street_office")
    for unit, areas in ((urban, [city]), (heating, [city]), (gov, [district]), (office, [street]), (other_office, [other_street])):
        unit.areas.set(areas)
    top = Classification.objects.create(code="01", name="民生诉求", top_class="livelihood", tier="7")
    group = Classification.objects.create(code="0101", name="城市管理", top_class="livelihood", tier="3", parent=top,
                                          sector=s_urban)
    leaf = lambda code, name, tier, hours=None, sector=s_urban: Classification.objects.create(  # noqa: E731
        code=code, name=name, parent=group, top_class="livelihood", tier=tier, urgent_hours=hours, sector=sector
    )
    result = City(
        city=city, district=district, other_district=other, street=street, other_street=other_street,
        community=community, sector_urban=s_urban, sector_heating=s_heat, platform=platform, urban=urban,
        heating=heating, district_gov=gov, street_office=office, other_street_office=other_office,
        parking=leaf("010101", "违法停车", "1"), noise=leaf("010102", "噪音扰民", "3"),
        property_fee=leaf("010103", "物业收费", "7"), demolition=leaf("010104", "征收补偿", "11"),
        heating_outage=leaf("010105", "暖气不热", "urgent", 24, s_heat), livelihood=top,
    )
    classification_refresh_leaves()
    return result


def make_user(username: str, role: str, unit: HandlingUnit | None = None, **extra) -> User:
    user = User(username=username, first_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user_set_role(user=user, role=role, unit=unit)


def file_petition(city: City, **overrides):
    data = dict(
        channel=Channel.WEB, kind=Kind.COMPLAINT, area=city.street, classification=city.noise,
        title="楼下噪音扰民", content="每天晚上十一点以后楼下商铺音响声音很大，影响休息。",
        complainant_name="王小明", complainant_phone="13912345678",
    )
    data.update(overrides)
    petition, _created = services.petition_file(**data)
    return petition


def token() -> str:
    return str(uuid.uuid4())
