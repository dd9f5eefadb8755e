"""Issue 19 in a real browser: an applicant applies on a phone; the officer of the body it is addressed to takes
it from receipt through a correction, an extension (approved by the body's head), a third-party consultation and
a partial answer with a fee, at 1366x900; the officer of another body cannot see it. Screenshots in
var/screenshots/disclosure-*.png."""
import datetime as dt

import pytest
import time_machine

from tests.browser.test_journeys import CHROMIUM, SHOTS
from tests.browser.test_loop import ARGS

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]

SH = dt.timezone(dt.timedelta(hours=8))
ADMIN = "/admin/disclosure/inforequest/"


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _desk(browser, live_server, username):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    return page


def _step(page, live_server, pk, name, fill=None, shot=None):
    page.goto(f"{live_server.url}{ADMIN}{pk}/change/")
    page.click(f"#step-actions a.step-{name}")
    page.wait_for_url(f"**/act/{name}/")  # the request's page may hold a field of the same id
    for selector, value in (fill or {}).items():
        if selector.startswith("select:"):
            page.select_option(selector[7:], value)
        else:
            page.fill(selector, value)
    if shot:
        page.screenshot(path=str(SHOTS / f"disclosure-{shot}.png"), full_page=True)
    page.click("div.submit-row input[type=submit]")
    page.wait_for_load_state()
    assert "/change/" in page.url, f"{name}: {page.url}\n{page.inner_text('#content')[:500]}"


def test_an_officer_takes_a_request_through_every_step_and_another_body_cannot_see_it(browser, live_server, city):
    from disclosure.models import InfoRequest
    from tests.disclosure.conftest import make_bodies
    from tests.factories import make_user

    bodies = make_bodies(city)
    make_user("officer_a", "disclosure_officer", bodies.urban.unit)
    make_user("head_a", "disclosure_head", bodies.urban.unit)
    make_user("officer_b", "disclosure_officer", bodies.district.unit)

    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 30, tzinfo=SH), tick=True):
        # The applicant, on a phone: the Art. 29 application, addressed to the city's urban-management bureau.
        phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True).new_page()
        phone.goto(f"{live_server.url}/disclosure/requests/new/")
        phone.select_option("#id_body", str(bodies.urban.pk))
        phone.check("#id_applicant_type_0")
        phone.fill("#id_applicant_name", "王小明")
        phone.select_option("#id_id_type", "resident_id")
        phone.fill("#id_id_number", "37020219900101123X")  # a wrong check digit first
        phone.fill("#id_applicant_phone", "13912345678")
        phone.fill("#id_description", "请公开2026年本市新增公共停车泊位的选址清单和建设资金安排")
        phone.check("#id_delivery_way_2")  # by e-mail, but no address given
        phone.click("form.card button[type=submit]")
        phone.screenshot(path=str(SHOTS / "disclosure-1-form-errors-phone.png"), full_page=True)
        errors = phone.inner_text("form.card")
        assert "校验码" in errors or "check digit" in errors
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the form scrolls sideways on a phone"
        phone.fill("#id_id_number", "370202199001011237")
        phone.fill("#id_applicant_email", "wang@example.cn")
        phone.click("form.card button[type=submit]")
        phone.wait_for_load_state()
        phone.screenshot(path=str(SHOTS / "disclosure-2-filed-phone.png"), full_page=True)
        item = InfoRequest.objects.get()
        assert item.number in phone.inner_text("body") and item.body == bodies.urban
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        # The officer of that body: the list with the clock, then each step from the request's page.
        officer = _desk(browser, live_server, "officer_a")
        officer.goto(f"{live_server.url}{ADMIN}")
        assert item.number in officer.inner_text("#result_list")
        assert "20" in officer.inner_text(f"#result_list tr:has-text('{item.number}') .clock-running")
        officer.screenshot(path=str(SHOTS / "disclosure-3-officer-list.png"), full_page=True)
        officer.click(f"#result_list a:has-text('{item.number}')")
        officer.wait_for_load_state()
        officer.screenshot(path=str(SHOTS / "disclosure-3b-request-page.png"), full_page=True)
        assert officer.locator("#request-clock").is_visible()
        _step(officer, live_server, item.pk, "correction",
              {"#id_text": "请说明具体所指的区（市）和年度", "#id_answer_within_days": "10"}, shot="4-correction")
        assert "clock-paused" in officer.inner_html("#request-clock")
        _step(officer, live_server, item.pk, "corrected", {"#id_text": "请公开市南区2026年停车场建设选址清单"})
        _step(officer, live_server, item.pk, "extend_ask", {"#id_days": "10", "#id_reason": "涉及多个区，需会同核查"})
        assert officer.locator("#extension-asked").is_visible()
        assert officer.locator("#step-actions a.step-extend_approve").count() == 0  # the officer does not approve

        # The head of the body approves the extension.
        head = _desk(browser, live_server, "head_a")
        _step(head, live_server, item.pk, "extend_approve", shot="5-head-approves")
        item.refresh_from_db()
        assert item.extension_days == 10 and item.extension_approved_by.username == "head_a"

        _step(officer, live_server, item.pk, "consult",
              {"#id_third_party": "某停车场经营公司", "#id_question": "建设资金安排中涉及贵公司的投资数额是否同意公开"})
        _step(officer, live_server, item.pk, "consulted", {"#id_note": "第三方不同意公开其投资数额"})
        _step(officer, live_server, item.pk, "answer", {
            "select:#id_answer_type": "partly", "#id_text": "现提供选址清单；第三方投资数额不予公开。",
            "select:#id_withhold_reason": "third_party", "select:#id_fee_method": "per_page", "#id_pages": "50"},
            shot="6-answer")
        item.refresh_from_db()
        assert (item.status, item.answer_type, item.fee) == ("fee_due", "partly", 200)
        officer.screenshot(path=str(SHOTS / "disclosure-7-answered.png"), full_page=True)
        history = officer.inner_text("body")
        for step in ("补正", "延期", "第三方", "答复"):
            assert step in history, step
        notice = officer.request.get(f"{live_server.url}{ADMIN}{item.pk}/notice/answer.pdf")
        assert notice.ok and notice.body().startswith(b"%PDF")

        # The officer of another body sees nothing of it.
        other = _desk(browser, live_server, "officer_b")
        other.goto(f"{live_server.url}{ADMIN}")
        assert item.number not in other.inner_text("#content")
        other.goto(f"{live_server.url}{ADMIN}{item.pk}/change/")
        assert item.number not in other.inner_text("#content") and "/change/" not in other.url
        other.screenshot(path=str(SHOTS / "disclosure-8-other-body.png"), full_page=True)
        assert other.request.get(f"{live_server.url}{ADMIN}{item.pk}/notice/receipt.pdf").status == 404


