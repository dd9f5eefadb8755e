"""The operator's console in a real browser at a desk's 1366x900: a complaint recorded with the keyboard alone
(the navigation keys counted: docs/intake.md states the count), and a consultation answered on the spot citing a
knowledge-base article. Screenshots in var/screenshots/ (hotline-*.png), in Chinese and in English."""
import datetime as dt

import pytest

from tests.browser.test_journeys import CHROMIUM, SHOTS

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESK = {"width": 1366, "height": 900}
# The most navigation keys a complaint may take besides the typing (issue 17: 23 in the admin's form).
MAX_NAVIGATION_KEYS = 8


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def desk(city, operator):
    from dispatch import routing
    from dispatch.catalog import rule_create
    from dispatch.models import Target
    from hotline import picker

    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    picker.clear()
    return city


def _login(browser, live_server, locale="zh-CN"):
    page = browser.new_context(locale=locale, viewport=DESK).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("form.card button[type=submit]")
    page.goto(f"{live_server.url}/hotline/")
    return page


class Keys:
    """Presses keys and counts the navigation ones (Tab, Enter, arrows and hotkeys): typing is not counted."""

    def __init__(self, page):
        self.page, self.count, self.log = page, 0, []

    def nav(self, key):
        self.count += 1
        self.log.append(key)
        self.page.keyboard.press(key)

    def type(self, text):
        self.page.keyboard.type(text, delay=15)

    def focused(self):
        return self.page.evaluate("document.activeElement.id")


def test_a_complaint_is_recorded_with_the_keyboard_alone(browser, live_server, desk):
    from tests.factories import file_petition
    from petitions.models import Petition

    earlier = file_petition(desk, title="上个月反映的油烟问题", complainant_phone="13912345678")
    page = _login(browser, live_server)
    keys = Keys(page)
    assert keys.focused() == "id_complainant_phone"  # the phone has the focus when the screen opens

    keys.type("13912345678")
    page.wait_for_selector(f"#history >> text={earlier.number}")  # the caller's history, at once
    keys.nav("Tab")
    assert keys.focused() == "id_complainant_name"
    keys.type("王小明")
    keys.nav("Tab")
    assert keys.focused() == "id_area"
    keys.type("jy")  # 甲一街道 by its initials
    page.wait_for_selector("#id_area ~ .picker-list .picker-option.active >> text=甲一街道")
    keys.nav("Enter")
    assert keys.focused() == "id_classification"
    keys.type("zy")  # 噪音扰民 by its initials
    page.wait_for_selector(".picker-option.active >> text=噪音扰民")
    page.screenshot(path=str(SHOTS / "hotline-1-picker-zh.png"))
    keys.nav("Enter")
    assert keys.focused() == "id_content"
    keys.type("楼下商铺音响噪音很大，每天晚上十一点以后还在放，影响休息。")
    page.wait_for_selector("#routing >> text=甲一街道办事处")  # where it goes, before saving
    page.wait_for_selector("#suggestions .chip >> text=噪音扰民")  # the suggestions from the words typed
    page.screenshot(path=str(SHOTS / "hotline-2-before-saving-zh.png"))
    keys.nav("Control+Enter")
    page.wait_for_selector(".messages >> text=甲一街道办事处")

    petition = Petition.objects.exclude(pk=earlier.pk).get()
    assert petition.classification == desk.noise and petition.area == desk.street
    assert petition.complainant_name == "王小明" and petition.status == "dispatched"
    assert petition.assignments.get().unit == desk.street_office
    # The next call: an empty screen, the phone focused.
    assert keys.focused() == "id_complainant_phone" and page.input_value("#id_complainant_phone") == ""
    page.screenshot(path=str(SHOTS / "hotline-3-saved-zh.png"))
    print(f"navigation keys: {keys.count} ({' '.join(keys.log)})")
    assert keys.count <= MAX_NAVIGATION_KEYS
    assert keys.count == 5  # docs/intake.md states this number: change both together


