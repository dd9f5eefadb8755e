"""三民: the candidate pool keeps one person once, and is fixed once its hash is published (docs/sanmin.md)."""
import datetime as dt
import io

import pytest
from django.utils import timezone

from evaluation import sanmin
from evaluation.models import Campaign, Candidate

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
OPEN = dt.datetime(2026, 12, 20, 9, tzinfo=SH)


@pytest.fixture
def campaign(city):
    c = Campaign.objects.create(year=2026, title="2026三民", suggestions_open=dt.date(2026, 11, 1),
                                suggestions_close=dt.date(2026, 12, 10), reports_start=dt.date(2026, 12, 14),
                                reports_end=dt.date(2026, 12, 17), voting_opens_at=OPEN,
                                voting_closes_at=OPEN + dt.timedelta(days=5))
    Candidate.objects.create(campaign=c, external_id="P001", name="王小明", phone="13900000001",
                             district=city.district, sector="社区居民")
    return c


def _import(client, body: str):
    url = "/admin/evaluation/candidate/import/"
    form = client.get(url).context["form"]
    csv = next(value for value, label in form.fields["format"].choices if str(label).lower() == "csv")
    upload = io.BytesIO(body.encode())
    upload.name = "pool.csv"
    return client.post(url, {"format": csv, "resource": "0", "import_file": upload})


HEADER = "campaign,external_id,name,phone,district,sector,source\n"


def test_the_import_refuses_a_person_already_in_the_pool_or_twice_in_the_file(admin_client, campaign, city):
    d = city.district.code
    response = _import(admin_client, HEADER
                       + f"2026,P002,李华,+86 139 0000 0001,{d},社区居民,pool\n"   # P001's phone, written another way
                       + f"2026,P003,张伟,13900000003,{d},企业代表,pool\n"
                       + f"2026,P004,张伟,139-0000-0003,{d},企业代表,pool\n")   # P003's phone again
    page = response.content.decode()
    assert "confirm_form" not in response.context  # nothing to confirm: the file is refused as a whole
    assert "池中已有此人（同一手机号），编号 P001" in page and "编号 P003" in page
    assert sorted(Candidate.objects.values_list("external_id", flat=True)) == ["P001"]


def test_the_import_takes_a_clean_pool_and_a_volunteer_may_share_a_pool_phone(admin_client, campaign, city):
    d = city.district.code
    response = _import(admin_client, HEADER + f"2026,P002,李华,13900000002,{d},社区居民,pool\n"
                       + f"2026,V001,王小明,13900000001,{d},社区居民,volunteer\n")
    assert "confirm_form" in response.context  # the draw gives one code per person (docs/sanmin.md)


def test_the_admin_form_refuses_a_phone_already_in_the_pool(admin_client, campaign, city):
    response = admin_client.post("/admin/evaluation/candidate/add/", {
        "campaign": campaign.pk, "external_id": "P009", "name": "李华", "phone": "+8613900000001",
        "district": city.district.pk, "sector": "社区居民", "source": "pool"})
    assert response.status_code == 200 and "P001" in response.context["adminform"].form.errors["phone"][0]
    assert not Candidate.objects.filter(external_id="P009").exists()


def test_the_pool_is_fixed_once_its_hash_is_published(admin_client, campaign, city):
    Candidate.objects.create(campaign=campaign, external_id="P002", name="李华", phone="13900000002",
                             district=city.district, sector="社区居民")
    sanmin.draw_prepare(campaign=campaign, quotas={f"{city.district.code}|社区居民": 1})
    pool = Candidate.objects.get(external_id="P001")
    url = f"/admin/evaluation/candidate/{pool.pk}/change/"
    assert b'name="phone"' not in admin_client.get(url).content  # read-only
    admin_client.post(url, {"campaign": campaign.pk, "external_id": "P001", "name": "王小明", "phone": "13900000009",
                            "district": city.district.pk, "sector": "社区居民", "source": "pool"})
    assert Candidate.objects.get(pk=pool.pk).phone == "13900000001"
    admin_client.post("/admin/evaluation/candidate/", {"action": "delete_selected", "_selected_action": [pool.pk],
                                                      "post": "yes"})
    assert Candidate.objects.filter(pk=pool.pk).exists()
    response = _import(admin_client, HEADER + f"2026,P003,张伟,13900000003,{city.district.code},社区居民,pool\n")
    assert "confirm_form" not in response.context and not Candidate.objects.filter(external_id="P003").exists()
    # A volunteer may still come in before the draw; nobody after it.
    response = _import(admin_client, HEADER + f"2026,V001,赵敏,13700000001,{city.district.code},社区居民,volunteer\n")
    assert "confirm_form" in response.context
    Campaign.objects.filter(pk=campaign.pk).update(drawn_at=timezone.now())
    response = _import(admin_client, HEADER + f"2026,V002,钱多,13700000002,{city.district.code},社区居民,volunteer\n")
    assert "confirm_form" not in response.context


def test_the_weight_is_fixed_once_the_results_are_published(admin_client, campaign):
    url = f"/admin/evaluation/campaign/{campaign.pk}/change/"
    assert b'name="weight_percent"' in admin_client.get(url).content
    Campaign.objects.filter(pk=campaign.pk).update(results_published_at=timezone.now())
    assert b'name="weight_percent"' not in admin_client.get(url).content
