"""Item 7 (first half): a policy's validity (现行有效, 已修改, 已失效) shown and filterable. Item 8: practical
projects' lead units report progress from their own page; a late report is reminded, then supervised; the
third-party evaluation is published from its date."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from disclosure import services
from disclosure.models import Policy, ProgressReport, Project
from lib.errors import DomainError
from notifications.models import Notification
from supervision.models import CaseStatus, SupervisionCase

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def on(day: dt.date, hour=10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH), tick=False)


def policy(city, number, title, **extra):
    return Policy.objects.create(number=number, title=title, issuer=city.urban, issued_on=D(2024, 1, 1),
                                 effective_on=D(2024, 2, 1), theme="urban", text="正文", **extra)


@pytest.mark.django_db
def test_a_policys_validity_is_shown_and_filterable_and_one_past_its_date_is_expired(client, city):
    current = policy(city, "甲〔2026〕1号", "现行停车管理办法")
    lapsed = policy(city, "甲〔2024〕2号", "到期的临时措施", expires_on=D(2026, 6, 30))
    replacement = policy(city, "甲〔2026〕3号", "新版物业管理规定")
    amended = policy(city, "甲〔2024〕4号", "旧版物业管理规定", validity="amended", amended_by=replacement)
    with on(D(2026, 11, 2)):
        listing = client.get("/disclosure/policies/").content.decode()
        assert "现行有效" in listing and "已失效" in listing and "已修改" in listing
        shown = lambda validity: {p.pk for p, _state, _label in client.get(  # noqa: E731
            "/disclosure/policies/", {"validity": validity}).context["items"]}
        assert shown("valid") == {current.pk, replacement.pk}
        assert shown("expired") == {lapsed.pk}
        assert shown("amended") == {amended.pk}
        page = client.get(f"/disclosure/policies/{amended.pk}/").content.decode()
        assert "已修改" in page and "新版物业管理规定" in page
        assert "已失效" in client.get(f"/disclosure/policies/{lapsed.pk}/").content.decode()
    with on(D(2026, 6, 30)):  # valid on its last day
        assert lapsed.pk in {p.pk for p, *_ in client.get("/disclosure/policies/", {"validity": "valid"}).context["items"]}


@pytest.fixture
def project(city):
    project = Project.objects.create(year=2026, title="新增公共停车泊位", lead_unit=city.urban, target=Decimal(100),
                                     measure="个", third_party_evaluation=True)
    ProgressReport.objects.create(project=project, due_on=D(2026, 11, 6))
    ProgressReport.objects.create(project=project, due_on=D(2026, 12, 28))
    return project


@pytest.mark.django_db
def test_the_lead_unit_reports_progress_from_its_own_page_and_it_is_published(client, city, project, urban_handler,
                                                                             street_handler):
    due = project.reports.get(due_on=D(2026, 11, 6))
    with on(D(2026, 11, 2)):
        client.force_login(urban_handler)  # the unit reaches its projects from its own queue page
        assert 'href="/disclosure/unit/projects/"' in client.get("/dispatch/").content.decode()
        client.force_login(street_handler)  # not the lead unit: no project, no form, no report
        assert client.get("/disclosure/unit/projects/").context["items"] == []
        refused = client.post("/disclosure/unit/projects/", {"report": due.pk, f"r{due.pk}-percent": 40,
                                                            f"r{due.pk}-text": "已完成选址"})
        assert refused.status_code == 404
        with pytest.raises(DomainError):
            services.progress_report(report=due, percent=40, text="x", actor=street_handler)
        client.force_login(urban_handler)
        page = client.get("/disclosure/unit/projects/")
        [(_project, _progress, reports)] = page.context["items"]
        assert [form is not None for _report, form, _late in reports] == [True, False]  # December is not yet due
        bad = client.post("/disclosure/unit/projects/", {"report": due.pk, f"r{due.pk}-percent": 140,
                                                        f"r{due.pk}-text": ""})
        assert bad.status_code == 400
        assert client.post("/disclosure/unit/projects/", {"report": due.pk, f"r{due.pk}-percent": 40,
                                                         f"r{due.pk}-text": "已完成选址"}).status_code == 302
        again = client.post("/disclosure/unit/projects/", {"report": due.pk, f"r{due.pk}-percent": 45,
                                                          f"r{due.pk}-text": "已完成选址"}, follow=True)
        assert again.status_code == 200 and "该进展报告已报送。" in again.content.decode()  # not "Not found"
    due.refresh_from_db()
    assert (due.percent, due.reported_on, due.reported_by) == (40, D(2026, 11, 2), urban_handler)
    assert "40%" in client.get(f"/disclosure/projects/{project.pk}/").content.decode()


@pytest.mark.django_db
def test_a_report_not_in_by_its_date_is_reminded_then_enters_the_supervision_pool(city, project, urban_handler):
    due = project.reports.get(due_on=D(2026, 11, 6))
    city.urban.phone = "13900009999"
    city.urban.save()
    with on(D(2026, 11, 6)):
        assert services.project_reports_sweep() == {"reminded": 0, "supervised": 0}
    with on(D(2026, 11, 9)):
        assert services.project_reports_sweep() == {"reminded": 1, "supervised": 0}
        assert services.project_reports_sweep() == {"reminded": 0, "supervised": 0}
    reminder = Notification.objects.get(recipient="13900009999")
    assert reminder.key.startswith("unit.project_report_due:") and "新增公共停车泊位" in reminder.body
    with on(D(2026, 11, 11)):  # 3 working days after 6 Nov: still in grace
        assert services.project_reports_sweep()["supervised"] == 0
    with on(D(2026, 11, 12)):
        assert services.project_reports_sweep()["supervised"] == 1
        assert services.project_reports_sweep()["supervised"] == 0
    case = SupervisionCase.objects.get(object_id=due.pk)
    assert case.unit == city.urban and case.status == CaseStatus.OPEN
    with on(D(2026, 11, 13)):
        services.progress_report(report=due, percent=35, text="补报进展", actor=urban_handler)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
def test_the_third_party_evaluation_is_published_from_its_date(client, city, project):
    project.evaluator, project.evaluation_summary = "某大学评估中心", "群众满意度92%，目标基本完成。"
    project.evaluation_score, project.evaluation_published_on = Decimal("92.5"), D(2026, 12, 1)
    project.save()
    with on(D(2026, 11, 30)):
        assert "某大学评估中心" not in client.get(f"/disclosure/projects/{project.pk}/").content.decode()
    with on(D(2026, 12, 1)):
        page = client.get(f"/disclosure/projects/{project.pk}/").content.decode()
        assert "某大学评估中心" in page and "92.5" in page


@pytest.mark.django_db
def test_an_admin_may_report_for_any_project(city, project, platform_admin):
    report = project.reports.first()
    with on(D(2026, 11, 2)):
        services.progress_report(report=report, percent=10, text="启动", actor=platform_admin)
    report.refresh_from_db()
    assert report.percent == 10 and report.reported_by == platform_admin


@pytest.mark.django_db
def test_a_policys_validity_reads_in_english_on_english_pages(client, city):
    replacement = policy(city, "甲〔2026〕3号", "新版物业管理规定")
    policy(city, "甲〔2024〕4号", "旧版物业管理规定", validity="amended", amended_by=replacement)
    policy(city, "甲〔2024〕2号", "到期的临时措施", expires_on=D(2026, 6, 30))
    with on(D(2026, 11, 2)):
        english = client.get("/disclosure/policies/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get("/disclosure/policies/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "In force" in english and "Amended" in english and "Expired" in english
    assert not any(word in english for word in ("现行有效", "已修改", "已失效"))
    assert all(word in chinese for word in ("现行有效", "已修改", "已失效"))


@pytest.mark.django_db
def test_the_evaluation_report_file_is_served_by_the_portal_from_its_publication_date(client, city, project):
    """/media/ is never served (config/urls.py): the page links to the portal's own view, which serves the
    file only once the evaluation is published."""
    from django.core.files.base import ContentFile

    project.evaluator, project.evaluation_published_on = "某大学评估中心", D(2026, 12, 1)
    project.evaluation_file.save("report.pdf", ContentFile(b"%PDF-1.4 evaluation"), save=True)
    url = f"/disclosure/projects/{project.pk}/evaluation/"
    with on(D(2026, 11, 30)):
        assert client.get(url).status_code == 404
    with on(D(2026, 12, 1)):
        page = client.get(f"/disclosure/projects/{project.pk}/").content.decode()
        assert f'href="{url}"' in page and "/media/" not in page
        served = client.get(url)
        assert served.status_code == 200 and b"".join(served.streaming_content) == b"%PDF-1.4 evaluation"
        assert served["Content-Disposition"].startswith("attachment")
    project.evaluation_file = ""
    project.save()
    with on(D(2026, 12, 1)):
        assert client.get(url).status_code == 404
    with on(D(2026, 12, 1)):
        assert client.get("/disclosure/projects/999999/evaluation/").status_code == 404


@pytest.mark.django_db
def test_a_policys_validity_and_dates_must_agree(city):
    """Amended without the amending document, amended by itself, or valid until a day before it came into
    force: refused on the field concerned."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    replacement = policy(city, "甲〔2026〕3号", "新版物业管理规定")
    cases = [
        (dict(validity="amended"), "amended_by", "Name the document that amends or replaces it."),
        (dict(expires_on=D(2024, 1, 31)), "expires_on", "A policy cannot lapse before it comes into force."),
    ]
    with translation.override("en"):
        for extra, field, message in cases:
            item = Policy(number="甲〔2024〕9号", title="旧规定", issuer=city.urban, issued_on=D(2024, 1, 1),
                          effective_on=D(2024, 2, 1), theme="urban", text="正文", **extra)
            with pytest.raises(ValidationError) as raised:
                item.full_clean()
            assert raised.value.message_dict[field] == [message], extra
        replacement.validity, replacement.amended_by = "amended", replacement
        with pytest.raises(ValidationError) as raised:
            replacement.full_clean()
        assert raised.value.message_dict["amended_by"] == ["A policy cannot amend itself."]
    ok = Policy(number="甲〔2024〕9号", title="旧规定", issuer=city.urban, issued_on=D(2024, 1, 1),
                effective_on=D(2024, 2, 1), expires_on=D(2024, 2, 1), theme="urban", text="正文",
                validity="amended", amended_by=Policy.objects.get(pk=replacement.pk))
    ok.full_clean()