def test_a_consultation_is_answered_on_the_spot_citing_an_article(browser, live_server, desk):
    from knowledge.models import Article, Citation
    from petitions.models import Petition

    article = Article.objects.create(
        title="Who deals with cars parked illegally inside a housing estate?",
        answer="Inside the estate the property company manages parking; on public roads call the traffic police.",
        policy_basis="Road Traffic Safety Law, art. 56", classification=desk.parking, valid_from=dt.date(2020, 1, 1))
    page = _login(browser, live_server, locale="en-US")
    keys = Keys(page)
    keys.type("13812345678")
    keys.nav("Tab")
    keys.type("Li Hua")
    keys.nav("Tab")
    keys.type("jiayi")
    page.wait_for_selector(".picker-option.active >> text=甲一街道")
    keys.nav("Enter")
    keys.type("违法")
    page.wait_for_selector(".picker-option.active >> text=违法停车")
    keys.nav("Enter")
    keys.type("Who do I call about cars parked on the estate's fire lane every night?")
    keys.nav("Alt+K")  # the details: the kind
    assert keys.focused() == "id_kind"
    page.select_option("#id_kind", "consultation")
    page.wait_for_selector("#knowledge:not([aria-busy])")  # the panels follow the typing; wait for the last answer
    page.wait_for_selector(f"#knowledge >> text={article.title}")
    page.check(f"#knowledge input[name=article][value='{article.pk}']")
    assert page.input_value("#id_answer") == article.answer  # the article's answer, ready to read out
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "hotline-4-answer-on-the-spot-en.png"))
    page.screenshot(path=str(SHOTS / "hotline-4-answer-on-the-spot-en-full.png"), full_page=True)
    with page.expect_navigation():
        page.click("#close-on-spot")
    page.wait_for_selector(".messages >> text=answered on the spot")

    petition = Petition.objects.get()
    assert petition.status == "closed_on_spot" and petition.kind == "consultation"
    assert petition.answer == article.answer
    assert Citation.objects.get().article == article and Citation.objects.get().petition == petition
    page.goto(f"{live_server.url}/hotline/queues/")
    assert petition.number in page.content()
    page.screenshot(path=str(SHOTS / "hotline-5-queues-en.png"))

    # The same article is the FAQ a citizen searches on a phone before filing (docs/knowledge.md).
    citizen = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True).new_page()
    citizen.goto(f"{live_server.url}/knowledge/?q=违法停车")
    citizen.click(f"text={article.title}")
    citizen.wait_for_selector(f"text={article.answer}")
    citizen.screenshot(path=str(SHOTS / "hotline-6-citizen-finds-the-article.png"), full_page=True)


def test_the_classification_tree_is_walked_with_the_arrow_keys(browser, live_server, desk):
    from hotline import picker
    from org.models import Classification
    from org.services import classification_refresh_leaves

    market = Classification.objects.create(code="0102", name="市场监管", top_class="livelihood", tier="3",
                                           parent=desk.livelihood, sector=desk.sector_urban)
    Classification.objects.create(code="010201", name="价格欺诈", top_class="livelihood", tier="7", parent=market,
                                  sector=desk.sector_urban)
    classification_refresh_leaves()
    picker.clear()
    page = _login(browser, live_server)
    keys = Keys(page)
    keys.nav("Alt+C")
    assert keys.focused() == "id_classification"
    page.wait_for_selector(".picker-option.active .picker-name >> text=民生诉求")  # the tree's roots
    keys.nav("ArrowRight")  # open 民生诉求
    page.wait_for_selector(".picker-option.active .picker-name >> text=城市管理")
    keys.nav("ArrowRight")  # open 城市管理: its leaves, each with its tier and default unit
    page.wait_for_selector(".picker-option.active .picker-name >> text=违法停车")
    keys.nav("ArrowDown")
    page.wait_for_selector(".picker-option.active .picker-name >> text=噪音扰民")
    assert "市城市管理局" in page.text_content(".picker-option.active")
    keys.nav("ArrowLeft")  # back up one level
    page.wait_for_selector(".picker-option.active .picker-name >> text=城市管理")
    keys.nav("ArrowRight")
    page.wait_for_selector(".picker-option.active .picker-name >> text=违法停车")
    keys.nav("ArrowDown")
    page.wait_for_selector(".picker-option.active .picker-name >> text=噪音扰民")
    keys.nav("Enter")
    assert keys.focused() == "id_content"
    assert page.eval_on_selector("#id_classification_select", "el => el.value") == str(desk.noise.pk)
    assert "民生诉求 / 城市管理 / 噪音扰民" in page.text_content(".picker-chosen >> nth=1")

    # Back at once (within the moment the list takes to close): a search after the choice shows its list, and
    # looks through the whole standard again, not only the branch walked into.
    keys.nav("Alt+C")
    page.keyboard.press("Control+A")
    keys.type("jiage")
    page.wait_for_selector(".picker-option.active .picker-name >> text=价格欺诈")  # under 市场监管, not 城市管理


