"""The demo city: a Qingdao-like city with ten districts, their streets and
communities, ~36 city departments, the utilities, sectors and a 4-5 level
classification tree with 200+ leaf items. Safe to load again: rows are keyed
by code and updated in place."""
from __future__ import annotations

from django.db import transaction

from org.models import Area, Classification, HandlingUnit, Sector, User
from org.services import classification_refresh_leaves, user_set_role

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
]
UTILITIES = [
    ("U01", "青岛水务集团有限公司", "water"), ("U02", "国网青岛供电公司", "power"),
    ("U03", "青岛能源集团燃气公司", "gas"), ("U04", "青岛能源热电集团", "heating"), ("U05", "中国移动青岛分公司", "telecom"),
]

# The classification tree. Level 1: the three top classes; level 2: categories
# (code, name, sector, tier); level 3: sub-categories, each with its leaves.
# A leaf given as (name, tier) overrides the tier; "U2"/"U24" are urgent hours.
TREE = {
    ("01", "民生诉求", "livelihood"): [
        ("0101", "物业服务", "housing", "7", {
            "物业收费": ["物业费收费标准争议", "物业费上涨", "公共收益公开", "停车费收取", "预收物业费"],
            "物业管理": ["物业不作为", "小区卫生保洁差", "小区绿化维护", "小区安保缺失", "电梯故障维修", "业委会成立", "物业交接纠纷", "维修资金使用"],
            "小区设施": ["小区路灯损坏", "楼道照明损坏", "单元门损坏", "消防设施损坏", "小区充电桩设置", "二次供水设施"],
        }),
        ("0102", "房屋建设", "housing", "11", {
            "房屋质量": ["房屋漏水", "墙体开裂", "外墙保温脱落", "新房质量问题"],
            "房产交易": ["逾期交房", "不动产证办理难", "商品房销售违规", "房屋中介纠纷", "租赁纠纷"],
            "老旧小区改造": ["改造进度慢", "改造质量问题", "加装电梯", "雨污分流改造"],
            "建筑施工": [("施工噪音扰民", "3"), ("夜间施工", "1"), "工地扬尘", "渣土撒漏", "施工占道"],
        }),
        ("0103", "供水", "water", "3", {
            "停水": [("突发停水", "U24"), ("计划停水未通知", "1"), "频繁停水"],
            "水质水压": ["水质浑浊", "水压低", "水表问题", "水费争议"],
        }),
        ("0104", "供电", "power", "3", {
            "停电": [("突发停电", "U24"), ("计划停电未通知", "1"), "频繁停电"],
            "用电": ["电压不稳", "电费争议", "电表问题", "电线私拉乱接"],
        }),
        ("0105", "燃气", "gas", "3", {
            "燃气安全": [("燃气泄漏", "U2"), ("燃气停气", "U24"), "燃气管道老化"],
            "燃气服务": ["燃气开户", "燃气费争议", "燃气表故障", "入户安检"],
        }),
        ("0106", "供暖", "heating", "1", {
            "供暖质量": [("暖气不热", "U24"), ("暖气漏水", "U24"), "供暖温度不达标", "供暖延期"],
            "供暖服务": [("供暖费争议", "3"), ("报停供暖", "3"), ("新建小区供暖开通", "7"), ("热计量收费", "7")],
        }),
        ("0107", "社会保障", "labour", "7", {
            "养老保险": ["养老金发放", "养老保险缴费", "养老保险转移接续"],
            "失业与就业": ["失业金申领", "就业培训", "就业补贴", "灵活就业登记"],
            "工伤保险": ["工伤认定", "工伤待遇"],
        }),
        ("0108", "医疗卫生", "health", "7", {
            "医疗服务": ["医院服务态度", "看病难挂号难", "医疗收费", "医疗纠纷"],
            "公共卫生": ["疫苗接种", "病媒生物防制", "公共场所卫生", "职业病防治"],
            "医疗保障": ["医保报销", "医保缴费", "异地就医备案", "药品价格"],
        }),
        ("0109", "教育", "education", "7", {
            "入学": ["学区划分", "入学报名", "转学", "随迁子女入学"],
            "学校管理": ["校外培训", "学校收费", "校园安全", "课后服务", "校车安全"],
        }),
        ("0110", "民政服务", "civil", "7", {
            "社会救助": ["低保申请", "临时救助", "特困供养"],
            "养老服务": ["养老机构", "居家养老", "老年人补贴"],
            "殡葬与婚姻": ["殡葬服务", "婚姻登记"],
        }),
    ],
    ("02", "发展诉求", "development"): [
        ("0201", "营商环境", "private_economy", "7", {
            "企业服务": ["政策兑现难", "惠企资金拨付", "企业融资难", "企业用工", "企业用地"],
            "政务服务": ["办事效率低", "证照办理", "审批时限", "窗口服务态度", "网上办事系统故障"],
        }),
        ("0202", "劳动权益", "labour", "3", {
            "工资待遇": [("拖欠农民工工资", "3"), "拖欠工资", "最低工资标准", "加班费"],
            "劳动关系": ["未签劳动合同", "违法解除劳动合同", "未缴社会保险", "劳务派遣"],
        }),
        ("0203", "城乡建设", "planning", "11", {
            "规划": ["规划调整", "违法建设规划", "公共设施规划"],
            "征收拆迁": ["征收补偿", "拆迁安置", "回迁进度"],
            "土地": ["土地确权", "宅基地", "土地流转"],
        }),
        ("0204", "交通出行", "transport", "7", {
            "公共交通": ["公交线路调整", "公交服务态度", "地铁服务", "公交站点设置", "出租车拒载", "网约车"],
            "道路建设": ["道路破损", "道路积水", "道路建设进度", "交通设施缺失"],
        }),
        ("0205", "市场消费", "market", "7", {
            "消费维权": ["预付卡退费", "商品质量", "虚假宣传", "价格欺诈", "网络购物纠纷", "售后服务"],
            "食品药品": [("食品安全", "3"), ("餐饮卫生", "3"), "过期食品", "药品质量", "保健品虚假宣传"],
            "特种设备": [("电梯困人", "U2"), "特种设备安全"],
        }),
        ("0206", "农业农村", "agriculture", "7", {
            "农业生产": ["农资质量", "农业补贴", "动物防疫"],
            "乡村建设": ["农村道路", "农村环境整治", "农村饮水"],
        }),
        ("0207", "文化旅游", "culture", "7", {
            "旅游服务": ["景区服务", "导游服务", "旅行社纠纷", "酒店民宿"],
            "文化服务": ["公共文化设施", "文化市场管理", "体育设施"],
        }),
        ("0208", "税费金融", "tax", "7", {
            "税收": ["发票问题", "退税", "个人所得税", "社保费征缴"],
            "公积金": ["公积金提取", "公积金贷款", "公积金缴存"],
        }),
    ],
    ("03", "执法诉求", "enforcement"): [
        ("0301", "城市管理", "urban", "3", {
            "市容秩序": ["占道经营", "流动摊贩", "店外经营", "乱贴小广告", "户外广告牌", "乱搭乱建"],
            "环境卫生": ["垃圾清运不及时", "垃圾分类", "公厕管理", "道路清扫", "建筑垃圾乱倒"],
            "违法建设": ["违建房屋", "违建阳光房", "楼顶违建", "破坏承重结构"],
            "市政设施": ["井盖缺失", "路灯不亮", "人行道破损", "排水管道堵塞"],
        }),
        ("0302", "交通管理", "traffic", "1", {
            "违法停车": ["占用消防通道停车", "占用人行道停车", "占用盲道停车", "小区周边乱停车", "僵尸车"],
            "交通秩序": ["机动车违法", "电动车违法", "交通拥堵", "信号灯故障", "非法营运"],
        }),
        ("0303", "环境保护", "environment", "3", {
            "噪音扰民": ["社会生活噪音", "商业经营噪音", "广场舞噪音", "交通噪音", "工业噪音"],
            "大气污染": ["餐饮油烟", "露天烧烤", "工业废气", "异味扰民", "秸秆焚烧"],
            "水污染": ["河道污染", "污水直排", "海域污染"],
            "固废污染": ["危险废物", "工业固废"],
        }),
        ("0304", "社会治安", "police", "3", {
            "治安秩序": ["赌博", "诈骗", "非法集资", "黄赌毒线索", "寻衅滋事"],
            "户籍证件": ["户口迁移", "身份证办理", "居住证办理"],
        }),
        ("0305", "安全生产", "emergency", "1", {
            "生产安全": [("安全隐患", "1"), ("危化品", "U2"), "群租房安全", "违规储存"],
            "消防安全": [("消防通道堵塞", "1"), "消防设施缺失", "电动车楼道充电", "高层建筑消防"],
        }),
        ("0306", "园林绿化", "landscape", "7", {
            "绿化管理": ["树木修剪", "树木倒伏", "毁绿占绿", "绿地养护", "古树保护"],
            "公园管理": ["公园设施", "公园秩序"],
        }),
    ],
}

