"""The demo city's responsibility catalog, and the sample petitions moved
along the handling loop so every page has something to show. Idempotent."""
from __future__ import annotations

from django.db import transaction

from dispatch import catalog, handling, review, routing, services
from dispatch.models import Assignment, AssignmentStatus, CatalogRule, Reply, Role, Target
from org.models import Area, Classification, HandlingUnit, User
from petitions.models import Petition, Satisfaction, Status

# Level-2 categories whose matters are handled where they happen: the street
# leads and the sector's city department joins (属地为主, 行业并行).
TERRITORIAL = ["物业服务", "城市管理", "噪音扰民", "农业农村", "民政服务", "园林绿化"]


@transaction.atomic
def _catalog() -> None:
    if CatalogRule.objects.exists():
        return
    for category in Classification.objects.filter(depth=2):
        catalog.rule_create(key=f"S-{category.code}", kind="sector", classification=category, target=Target.SECTOR,
                             note=f"{category.name}: 谁主管谁负责")
    for category in Classification.objects.filter(depth__in=[2, 3], name__in=TERRITORIAL):
        catalog.rule_create(key=f"T-{category.code}", kind="territorial", classification=category,
                             target=Target.STREET, note=f"{category.name}: 属地管理")
    # Sub-items whose lead differs from their category's sector.
    leaf = {c.name: c for c in Classification.objects.filter(depth__gte=3)}
    units = {u.code: u for u in HandlingUnit.objects.all()}
    extra = [
        ("S-noise-traffic", "交通噪音", "D03", []),  # traffic noise: the traffic police
        ("S-parking", "违法停车", "D03", []),
        ("S-wage", "拖欠农民工工资", "D07", ["D01"]),  # labour leads, housing joins for construction sites
        ("S-food-school", "食品安全", "D08", ["D06"]),
    ]
    for key, name, lead, co in extra:
        if name in leaf:
            catalog.rule_create(key=key, kind="sector", classification=leaf[name], target=Target.UNIT,
                                 lead_unit=units[lead], co_units=[units[c] for c in co],
                                 keywords="学校,幼儿园,食堂" if key == "S-food-school" else "")
    if "食品安全" in leaf:
        catalog.rule_create(key="S-food", kind="sector", classification=leaf["食品安全"], target=Target.UNIT,
                             lead_unit=units["D06"])
    laoshan = Area.objects.filter(code="370212").first()
    tourism = Classification.objects.filter(name="旅游服务").first()
    if laoshan and tourism:
        catalog.rule_create(key="T-laoshan-tourism", kind="territorial", classification=tourism, area=laoshan,
                             target=Target.DISTRICT, note="崂山景区旅游投诉由崂山区属地处置")
    business = Classification.objects.filter(name="营商环境", depth=2).first()
    catalog.rule_create(key="C-new-business", kind="sector", classification=business, keywords="无人机,低空,数据交易",
                         target=Target.CONSULTATION, note="新业态诉求会商研判确定兜底部门")
    catalog.rule_create(key="F-fallback", kind="territorial", target=Target.DISTRICT, is_fallback=True,
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
