"""The API docs (Swagger UI) load nothing from outside the server; ReDoc, whose bundle fetches a CDN logo,
went, and its old address leads to Swagger UI."""
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_load_only_same_origin_files(client, url):
    response = client.get(url, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    references = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)["\']', page)
    assert references, "the page refers to its scripts"
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
    for outside in ("googleapis", "gstatic", "cdn.", "jsdelivr", "unpkg", "validator.swagger.io"):
        assert outside not in page
    # And the browser is told to load nothing from elsewhere.
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data:" in policy and "default-src 'self'" in policy


def test_swagger_ui_fetches_no_validator_badge(client):
    assert '"validatorUrl": null' in client.get("/api/docs/").content.decode()


def test_the_bundled_files_are_served(client, settings):
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
