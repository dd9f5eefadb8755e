"""The four journeys in a real browser (headless Chromium driven by Playwright),
saving a screenshot of each in var/screenshots/: the citizen files and tracks,
the operator records a phone call, the unit answers, the supervisor reads the
dashboard. CI installs Debian's chromium; elsewhere these skip without it."""
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # test itself are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 420, "height": 900})
        yield context.new_page()
        browser.close()


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("form.card button[type=submit]")


@pytest.fixture
def routed(city):
    from dispatch import routing
    from dispatch.catalog import rule_create
    from dispatch.models import Target

    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    return city


def test_citizen_files_and_tracks(page, live_server, routed):
    city = routed
    page.goto(f"{live_server.url}/petitions/new/")
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_area", str(city.street.pk))
    page.select_option("#id_classification", str(city.noise.pk))
    page.fill("#id_title", "楼下商铺噪音扰民")
    page.fill("#id_content", "每天晚上十一点以后楼下商铺音响声音很大，影响休息。")
    page.fill("#id_complainant_name", "王小明")
    page.fill("#id_complainant_phone", "13912345678")
    page.click("form.card button[type=submit]")
    number = page.text_content("#tracking-number").strip()
    assert len(number) == 14
    page.screenshot(path=str(SHOTS / "citizen-submitted.png"), full_page=True)
    page.click("text=立即查看")
    assert number in page.content() and "甲一街道办事处" in page.content()
    page.screenshot(path=str(SHOTS / "citizen-tracking.png"), full_page=True)


def test_citizen_sees_field_errors(page, live_server, routed):
    page.goto(f"{live_server.url}/petitions/new/")
    page.fill("#id_complainant_phone", "123")
    page.click("form.card button[type=submit]")
    assert "请填写正确的手机号" in page.content()
    page.screenshot(path=str(SHOTS / "citizen-errors.png"), full_page=True)


def test_operator_records_a_phone_call(page, live_server, routed, operator):
    from petitions.models import Petition

    city = routed
    page.set_viewport_size({"width": 1280, "height": 1000})
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/admin/petitions/petition/add/")
    page.keyboard.type("13712345678")  # focus starts on the caller's phone
    page.fill("#id_complainant_name", "赵先生")
    for field, term, choice in (("area", "甲一", "甲一街道"), ("classification", "噪音", "噪音扰民")):
        page.click(f"#id_{field} + .select2 .select2-selection")
        page.keyboard.type(term)
        page.click(f".select2-results__option:has-text('{choice}')")
    page.fill("#id_title", "来电反映噪音扰民")
    page.fill("#id_content", "来电人反映楼下商铺夜间音响声音很大。")
    page.screenshot(path=str(SHOTS / "operator-intake.png"), full_page=True)
    page.click("input[name=_save]")
    page.wait_for_url("**/change/")
    petition = Petition.objects.get(complainant_phone="13712345678")
    assert petition.channel == "phone" and petition.area == city.street


def test_unit_signs_and_answers(page, live_server, routed, street_handler):
    from tests.factories import file_petition

    petition = file_petition(routed)
    page.set_viewport_size({"width": 1280, "height": 1000})
    login(page, live_server, "street_handler")
    page.goto(f"{live_server.url}/dispatch/")
    page.click(f"text={petition.number}")
    page.click("form button:has-text('签收')")
    page.fill("#id_answer_content", "经现场核查，已责令商铺晚十点后停止外放音响。")
    page.screenshot(path=str(SHOTS / "unit-answer.png"), full_page=True)
    page.click("button:has-text('提交答复')")
    petition.refresh_from_db()
    assert petition.status == "replied"


def test_supervisor_dashboard(page, live_server, routed, supervisor):
    page.set_viewport_size({"width": 1280, "height": 1000})
    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/dispatch/supervision/")
    assert "督办池" in page.content()
    page.screenshot(path=str(SHOTS / "supervisor-dashboard.png"), full_page=True)
    page.goto(f"{live_server.url}/evaluation/")
    page.wait_for_function("window.Chart !== undefined")
    page.screenshot(path=str(SHOTS / "evaluation-dashboard.png"), full_page=True)
