"""The demo city's 三民: last year's campaign run from suggestions to published
results (10,000 representatives drawn from a 30,000-person pool, a simulated vote),
and this year's campaign collecting suggestions."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from evaluation import sanmin
from evaluation.management.commands.sanmin_draw import proportional_quotas
from evaluation.models import Campaign, Candidate, DepartmentReport, ReportGroup, Representative, Suggestion, TallyCell
from org.models import Area, HandlingUnit

SECTORS = ["两代表一委员", "民主党派", "专家学者", "企业代表", "机关干部", "社区居民", "新市民", "新闻媒体"]
SECTOR_WEIGHTS = [6, 3, 5, 14, 8, 50, 10, 4]
SUGGESTIONS = [
    ("livelihood", "增加社区嵌入式托育服务点", "建议在新建小区配建托育服务点，解决双职工家庭婴幼儿照护难题。"),
    ("economy", "扩大惠企政策免申即享范围", "建议把更多惠企资金纳入免申即享，减少企业反复提交材料。"),
    ("society", "推广老旧小区物业托管模式", "建议对无物业老旧小区由街道引入国有物业托管，提升服务水平。"),
    ("reform", "推动12345热线与网格平台数据共享", "建议打通热线与网格数据，实现诉求发现在网格、解决在网格。"),
    ("service", "政务服务大厅推行周末延时服务", "建议重点窗口周末轮值，方便上班族办事，减少请假往返。"),
]


def _campaign(year: int, now) -> Campaign:
    voting_open = dt.datetime(year, 12, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    campaign, _ = Campaign.objects.get_or_create(year=year, defaults={
        "title": f"{year}年度“向市民报告、听市民意见、请市民评议”活动",
        "suggestions_open": dt.date(year, 11, 1), "suggestions_close": dt.date(year, 12, 10),
        "reports_start": dt.date(year, 12, 14), "reports_end": dt.date(year, 12, 17),
        "voting_opens_at": voting_open, "voting_closes_at": voting_open + dt.timedelta(days=5)})
    departments = list(HandlingUnit.objects.filter(kind="city_department", code__regex=r"^D\d\d$").order_by("code"))
    if not campaign.groups.exists():
        for index in range(4):
            group = ReportGroup.objects.create(campaign=campaign, name=f"第{'一二三四'[index]}组",
                                               scheduled_at=voting_open - dt.timedelta(days=6 - index),
                                               venue="市民中心报告厅", video_url="https://live.example.gov.cn/sanmin")
            for unit in departments[index::4]:
                DepartmentReport.objects.create(group=group, unit=unit, summary=f"{unit.name}{year}年工作报告")
    return campaign


def load(stdout=None) -> None:
    today = timezone.localdate()
    rng = random.Random(2009)
    last = _campaign(today.year - 1, timezone.now())
    if not last.suggestions.exists():
        for theme, title, content in SUGGESTIONS:
            Suggestion.objects.create(campaign=last, name="市民", phone="13900000000", theme=theme, title=title,
                                      content=content, submitted_at=timezone.now() - dt.timedelta(days=380),
                                      answer="已纳入年度政府工作计划，正在组织实施。", adoption="adopted", excellent=True)
    if not last.drawn_at:
        districts = list(Area.objects.filter(level="district"))
        weights = [d.population for d in districts]
        Candidate.objects.bulk_create([
            Candidate(campaign=last, external_id=f"P{i:06d}", name=f"市民{i}", phone=f"139{i:08d}",
                      district=rng.choices(districts, weights)[0], sector=rng.choices(SECTORS, SECTOR_WEIGHTS)[0])
            for i in range(30000)], batch_size=5000)
        Candidate.objects.bulk_create([
            Candidate(campaign=last, external_id=f"R{i:04d}", name=f"推荐代表{i}", phone=f"138{i:08d}",
                      district=districts[i % len(districts)], sector="两代表一委员",
                      source=Candidate.Source.RECOMMENDED) for i in range(150)], batch_size=5000)
        seed = sanmin.draw_prepare(campaign=last, quotas=proportional_quotas(sanmin.pool_lines(last), 9850))
        sanmin.draw_run(campaign=last, seed=seed)
        # A simulated vote, counted in bulk (the real one goes through sanmin.ballot_cast per ballot).
        voters = Representative.objects.filter(campaign=last).count()
        turnout = int(voters * 0.96)
        for cell_unit in set(TallyCell.objects.filter(campaign=last).values_list("unit_id", flat=True)):
            quality = rng.uniform(0.80, 0.97)
            satisfied = int(turnout * quality)
            basic = int((turnout - satisfied) * 0.7)
            for choice, count in (("satisfied", satisfied), ("basic", basic),
                                  ("unsatisfied", turnout - satisfied - basic)):
                TallyCell.objects.filter(campaign=last, unit_id=cell_unit, choice=choice).update(count=count)
        ids = list(Representative.objects.filter(campaign=last).values_list("pk", flat=True)[:turnout])
        Representative.objects.filter(pk__in=ids).update(has_voted=True)
        sanmin.tally_seal(campaign=last)
        Campaign.objects.filter(pk=last.pk).update(results_published_at=timezone.now())
    current = _campaign(today.year, timezone.now())
    if stdout:
        stdout.write(f"sanmin: {last.year} with {Representative.objects.filter(campaign=last).count()} "
                     f"representatives and published results; {current.year} collecting suggestions")
