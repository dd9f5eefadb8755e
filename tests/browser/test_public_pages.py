"""Every public page, as a citizen's phone (390x844) and a desktop (1366x900) show it: no sideways scroll,
no request outside the server, and no serious or critical accessibility violation (axe-core, vendored)."""
from pathlib import Path

import pytest

from tests.browser.test_journeys import CHROMIUM, SHOTS

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SIZES = {"phone": (390, 844), "small-phone": (360, 740), "desktop": (1366, 900)}


def public_urls(city) -> list[str]:
    from disclosure.models import Event, Policy, Project

    urls = ["/", "/petitions/new/", "/petitions/track/", "/my/", "/disclosure/policies/", "/disclosure/questions/",
            "/disclosure/requests/new/", "/disclosure/requests/track/", "/disclosure/projects/",
            "/disclosure/events/", "/evaluation/bulletins/", "/evaluation/statistics/", "/evaluation/sanmin/",
            "/calendar/deadline/", "/does-not-exist/"]
    urls += [f"/disclosure/policies/{p.pk}/" for p in Policy.objects.all()[:1]]
    urls += [f"/disclosure/projects/{p.pk}/" for p in Project.objects.all()[:1]]
    urls += [f"/disclosure/events/{e.pk}/" for e in Event.objects.all()[:1]]
    return urls


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
def test_every_public_page_fits_stays_home_and_passes_axe(browser, live_server, city, size):
    width, height = SIZES[size]
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None)
    problems = {}
    for url in public_urls(city):
        page.goto(live_server.url + url)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems[(url, "overflow")] = scroll
        page.add_script_tag(content=AXE)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")
        if result:
            problems[(url, "axe")] = result
        page.screenshot(path=str(SHOTS / f"public-{size}{url.strip('/').replace('/', '-') or '-home'}.png"))
    assert outside == []
    assert problems == {}


def test_the_api_docs_load_nothing_from_outside_the_server(browser, live_server, city):
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:"))
            else None)
    for url in ("/api/docs/", "/api/redoc/"):
        page.goto(live_server.url + url)
        page.wait_for_timeout(1500)  # the bundles render after load
        page.screenshot(path=str(SHOTS / f"api{url.strip('/').replace('/', '-')}.png"))
    assert outside == []
