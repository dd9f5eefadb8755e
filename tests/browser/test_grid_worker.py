"""A grid worker (网格员) on a phone reports what they found on their round: a photo from the camera input, the
phone's location on the map, and the report lands in dispatch with its photo and place (docs/channels.md).
Screenshots in var/screenshots/."""
import io

import pytest
from PIL import Image

from tests.browser.test_journeys import CHROMIUM, SHOTS, login
from tests.browser.test_loop import browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.skipif(not CHROMIUM, reason="needs chromium (CI installs Debian's package)"),
              pytest.mark.django_db(transaction=True)]

# A point inside the demo city's boundaries (static/geo/qingdao.geojson), as the phone reports it.
HERE = {"latitude": 36.0661, "longitude": 120.3826}


def _photo(tmp_path):
    path = tmp_path / "spot.jpg"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_a_grid_workers_report_from_a_phone_lands_in_dispatch_with_photo_and_place(browser, live_server, city,  # noqa: F811
                                                                                  tmp_path):
    from dispatch import catalog as dispatch_catalog
    from dispatch import routing
    from dispatch.models import Target
    from petitions.models import Petition
    from tests.factories import make_user

    dispatch_catalog.rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    make_user("gridder", "grid_worker", city.street_office, phone="13512345678")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    login(page, live_server, "gridder")
    page.goto(f"{live_server.url}/channels/grid/new/")
    assert page.get_attribute("#id_attachments", "capture") == "environment"
    assert page.get_attribute("#id_attachments", "accept") == "image/*"
    page.set_input_files("#id_attachments", str(_photo(tmp_path)))
    page.click("button[data-geolocate]")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    page.select_option("#id_area", str(city.street.pk))  # the test city's streets are not on the demo map
    page.fill("#id_address", "幸福路8号工地门口")
    page.fill("#id_title", "工地夜间施工噪音扰民")
    page.fill("#id_content", "幸福路8号工地晚上十点以后仍在施工，噪音很大，居民反映强烈。")
    page.select_option("#id_classification", str(city.noise.pk))
    page.screenshot(path=str(SHOTS / "grid-1-report-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/channels/grid/")
    page.screenshot(path=str(SHOTS / "grid-2-my-reports.png"), full_page=True)

    petition = Petition.objects.get()
    assert petition.number in page.content() and "已派单" in page.content()
    # The confirmation is shown: the upload's answer named this page instead of fetching it (lib/progress.py).
    assert f"已上报，编号{petition.number}" in page.inner_text(".messages")
    assert petition.channel == "grid" and petition.attachments.count() == 1
    assert abs(float(petition.latitude) - HERE["latitude"]) < 1e-4
    assert abs(float(petition.longitude) - HERE["longitude"]) < 1e-4
    assert petition.area == city.street and petition.address == "幸福路8号工地门口"
    assert petition.status == "dispatched" and petition.assignments.get().unit == city.street_office