@pytest.mark.parametrize("locale,lang", [("zh-CN", "zh-hans"), ("en-US", "en")])
def test_an_applicant_sends_the_correction_from_a_phone(browser, live_server, city, locale, lang):
    """Art. 30 from the applicant's side: the notice on the status page (no stale due date while paused), a
    correction too short refused on its field with the text kept, then sent; the page says the period restarted."""
    from disclosure import services
    from disclosure.models import InfoRequest
    from tests.disclosure.conftest import make_bodies
    from tests.factories import make_user

    bodies = make_bodies(city)
    officer = make_user("officer_a", "disclosure_officer", bodies.urban.unit)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 30, tzinfo=SH), tick=True):
        item = services.request_submit(applicant_name="王小明", applicant_phone="13912345678", body=bodies.urban,
                                       description="请公开本市新增公共停车泊位的选址清单")
        services.request_correction(request=item, actor=officer, text="请说明具体所指的区（市）和年度")
        phone = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, extra_http_headers={"Accept-Language": lang}).new_page()
        phone.goto(f"{live_server.url}/disclosure/requests/track/")
        phone.fill("#id_number", item.number)
        phone.fill("#id_phone", "13912345678")
        phone.click("main form button[type=submit]")
        phone.wait_for_load_state()
        page = phone.inner_text("main")
        assert "请说明具体所指的区" in page
        assert ("暂停" in page) if lang == "zh-hans" else ("Paused" in page)
        phone.fill("textarea[name=text]", "市南区")
        phone.click("form[action$='/correct/'] button[type=submit]")
        phone.wait_for_load_state()
        assert phone.input_value("textarea[name=text]") == "市南区"  # kept, with the error on its field
        assert phone.locator(".errorlist, .field-error, [role=alert]").count() > 0
        phone.screenshot(path=str(SHOTS / f"disclosure-correction-refused-{lang}.png"), full_page=True)
        phone.fill("textarea[name=text]", "请公开市南区2026年新增公共停车泊位的选址清单")
        phone.click("form[action$='/correct/'] button[type=submit]")
        phone.wait_for_load_state()
        phone.screenshot(path=str(SHOTS / f"disclosure-correction-sent-{lang}.png"), full_page=True)
        item.refresh_from_db()
        assert item.corrected_text == "请公开市南区2026年新增公共停车泊位的选址清单" and item.status != "correction"
        assert "市南区2026年" in phone.inner_text("main")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
