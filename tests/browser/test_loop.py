"""Closing the loop in a real browser: a citizen files on a phone-sized screen, reads the receipt SMS from
the file backend, opens its link in a fresh browser, sees the petition, and rates it after the answer's
SMS (docs/notifications.md). Screenshots in var/screenshots/."""
import json
import re

import pytest

from tests.browser.test_journeys import CHROMIUM, SHOTS

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _phone(browser):
    return browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                               has_touch=True).new_page()


def _sms(path, phone, kind):
    """The newest SMS of `kind` sent to `phone`, as the file backend wrote it."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [line for line in lines if line["to"] == phone and line["key"].startswith(kind)]
    assert found, f"no {kind} SMS to {phone}"
    return found[-1]["body"]


def test_file_read_the_sms_open_its_link_elsewhere_and_rate(browser, live_server, city, settings, tmp_path,
                                                            street_handler, dispatcher):
    from dispatch import routing
    from dispatch import catalog as dispatch_catalog
    from dispatch import handling as dispatch_handling
    from dispatch import review as dispatch_review
    from dispatch import services as dispatch_services
    from dispatch.models import Reply, Role, Target
    from notifications.services import sweep_outbox
    from petitions.models import Petition

    sms_log = tmp_path / "sms.log"
    settings.PORTAL_SMS_BACKEND = "notifications.backends.FileSmsBackend"
    settings.PORTAL_SMS_FILE = str(sms_log)
    settings.PORTAL_PUBLIC_URL = live_server.url
    settings.PORTAL_QUIET_HOURS = (0, 0)  # whatever the clock says when this runs
    dispatch_catalog.rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()

    page = _phone(browser)
    page.goto(f"{live_server.url}/petitions/new/")
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_area", str(city.street.pk))
    page.select_option("#id_classification", str(city.noise.pk))
    page.fill("#id_title", "楼下商铺噪音扰民")
    page.fill("#id_content", "每天晚上十一点以后楼下商铺音响声音很大，影响休息，希望尽快处理。")
    page.fill("#id_complainant_name", "王小明")
    page.fill("#id_complainant_phone", "13912345678")
    page.click("form.card button[type=submit]")
    number = page.text_content("#tracking-number").strip()
    page.screenshot(path=str(SHOTS / "loop-1-filed-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"

    sweep_outbox()  # the worker's job: the receipt leaves the outbox through the file backend
    receipt = _sms(sms_log, "13912345678", "citizen.receipt")
    assert number in receipt
    link = re.search(r"https?://\S+", receipt).group(0)

    # A fresh browser: no session, no cookie; the link alone opens the petition.
    elsewhere = _phone(browser)
    elsewhere.goto(link)
    assert number in elsewhere.content() and "每天晚上十一点以后" in elsewhere.content()
    elsewhere.screenshot(path=str(SHOTS / "loop-2-opened-from-sms.png"), full_page=True)

    petition = Petition.objects.get(number=number)
    lead = petition.assignments.get(role=Role.LEAD)
    dispatch_handling.assignment_sign(assignment=lead, actor=street_handler)
    dispatch_handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已停止外放音响。")
    dispatch_review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    sweep_outbox()
    answered = _sms(sms_log, "13912345678", "citizen.answered")
    rate_link = re.search(r"https?://\S+", answered).group(0)

    third = _phone(browser)
    third.goto(rate_link)
    assert "商铺已停止外放音响" in third.content()
    third.check("input[name=satisfaction][value=satisfied]")
    third.check("input[name=solved][value=yes]")
    third.fill("textarea[name=comment]", "处理及时，谢谢")
    third.click("text=提交评价")
    third.screenshot(path=str(SHOTS / "loop-3-rated.png"), full_page=True)
    petition.refresh_from_db()
    assert petition.status == "closed" and petition.ratings.get().comment == "处理及时，谢谢"
    sweep_outbox()
    assert number in _sms(sms_log, "13912345678", "citizen.closed")