def test_keys_pressed_faster_than_the_server_answers_apply_to_the_list_being_loaded(browser, live_server, desk):
    """An operator who knows the tree walks it without waiting: each key applies to the list that is coming,
    never to the one it replaces (a key on the stale list picked the wrong item, or did nothing)."""
    page = _login(browser, live_server)
    page.evaluate("() => { const f = window.fetch;"
                  " window.fetch = (...a) => new Promise(r => setTimeout(r, 250)).then(() => f(...a)); }")
    keys = Keys(page)
    keys.nav("Alt+C")
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "ArrowLeft", "ArrowRight", "ArrowDown", "Enter"):
        keys.nav(key)  # no wait between them: every list arrives 250 ms after its key
    page.wait_for_function("() => document.activeElement.id === 'id_content'", timeout=10000)
    assert page.eval_on_selector("#id_classification_select", "el => el.value") == str(desk.noise.pk)


def _hold_assist(page, pattern="**/hotline/assist/"):
    """Holds the console's look-ups (by default those of the routing, suggestions and knowledge panels) while
    `held["on"]`, so that a test can answer them late and out of order, as a slow network would."""
    held = {"on": False, "routes": []}

    def handle(route):
        if held["on"]:
            held["routes"].append(route)
        else:
            route.continue_()

    page.route(pattern, handle)
    return held


def _wait_held(page, held, count):
    for _ in range(100):
        if len(held["routes"]) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{count} look-ups were not asked")


def test_a_late_answer_of_the_panels_keeps_the_article_the_operator_chose(browser, live_server, desk):
    from knowledge.models import Article

    article = Article.objects.create(title="小区内乱停车由谁管理", answer="小区内由物业管理停车；道路上请找交警。",
                                     classification=desk.parking, valid_from=dt.date(2020, 1, 1))
    page = _login(browser, live_server)
    held = _hold_assist(page)
    page.focus("#id_kb_query")
    page.keyboard.type("停车", delay=15)
    page.wait_for_selector("#knowledge:not([aria-busy])")
    page.wait_for_selector(f"#knowledge >> text={article.title}")

    held["on"] = True  # the next look-up is slow: it was asked before the operator chose the article
    page.keyboard.type("谁管", delay=15)
    _wait_held(page, held, 1)
    page.check(f"#knowledge input[name=article][value='{article.pk}']")
    assert page.input_value("#id_answer") == article.answer
    held["on"] = False
    held["routes"].pop().continue_()
    page.wait_for_selector("#knowledge:not([aria-busy])")
    assert page.is_checked(f"#knowledge input[name=article][value='{article.pk}']")  # redrawn, still chosen


