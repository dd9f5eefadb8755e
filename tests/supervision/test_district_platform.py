"""District platforms ("1 + 10", DOMAIN.md section 2): a district government's supervisor sees and
supervises all the work of its district's streets and communities (read, chase, escalate), as the city
platform does for the city, and never another district's. Browser-free page tests, time frozen."""
import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from dispatch import routing
from dispatch.catalog import rule_create
from dispatch.models import Role, Target
from dispatch.sweeps import sweep_deadlines
from org.permissions import may_supervise, user_district
from supervision.models import CaseKind, SupervisionCase
from tests.factories import file_petition, make_user

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
LATER = dt.datetime(2026, 11, 27, 9, 0, tzinfo=SH)


@pytest.fixture
def overdue(city, django_capture_on_commit_callbacks):
    """One overdue petition in each district: 甲区 (甲一街道) and 乙区 (乙一街道)."""
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        mine = file_petition(city)
        theirs = file_petition(city, area=city.other_street, complainant_phone="13600000000")
    sweep_deadlines(now=LATER)
    routing.invalidate()
    return mine, theirs


@pytest.fixture
def district_user(city):
    """甲区's platform: its unit is 甲区人民政府, which covers 甲区."""
    return make_user("jia_platform", "district_supervisor", city.district_gov)


def case_of(petition):
    return SupervisionCase.objects.get(object_id=petition.assignments.get(role=Role.LEAD).pk, kind=CaseKind.OVERDUE)


@pytest.mark.django_db
def test_a_district_account_is_scoped_to_its_district(district_user, city, supervisor):
    assert user_district(district_user) == city.district and may_supervise(district_user)
    assert user_district(supervisor) is None and may_supervise(supervisor)  # the city platform: everything
    with pytest.raises(ValidationError):
        make_user("bad_district", "district_supervisor", city.street_office)  # a street office is no district


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_the_district_dashboard_shows_only_its_district(client, overdue, district_user):
    client.force_login(district_user)
    response = client.get("/dispatch/supervision/")
    assert response.status_code == 200
    assert [row["petition__district__name"] for row in response.context["by_district"]] == ["甲区"]
    assert {row["unit__name"] for row in response.context["by_unit"]} == {"甲一街道办事处"}
    assert response.context["pool_by_level"] == {1: 1}
    # Asking for another district's numbers gives nothing of theirs.
    response = client.get("/dispatch/supervision/", {"district": response.context["district"].pk + 1000})
    assert "乙一街道办事处" not in {row["unit__name"] for row in response.context["by_unit"]}


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_the_city_platform_still_sees_every_district(client, overdue, supervisor):
    client.force_login(supervisor)
    response = client.get("/dispatch/supervision/")
    assert {row["petition__district__name"] for row in response.context["by_district"]} == {"甲区", "乙区"}
    assert len(client.get("/dispatch/supervision/pool/").context["cases"]) == 2


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_the_district_pool_and_drill_down_never_show_another_district(client, overdue, district_user, city):
    mine, theirs = overdue
    client.force_login(district_user)
    pool = client.get("/dispatch/supervision/pool/")
    assert [case.reference for case in pool.context["cases"]] == [mine.number]
    assert theirs.number not in pool.content.decode()
    assert client.get("/dispatch/supervision/pool/", {"district": city.other_district.pk}).context["form"].errors
    assert client.get(f"/dispatch/supervision/petition/{mine.pk}/").status_code == 200
    assert client.get(f"/dispatch/supervision/petition/{theirs.pk}/").status_code == 404
    lead = theirs.assignments.get(role=Role.LEAD)
    assert client.get(f"/dispatch/supervision/assignment/{lead.pk}/").status_code == 404


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_the_district_chases_and_escalates_its_own_cases_only(client, overdue, district_user):
    mine, theirs = overdue
    client.force_login(district_user)
    own, other = case_of(mine), case_of(theirs)
    response = client.post(f"/dispatch/supervision/case/{own.pk}/notice/", {"text": "请于两日内办结并回复。", "reply_days": 2})
    assert response.status_code == 302 and own.notices.count() == 2
    # Clicked twice (or the back button): the same notice, still unanswered, is not sent again.
    again = client.post(f"/dispatch/supervision/case/{own.pk}/notice/", {"text": "请于两日内办结并回复。", "reply_days": 2},
                        follow=True)
    assert own.notices.count() == 2 and "已发出" in again.content.decode()
    client.post(f"/dispatch/supervision/case/{own.pk}/escalate/", {"note": "区领导批示"})
    own.refresh_from_db()
    assert own.level == 2
    assert client.post(f"/dispatch/supervision/case/{other.pk}/escalate/", {"note": "越界"}).status_code == 404
    assert client.post(f"/dispatch/supervision/case/{other.pk}/notice/",
                       {"text": "越界督办", "reply_days": 2}).status_code == 404
    other.refresh_from_db()
    assert (other.level, other.notices.count()) == (1, 1)


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_the_district_export_holds_only_its_district(client, overdue, district_user):
    mine, theirs = overdue
    client.force_login(district_user)
    book = load_workbook(io.BytesIO(client.get("/dispatch/supervision/export.xlsx").content))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert mine.number in cells and theirs.number not in cells
    assert "乙一街道办事处" not in cells


@pytest.mark.django_db
def test_a_district_account_has_no_admin(client, district_user):
    client.force_login(district_user)
    assert not district_user.is_staff
    assert client.get("/admin/petitions/petition/").status_code == 302  # the admin's lists are city-wide
