"""The citizen's form on a phone looks things up as the citizen goes (static/js/petition-form.js): categories
suggested from the words typed (a tap chooses one) and the street of a point tapped on the map. A late answer for
words typed or a point tapped before never replaces the answer for what is on the screen."""
import json

import pytest

from tests.browser.test_hotline import _wait_held
from tests.browser.test_journeys import CHROMIUM, SHOTS
from tests.browser.test_loop import _phone, browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):  # noqa: F811
    return _phone(browser)


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


def _located(area):
    return json.dumps({"area": {"id": area.pk, "code": area.code, "name": area.name}})


def _tap(page, x=0.5):
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * 0.5)


def test_the_area_picked_by_hand_wins_over_a_map_answer_still_on_its_way(phone, live_server, city):
    page = phone
    held = []
    page.route("**/petitions/locate/**", lambda route: held.append(route))
    page.goto(f"{live_server.url}/petitions/new/")
    page.wait_for_selector("#map .leaflet-interactive", state="attached")
    _tap(page)
    _wait_held(page, {"routes": held}, 1)
    page.select_option("#id_area", str(city.other_street.pk))  # the citizen corrects it in the list meanwhile
    with page.expect_response("**/petitions/locate/**"):
        held[0].fulfill(status=200, content_type="application/json", body=_located(city.street))
    page.wait_for_timeout(200)
    assert page.input_value("#id_area") == str(city.other_street.pk)


def test_a_failed_map_look_up_clears_the_earlier_street_and_says_so(phone, live_server, city):
    page = phone
    answers = iter([(200, _located(city.street)), (500, "<h1>Server Error (500)</h1>")])

    def locate(route):
        status, body = next(answers)
        route.fulfill(status=status, content_type="application/json" if status == 200 else "text/html", body=body)

    page.route("**/petitions/locate/**", locate)
    page.goto(f"{live_server.url}/petitions/new/")
    page.wait_for_selector("#map .leaflet-interactive", state="attached")
    _tap(page, 0.3)
    page.wait_for_function(f"document.getElementById('id_area').value === '{city.street.pk}'")
    _tap(page, 0.7)
    page.wait_for_selector("[data-map-status] >> text=暂时无法查询")
    assert page.input_value("#id_area") == ""  # the first point's street does not stay with the second point
    page.locator("[data-map]").screenshot(path=str(SHOTS / "citizen-map-look-up-failed.png"))
    assert page.get_attribute("[data-map-status]", "role") == "status"  # read out by a screen reader


def test_the_form_coming_back_with_an_error_keeps_the_area_chosen_by_hand(phone, live_server, city):
    page = phone
    asked = []

    def locate(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="application/json", body=_located(city.street))

    page.route("**/petitions/locate/**", locate)
    page.goto(f"{live_server.url}/petitions/new/")
    page.wait_for_selector("#map .leaflet-interactive", state="attached")
    _tap(page)
    page.wait_for_function(f"document.getElementById('id_area').value === '{city.street.pk}'")
    page.select_option("#id_area", str(city.other_street.pk))  # the citizen knows better
    page.fill("#id_title", "楼下商铺噪音扰民")
    page.fill("#id_content", "每天晚上十一点以后楼下商铺音响声音很大，影响休息。")
    page.fill("#id_complainant_name", "王小明")
    page.fill("#id_complainant_phone", "12")  # a mistake: the form comes back
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".error >> text=手机")
    page.wait_for_selector("#map .leaflet-interactive", state="attached")
    page.wait_for_timeout(300)
    assert page.input_value("#id_area") == str(city.other_street.pk)
    assert page.input_value("#id_latitude") != ""  # the point is shown again
    assert len(asked) == 1  # and not looked up again over the citizen's choice


def test_a_camera_picture_stays_when_files_are_chosen_after_it(phone, live_server, city, tmp_path):
    from tests.browser.test_grid_worker import _photo

    page = phone
    page.goto(f"{live_server.url}/petitions/new/")
    shot = _photo(tmp_path)
    chosen = tmp_path / "letter.jpg"
    chosen.write_bytes(shot.read_bytes())
    page.set_input_files("#id_camera", str(shot))
    page.set_input_files("#id_attachments", str(chosen))
    names = page.evaluate("Array.from(document.getElementById('id_attachments').files).map(f => f.name)")
    assert sorted(names) == ["letter.jpg", "spot.jpg"]
    assert page.locator("[data-previews] figure").count() == 2


def test_a_category_search_that_finds_nothing_says_so_in_the_pages_language(phone, live_server, city):
    page = phone
    page.goto(f"{live_server.url}/petitions/new/")
    page.select_option("#lang-select", "en")  # the language switch in the header
    page.click("form.lang button[type=submit]")
    page.wait_for_selector("html[lang=en]")
    assert "Chinese" in page.get_attribute("#id_classification_search", "placeholder")  # the names are Chinese
    page.fill("#id_classification_search", "noise")
    page.wait_for_selector("[role=status] >> text=No category has this word")
    page.fill("#id_classification_search", "噪音")
    assert page.inner_text("#id_classification ~ [role=status]") == ""
    assert page.eval_on_selector(f"#id_classification option[value='{city.noise.pk}']", "o => o.hidden") is False
