"""The demo city: a Qingdao-like city with ten districts, their streets and
communities, ~37 city departments, the utilities, sectors and the five-level
classification standard (org/data/classification_standard.csv, 1,000+ leaf items).
Safe to load again: rows are keyed by code and updated in place."""
from __future__ import annotations

from django.db import transaction

from org.models import Area, Classification, HandlingUnit, Sector, User
from org.services import classification_load_standard, classification_read_standard, user_set_role

CITY = ("370200", "青岛市")
# code, name, population, streets (the first ones are real street names).
DISTRICTS = [
    ("370202", "市南区", 570_000, ["八大关街道", "香港中路街道", "八大峡街道", "云南路街道", "中山路街道", "湛山街道", "金门路街道", "珠海路街道"]),
    ("370203", "市北区", 1_070_000, ["辽宁路街道", "延安路街道", "登州路街道", "宁夏路街道", "敦化路街道", "台东街道", "四方街道", "浮山新区街道", "洛阳路街道", "河西街道"]),
    ("370211", "黄岛区", 2_000_000, ["黄岛街道", "辛安街道", "薛家岛街道", "长江路街道", "珠海街道", "隐珠街道", "灵珠山街道", "王台镇", "张家楼街道", "泊里镇"]),
    ("370212", "崂山区", 580_000, ["中韩街道", "沙子口街道", "王哥庄街道", "北宅街道", "金家岭街道"]),
    ("370213", "李沧区", 730_000, ["振华路街道", "兴华路街道", "沧口街道", "楼山街道", "李村街道", "虎山路街道", "浮山路街道", "湘潭路街道", "九水街道"]),
    ("370214", "城阳区", 1_120_000, ["城阳街道", "流亭街道", "夏庄街道", "惜福镇街道", "棘洪滩街道", "上马街道", "河套街道", "红岛街道"]),
    ("370215", "即墨区", 1_400_000, ["通济街道", "环秀街道", "潮海街道", "北安街道", "龙山街道", "龙泉街道", "蓝村街道", "鳌山卫街道"]),
    ("370281", "胶州市", 1_000_000, ["阜安街道", "中云街道", "三里河街道", "九龙街道", "胶东街道", "胶北街道", "李哥庄镇"]),
    ("370283", "平度市", 1_180_000, ["东阁街道", "凤台街道", "李园街道", "同和街道", "白沙河街道", "南村镇", "明村镇"]),
    ("370285", "莱西市", 720_000, ["水集街道", "望城街道", "沽河街道", "姜山镇", "夏格庄镇", "院上镇"]),
]
COMMUNITY_SUFFIXES = ["第一社区", "第二社区", "第三社区", "新村社区"]

SECTORS = [
    ("housing", "住房城乡建设"), ("urban", "城市管理"), ("traffic", "公安交通管理"), ("police", "公安治安"),
    ("environment", "生态环境"), ("market", "市场监管"), ("labour", "人力资源和社会保障"), ("education", "教育"),
    ("health", "卫生健康"), ("transport", "交通运输"), ("planning", "自然资源和规划"), ("water_affairs", "水务"),
    ("civil", "民政"), ("agriculture", "农业农村"), ("culture", "文化和旅游"), ("commerce", "商务"),
    ("development", "发展改革"), ("industry", "工业和信息化"), ("finance", "财政"), ("tax", "税务"),
    ("medical_insurance", "医疗保障"), ("emergency", "应急管理"), ("veterans", "退役军人事务"), ("justice", "司法行政"),
    ("sports", "体育"), ("approval", "行政审批"), ("landscape", "园林和林业"), ("ocean", "海洋发展"),
    ("private_economy", "民营经济"), ("data", "大数据"), ("fire", "消防救援"), ("housing_fund", "住房公积金"),
    ("disabled", "残疾人服务"), ("women", "妇女儿童"), ("petition", "信访"), ("weather", "气象"),
    ("water", "供水"), ("power", "供电"), ("gas", "燃气"), ("heating", "供热"), ("telecom", "通信"),
    ("postal", "邮政快递"),  # added with the classification standard: parcels and post (快递服务)
]

