"""Forms sent with the upload progress bar (static/js/petition-form.js) post by XMLHttpRequest, which would follow a
redirect by itself and fetch the next page once too often, eating its one-time message: such a post is answered
with the next page's address (lib/progress.py), its cookies included, and the page is then fetched once."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from petitions.models import Petition
from tests.channels.test_pages import jpeg, letter
from tests.factories import make_user, token
from tests.petitions.test_citizen_form import form_data, jpeg_with_gps

PROGRESS = {"HTTP_X_UPLOAD_PROGRESS": "1"}


@pytest.mark.django_db
def test_a_citizen_filing_with_a_photo_is_told_where_to_go_and_the_receipt_opens(client, city):
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    answer = client.post(reverse("petitions:new"), {**form_data(city), "attachments": [photo]}, **PROGRESS)
    petition = Petition.objects.get()
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    location = json.loads(answer.content)["location"]
    assert location == reverse("petitions:submitted", kwargs={"number": petition.number})
    receipt = client.get(location)  # the cookies that let this visitor see their receipt came with the answer
    assert receipt.status_code == 200 and petition.number in receipt.content.decode()
    assert petition.attachments.count() == 1


@pytest.mark.django_db
def test_a_form_with_errors_comes_back_as_a_page_for_the_script_to_show(client, city):
    answer = client.post(reverse("petitions:new"), form_data(city, complainant_phone="12"), **PROGRESS)
    assert answer.status_code == 400 and answer["Content-Type"].startswith("text/html")
    assert not Petition.objects.exists()


@pytest.mark.django_db
def test_without_the_header_a_filing_is_redirected_as_before(client, city):
    answer = client.post(reverse("petitions:new"), form_data(city))
    assert answer.status_code == 302


@pytest.mark.django_db
def test_the_grid_worker_sees_reported_as_once_after_an_upload(client, city):
    worker = make_user("gridder", "grid_worker", city.street_office, phone="13512345678")
    client.force_login(worker)
    answer = client.post(reverse("channels:grid_new"), {
        "kind": "help", "area": city.street.pk, "classification": city.noise.pk, "address": "幸福路8号门口",
        "title": "施工噪音夜间扰民", "content": "幸福路8号工地夜间十点后仍在施工，噪音很大。", "submission_token": token(),
        "attachments": [SimpleUploadedFile("spot.jpg", jpeg(), content_type="image/jpeg")]}, **PROGRESS)
    petition = Petition.objects.get()
    location = json.loads(answer.content)["location"]
    assert location == reverse("channels:grid")
    page = client.get(location).content.decode()
    assert f"已上报，编号{petition.number}，正在派往承办单位。" in page  # the one-time message, not eaten
    assert "已上报" not in client.get(location).content.decode()  # and shown once


@pytest.mark.django_db
def test_a_letter_to_the_mayor_with_a_file_is_told_where_to_go(client, city):
    data = {**letter(city), "attachments": [SimpleUploadedFile("附件.jpg", jpeg(), content_type="image/jpeg")]}
    answer = client.post(reverse("channels:mailbox"), data, **PROGRESS)
    assert answer.status_code == 200, answer.content[:300]
    petition = Petition.objects.get()
    assert json.loads(answer.content)["location"].endswith(f"/{petition.number}/")
