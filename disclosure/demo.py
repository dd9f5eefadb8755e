"""The demo city's open government: policies with interpretations, Q&A, and
information requests in each state, one having run its whole clock. Idempotent."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from disclosure import services
from disclosure.models import (
    AnswerType,
    Body,
    Event,
    InfoRequest,
    Policy,
    ProgressReport,
    Project,
    ProjectItem,
    Question,
    Theme,
)
from org.models import Area, HandlingUnit, User

POLICIES = [
    ("青政发〔2026〕3号", "关于进一步优化营商环境的若干措施", "D29", Theme.BUSINESS,
     "为持续优化营商环境，激发市场主体活力，制定以下措施：一、压减涉企审批时限……",
     "一图读懂：企业开办1个工作日办结，惠企政策“免申即享”，涉企诉求由12345热线统一受理、限时办结。"),
    ("青政办发〔2026〕12号", "青岛市老旧小区改造三年行动方案", "D01", Theme.HOUSING,
     "到2028年底，基本完成2000年底前建成的老旧小区改造任务……",
     "改造包括基础类、完善类、提升类三类内容；居民可通过社区提出改造需求，加装电梯按规定给予补贴。"),
    ("青人社规〔2026〕5号", "关于做好灵活就业人员参加社会保险工作的通知", "D07", Theme.EMPLOYMENT,
     "灵活就业人员可按规定在就业地参加企业职工基本养老保险……", "不再受户籍限制，可在手机上办理参保登记，按月或按年缴费均可。"),
    ("青卫发〔2026〕8号", "青岛市基本医疗保险门诊慢特病管理办法", "D21", Theme.HEALTH,
     "门诊慢特病病种范围、认定标准及待遇……", "新增病种，认定后可在定点医院门诊直接结算，异地就医按规定备案。"),
]
QUESTIONS = [
    ("灵活就业人员在哪里办理养老保险参保？", "可通过“爱山东”APP或各区（市）社保经办窗口办理，不受户籍限制。", 2, Theme.EMPLOYMENT),
    ("老旧小区加装电梯有补贴吗？", "有。符合条件的加装电梯项目按每部一定标准给予补助，具体向所在街道咨询。", 1, Theme.HOUSING),
    ("企业开办需要多长时间？", "全市企业开办全流程1个工作日内办结，可全程网办。", 0, Theme.BUSINESS),
    ("门诊慢特病如何申请认定？", "由定点医疗机构医生评估后网上提交认定申请，医保经办机构审核。", 3, Theme.HEALTH),
]


def _bodies() -> dict[str, Body]:
    """Every city department and district government is a body; the city's general office supervises them all."""
    for unit in HandlingUnit.objects.filter(kind__in=[HandlingUnit.Kind.CITY_DEPARTMENT,
                                                      HandlingUnit.Kind.DISTRICT_GOVERNMENT]):
        Body.objects.get_or_create(unit=unit, defaults={"supervises_all": unit.code == "D_OFFICE",
                                                        "address": f"{unit.name}政务公开办公室"})
    Body.objects.filter(unit__code="D_OFFICE").update(supervises_all=True)
    return {b.unit.code: b for b in Body.objects.select_related("unit")}


