"""No unmasked phone or ID number on public pages, in public API answers or in
the logs; deploy checks clean; login lockout; upload attacks; CSRF."""
import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from petitions.models import Attachment, Petition
from petitions.services import apikey_issue, petition_transition
from tests.factories import file_petition

PHONE, ID_NUMBER, NAME = "13987654321", "11010519491231002X", "欧阳保密"
PATTERN = re.compile(r"1[3-9]\d{9}|\d{17}[\dXx]")


@pytest.fixture
def petition(city, operator):
    p = file_petition(city, complainant_phone=PHONE, complainant_id_number=ID_NUMBER, complainant_name=NAME)
    for status in ("dispatched", "in_progress", "replied"):
        petition_transition(petition=p, to=status, actor=operator)
    petition_transition(petition=p, to="callback", actor=operator, changes={"answer": "已处理"})
    return p


def leaks(text: str) -> list[str]:
    return [m for m in PATTERN.findall(text) if m in (PHONE, ID_NUMBER)] + ([NAME] if NAME in text else [])


@pytest.mark.django_db
def test_public_pages_and_api_answers_never_show_personal_data(client, petition, city, caplog):
    caplog.set_level(logging.DEBUG)
    key = apikey_issue(name="scan")[1]
    pages = [client.get(url) for url in ("/", "/petitions/new/", "/petitions/track/", "/evaluation/statistics/",
                                        "/evaluation/bulletins/", "/calendar/deadline/", "/api/schema/",
                                        "/open311/v2/requests.json", f"/open311/v2/requests/{petition.number}.xml",
                                        "/open311/v2/services.json")]
    tracked = client.post("/petitions/track/", {"number": petition.number, "phone": PHONE}, follow=True)
    api = client.post("/api/v1/petitions/track/", {"number": petition.number, "phone": PHONE})
    filed = client.post("/api/v1/petitions/", {"kind": "complaint", "area": city.street.code, "title": "测试诉求标题",
                                               "content": "测试诉求内容足够长了吧", "complainant_name": NAME,
                                               "complainant_phone": PHONE}, HTTP_AUTHORIZATION=f"ApiKey {key}")
    open311 = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": city.noise.code,
                                                        "attribute[area]": city.street.code, "phone": PHONE,
                                                        "description": "测试诉求内容足够长了吧", "first_name": NAME})
    for response in pages + [tracked, api, filed, open311]:
        assert response.status_code < 400, response
        assert leaks(response.content.decode()) == [], response.request["PATH_INFO"]
    assert "139****4321" in tracked.content.decode()  # the complainant sees their own, masked
    assert leaks(caplog.text) == []


@pytest.mark.django_db
def test_failed_lookups_and_bad_posts_do_not_log_personal_data(client, petition, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/petitions/track/", {"number": petition.number, "phone": "13900001111"})
    client.post("/petitions/new/", {"complainant_phone": PHONE, "complainant_id_number": ID_NUMBER})
    client.post("/api/v1/petitions/", {"complainant_phone": PHONE})
    assert leaks(caplog.text) == [] and "13900001111" not in caplog.text


def test_deploy_checks_are_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-0123456789abcdefghijklmn",
           "DJANGO_REQUIRE_SECRET_KEY": "1", "DJANGO_HTTPS": "1", "DJANGO_HSTS_SECONDS": "31536000",
           "PORTAL_SANMIN_CODE_KEY": "production-sanmin-code-key-0123456789abcdef",
           "DJANGO_DEBUG": "0"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_bad_setting_stops_start_up_with_a_clear_message():
    env = {**os.environ, "DJANGO_DEBUG": "perhaps"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "DJANGO_DEBUG" in result.stderr


@pytest.mark.django_db
def test_login_locks_after_repeated_failures(operator):
    client = Client()
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "operator", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post("/accounts/login/", {"username": "operator", "password": "wrong"}).status_code == 429
    locked = client.post("/accounts/login/", {"username": "operator", "password": "pw-for-tests-1"})
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    other = Client(REMOTE_ADDR="10.0.0.9").post("/accounts/login/", {"username": "operator",
                                                                       "password": "pw-for-tests-1"})
    assert other.status_code == 302  # the lock is per username and address


def png_bomb() -> bytes:
    image = Image.new("1", (20000, 20000))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name,content", [
    ("bomb.png", None),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("polyglot.jpg", b"\xff\xd8\xff\xe0<script>alert(1)</script>" + b"\x00" * 64),
], ids=["decompression-bomb", "svg-script", "html", "jpeg-polyglot"])
def test_upload_attacks_are_refused(client, city, name, content):
    from tests.petitions.test_citizen_form import form_data

    upload = SimpleUploadedFile(name, content if content is not None else png_bomb())
    response = client.post("/petitions/new/", {**form_data(city), "attachments": [upload]})
    assert response.status_code == 400 and Petition.objects.count() == 0


@pytest.mark.django_db
def test_a_path_in_the_file_name_is_harmless(client, city, settings):
    from tests.petitions.test_citizen_form import form_data, jpeg_with_gps

    upload = SimpleUploadedFile("../../../etc/passwd.jpg", jpeg_with_gps())
    assert client.post("/petitions/new/", {**form_data(city), "attachments": [upload]}).status_code == 302
    stored = Attachment.objects.get()
    assert ".." not in stored.file.name and Path(stored.file.path).is_relative_to(Path(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_csrf_is_enforced_on_every_form(city, petition, operator, street_handler):
    from tests.petitions.test_citizen_form import form_data

    client = Client(enforce_csrf_checks=True)
    assert client.post("/petitions/new/", form_data(city)).status_code == 403
    assert client.post("/petitions/track/", {"number": petition.number, "phone": PHONE}).status_code == 403
    client.force_login(operator)
    assert client.post("/admin/petitions/petition/add/", {}).status_code == 403
    client.force_login(street_handler)
    assert client.post("/dispatch/a/1/sign/").status_code == 403
    assert Petition.objects.count() == 1
