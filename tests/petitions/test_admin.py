"""The operator's side in the Django admin."""
import pytest

from petitions.models import Petition, Status
from tests.factories import file_petition
from tests.identities import BAD_DATE_IDS, LANDLINE, SERVICE_NUMBERS

ADD = "/admin/petitions/petition/add/"


def intake(city, **overrides):
    data = {
        "channel": "phone", "kind": "complaint", "complainant_phone": "13700001111", "complainant_name": "赵先生",
        "complainant_type": "person", "area": city.street.pk, "classification": city.parking.pk,
        "title": "小区门口违法停车", "content": "小区门口消防通道每天晚上被车辆占用。", "address": "",
        "enterprise_name": "", "complainant_id_number": "", "answer_on_spot": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_operator_records_a_phone_call(client, city, operator):
    client.force_login(operator)
    page = client.get(ADD).content.decode()
    assert "autofocus" in page and "autocomplete" in page
    response = client.post(ADD, intake(city))
    assert response.status_code == 302, response.content.decode()[:2000]
    petition = Petition.objects.get()
    assert (petition.channel, petition.status, petition.filed_by) == ("phone", Status.RECEIVED, operator)


@pytest.mark.django_db
def test_operator_closes_a_consultation_on_the_spot(client, city, operator):
    client.force_login(operator)
    client.post(ADD, intake(city, kind="consultation", answer_on_spot="按知识库答复：可在网上办理。"))
    petition = Petition.objects.get()
    assert petition.status == Status.CLOSED_ON_SPOT and petition.answer.startswith("按知识库")


@pytest.mark.django_db
def test_on_the_spot_answer_for_a_complaint_is_refused(client, city, operator):
    client.force_login(operator)
    response = client.post(ADD, intake(city, answer_on_spot="答复"))
    assert response.status_code == 200 and "answer_on_spot" in response.context["adminform"].form.errors
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_bad_phone_in_admin_intake(client, city, operator):
    client.force_login(operator)
    response = client.post(ADD, intake(city, complainant_phone="555"))
    assert "complainant_phone" in response.context["adminform"].form.errors
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_an_operator_may_record_a_callers_landline(client, city, operator):
    client.force_login(operator)
    response = client.post(ADD, intake(city, complainant_phone=LANDLINE))
    assert response.status_code == 302 and Petition.objects.get().complainant_phone == LANDLINE


@pytest.mark.django_db
@pytest.mark.parametrize("override", [{"complainant_phone": n} for n in SERVICE_NUMBERS]
                         + [{"complainant_id_number": n} for n in BAD_DATE_IDS])
def test_an_operator_cannot_record_a_hotline_or_an_impossible_id_number(client, city, operator, override):
    client.force_login(operator)
    response = client.post(ADD, intake(city, **override))
    assert set(response.context["adminform"].form.errors) == set(override)
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_search_by_number_phone_and_words(client, city, operator):
    a = file_petition(city, title="噪音", content="广场舞音响太吵了影响休息")
    b = file_petition(city, title="停车", content="消防通道被占用", complainant_phone="13600002222")
    client.force_login(operator)
    url = "/admin/petitions/petition/"
    for term, expected in ((a.number, {a}), ("13600002222", {b}), ("广场舞", {a}), ("消防 通道", {b})):
        found = set(client.get(url, {"q": term}).context["cl"].result_list)
        assert found == expected, term


@pytest.mark.django_db
def test_supervisor_sees_masked_phones(client, petition, supervisor, operator):
    client.force_login(supervisor)
    page = client.get("/admin/petitions/petition/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    page = client.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    assert "13912345678" not in page
    client.force_login(operator)
    assert "13912345678" in client.get("/admin/petitions/petition/").content.decode()


@pytest.mark.django_db
def test_unit_handler_has_no_admin(client, petition, urban_handler):
    client.force_login(urban_handler)
    response = client.get("/admin/petitions/petition/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_screening_a_media_item_in_the_admin(client, city, operator):
    petition = file_petition(city, channel="media")
    client.force_login(operator)
    url = f"/admin/petitions/petition/{petition.pk}/screen/"
    response = client.post(url, {"stream": "discipline", "routed_to": ""})
    assert "routed_to" in response.context["form"].errors
    client.post(url, {"stream": "discipline", "routed_to": "市纪委监委"})
    petition.refresh_from_db()
    assert petition.status == Status.ROUTED_OUT


@pytest.mark.django_db
def test_petitions_cannot_be_deleted(client, petition, platform_admin):
    client.force_login(platform_admin)
    assert client.get(f"/admin/petitions/petition/{petition.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_attachments_are_not_public(client, city, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from petitions.services import attachment_clean, attachments_add
    from tests.petitions.test_citizen_form import jpeg_with_gps

    petition = file_petition(city)
    [attachment] = attachments_add(petition=petition, actor=None, purpose="petition",
                                   uploads=[attachment_clean(SimpleUploadedFile("a.jpg", jpeg_with_gps()))])
    url = f"/petitions/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 302  # to login
    client.force_login(operator)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_operators_record_callbacks_from_their_own_pages(client, city, operator):
    from petitions.models import Petition, Status

    petition = file_petition(city)
    Petition.objects.filter(pk=petition.pk).update(status=Status.CALLBACK, answer="已处理。")
    client.force_login(operator)
    page = client.get(f"/admin/petitions/petition/{petition.pk}/change/").content.decode()
    assert f"/admin/petitions/petition/{petition.pk}/callback/" in page
    response = client.post(f"/admin/petitions/petition/{petition.pk}/callback/",
                           {"satisfaction": "satisfied", "solved": "yes", "comment": "电话回访：满意"})
    assert response.status_code == 302
    petition.refresh_from_db()
    rating = petition.ratings.get()
    assert petition.status == Status.CLOSED and rating.source == "callback" and rating.recorded_by == operator


@pytest.mark.django_db
def test_a_search_matching_more_than_the_cap_counts_no_further_and_says_so(client, city, operator, monkeypatch):
    # Django's admin counts every matching row of a list page; over a city's petitions a common word (物业)
    # matched 119,408 and took 48 s to count. The list stops counting at the cap and says there are more.
    from lib.paginators import CappedPaginator

    from petitions.admin import PetitionAdmin

    monkeypatch.setattr(CappedPaginator, "cap", 3)  # in the portal 1,000: twenty pages of 50
    monkeypatch.setattr(PetitionAdmin, "list_per_page", 2)
    for i in range(5):
        file_petition(city, title="物业不作为", content=f"物业第{i}次拖延维修电梯", complainant_phone=f"1360000{i:04d}")
    file_petition(city, title="噪音", content="广场舞音响太吵了")
    client.force_login(operator)
    url = "/admin/petitions/petition/"
    response = client.get(url, {"q": "物业"})
    changelist = response.context["cl"]
    assert changelist.result_count == 3 and changelist.paginator.capped
    assert changelist.paginator.num_pages == 2 and len(changelist.result_list) == 2
    assert len(client.get(url, {"q": "物业", "p": 2}).context["cl"].result_list) == 1  # the newest 3 of 5
    page = response.content.decode()
    assert "More than 3 match" in page or "超过 3 条" in page
    # Fewer than the cap: the exact count and no note.
    response = client.get(url, {"q": "广场舞"})
    assert response.context["cl"].result_count == 1 and not response.context["cl"].paginator.capped
    assert "More than" not in response.content.decode() and "超过" not in response.content.decode()


@pytest.mark.django_db
def test_the_date_hierarchy_and_the_district_filter_read_no_distinct_over_the_petitions(client, city, operator):
    # Over 1,900,000 petitions a search for 物业 spent 79 s in the date hierarchy's DISTINCT over every match, and
    # the filter by area listed the areas with petitions by another DISTINCT on every page: the periods now come
    # from the first and last dates, and the filter lists the districts.
    import datetime as dt

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for month, phone in ((1, "13600000001"), (3, "13600000002")):
        with time_machine.travel(dt.datetime(2026, month, 12, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
            file_petition(city, title="物业不作为", content="物业拖延维修电梯", complainant_phone=phone)
    client.force_login(operator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/petitions/petition/", {"q": "物业"})
    page = response.content.decode()
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    # January to March, February included (a period with no petition may be listed: it shows an empty list).
    for month in (1, 2, 3):
        assert f"received_at__month={month}" in page, month
    assert "received_at__month=4" not in page
    # The district filter: the city's districts, and it filters.
    assert f"district={city.district.pk}" in page and f"district={city.other_district.pk}" in page
    found = client.get("/admin/petitions/petition/", {"district": city.other_district.pk}).context["cl"].result_list
    assert list(found) == []
    found = client.get("/admin/petitions/petition/", {"district": city.district.pk}).context["cl"].result_list
    assert len(found) == 2
