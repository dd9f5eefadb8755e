"""The blank citizen form is drawn once and copied for each anonymous visitor with their own tokens (issue 20):
the copy must be the page the view would have drawn, each visitor's tokens must be their own and must work, and
anyone the page is not the same for (signed in, a message waiting, another language or text size) gets theirs."""
import re
import uuid

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory

from petitions import views
from petitions.models import Petition
from tests import factories
from tests.petitions.test_citizen_form import URL, form_data

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def _tokens(html: str) -> tuple[set, str]:
    return set(CSRF.findall(html)), TOKEN.search(html).group(1)


def _without_tokens(html: str) -> str:
    return TOKEN.sub("TOKEN", CSRF.sub("CSRF", html))


@pytest.mark.django_db
def test_each_visitor_gets_their_own_tokens_and_files_with_them(city):
    pages = []
    for phone in ("13912345678", "13812345678"):
        visitor = Client(enforce_csrf_checks=True)
        visitor.get(URL)  # the second visitor's page comes from the copy drawn for the first
        page = visitor.get(URL).content.decode()
        assert views._CSRF_MARK not in page and str(views._TOKEN_MARK) not in page
        csrf, token = _tokens(page)
        assert len(CSRF.findall(page)) == 3 and len(csrf) == 1  # language, text size, petition: as a drawn page
        pages.append((csrf, token))
        response = visitor.post(URL, form_data(city, csrfmiddlewaretoken=csrf.pop(), submission_token=token,
                                               complainant_phone=phone))
        assert response.status_code == 302, response.content.decode()[:500]
    assert Petition.objects.count() == 2
    assert pages[0][1] != pages[1][1] and not pages[0][0] & pages[1][0]


@pytest.mark.django_db
@pytest.mark.parametrize("language, large_text", [("zh-hans", False), ("en", False), ("zh-hans", True), ("en", True)])
def test_the_copy_is_the_page_the_view_draws(city, monkeypatch, language, large_text):
    def visitor():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if large_text:
            client.cookies["portal_large_text"] = "1"
        return client

    copied = [visitor().get(URL) for _ in range(2)]
    monkeypatch.setattr(views, "_blank_page", lambda request: None)
    drawn = visitor().get(URL)
    assert all(r.status_code == 200 for r in (*copied, drawn))
    assert _without_tokens(copied[1].content.decode()) == _without_tokens(drawn.content.decode())
    for header in ("Content-Type", "Content-Language", "Vary", "X-Frame-Options"):
        assert copied[1].headers.get(header) == drawn.headers.get(header), header
    assert "csrftoken" in copied[1].cookies  # the visitor's CSRF cookie is set as on a drawn page
    page = copied[1].content.decode()
    assert ("提交" in page) == (language == "zh-hans") and ("Submit petition" in page) == (language == "en")
    assert ('class="large-text"' in page) == large_text


@pytest.mark.django_db
def test_a_signed_in_user_gets_the_page_drawn_for_them(city):
    Client().get(URL)  # the anonymous copy exists
    operator = Client()
    operator.force_login(factories.make_user("op-form", "operator"))
    page = operator.get(URL).content.decode()
    assert "退出登录" in page and "工作人员登录" not in page
    assert "退出登录" not in Client().get(URL).content.decode()


@pytest.mark.django_db
def test_a_waiting_message_is_shown_not_a_copy_without_it(city):
    Client().get(URL)
    visitor = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    visitor.cookies["messages"] = storage._encode([Message(constants.INFO, "您的草稿已保存，请继续填写")])
    page = visitor.get(URL).content.decode()
    assert "您的草稿已保存，请继续填写" in page
    assert "您的草稿已保存" not in Client().get(URL).content.decode()  # shown once, to that visitor


@pytest.mark.django_db
def test_a_query_string_is_drawn_afresh_and_kept_in_the_return_links(city):
    Client().get(URL)
    page = Client().get(URL + "?from=faq").content.decode()
    assert 'value="/petitions/new/?from=faq"' in page
    assert str(uuid.UUID(TOKEN.search(page).group(1)))  # a real token


@pytest.mark.django_db
def test_a_new_street_is_on_the_next_visitors_page(city):
    from org.models import Area

    assert "甲二街道" not in Client().get(URL).content.decode()
    Area.objects.create(code="D1S2", name="甲二街道", level="street", parent=city.district, population=50_000)
    assert "甲二街道" in Client().get(URL).content.decode()
