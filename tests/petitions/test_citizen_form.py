"""The citizen's form, end to end through the real view."""
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from petitions.models import Attachment, Petition, PetitionEvent
from tests.identities import BAD_DATE_IDS, LANDLINE, SERVICE_NUMBERS, VALID_ID

URL = "/petitions/new/"


def form_data(city, **overrides):
    data = {
        "kind": "complaint", "area": city.street.pk, "classification": city.noise.pk, "address": "甲一路1号",
        "title": "楼下噪音扰民", "content": "每天晚上十一点以后楼下商铺音响声音很大，影响休息。",
        "complainant_type": "person", "complainant_name": "王小明", "complainant_phone": "139 1234 5678",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 4.0, 0.0), 3: "E", 4: (120.0, 23.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    import pikepdf

    document = pikepdf.new()
    document.add_blank_page(page_size=(200, 200))
    document.docinfo["/Author"] = "Secret Person"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_citizen_files_and_sees_the_tracking_number(client, city):
    response = client.post(URL, form_data(city), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert response["Location"] == f"/petitions/submitted/{petition.number}/"
    page = client.get(response["Location"]).content.decode()
    assert petition.number in page
    assert petition.complainant_phone == "13912345678"  # normalised
    assert petition.channel == "web"


@pytest.mark.django_db
def test_confirmation_page_is_only_for_the_submitter(client, city):
    client.post(URL, form_data(city))
    number = Petition.objects.get().number
    from django.test import Client

    assert Client().get(f"/petitions/submitted/{number}/").status_code == 404


@pytest.mark.django_db
def test_double_submit_creates_one_petition(client, city):
    data = form_data(city)
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Petition.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.django_db
def test_someone_elses_token_files_a_petition_of_ones_own_and_shows_nothing_of_theirs(client, city):
    """A token copied (or computed) from another filing is not a double post: the sender's own petition is filed
    (nothing submitted is lost) and the other petition is neither shown nor opened to this browser."""
    token = str(uuid.uuid4())
    victim = client.post(URL, form_data(city, submission_token=token, content="我家楼下商铺夜里音响扰民，住幸福路8号。"))
    assert victim.status_code == 302
    stranger = type(client)()
    sent = stranger.post(URL, form_data(city, submission_token=token, complainant_name="李四",
                                        complainant_phone="13700000000", content="小区门口路灯坏了一个多月。"))
    assert sent.status_code == 302 and sent["Location"] != victim["Location"]
    mine, theirs = Petition.objects.order_by("pk")
    assert sent["Location"].endswith(f"/{theirs.number}/") and theirs.complainant_phone == "13700000000"
    assert theirs.content == "小区门口路灯坏了一个多月。" and theirs.submission_token is None
    assert stranger.get(f"/petitions/track/{mine.number}/").status_code in (302, 404)
    assert stranger.get(victim["Location"]).status_code == 404


@pytest.mark.django_db
def test_filing_runs_a_bounded_number_of_queries(client, city, django_assert_max_num_queries):
    client.get(URL)
    # 16 for the filing and the session, 3 for the receipt SMS in the outbox (savepoint, insert, release)
    # and 1 to read its template (cached after that).
    with django_assert_max_num_queries(20):
        response = client.post(URL, form_data(city))
    assert response.status_code == 302


BAD_INPUTS = [
    ("content", {"content": ""}, "content"),
    ("content", {"content": "太短"}, "content"),
    ("content", {"content": "长" * 5001}, "content"),
    ("title", {"title": ""}, "title"),
    ("title", {"title": "标" * 101}, "title"),
    ("classification", {"classification": 999999}, "classification"),
    ("area", {"area": 999999}, "area"),
    ("area", {"area": ""}, "area"),
    ("phone", {"complainant_phone": "12345678"}, "complainant_phone"),
    ("phone", {"complainant_phone": "1391234567x"}, "complainant_phone"),
    ("id", {"complainant_id_number": "110105194912310021"}, "complainant_id_number"),
    # Issue 13: hotlines as the citizen's own phone, a landline on the public form, ID numbers whose check
    # digit is right but whose birth date is impossible (month 13 day 99, 30 February, 2999, 1800).
    *[("hotline", {"complainant_phone": n}, "complainant_phone") for n in SERVICE_NUMBERS],
    ("landline", {"complainant_phone": LANDLINE}, "complainant_phone"),
    *[("id_date", {"complainant_id_number": n}, "complainant_id_number") for n in BAD_DATE_IDS],
    ("name", {"complainant_name": ""}, "complainant_name"),
    ("kind", {"kind": "bribe"}, "kind"),
    ("enterprise", {"complainant_type": "enterprise", "enterprise_name": ""}, "enterprise_name"),
    ("honeypot", {"website": "http://spam"}, "website"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("label,override,field", BAD_INPUTS, ids=[b[0] + str(i) for i, b in enumerate(BAD_INPUTS)])
def test_bad_input_is_refused_with_a_field_error_and_nothing_stored(client, city, label, override, field):
    response = client.post(URL, form_data(city, **override), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Petition.objects.count() == 0 and PetitionEvent.objects.count() == 0


@pytest.mark.django_db
def test_errors_are_translated(client, city):
    response = client.post(URL, form_data(city, complainant_phone="123"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "手机号" in str(response.context["form"].errors["complainant_phone"])
    client.cookies["django_language"] = "en"
    response = client.post(URL, form_data(city, complainant_phone="123"), HTTP_ACCEPT_LANGUAGE="en")
    assert "mobile number" in str(response.context["form"].errors["complainant_phone"])


@pytest.mark.django_db
def test_each_identity_refusal_says_what_is_wrong(client, city):
    client.cookies["django_language"] = "en"
    errors = lambda **kw: str(client.post(URL, form_data(city, **kw), HTTP_ACCEPT_LANGUAGE="en").context["form"].errors)  # noqa: E731
    assert "service number" in errors(complainant_phone="12345")
    assert "landline cannot receive" in errors(complainant_phone=LANDLINE)
    assert "birth date" in errors(complainant_id_number=BAD_DATE_IDS[0])
    assert "check digit" in errors(complainant_id_number="110105194912310021")
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_a_valid_id_number_is_stored_upper_case(client, city):
    response = client.post(URL, form_data(city, complainant_id_number=VALID_ID.lower()))
    assert response.status_code == 302 and Petition.objects.get().complainant_id_number == VALID_ID


@pytest.mark.django_db
def test_inactive_classification_is_refused(client, city):
    city.noise.is_active = False
    city.noise.save()
    response = client.post(URL, form_data(city))
    assert response.status_code == 400 and "classification" in response.context["form"].errors


@pytest.mark.django_db
def test_photo_is_stored_without_exif_or_gps(client, city):
    upload = SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert client.post(URL, {**form_data(city), "attachments": [upload]}).status_code == 302
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert not image.getexif()
        assert "exif" not in image.info
    assert attachment.original_name == "photo.jpg"
    assert attachment.content_type == "image/jpeg"
    assert not attachment.file.name.endswith("photo.jpg")  # stored under a random name


@pytest.mark.django_db
def test_pdf_is_accepted_and_its_metadata_dropped(client, city):
    upload = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")
    assert client.post(URL, {**form_data(city), "attachments": [upload]}).status_code == 302
    with Attachment.objects.get().file.open("rb") as stored:
        assert b"Secret Person" not in stored.read()


BAD_FILES = [
    ("script disguised as a picture", "photo.jpg", b"#!/bin/sh\nrm -rf /\n"),
    ("pdf named as a picture", "photo.jpg", None),
    ("truncated jpeg", "photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50),
    ("executable", "setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ("pdf with javascript", "doc.pdf", b"%PDF-1.4\n1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n%%EOF"),
    ("empty", "empty.png", b""),
]


@pytest.mark.django_db
@pytest.mark.parametrize("label,name,content", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused(client, city, label, name, content):
    if content is None:
        content = pdf_bytes()
    upload = SimpleUploadedFile(name, content)
    response = client.post(URL, {**form_data(city), "attachments": [upload]})
    assert response.status_code == 400
    assert response.context["form"].errors["attachments"]
    assert Petition.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_oversized_file_and_too_many_files(client, city, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 2000
    big = SimpleUploadedFile("big.jpg", jpeg_with_gps() + b"\x00" * 3000)
    response = client.post(URL, {**form_data(city), "attachments": [big]})
    assert response.status_code == 400
    assert "big.jpg" in str(response.context["form"].errors["attachments"])
    settings.PORTAL_UPLOAD_MAX_BYTES = 10_000_000
    files = [SimpleUploadedFile(f"p{i}.jpg", jpeg_with_gps()) for i in range(6)]
    response = client.post(URL, {**form_data(city), "attachments": files})
    assert response.status_code == 400 and "attachments" in response.context["form"].errors
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_form_renders_without_javascript_and_without_cdn(client, city):
    page = client.get(URL).content.decode()
    assert "<form" in page and 'enctype="multipart/form-data"' in page
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
    assert "甲一街道" in page


@pytest.mark.django_db
def test_files_chosen_are_kept_when_another_field_has_an_error(client, city):
    token = str(uuid.uuid4())
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    first = client.post(URL, form_data(city, submission_token=token, title="", attachments=[photo]))
    assert first.status_code == 400 and "现场.jpg" in first.content.decode()  # listed as already attached
    assert Petition.objects.count() == 0
    second = client.post(URL, form_data(city, submission_token=token))  # corrected, no file chosen again
    assert second.status_code == 302
    petition = Petition.objects.get()
    assert [a.original_name for a in petition.attachments.all()] == ["现场.jpg"]


@pytest.mark.django_db
def test_categories_come_grouped_and_are_suggested_from_the_words(client, city):
    page = client.get(URL).content.decode()
    assert "<optgroup" in page
    items = client.get("/petitions/suggest/", {"q": "楼下商铺噪音扰民，晚上音响很吵"}).json()["items"]
    assert items and items[0]["id"] == city.noise.pk and "/" in items[0]["path"] or items[0]["name"] == city.noise.name
    assert client.get("/petitions/suggest/", {"q": "x"}).json()["items"] == []


@pytest.mark.django_db
def test_a_point_on_the_map_finds_its_street_and_fills_the_area(client, city, settings, tmp_path):
    import json

    square = [[120.30, 36.00], [120.40, 36.00], [120.40, 36.10], [120.30, 36.10], [120.30, 36.00]]
    settings.PORTAL_GEOJSON = str(tmp_path / "city.geojson")
    (tmp_path / "city.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": city.street.code, "name": city.street.name, "level": "street"},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}))
    assert client.get("/petitions/locate/", {"lat": "36.05", "lon": "120.35"}).json()["area"]["id"] == city.street.pk
    assert client.get("/petitions/locate/", {"lat": "39.9", "lon": "116.4"}).json()["area"] is None
    assert client.get("/petitions/locate/", {"lat": "x"}).status_code == 400
    response = client.post(URL, form_data(city, area="", latitude="36.050000", longitude="120.350000"))
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.area == city.street and float(petition.latitude) == 36.05
    # Neither an area nor a point inside the city: a field error, nothing stored.
    outside = client.post(URL, form_data(city, area="", latitude="39.9", longitude="116.4"))
    assert outside.status_code == 400 and "area" in outside.context["form"].errors
    assert Petition.objects.count() == 1


def test_the_demo_citys_boundaries_place_each_street_centre_in_its_street():
    from pathlib import Path

    from lib.geo import _features, contains, locate

    path = Path(__file__).resolve().parents[2] / "static" / "geo" / "qingdao.geojson"
    streets = [f for f in _features(str(path)) if f["properties"]["level"] == "street"]
    assert len(streets) >= 70
    for feature in streets:
        ring = feature["geometry"]["coordinates"][0][:-1]
        lon = sum(p[0] for p in ring) / len(ring)
        lat = sum(p[1] for p in ring) / len(ring)
        assert contains(feature["geometry"], lon, lat)
        assert locate(path, lon, lat)["code"] == feature["properties"]["code"]


@pytest.mark.django_db
def test_files_kept_across_errors_never_exceed_the_limit_so_the_form_can_always_be_sent(client, city, settings):
    """Three photos, an error elsewhere; three more, another error: only two of them fit under the limit of five,
    the form says so, and once the title is written the petition is filed with the five kept (it used to keep
    all six and refuse every later send with "at most 5 files")."""
    token = str(uuid.uuid4())
    photos = lambda start: [SimpleUploadedFile(f"现场{i}.jpg", jpeg_with_gps(), content_type="image/jpeg")  # noqa: E731
                            for i in range(start, start + 3)]
    first = client.post(URL, form_data(city, submission_token=token, title="", attachments=photos(1)))
    assert first.status_code == 400 and "attachments" not in first.context["form"].errors
    second = client.post(URL, form_data(city, submission_token=token, title="", attachments=photos(4)))
    assert second.status_code == 400 and "attachments" in second.context["form"].errors
    third = client.post(URL, form_data(city, submission_token=token))
    assert third.status_code == 302
    names = sorted(a.original_name for a in Petition.objects.get().attachments.all())
    assert names == ["现场1.jpg", "现场2.jpg", "现场3.jpg", "现场4.jpg", "现场5.jpg"]


@pytest.mark.django_db
def test_a_kept_file_chosen_by_mistake_can_be_removed_before_sending(client, city):
    token = str(uuid.uuid4())
    photos = [SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg") for name in ("现场.jpg", "错选的照片.jpg")]
    first = client.post(URL, form_data(city, submission_token=token, title="", attachments=photos))
    page = first.content.decode()
    assert first.status_code == 400 and 'name="drop_kept"' in page
    mistaken = next(index for index, f in first.context["kept_items"] if f.original_name == "错选的照片.jpg")
    second = client.post(URL, form_data(city, submission_token=token, drop_kept=[str(mistaken)]))
    assert second.status_code == 302
    assert [a.original_name for a in Petition.objects.get().attachments.all()] == ["现场.jpg"]