def test_an_older_answer_of_the_panels_arriving_late_does_not_overwrite_a_newer_one(browser, live_server, desk):
    from knowledge.models import Article

    parking = Article.objects.create(title="小区内乱停车由谁管理", answer="小区内由物业管理停车。",
                                     valid_from=dt.date(2020, 1, 1))
    heating = Article.objects.create(title="暖气不热向谁反映", answer="先找供热单位报修。",
                                     valid_from=dt.date(2020, 1, 1))
    page = _login(browser, live_server)
    held = _hold_assist(page)
    held["on"] = True
    page.focus("#id_kb_query")
    page.keyboard.type("停车", delay=15)
    _wait_held(page, held, 1)  # the look-up for 停车 is slow
    held["on"] = False
    page.fill("#id_kb_query", "")
    page.keyboard.type("暖气", delay=15)
    page.wait_for_selector(f"#knowledge >> text={heating.title}")  # the newer look-up answered first
    page.wait_for_selector("#knowledge:not([aria-busy])")  # the newest answer is drawn: the panels are current
    with page.expect_response("**/hotline/assist/"):
        held["routes"].pop().continue_()  # then the older one arrives
    page.wait_for_timeout(200)
    assert heating.title in page.inner_text("#knowledge") and parking.title not in page.inner_text("#knowledge")


def test_a_late_history_of_an_earlier_number_never_shows_under_the_callers_number(browser, live_server, desk):
    from tests.factories import file_petition

    other = file_petition(desk, title="另一位来电人的诉求", complainant_phone="13700000001")
    caller = file_petition(desk, title="本次来电人的诉求", complainant_phone="13912345678")
    page = _login(browser, live_server)
    held = _hold_assist(page, "**/hotline/history/")
    held["on"] = True
    page.keyboard.type("13700000001", delay=15)  # a wrong number: its history is slow to come
    _wait_held(page, held, 1)
    held["on"] = False
    page.fill("#id_complainant_phone", "")
    page.keyboard.type("13912345678", delay=15)  # corrected at once
    page.wait_for_selector(f"#history >> text={caller.number}")
    with page.expect_response("**/hotline/history/"):
        held["routes"].pop().continue_()  # the wrong number's history arrives last
    page.wait_for_timeout(200)
    shown = page.inner_text("#history")
    assert caller.number in shown and other.number not in shown


def _call_so_far(page, keys):
    """A caller, their street and 噪音扰民, typed with the keyboard as in the journey above."""
    keys.type("13812345678")
    keys.nav("Tab")
    keys.type("李华")
    keys.nav("Tab")
    keys.type("jiayi")
    page.wait_for_selector(".picker-option.active >> text=甲一街道")
    keys.nav("Enter")
    keys.type("zy")
    page.wait_for_selector(".picker-option.active >> text=噪音扰民")
    keys.nav("Enter")


def test_enter_in_the_knowledge_search_or_a_detail_never_saves_the_call(browser, live_server, desk):
    from knowledge.models import Article
    from petitions.models import Petition

    article = Article.objects.create(title="夜间施工噪音找谁", answer="夜间施工噪音请向城管部门反映。",
                                     classification=desk.noise, valid_from=dt.date(2020, 1, 1))
    page = _login(browser, live_server)
    keys = Keys(page)
    _call_so_far(page, keys)
    keys.type("工地晚上施工太吵")
    keys.nav("Alt+K")
    page.focus("#id_title")
    keys.type("工地夜间施工")
    keys.nav("Enter")  # goes on to the next field
    assert keys.focused() == "id_address"
    keys.nav("Alt+Q")
    keys.type("施工")
    keys.nav("Enter")  # searches the knowledge base
    page.wait_for_selector("#knowledge:not([aria-busy])")
    page.wait_for_selector(f"#knowledge >> text={article.title}")
    assert page.url.rstrip("/").endswith("/hotline") and not Petition.objects.exists()  # nothing saved
    assert page.input_value("#id_content") == "工地晚上施工太吵"  # nothing cleared


