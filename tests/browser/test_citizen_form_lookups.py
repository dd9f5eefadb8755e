"""The citizen's form on a phone looks things up as the citizen goes (static/js/petition-form.js): categories
suggested from the words typed (a tap chooses one) and the street of a point tapped on the map. A late answer for
words typed or a point tapped before never replaces the answer for what is on the screen."""
import json

import pytest

from tests.browser.test_hotline import ARGS, _wait_held
from tests.browser.test_journeys import CHROMIUM, SHOTS

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True)
        yield context.new_page()
        browser.close()


def test_the_suggestions_follow_the_newest_words_and_a_tap_chooses_one(phone, live_server, city):
    page = phone
    held = {"on": False, "routes": []}
    page.route("**/petitions/suggest/**", lambda route: held["routes"].append(route) if held["on"]
               else route.continue_())
    page.goto(f"{live_server.url}/petitions/new/")
    held["on"] = True
    page.fill("#id_content", "")
    page.type("#id_content", "小区里天天有人乱停车，把消防通道都堵住了", delay=10)
    _wait_held(page, held, 1)  # the answer for these words is slow
    held["on"] = False
    page.fill("#id_content", "")
    page.type("#id_content", "楼下商铺音响噪音很大，每天晚上十一点以后还在放", delay=10)
    page.wait_for_selector(".suggestions .chip >> text=噪音扰民")
    with page.expect_response("**/petitions/suggest/**"):
        held["routes"].pop().continue_()  # the older answer arrives last
    page.wait_for_timeout(200)
    assert "噪音扰民" in page.inner_text(".suggestions")  # still the suggestions for the words on the screen
    page.screenshot(path=str(SHOTS / "citizen-suggestions.png"), full_page=False)
    page.tap(".suggestions .chip >> text=噪音扰民")
    assert page.input_value("#id_classification") == str(city.noise.pk)


def test_two_taps_on_the_map_fill_the_area_of_the_last_point_whichever_answer_comes_first(phone, live_server, city):
    page = phone
    answers = {}
    held = []

    def locate(route):
        held.append(route)  # every answer waits: the test sends them in the order it wants

    page.route("**/petitions/locate/**", locate)
    page.goto(f"{live_server.url}/petitions/new/")
    page.wait_for_selector("#map .leaflet-interactive", state="attached")  # the city's streets are drawn
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)  # first tap
    _wait_held(page, {"routes": held}, 1)
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5)  # then the right place
    _wait_held(page, {"routes": held}, 2)
    first, last = held
    answers[last] = city.street
    answers[first] = city.other_street
    for route in (last, first):  # the last tap is answered first, the first tap last
        area = answers[route]
        with page.expect_response("**/petitions/locate/**"):
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps({"area": {"id": area.pk, "code": area.code, "name": area.name}}))
    page.wait_for_timeout(200)
    assert page.input_value("#id_area") == str(city.street.pk)  # where the marker is
    assert city.street.name in page.inner_text("[data-map-status]")
