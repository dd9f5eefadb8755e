"""Logins: locked per username and address (django-axes), and refused from an address
with too many failures across accounts (org/login_guard.py); the API's token endpoint
answers a locked login with 429, as the login page does."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_user

TOKEN = "/api/v1/auth/token/"


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_spraying_eight_accounts_from_one_address_is_stopped(city):
    users = [make_user(f"staff{i}", "operator", city.platform) for i in range(9)]
    client = Client()
    codes = [login(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
             for n, user in enumerate(u for u in users[:8] for _ in range(4))]
    # 32 wrong passwords, 4 per account: under the per-account lock (5), over the address's limit (20).
    assert codes[:19] == [200] * 19 and set(codes[19:]) == {429}
    refused = login(client, users[8].username, PASSWORD)  # even the right password of an untouched account
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert "登录失败次数过多" in refused.content.decode()
    assert login(Client(REMOTE_ADDR="10.0.0.9"), users[8].username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_address_limit_is_a_setting(settings, operator, dispatcher):
    settings.PORTAL_RATE_LOGIN_FAILURES = "2/h"
    client = Client()
    assert login(client, "operator", "wrong").status_code == 200
    assert login(client, "dispatcher", "wrong").status_code == 429
    assert login(client, "dispatcher", PASSWORD).status_code == 429
    assert login(client, "operator", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.9").status_code == 429


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_escape_the_lock(operator):
    client = Client()
    for n in range(4):
        assert login(client, "operator", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 200
    assert login(client, "operator", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429
    assert login(client, "operator", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.100").status_code == 429


@pytest.mark.django_db
def test_a_locked_api_login_answers_429_with_a_clear_message(operator):
    api = APIClient()
    codes = [api.post(TOKEN, {"username": "operator", "password": "wrong"}, format="json").status_code
             for _ in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    locked = api.post(TOKEN, {"username": "operator", "password": PASSWORD}, format="json",
                      HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429 and "Too many failed logins" in locked.json()["detail"]
    assert "token" not in locked.json()
    other = APIClient(REMOTE_ADDR="10.0.0.9").post(TOKEN, {"username": "operator", "password": PASSWORD},
                                                    format="json")
    assert other.status_code == 200 and other.json()["token"]


@pytest.mark.django_db
def test_spraying_through_the_api_is_stopped_too(settings, city):
    settings.PORTAL_RATE_LOGIN_FAILURES = "3/h"
    users = [make_user(f"api{i}", "operator", city.platform) for i in range(4)]
    api = APIClient()
    codes = [api.post(TOKEN, {"username": user.username, "password": "wrong"}, format="json").status_code
             for user in users[:3]]
    assert codes == [400, 400, 429]  # the failure that reaches the limit says so
    refused = api.post(TOKEN, {"username": users[3].username, "password": PASSWORD}, format="json")
    assert refused.status_code == 429
    assert api.post(TOKEN, ["not", "an", "object"], format="json").status_code in (400, 429)