def test_enter_in_a_picker_before_the_answer_chooses_the_first_match_of_the_words_typed(browser, live_server, desk):
    page = _login(browser, live_server)
    held = _hold_assist(page, "**/hotline/areas/**")
    keys = Keys(page)
    keys.nav("Alt+A")
    page.wait_for_selector("#id_area ~ .picker-list .picker-option.active")  # the whole list, from the top
    first = page.inner_text("#id_area ~ .picker-list .picker-option.active .picker-name")
    assert "甲一街道" not in first
    held["on"] = True  # the server is slow to answer the words
    keys.type("jy")
    _wait_held(page, held, 2)
    keys.nav("Enter")  # pressed before the answer: the operator goes on at once, nothing is chosen yet
    assert keys.focused() == "id_classification" and page.input_value("#id_area_select") == ""
    keys.type("zy")  # typing on meanwhile lands in the next field
    held["on"] = False
    for route in list(held["routes"]):
        route.continue_()
    page.wait_for_function(f"document.getElementById('id_area_select').value === '{desk.street.pk}'")
    assert page.input_value("#id_area") == "甲一街道"  # the first match of "jy", not the list's first line
    assert page.input_value("#id_classification") == "zy" and keys.focused() == "id_classification"


def test_a_failed_history_look_up_says_so_and_an_unfinished_number_forgets_the_last_caller(browser, live_server,
                                                                                          desk):
    from tests.factories import file_petition

    earlier = file_petition(desk, title="上个月反映的油烟问题", complainant_phone="13912345678")
    page = _login(browser, live_server)
    failing = {"on": True}

    def history(route):
        if failing["on"]:
            route.fulfill(status=403, content_type="text/html", body="<h1>Forbidden (403)</h1><p>CSRF</p>")
        else:
            route.continue_()

    page.route("**/hotline/history/", history)
    page.keyboard.type("13912345678", delay=15)
    page.wait_for_selector("#history [role=alert] >> text=查询失败")  # said, in the page's language
    assert "Forbidden" not in page.inner_text("#history")  # never the error page itself
    page.screenshot(path=str(SHOTS / "hotline-7-history-failed-zh.png"))
    failing["on"] = False
    page.keyboard.press("Backspace")
    page.wait_for_selector("#history >> text=输入来电号码")  # not complete: the panel forgets
    page.keyboard.type("8", delay=15)  # the same number again is asked again
    page.wait_for_selector(f"#history >> text={earlier.number}")
    page.keyboard.press("Backspace")
    page.wait_for_selector("#history >> text=输入来电号码")
    assert earlier.number not in page.inner_text("#history")


def test_retyping_the_classification_clears_where_it_will_go(browser, live_server, desk):
    page = _login(browser, live_server)
    keys = Keys(page)
    _call_so_far(page, keys)
    page.wait_for_selector("#routing >> text=甲一街道办事处")
    page.focus("#id_classification")
    keys.type("x")  # the item is no longer chosen
    page.wait_for_selector("#routing:not([aria-busy])")
    page.wait_for_function("!document.getElementById('routing').innerText.includes('甲一街道办事处')")
    assert page.input_value("#id_classification_select") == ""


def test_a_media_item_refused_on_the_spot_shows_why_in_the_opened_details_with_the_caret_there(browser, live_server,
                                                                                              desk):
    """The channel lives in the folded details panel: a refusal on it must open the panel and put the caret on
    it, or the operator sees the form come back unchanged."""
    from knowledge.models import Article
    from petitions.models import Petition

    article = Article.objects.create(title="小区内违法停车找谁管？", answer="小区内道路停车由物业管理，公共道路违停请拨打交警电话。",
                                     policy_basis="《道路交通安全法》第五十六条", classification=desk.parking,
                                     valid_from=dt.date(2020, 1, 1))
    page = _login(browser, live_server)
    keys = Keys(page)
    _call_so_far(page, keys)
    keys.type("报纸热线转来：小区消防通道每晚都有车违停，想问找哪个部门管？")
    keys.nav("Alt+K")
    page.select_option("#id_kind", "consultation")
    page.select_option("#id_channel", "media")
    page.fill("#id_kb_query", "违法停车")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#knowledge >> text={article.title}")
    page.check(f"#knowledge input[name=article][value='{article.pk}']")
    with page.expect_navigation():
        page.click("#close-on-spot")
    error = page.locator("#details .has-error .error")
    assert page.evaluate("document.getElementById('details').open")
    assert error.is_visible() and "初筛" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_channel"
    page.screenshot(path=str(SHOTS / "hotline-7-media-refused-on-the-spot.png"))
    assert Petition.objects.count() == 0
