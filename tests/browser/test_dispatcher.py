"""The dispatcher's console in a real browser at 1366x900 (docs/dispatch.md, "Choosing units"): the lead unit is
picked by typing part of its name, two co-units are added with clicks only (no Ctrl-click), and the petition is
dispatched. Screenshots in zh-hans and English in var/screenshots/."""
import pytest

from tests.browser.test_journeys import CHROMIUM, SHOTS, login
from tests.browser.test_loop import ARGS

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pick_the_lead_by_typing_add_two_co_units_by_clicks_and_dispatch(browser, live_server, city, dispatcher,
                                                                         language):
    from dispatch.models import Role
    from org.models import HandlingUnit
    from tests.factories import file_petition

    committee = HandlingUnit.objects.create(code="C1", name="甲一社区居民委员会", kind="community",
                                            parent=city.street_office)
    committee.areas.set([city.community])
    petition = file_petition(city, classification=None, title="小区门口道路破损")
    context = browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-US",
                                  viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server.url}/admin/dispatch/queuedpetition/{petition.pk}/console/")

    # the lead: type part of its name, the tree narrows to it, click it
    page.click("#id_redispatch_lead_unit-ts-control")
    page.keyboard.type("甲一街道")
    option = page.locator(f"#id_redispatch_lead_unit-ts-dropdown .option[data-value='{city.street_office.pk}']")
    # the tree narrows to the street office and its committee (found by its area)
    page.wait_for_function("() => document.querySelectorAll('#id_redispatch_lead_unit-ts-dropdown .option').length"
                           " <= 2", timeout=5000)
    page.screenshot(path=str(SHOTS / f"dispatcher-typing-{language}-1366.png"), full_page=False)
    option.click()
    page.keyboard.press("Escape")
    assert page.locator("#id_redispatch_lead_unit").input_value() == str(city.street_office.pk)
    # two co-units, with clicks only
    page.click("#id_redispatch_co_units-ts-control")
    for unit in (city.urban, committee):
        page.locator(f"#id_redispatch_co_units-ts-dropdown .option[data-value='{unit.pk}']").click()
    page.keyboard.press("Escape")
    # The × on a chosen unit is titled in the page's language.
    remove = (page.locator("#id_redispatch_co_units-ts-control").locator("xpath=..").locator(".item .remove").first
              .get_attribute("title"))
    assert remove in (("移除", "删除") if language == "zh-hans" else ("Remove",))
    page.fill("#id_redispatch_reason", "属地牵头，城管和社区协办" if language == "zh-hans" else "Street leads")
    page.screenshot(path=str(SHOTS / f"dispatcher-console-{language}-1366.png"), full_page=False)
    page.locator("form[action$='/console/redispatch/'] input[type=submit]").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / f"dispatcher-dispatched-{language}-1366.png"), full_page=False)

    roles = {a.unit_id: a.role for a in petition.assignments.all()}
    assert roles == {city.street_office.pk: Role.LEAD, city.urban.pk: Role.CO, committee.pk: Role.CO}
    ids = page.evaluate("() => Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids))
    assert not errors
