"""The clocks in a real browser at phone and desktop sizes: a unit stops its clock with a reason
from the list and sees it in its own history; a district platform approves a stop past the cap.
Screenshots in var/screenshots/."""
import pytest

from tests.browser.test_journeys import CHROMIUM, SHOTS, login

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_unit_stops_its_clock_and_the_district_approves_past_the_cap(browser, live_server, city, street_handler,
                                                                       size):
    from dispatch import handling, routing
    from dispatch.catalog import rule_create
    from dispatch.models import Pause, PauseApproval, Role, Target
    from dispatch.services import dispatch_new_petition
    from dispatch.sweeps import sweep_waiting_clocks
    from tests.factories import file_petition, make_user

    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    petition = file_petition(city)
    dispatch_new_petition(petition.pk)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)

    page = browser.new_context(locale="zh-CN", viewport=SIZES[size], is_mobile=size == "phone").new_page()
    login(page, live_server, "street_handler")
    page.goto(f"{live_server.url}/dispatch/a/{lead.pk}/")
    page.check("input[name=code][value=inspection]")
    page.click("#clock button[type=submit]")
    page.wait_for_selector("text=等待鉴定/检测")
    page.locator("#clock").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"clocks-unit-stopped-{size}.png"), full_page=True)
    assert Pause.objects.get().reason == "inspection"

    Pause.objects.update(cap_at=Pause.objects.get().started_at)  # the allowance ran out
    sweep_waiting_clocks()
    make_user("jia_platform", "district_supervisor", city.district_gov)
    page.context.clear_cookies()
    login(page, live_server, "jia_platform")
    page.goto(f"{live_server.url}/dispatch/supervision/pauses/")
    page.screenshot(path=str(SHOTS / f"clocks-pauses-{size}.png"), full_page=True)
    page.check("input[value=yes]")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=暂无待审批的超限暂停")
    assert Pause.objects.get().approval == PauseApproval.APPROVED
