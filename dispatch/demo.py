"""The demo city's responsibility catalog, and the sample petitions moved
along the handling loop so every page has something to show. Idempotent."""
from __future__ import annotations

from django.db import transaction

from dispatch import catalog, handling, review, routing, services
from dispatch.models import Assignment, AssignmentStatus, CatalogRule, Reply, Role, Target
from org.models import Area, Classification, HandlingUnit, User
from petitions.models import Petition, Satisfaction, Status

# Level-2 and level-3 items of the classification standard (org/data/build_standard.py) whose
# matters are handled where they happen: the street leads and the sector's city unit joins
# (属地为主, 行业并行; DOMAIN.md section 4).
TERRITORIAL = ["物业服务", "市容秩序", "市容环卫", "违法建设", "农业农村", "民政服务", "园林绿化", "社会生活噪音",
               "无物业小区", "农村集体管理"]
# Items whose lead is not their category's sector: key, item name, lead unit, co-units, keywords.
NAMED_LEADS = [
    ("S-wage", "拖欠农民工工资", "D07", ["D01"], ""),  # labour leads, housing joins for construction sites
    ("S-food-school", "食品安全", "D08", ["D06"], "学校,幼儿园,食堂"),  # schools' canteens: education leads
    ("S-square-dance", "广场舞噪音", "D04", ["D02"], ""),  # the police lead, urban management joins
]


@transaction.atomic
def _catalog() -> None:
    """Every leaf of the standard is routed: a sector rule per level-2 category sends it to the city
    unit of the leaf's own sector (谁主管谁负责), territorial rules add the street, and the fallback
    sends anything else to the district. Rules are keyed, so a reload adds only what is missing;
    `dispatch.selectors.unrouted_leaves` (admin: catalog rules → "Unrouted items") checks the result."""
    existing = set(CatalogRule.objects.values_list("key", flat=True))

    def create(key: str, **fields) -> None:
        if key not in existing:
            catalog.rule_create(key=key, **fields)
            existing.add(key)

    for category in Classification.objects.filter(depth=2, is_active=True):
        create(f"S-{category.code}", kind="sector", classification=category, target=Target.SECTOR,
               note=f"{category.name}: 谁主管谁负责")
    for item in Classification.objects.filter(depth__in=[2, 3], is_active=True, name__in=TERRITORIAL):
        create(f"T-{item.code}", kind="territorial", classification=item, target=Target.STREET,
               note=f"{item.name}: 属地管理")
    # By name, the shallowest item winning (食品安全 is a group and one of its leaves).
    items = {c.name: c for c in Classification.objects.filter(depth__gte=3, is_active=True).order_by("-depth")}
    units = {u.code: u for u in HandlingUnit.objects.all()}
    for key, name, lead, co, keywords in NAMED_LEADS:
        if name in items:
            create(key, kind="sector", classification=items[name], target=Target.UNIT, lead_unit=units[lead],
                   co_units=[units[c] for c in co], keywords=keywords)
    laoshan = Area.objects.filter(code="370212").first()
    if laoshan and "景区服务" in items:
        create("T-laoshan-tourism", kind="territorial", classification=items["景区服务"], area=laoshan,
               target=Target.DISTRICT, note="崂山景区旅游投诉由崂山区属地处置")
    if "新业态" in items:
        create("C-new-business", kind="sector", classification=items["新业态"], target=Target.CONSULTATION,
               note="新业态诉求会商研判确定兜底部门")
    create("F-fallback", kind="territorial", target=Target.DISTRICT, is_fallback=True,
           note="无匹配规则时由属地区(市)政府兜底")
    transaction.on_commit(routing.invalidate)


def _move_samples() -> None:
    dispatcher = User.objects.filter(username="dispatcher").first()
    operator = User.objects.filter(username="operator").first()
    routing.invalidate()
    for petition in Petition.objects.filter(status=Status.RECEIVED, classification__isnull=False):
        services.dispatch_petition(petition=petition, actor=dispatcher, mode="auto")
    if Reply.objects.exists():
        return
    leads = list(Assignment.objects.filter(role=Role.LEAD, status=AssignmentStatus.PENDING)
                 .select_related("unit", "petition").order_by("petition__number"))
    for index, assignment in enumerate(leads):
        handler = User.objects.filter(unit=assignment.unit, role="unit_handler").first()
        if handler is None:
            handler = User.objects.create(username=f"handler_{assignment.unit.code.lower()}",
                                          first_name=f"{assignment.unit.name}承办人", role="unit_handler",
                                          unit=assignment.unit)
            handler.set_password("demo12345")
            handler.save()
        if index % 4 == 3:
            continue  # left waiting for sign-for
        handling.assignment_sign(assignment=assignment, actor=handler)
        if index % 4 == 2:
            continue  # being handled
        handling.assignment_answer(assignment=assignment, actor=handler,
                                   content="经现场核查，已督促责任方整改完毕，并电话告知诉求人处理结果。")
        reply = Reply.objects.get(assignment=assignment, review=Reply.Review.PENDING)
        if index % 4 == 1:
            continue  # waiting for platform review
        review.reply_review(reply=reply, approve=True, actor=dispatcher)
        if index % 8 == 0:
            review.callback_record(petition=assignment.petition, actor=operator,
                                     satisfaction=Satisfaction.SATISFIED, solved=True, comment="回访满意")


def load(stdout=None) -> None:
    _catalog()
    _move_samples()
    if stdout:
        stdout.write(f"dispatch: {CatalogRule.objects.filter(active=True).count()} catalog rules, "
                     f"{Assignment.objects.count()} assignments")