def load(stdout=None) -> None:
    bodies = _bodies()
    units = {u.code: u for u in HandlingUnit.objects.filter(code__in=[p[2] for p in POLICIES])}
    for number, title, issuer, theme, text, interpretation in POLICIES:
        Policy.objects.update_or_create(number=number, defaults={
            "title": title, "issuer": units[issuer], "issued_on": dt.date(2026, 3, 1), "effective_on": dt.date(2026, 4, 1),
            "theme": theme, "text": text, "interpretation_title": f"《{title}》政策解读", "interpretation": interpretation})
    # Each answer rests on the policy it names (by its document number, never by position in a sorted list)
    # and is given by that policy's issuing department.
    by_number = {p.number: p for p in Policy.objects.filter(number__in=[p[0] for p in POLICIES])}
    district = Area.objects.filter(level="district").first()
    for question, answer, policy_index, theme in QUESTIONS:
        policy = by_number[POLICIES[policy_index][0]]
        Question.objects.update_or_create(question=question, defaults={
            "answer": answer, "policy": policy, "theme": theme, "district": district,
            "department": policy.issuer})
    if not InfoRequest.objects.exists():
        officer = User.objects.filter(username="officer_housing").first() or User.objects.filter(username="admin").first()
        head = User.objects.filter(username="head_housing").first() or officer
        housing, shinan = bodies.get("D01"), bodies.get("G370202")
        today = timezone.localdate()

        def at(day):
            return mock.patch("django.utils.timezone.now",
                              return_value=timezone.make_aware(dt.datetime.combine(day, dt.time(10))))

        start = today - dt.timedelta(days=70)
        with at(start):
            full = services.request_submit(applicant_name="李明", applicant_phone="13900001111", body=housing,
                                           id_type="resident_id", id_number="370202199001011237",
                                           description="请公开本市2026年老旧小区改造项目清单及资金安排")
        with at(start + dt.timedelta(days=2)):
            services.request_correction(request=full, actor=officer, text="请补充所指区（市）及具体小区名称",
                                        answer_within_days=15)
        with at(start + dt.timedelta(days=6)):
            services.request_corrected(request=full, actor=officer,
                                       text="请公开市南区2026年老旧小区改造项目清单（含金湖路、香港花园小区）及资金安排")
        with at(start + dt.timedelta(days=20)):
            full.refresh_from_db()
            services.request_extension_ask(request=full, actor=officer, days=15, reason="涉及多个部门，需会同核查")
            services.request_extend(request=full, actor=head)
        with at(start + dt.timedelta(days=40)):
            services.request_answer(request=full, actor=officer, answer_type=AnswerType.PARTLY,
                                    text="现提供项目清单；资金明细中涉及第三方商业信息部分不予公开。", withhold_reason="third_party")
        with at(today - dt.timedelta(days=3)):
            services.request_submit(applicant_name="王芳", applicant_phone="13900002222", body=shinan,
                                    description="请公开某街道2026年垃圾分类设施采购合同")
        with at(today - dt.timedelta(days=40)):
            services.request_submit(applicant_name="青岛某律师事务所", applicant_phone="13900003333", body=housing,
                                    applicant_type="organisation", organisation_kind="law_firm", id_type="uscc",
                                    id_number="91370200163562681G",
                                    description="请公开市区主干道路面维修计划及验收报告")
    _projects_and_events()
    if stdout:
        stdout.write(f"disclosure: {Policy.objects.count()} policies, {Question.objects.count()} questions, "
                     f"{InfoRequest.objects.count()} information requests")


def _projects_and_events() -> None:
    year = timezone.localdate().year
    if Project.objects.filter(year=year).exists():
        return
    units = {u.code: u for u in HandlingUnit.objects.filter(code__in=["D01", "D10", "D13", "D08", "D02"])}
    specs = [("新增公共停车泊位", "D02", 20000, "个", 78), ("改造老旧小区", "D01", 300, "个", 65),
             ("新建社区养老服务中心", "D13", 50, "处", 82), ("新建改扩建中小学幼儿园", "D08", 40, "所", 55),
             ("新辟优化公交线路", "D10", 60, "条", 90)]
    now = timezone.now()
    for title, lead, target, measure, percent in specs:
        project = Project.objects.create(year=year, title=title, lead_unit=units[lead], target=Decimal(target),
                                         measure=measure, third_party_evaluation=lead in ("D01", "D08"),
                                         description=f"{year}年市办实事：{title}{target}{measure}。")
        project.implementing_units.set(HandlingUnit.objects.filter(kind="district_government")[:3])
        ProjectItem.objects.create(project=project, title=f"{title}（市南区）", target=Decimal(target) / 10,
                                   achieved=Decimal(target) / 10 * percent / 100)
        for month, share in ((3, 0.25), (6, 0.5), (9, 0.8), (12, 1.0)):
            due = dt.date(year, month, 28)
            done = due <= timezone.localdate()
            ProgressReport.objects.create(project=project, due_on=due, reported_on=due if done else None,
                                          percent=min(percent, int(percent * share / 0.8)) if done else None,
                                          text="按计划推进" if done else "")
        Event.objects.create(kind=Event.Kind.INSPECTION, title=f"市民代表实地察看：{title}", project=project,
                             starts_at=now + dt.timedelta(days=10), place="市政府南门集合", capacity=30,
                             signup_closes_at=now + dt.timedelta(days=8))
    Event.objects.create(kind=Event.Kind.OPEN_DAY, title="政府开放日：走进12345热线", starts_at=now + dt.timedelta(days=5),
                         place="市12345热线指挥中心", capacity=50, signup_closes_at=now + dt.timedelta(days=4),
                         description="参观热线受理大厅，体验话务员接听，与工作人员座谈。")
    Event.objects.create(kind=Event.Kind.PRESS, title="新闻发布会：全年市办实事进展", starts_at=now + dt.timedelta(days=14),
                         place="市新闻发布厅", capacity=20, signup_closes_at=now + dt.timedelta(days=12))
