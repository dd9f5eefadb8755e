"""The public deadline calculator agrees with the official calendar (2025, 2026)."""
import pytest

URL = "/api/v1/calendar/deadline"


@pytest.mark.django_db
@pytest.mark.parametrize("start,days,due,makeup", [
    ("2025-01-24", 1, "2025-01-26", ["2025-01-26"]),  # Sunday make-up day before the Spring Festival
    ("2025-01-27", 1, "2025-02-05", []),  # across the Spring Festival 2025
    ("2025-09-30", 1, "2025-10-09", []),  # National Day + Mid-autumn 2025 (Oct 1-8)
    ("2025-09-26", 1, "2025-09-28", ["2025-09-28"]),  # Sunday 28 Sep 2025 worked
    ("2026-02-13", 1, "2026-02-14", ["2026-02-14"]),  # Saturday make-up before the Spring Festival 2026
    ("2026-02-13", 2, "2026-02-24", ["2026-02-14"]),
    ("2026-09-30", 3, "2026-10-10", ["2026-10-10"]),  # National Day 2026, Saturday Oct 10 worked
    ("2026-04-30", 1, "2026-05-06", []),  # Labour Day 2026 (May 1-5)
])
def test_agrees_with_the_official_calendar(client, start, days, due, makeup):
    data = client.get(URL, {"start": start, "days": days}).json()
    assert (data["due"], data["makeup_workdays"], data["calendar_complete"]) == (due, makeup, True)
    assert data["due_at"] == f"{due}T23:59:59+08:00"


@pytest.mark.django_db
def test_skipped_days_carry_their_reason(client):
    data = client.get(URL, {"start": "2026-09-30", "days": 3}).json()
    reasons = {s["date"]: s["reason"] for s in data["skipped"]}
    assert reasons["2026-10-01"] == "国庆节" and set(reasons.values()) == {"国庆节"}
    data = client.get(URL, {"start": "2026-11-20", "days": 1}).json()
    assert [s["reason"] for s in data["skipped"]] == ["weekend", "weekend"]


@pytest.mark.django_db
def test_year_without_data_says_so(client):
    data = client.get(URL, {"start": "2031-04-30", "days": 1}).json()
    assert data["due"] == "2031-05-01" and data["calendar_complete"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("params,field", [
    ({"days": 3}, "start"), ({"start": "2026-11-23"}, "days"), ({"start": "23/11/2026", "days": 3}, "start"),
    ({"start": "2026-02-30", "days": 3}, "start"), ({"start": "2026-11-23", "days": "x"}, "days"),
    ({"start": "2026-11-23", "days": -1}, "days"), ({"start": "2026-11-23", "days": 100000}, "days"),
    ({"start": "1900-01-01", "days": 1}, "start"),
])
def test_bad_parameters_get_400_naming_the_parameter(client, params, field):
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_the_page_works_without_javascript(client):
    page = client.get("/calendar/deadline/", {"start": "2026-09-30", "days": 3}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "2026-10-10" in text and "国庆节" in text
    assert client.get("/calendar/deadline/", {"start": "x", "days": 3}).status_code == 400
