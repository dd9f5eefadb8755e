"""The site's own error pages (config/errors.py), with DEBUG off: Chinese with English,
no stack, no setting; and a CSRF failure on our page, not Django's."""
import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.error_urls")]


def assert_own_page(response, status, chinese, english):
    page = response.content.decode()
    assert response.status_code == status
    assert chinese in page and english in page
    for leak in ("Traceback", "SECRET_KEY", "do-not-show-me", "settings.py", "DEBUG", "Django"):
        assert leak not in page


@override_settings(DEBUG=False)
@pytest.mark.parametrize("url,status,chinese,english", [
    ("/no/such/page/", 404, "页面没有找到", "Page not found"),
    ("/forbidden/", 403, "无权访问", "Access denied"),
    ("/suspicious/", 400, "请求有误", "Bad request"),
])
def test_error_pages(url, status, chinese, english):
    assert_own_page(Client().get(url), status, chinese, english)


@override_settings(DEBUG=False)
def test_a_server_error_shows_no_stack():
    response = Client(raise_request_exception=False).get("/boom/")
    assert_own_page(response, 500, "出错了", "Something went wrong")


@override_settings(DEBUG=False)
def test_a_csrf_failure_is_explained():
    response = Client(enforce_csrf_checks=True).post("/petitions/track/", {"number": "1", "phone": "1"})
    assert_own_page(response, 403, "表单已失效", "The form has expired")
    assert "CSRF" not in response.content.decode()


@override_settings(DEBUG=False)
def test_the_english_page_shows_chinese_first_too():
    response = Client().get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert page.index("页面没有找到") < page.index("Page not found")
