"""Roles hold what they need and nothing more (org/roles.py): spreadsheet import and
export of the reference data, API keys and the 三民 pool's personal data are the
platform administrators' (the pool's export: the campaign's organiser's) alone."""
import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from openpyxl import load_workbook

from evaluation.models import Campaign, Candidate
from lib.errors import DomainError
from org.models import CalendarDay, HandlingUnit
from org.roles import ROLE_PERMISSIONS
from petitions.models import ApiKey
from petitions.services import apikey_issue
from tests.factories import make_user

NON_ADMIN_STAFF = ["operator", "dispatcher", "supervisor"]


@pytest.mark.django_db
def test_every_listed_permission_exists_and_groups_hold_exactly_the_list():
    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    for role, names in ROLE_PERMISSIONS.items():
        assert set(names) <= existing, sorted(set(names) - existing)
        group = Group.objects.get(name=f"role:{role}")
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(names)


@pytest.mark.django_db
def test_only_platform_admins_hold_spreadsheet_api_key_and_pool_permissions():
    for role in NON_ADMIN_STAFF + ["unit_handler"]:
        names = ROLE_PERMISSIONS[role]
        sensitive = [n for n in names if n.split(".")[1].startswith(("import_", "export_"))
                     or n.endswith(("_apikey", "_candidate", "_representative", "_tallycell", "_user"))]
        assert sensitive == [], role
    assert {"org.import_calendarday", "org.export_handlingunit", "petitions.add_apikey",
            "evaluation.import_candidate"} <= set(ROLE_PERMISSIONS["admin"])
    # Nobody holds the ballot's counters, and the pool's export is no permission at all (the organiser's).
    assert not [n for names in ROLE_PERMISSIONS.values() for n in names if "tallycell" in n or "representative" in n]


def _csv(text: str):
    upload = io.BytesIO(text.encode())
    upload.name = "import.csv"
    return upload


def _csv_format(client, url):
    """The index of CSV in the import form's format choices."""
    form = client.get(url).context["form"]
    return next(value for value, label in form.fields["format"].choices if str(label).lower() == "csv")


@pytest.mark.django_db
@pytest.mark.parametrize("role", NON_ADMIN_STAFF)
def test_staff_cannot_add_a_holiday_or_change_a_unit_phone_by_import(client, city, role):
    client.force_login(make_user(f"x_{role}", role, city.platform))
    for url, body in (("/admin/org/calendarday/import/", "date,is_workday,name\n2026-03-02,0,假日\n"),
                      ("/admin/org/handlingunit/import/", "code,name,phone\nURB,市城市管理局,110\n")):
        response = client.post(url, {"format": "0", "import_file": _csv(body)})
        assert response.status_code == 403, url
        assert client.post(url.replace("/import/", "/process_import/"), {}).status_code == 403
    assert not CalendarDay.objects.filter(date=dt.date(2026, 3, 2)).exists()
    assert HandlingUnit.objects.get(code="URB").phone == ""


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_a_platform_admin_imports_the_calendar(client, city, platform_admin):
    client.force_login(platform_admin)
    url = "/admin/org/calendarday/import/"
    response = client.post(url, {"format": _csv_format(client, url), "resource": "0",
                                 "import_file": _csv("date,is_workday,name\n2026-03-02,0,假日\n")})
    assert response.status_code == 200 and "confirm_form" in response.context
    confirm = response.context["confirm_form"].initial
    response = client.post("/admin/org/calendarday/process_import/", confirm)
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2026, 3, 2)).is_workday is False


def _campaign(year, organiser, city):
    campaign = Campaign.objects.create(
        year=year, title=f"{year}三民", suggestions_open=dt.date(year, 11, 1), suggestions_close=dt.date(year, 12, 10),
        reports_start=dt.date(year, 12, 14), reports_end=dt.date(year, 12, 17),
        voting_opens_at=dt.datetime(year, 12, 20, 1, tzinfo=dt.UTC),
        voting_closes_at=dt.datetime(year, 12, 25, 1, tzinfo=dt.UTC), organiser=organiser)
    for i in range(3):
        Candidate.objects.create(campaign=campaign, external_id=f"{year}-{i}", name=f"市民{year}{i}",
                                 phone=f"139{year}{i:04d}", district=city.district, sector="社区居民")
    return campaign


def _export(client):
    url = "/admin/evaluation/candidate/export/"
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, None
    form = response.context["form"]
    xlsx = next(value for value, label in form.fields["format"].choices if str(label).lower() == "xlsx")
    fields = [name for name in form.fields if name.startswith("candidateresource_")]
    response = client.post(url, {"format": xlsx, "resource": "0", **{name: "on" for name in fields}})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return response.status_code, rows


@pytest.mark.django_db
def test_only_the_campaigns_organiser_exports_its_pool(client, city, platform_admin):
    organiser = make_user("stats_officer", "supervisor", city.platform)
    _campaign(2026, organiser, city)
    _campaign(2025, None, city)
    superuser = make_user("root", "admin", city.platform, is_superuser=True)
    for user in (platform_admin, superuser, make_user("sup", "supervisor", city.platform),
                 make_user("disp", "dispatcher", city.platform)):
        client.force_login(user)
        assert _export(client) == (403, None), user.username
        assert client.post("/admin/evaluation/candidate/export/", {"format": "0"}).status_code == 403
    client.force_login(organiser)
    status, rows = _export(client)
    assert status == 200
    exported = {row[1] for row in rows[1:]}
    assert exported == {"2026-0", "2026-1", "2026-2"}  # that campaign's pool only, not 2025's


@pytest.mark.django_db
@pytest.mark.parametrize("role", NON_ADMIN_STAFF)
def test_only_platform_admins_issue_api_keys(client, city, role):
    user = make_user(f"k_{role}", role, city.platform)
    client.force_login(user)
    assert client.post("/admin/petitions/apikey/add/", {"name": "自建接口"}).status_code == 403
    with pytest.raises(DomainError):
        apikey_issue(name="自建接口", actor=user)
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_a_platform_admin_issues_an_api_key(client, city, platform_admin):
    client.force_login(platform_admin)
    assert client.post("/admin/petitions/apikey/add/", {"name": "区热线"}).status_code == 302
    assert ApiKey.objects.get().created_by == platform_admin
