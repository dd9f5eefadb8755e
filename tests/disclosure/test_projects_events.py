import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from disclosure import services
from disclosure.models import Event, ProgressReport, Project, Signup
from lib.errors import DomainError
from tests.concurrency import postgres_only, race


@pytest.fixture
def project(city):
    return Project.objects.create(year=2026, title="新增公共停车泊位", lead_unit=city.urban, target=20000, measure="个")


def make_event(project=None, capacity=2, kind=Event.Kind.INSPECTION, days=5):
    now = timezone.now()
    return Event.objects.create(kind=kind, title="实地察看", project=project, starts_at=now + dt.timedelta(days=days),
                                place="市政府", capacity=capacity, signup_closes_at=now + dt.timedelta(days=days - 1))


@pytest.mark.django_db
def test_progress_is_the_latest_report(project):
    first = ProgressReport.objects.create(project=project, due_on=dt.date(2026, 3, 28))
    second = ProgressReport.objects.create(project=project, due_on=dt.date(2026, 6, 28))
    assert services.project_progress(project) == 0
    with pytest.raises(DomainError):
        services.progress_report(report=first, percent=101, text="x")
    services.progress_report(report=first, percent=30, text="已完成选址")
    services.progress_report(report=second, percent=55, text="过半")
    assert services.project_progress(project) == 55


@pytest.mark.django_db
def test_signup_capacity_duplicates_and_closing(project):
    event = make_event(project)
    services.event_signup(event=event, name="甲", phone="13900000001")
    with pytest.raises(DomainError) as raised:
        services.event_signup(event=event, name="甲", phone="13900000001")
    assert raised.value.field == "phone"
    services.event_signup(event=event, name="乙", phone="13900000002")
    with pytest.raises(DomainError) as raised:
        services.event_signup(event=event, name="丙", phone="13900000003")
    assert raised.value.code == "full"
    closed = make_event(project, days=1)
    Event.objects.filter(pk=closed.pk).update(signup_closes_at=timezone.now() - dt.timedelta(hours=1))
    closed.refresh_from_db()
    with pytest.raises(DomainError) as raised:
        services.event_signup(event=closed, name="丁", phone="13900000004")
    assert raised.value.code == "closed"


@pytest.mark.django_db
def test_inspection_rated_once_by_participants_after_the_event(project):
    event = make_event(project)
    services.event_signup(event=event, name="甲", phone="13900000001")
    with pytest.raises(DomainError) as raised:
        services.inspection_rate(event=event, phone="13900000001", score=5)
    assert raised.value.code == "too_early"
    with time_machine.travel(event.starts_at + dt.timedelta(hours=3)):
        with pytest.raises(DomainError):
            services.inspection_rate(event=event, phone="13900000009", score=5)
        services.inspection_rate(event=event, phone="13900000001", score=4, comment="进度不错")
        with pytest.raises(DomainError):
            services.inspection_rate(event=event, phone="13900000001", score=1)
    assert Signup.objects.get().score == 4


@pytest.mark.django_db
def test_pages(client, project):
    event = make_event(project, capacity=1)
    assert "新增公共停车泊位" in client.get("/disclosure/projects/", {"year": 2026}).content.decode()
    assert client.get(f"/disclosure/projects/{project.pk}/").status_code == 200
    ok = client.post(f"/disclosure/events/{event.pk}/", {"s-name": "甲", "s-phone": "13900000001",
                                                           "s-submission_token": str(uuid.uuid4())})
    assert ok.status_code == 302
    full = client.post(f"/disclosure/events/{event.pk}/", {"s-name": "乙", "s-phone": "13900000002",
                                                             "s-submission_token": str(uuid.uuid4())})
    assert full.status_code == 400 and Signup.objects.count() == 1
    bad = client.post(f"/disclosure/events/{event.pk}/", {"s-name": "", "s-phone": "1",
                                                            "s-submission_token": str(uuid.uuid4())})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"name", "phone"}


@pytest.mark.django_db
def test_ogi_report_page_and_export_for_staff_only(client, operator):
    assert client.get("/disclosure/report/2026/").status_code == 302
    client.force_login(operator)
    assert client.get("/disclosure/report/2026/").status_code == 200
    assert client.get("/disclosure/report/2026/", {"format": "xlsx"})["Content-Type"].startswith("application/vnd")


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_last_places_under_concurrency_are_never_overbooked(project):
    event = make_event(project, capacity=3)
    results = race(*[lambda i=i: services.event_signup(event=event, name=f"市民{i}", phone=f"139000000{i:02d}")
                     for i in range(10)])
    assert sum(1 for kind, _ in results if kind == "ok") == 3
    assert Signup.objects.filter(event=event).count() == 3