# Level 5: a few leaves split further, to show the tree's full depth.
LEVEL_FIVE = {
    "电梯故障维修": ["电梯频繁停运", "电梯维保不到位"],
    "餐饮油烟": ["饭店油烟直排", "居民楼下餐饮"],
}

DEMO_PASSWORD = "demo12345"
DEMO_USERS = [
    # username, role, unit code, name
    ("admin", "admin", None, "平台管理员"),
    ("operator", "operator", "PLATFORM", "话务员小王"),
    ("dispatcher", "dispatcher", "PLATFORM", "派单员小李"),
    ("supervisor", "supervisor", "PLATFORM", "督办员老张"),
    ("inspector", "supervisor", "D_INSPECT", "督查室刘科长"),
    ("handler_urban", "unit_handler", "D02", "城管局承办人"),
    ("handler_housing", "unit_handler", "D01", "住建局承办人"),
    ("handler_traffic", "unit_handler", "D03", "交警支队承办人"),
    ("handler_shinan", "unit_handler", "G370202", "市南区承办人"),
    ("handler_badaguan", "unit_handler", "S370202001", "八大关街道承办人"),
    ("handler_heating", "unit_handler", "U04", "热电集团承办人"),
]


def _tier(value: str) -> dict:
    if value.startswith("U"):
        return {"tier": "urgent", "urgent_hours": int(value[1:])}
    return {"tier": value, "urgent_hours": None}


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

    for (t_code, t_name, top_class), categories in TREE.items():
        top = _node(Classification, t_code, None, name=t_name, top_class=top_class, tier="7", urgent_hours=None,
                    sector=None)
        for c_code, c_name, sector, tier, groups in categories:
            category = _node(Classification, c_code, top, name=c_name, top_class=top_class, sector=sectors[sector],
                             **_tier(tier))
            for g_index, (g_name, leaves) in enumerate(groups.items(), start=1):
                g_code = f"{c_code}{g_index:02d}"
                group = _node(Classification, g_code, category, name=g_name, top_class=top_class,
                              sector=sectors[sector], **_tier(tier))
                for l_index, leaf in enumerate(leaves, start=1):
                    l_name, l_tier = leaf if isinstance(leaf, tuple) else (leaf, tier)
                    l_code = f"{g_code}{l_index:02d}"
                    node = _node(Classification, l_code, group, name=l_name, top_class=top_class,
                                 sector=sectors[sector], keywords=l_name, **_tier(l_tier))
                    for f_index, f_name in enumerate(LEVEL_FIVE.get(l_name, []), start=1):
                        _node(Classification, f"{l_code}{f_index:02d}", node, name=f_name, top_class=top_class,
                              sector=sectors[sector], keywords=f_name, **_tier(l_tier))
    classification_refresh_leaves()

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