# code, name, sector code
DEPARTMENTS = [
    ("D01", "市住房和城乡建设局", "housing"), ("D02", "市城市管理局", "urban"), ("D03", "市公安局交通警察支队", "traffic"),
    ("D04", "市公安局", "police"), ("D05", "市生态环境局", "environment"), ("D06", "市市场监督管理局", "market"),
    ("D07", "市人力资源和社会保障局", "labour"), ("D08", "市教育局", "education"), ("D09", "市卫生健康委员会", "health"),
    ("D10", "市交通运输局", "transport"), ("D11", "市自然资源和规划局", "planning"), ("D12", "市水务管理局", "water_affairs"),
    ("D13", "市民政局", "civil"), ("D14", "市农业农村局", "agriculture"), ("D15", "市文化和旅游局", "culture"),
    ("D16", "市商务局", "commerce"), ("D17", "市发展和改革委员会", "development"), ("D18", "市工业和信息化局", "industry"),
    ("D19", "市财政局", "finance"), ("D20", "国家税务总局青岛市税务局", "tax"), ("D21", "市医疗保障局", "medical_insurance"),
    ("D22", "市应急管理局", "emergency"), ("D23", "市退役军人事务局", "veterans"), ("D24", "市司法局", "justice"),
    ("D25", "市体育局", "sports"), ("D26", "市行政审批服务局", "approval"), ("D27", "市园林和林业局", "landscape"),
    ("D28", "市海洋发展局", "ocean"), ("D29", "市民营经济发展局", "private_economy"), ("D30", "市大数据发展管理局", "data"),
    ("D31", "市消防救援支队", "fire"), ("D32", "市住房公积金管理中心", "housing_fund"), ("D33", "市残疾人联合会", "disabled"),
    ("D34", "市妇女联合会", "women"), ("D35", "市信访局", "petition"), ("D36", "市气象局", "weather"),
    ("D37", "市邮政管理局", "postal"),
]
UTILITIES = [
    ("U01", "青岛水务集团有限公司", "water"), ("U02", "国网青岛供电公司", "power"),
    ("U03", "青岛能源集团燃气公司", "gas"), ("U04", "青岛能源热电集团", "heating"), ("U05", "中国移动青岛分公司", "telecom"),
]

DEMO_PASSWORD = "demo12345"
DEMO_USERS = [
    # username, role, unit code, name
    ("admin", "admin", None, "平台管理员"),
    ("operator", "operator", "PLATFORM", "话务员小王"),
    ("dispatcher", "dispatcher", "PLATFORM", "派单员小李"),
    ("supervisor", "supervisor", "PLATFORM", "督办员老张"),
    ("inspector", "supervisor", "D_INSPECT", "督查室刘科长"),
    # The 市南区 district platform ("1 + 10"): supervises 市南区's streets and communities only.
    ("district_shinan", "district_supervisor", "G370202", "市南区平台督办员"),
    ("handler_urban", "unit_handler", "D02", "城管局承办人"),
    ("handler_housing", "unit_handler", "D01", "住建局承办人"),
    ("handler_traffic", "unit_handler", "D03", "交警支队承办人"),
    ("handler_shinan", "unit_handler", "G370202", "市南区承办人"),
    ("handler_badaguan", "unit_handler", "S370202001", "八大关街道承办人"),
    ("handler_heating", "unit_handler", "U04", "热电集团承办人"),
    # Open government (disclosure/): an officer and the head of two bodies, and the city's office.
    ("officer_housing", "disclosure_officer", "D01", "住建局政务公开专员"),
    ("head_housing", "disclosure_head", "D01", "住建局政务公开负责人"),
    ("officer_shinan", "disclosure_officer", "G370202", "市南区政务公开专员"),
    ("head_shinan", "disclosure_head", "G370202", "市南区政务公开负责人"),
    ("officer_office", "disclosure_officer", "D_OFFICE", "市政府办公厅政务公开办"),
]


def _node(model, code: str, parent, **fields):
    """Create or update a tree node by code; only writes when something changed."""
    node = model.objects.filter(code=code).first()
    if node is None:
        return model.objects.create(code=code, parent=parent, **fields)
    changed = node.parent_id != (parent.pk if parent else None) or any(getattr(node, k) != v for k, v in fields.items())
    if changed:
        node.parent = parent
        for key, value in fields.items():
            setattr(node, key, value)
        node.save()
    return node


@transaction.atomic
def _give_every_unit_a_contact() -> None:
    """Every demo unit can be told of its work: a duty mobile (SMS) and an office e-mail, derived from its
    code so that reloading the demo gives the same numbers (docs/notifications.md: unreachable units)."""
    for index, unit in enumerate(HandlingUnit.objects.order_by("code")):
        changes = {}
        if not unit.phone or not unit.phone.startswith("1"):
            changes["phone"] = f"1390532{index:04d}"
        if not unit.email:
            changes["email"] = f"{unit.code.lower()}@qingdao.example.gov.cn"
        if changes:
            HandlingUnit.objects.filter(pk=unit.pk).update(**changes)


