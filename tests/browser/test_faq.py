"""A citizen looks for an answer before filing (docs/knowledge.md): on a phone, from the home page's search box,
finds the knowledge-base article by a Chinese word, opens it and says it helped; the view and the vote are
counted once. Then the FAQ on a desktop. Screenshots in var/screenshots/faq-*.png."""
import datetime as dt

import pytest

from tests.browser.test_journeys import CHROMIUM, SHOTS
from tests.browser.test_public_pages import ARGS, AXE

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


@pytest.fixture
def faq(city):
    from disclosure.models import Question, Theme
    from knowledge.models import Article

    since = dt.date(2020, 1, 1)
    heating = Article.objects.create(
        title="暖气不热怎么办？室温多少度算达标？", classification=city.heating_outage, theme=Theme.WATER,
        owner_unit=city.heating, valid_from=since, policy_basis="《山东省供热条例》",
        answer="供暖期内，居民住宅卧室、起居室室温应不低于18℃。\n先检查暖气阀门是否全开、暖气片是否需要放气，"
               "再联系供热企业报修；测温不达标的，拨打12345。")
    Article.objects.create(title="物业公司能自己涨物业费吗？", classification=city.property_fee, theme=Theme.HOUSING,
                           valid_from=since, answer="不能擅自上涨，调整要由业主共同决定。")
    Article.objects.create(title="去年的暖气费缴纳通知", classification=city.heating_outage, theme=Theme.WATER,
                           valid_from=dt.date(2019, 9, 1), valid_to=dt.date(2020, 4, 5), answer="已过期。")
    Question.objects.create(question="暖气费可以在手机上交吗？", answer="可以，微信或支付宝生活缴费。", theme=Theme.WATER)
    return heating


def _no_sideways_scroll(page, width):
    """No sideways scroll, and no serious or critical accessibility violation (axe-core, vendored)."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways ({scroll} px)"
    page.add_script_tag(content=AXE)
    violations = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    assert violations == [], violations


def test_a_citizen_on_a_phone_finds_an_answer_by_a_chinese_word_and_marks_it_helpful(browser, live_server, faq):
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                               has_touch=True).new_page()
    page.goto(f"{live_server.url}/")
    page.fill("#faq-q", "暖气")
    page.press("#faq-q", "Enter")
    page.wait_for_url("**/knowledge/?q=*")
    results = page.locator("#results-title + ol.faq-list")
    assert results.locator("h3").first.inner_text() == "暖气不热怎么办？室温多少度算达标？"
    assert "暖气费可以在手机上交吗？" in results.inner_text()  # the policy Q&A in the same list
    assert "去年的暖气费缴纳通知" not in page.content()  # expired: never public
    page.screenshot(path=str(SHOTS / "faq-1-search-phone.png"), full_page=True)
    _no_sideways_scroll(page, 390)

    results.get_by_role("link", name="暖气不热怎么办？室温多少度算达标？").click()
    page.wait_for_url(f"**/knowledge/a/{faq.pk}/")
    assert "不低于18℃" in page.inner_text("article") and "热电集团" in page.inner_text("article")
    page.screenshot(path=str(SHOTS / "faq-2-article-phone.png"), full_page=True)
    _no_sideways_scroll(page, 390)

    page.get_by_role("button", name="有帮助").click()
    page.wait_for_url(f"**/knowledge/a/{faq.pk}/")
    assert "感谢您的反馈" in page.inner_text(".faq-vote")
    assert page.get_by_role("button", name="有帮助").count() == 0
    page.reload()  # a reload is not a second reader
    page.screenshot(path=str(SHOTS / "faq-3-helpful-phone.png"), full_page=True)
    faq.refresh_from_db()
    assert (faq.views, faq.helpful_votes) == (1, 1)


def test_the_faq_on_a_desktop_in_english_lists_the_most_asked(browser, live_server, faq):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/knowledge/")
    page.goto(f"{live_server.url}/knowledge/a/{faq.pk}/")  # counted: the visitor already had the FAQ's session
    assert "Did this answer your question?" in page.inner_text(".faq-vote")
    page.screenshot(path=str(SHOTS / "faq-4-article-desktop-en.png"), full_page=True)
    page.goto(f"{live_server.url}/knowledge/?q=物业费")
    assert page.locator("#results-title + ol.faq-list h3").first.inner_text() == "物业公司能自己涨物业费吗？"
    page.goto(f"{live_server.url}/knowledge/")
    most_asked = page.locator("#most-asked-title + ol.faq-list h3").all_inner_texts()
    assert most_asked[0] == "暖气不热怎么办？室温多少度算达标？"  # the one viewed; the others have no reader yet
    assert "Common questions" in page.inner_text("h1")
    page.screenshot(path=str(SHOTS / "faq-5-desktop-en.png"), full_page=True)
    _no_sideways_scroll(page, 1366)
