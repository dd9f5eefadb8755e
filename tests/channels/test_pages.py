"""The enterprise line, the mayor's mailbox and the grid workers' pages (server side), the channel sources in
the admin, and the bulletin's count by channel."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from channels.models import EnterpriseFiling, Source
from dispatch import catalog as dispatch_catalog
from dispatch import routing
from dispatch.models import Target
from evaluation.by_channel import petitions_by_channel
from petitions.models import Petition
from tests.factories import file_petition, make_user, token

VALID_USCC = "91110000600037341L"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="JPEG")
    return out.getvalue()


def letter(city, **overrides):
    data = {"kind": "suggestion", "area": city.street.pk, "title": "关于增设公交线路的建议",
            "content": "建议在甲一街道增设一条通往市中心的公交线路，方便居民出行。", "complainant_type": "person",
            "complainant_name": "陈女士", "complainant_phone": "13812345678", "submission_token": token()}
    data.update(overrides)
    return data


def test_the_mailbox_files_a_letter_once_however_often_it_is_posted(client, city):
    data = letter(city)
    first = client.post(reverse("channels:mailbox"), data)
    second = client.post(reverse("channels:mailbox"), data)
    assert first.status_code == second.status_code == 302
    petition = Petition.objects.get()
    assert petition.channel == "mayor_mailbox" and first["Location"].endswith(f"/{petition.number}/")


def test_the_mailbox_names_each_bad_field_in_chinese_and_stores_nothing(client, city):
    answer = client.post(reverse("channels:mailbox"), letter(city, title="短", complainant_phone="12345"),
                         HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "至少4个字" in errors["title"][0] and "服务热线号码" in errors["complainant_phone"][0]
    assert not Petition.objects.exists()


def test_the_mailbox_shares_the_filing_rate_limit(client, city, settings):
    settings.PORTAL_RATE_FILE = "2/h"
    for _ in range(2):
        client.post(reverse("channels:mailbox"), letter(city))
    assert client.post(reverse("channels:mailbox"), letter(city)).status_code == 429
    assert Petition.objects.count() == 2


def test_the_enterprise_line_keeps_the_checked_credit_code(client, city):
    answer = client.post(reverse("channels:enterprise"), letter(
        city, kind="complaint", title="办理许可证反复要求补材料", enterprise_name="青岛某某科技有限公司",
        credit_code="9111 0000 6000 3734 1l", complainant_name="刘经理"))
    assert answer.status_code == 302
    petition = Petition.objects.get()
    assert petition.channel == "enterprise" and petition.complainant_type == "enterprise"
    assert petition.enterprise_name == "青岛某某科技有限公司"
    assert EnterpriseFiling.objects.get(petition=petition).credit_code == VALID_USCC


@pytest.mark.parametrize("code, words", [("91110000600037341X", "校验"), ("123", "18位"), ("", "必填")])
def test_a_bad_credit_code_is_refused_on_its_field(client, city, code, words):
    answer = client.post(reverse("channels:enterprise"), letter(city, enterprise_name="某公司", credit_code=code),
                         HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400 and words in answer.context["form"].errors["credit_code"][0]
    assert not Petition.objects.exists()


def test_the_enterprise_line_needs_the_enterprise_name(client, city):
    answer = client.post(reverse("channels:enterprise"), letter(city, credit_code=VALID_USCC))
    assert answer.status_code == 400 and "enterprise_name" in answer.context["form"].errors


def test_a_switched_off_channel_files_nothing(client, city):
    Source.objects.filter(channel="mayor_mailbox").update(enabled=False)
    assert client.post(reverse("channels:mailbox"), letter(city)).status_code == 404
    assert not Petition.objects.exists()


@pytest.fixture
def grid_worker(city):
    return make_user("gridder", "grid_worker", city.street_office, phone="13512345678")


def test_a_grid_workers_report_goes_straight_to_dispatch_with_photo_and_place(client, city, grid_worker,
                                                                             django_capture_on_commit_callbacks):
    dispatch_catalog.rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    client.force_login(grid_worker)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("channels:grid_new"), {
            "kind": "help", "area": city.street.pk, "classification": city.noise.pk, "latitude": "36.066100",
            "longitude": "120.382600", "address": "幸福路8号门口", "title": "施工噪音夜间扰民",
            "content": "幸福路8号工地夜间十点后仍在施工，噪音很大。", "submission_token": token(),
            "attachments": [SimpleUploadedFile("spot.jpg", jpeg(), content_type="image/jpeg")]})
    assert answer.status_code == 302
    petition = Petition.objects.get()
    assert petition.channel == "grid" and petition.filed_by == grid_worker
    assert petition.attachments.count() == 1 and str(petition.latitude) == "36.066100"
    assert petition.status == "dispatched" and petition.assignments.get().unit == city.street_office
    listing = client.get(reverse("channels:grid")).content.decode()
    assert petition.number in listing and "已派单" in listing


def test_only_grid_workers_report_and_each_sees_only_their_own(client, city, grid_worker, operator):
    other = make_user("gridder2", "grid_worker", city.other_street_office)
    file_petition(city, channel="grid", actor=other, title="别人上报的问题")
    client.force_login(grid_worker)
    assert "别人上报的问题" not in client.get(reverse("channels:grid")).content.decode()
    client.force_login(operator)
    assert client.get(reverse("channels:grid_new")).status_code == 403


def test_a_source_secret_is_never_shown_back_and_an_empty_field_keeps_it(client, platform_admin):
    Source.objects.filter(channel="police_110").update(secret="super-secret-police-key-9876", enabled=True)
    client.force_login(platform_admin)
    source = Source.objects.get(channel="police_110")
    url = reverse("admin:channels_source_change", args=[source.pk])
    page = client.get(url).content.decode()
    assert "super-secret-police-key-9876" not in page and "9876" in page
    listing = client.get(reverse("admin:channels_source_changelist")).content.decode()
    assert "super-secret" not in listing
    client.post(url, {"enabled": "on", "callback_url": "https://110.example.gov.cn/cb", "secret": ""})
    source.refresh_from_db()
    assert source.secret == "super-secret-police-key-9876" and source.callback_url == "https://110.example.gov.cn/cb"


def test_the_bulletin_counts_petitions_by_channel(city, supervisor, client):
    file_petition(city, channel="wechat")
    file_petition(city, channel="wechat")
    file_petition(city, channel="grid")
    today = timezone.localdate()
    rows = {r.channel: r for r in petitions_by_channel(today - dt.timedelta(days=1), today)}
    assert rows["wechat"].count == 2 and rows["grid"].count == 1 and rows["police_110"].count == 0
    assert round(rows["wechat"].share, 3) == 0.667
    assert not any(r.count for r in petitions_by_channel(today - dt.timedelta(days=40), today - dt.timedelta(days=35)))
    client.force_login(supervisor)
    page = client.get(reverse("evaluation:dashboard")).content.decode()
    assert 'data-channel="wechat"><td>' in page