def load(stdout=None) -> None:
    sectors = {code: Sector.objects.update_or_create(code=code, defaults={"name": name})[0] for code, name in SECTORS}

    city = _node(Area, CITY[0], None, name=CITY[1], level=Area.Level.CITY, population=sum(d[2] for d in DISTRICTS))
    platform, _ = HandlingUnit.objects.update_or_create(
        code="PLATFORM", defaults={"name": "市12345政务服务便民热线", "kind": HandlingUnit.Kind.PLATFORM, "round_the_clock": True}
    )
    platform.areas.set([city])
    inspection, _ = HandlingUnit.objects.update_or_create(
        code="D_INSPECT", defaults={"name": "市政府督查室", "kind": HandlingUnit.Kind.CITY_DEPARTMENT}
    )
    inspection.areas.set([city])
    # The city government's general office: its open-government office supervises every body (disclosure/).
    office, _ = HandlingUnit.objects.update_or_create(
        code="D_OFFICE", defaults={"name": "市人民政府办公厅", "kind": HandlingUnit.Kind.CITY_DEPARTMENT}
    )
    office.areas.set([city])
    for code, name, sector in DEPARTMENTS:
        unit, _ = HandlingUnit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": HandlingUnit.Kind.CITY_DEPARTMENT, "sector": sectors[sector],
                                 "phone": f"0532-8{code[1:]}12345"[:13]}
        )
        unit.areas.set([city])
    for code, name, sector in UTILITIES:
        unit, _ = HandlingUnit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": HandlingUnit.Kind.PUBLIC_SERVICE, "sector": sectors[sector],
                                 "round_the_clock": True}
        )
        unit.areas.set([city])

    for d_code, d_name, population, streets in DISTRICTS:
        district = _node(Area, d_code, city, name=d_name, level=Area.Level.DISTRICT, population=population)
        government, _ = HandlingUnit.objects.update_or_create(
            code=f"G{d_code}", defaults={"name": f"{d_name}人民政府", "kind": HandlingUnit.Kind.DISTRICT_GOVERNMENT}
        )
        government.areas.set([district])
        street_population = population // len(streets)
        for i, s_name in enumerate(streets, start=1):
            s_code = f"{d_code}{i:03d}"
            street = _node(Area, s_code, district, name=s_name, level=Area.Level.STREET, population=street_population)
            office, _ = HandlingUnit.objects.update_or_create(
                code=f"S{s_code}",
                defaults={"name": f"{d_name}{s_name.replace('街道', '街道办事处') if s_name.endswith('街道') else s_name + '人民政府'}",
                          "kind": HandlingUnit.Kind.STREET_OFFICE, "parent": government},
            )
            office.areas.set([street])
            for j, suffix in enumerate(COMMUNITY_SUFFIXES, start=1):
                c_code = f"{s_code}{j:03d}"
                c_name = s_name.replace("街道", "").replace("镇", "") + suffix
                community = _node(Area, c_code, street, name=c_name, level=Area.Level.COMMUNITY,
                                  population=street_population // len(COMMUNITY_SUFFIXES))
                committee, _ = HandlingUnit.objects.update_or_create(
                    code=f"C{c_code}", defaults={"name": f"{c_name}居民委员会", "kind": HandlingUnit.Kind.COMMUNITY,
                                                 "parent": office},
                )
                committee.areas.set([community])

    # The five-level standard with its 1,000+ items (org/data/build_standard.py); leftovers of an
    # older demo tree are deactivated, not deleted, since petitions may point at them.
    classification_load_standard(rows=classification_read_standard(), retire_missing=True)

    _give_every_unit_a_contact()

    units = {u.code: u for u in HandlingUnit.objects.filter(code__in=[u[2] for u in DEMO_USERS if u[2]])}
    for username, role, unit_code, name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=name)
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = role == "admin"
            user.save()
        user_set_role(user=user, role=role, unit=units.get(unit_code))
    if stdout:
        stdout.write(
            f"org: {Area.objects.count()} areas, {HandlingUnit.objects.count()} units, "
            f"{Classification.objects.filter(is_leaf=True).count()} classification leaves, {User.objects.count()} users"
        )
