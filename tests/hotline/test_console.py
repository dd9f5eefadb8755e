"""The operator's console: a call recorded, classified and routed at once; refused field by field with nothing
stored; a consultation answered on the spot citing a knowledge-base article."""
import datetime as dt

import pytest
import time_machine

from dispatch.models import AssignmentStatus
from knowledge.models import Article, Citation
from petitions.models import Petition, PetitionEvent, Status
from tests.hotline.conftest import call

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role, status", [("operator", 200), ("platform_admin", 200), ("dispatcher", 403),
                                          ("supervisor", 403), ("street_handler", 403)])
def test_only_operators_and_admins_take_calls(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/hotline/").status_code == status


def test_the_console_lists_its_fields_in_the_order_of_a_call(client, operator):
    client.force_login(operator)
    html = client.get("/hotline/").content.decode()
    positions = [html.index(f'id="id_{name}"') for name in
                 ("complainant_phone", "complainant_name", "area", "classification", "content")]
    assert positions == sorted(positions)
    assert html.index('id="id_content"') < html.index('id="save"') < html.index('id="id_kind"')
    assert 'autofocus' in html[html.index('id="id_complainant_phone"') - 200:html.index('id="id_complainant_phone"') + 200]


def test_a_call_is_filed_classified_and_routed_before_the_next_one(client, city, operator, noise_to_street,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hotline/", call(city), follow=True)
    petition = Petition.objects.get()
    assert response.redirect_chain[-1][0] == "/hotline/"
    assert petition.status == Status.DISPATCHED and petition.classification == city.noise
    assert petition.filed_by == operator and petition.channel == "phone"
    # No title typed: the first words of the content make it.
    assert petition.title == "每天晚上十一点以后楼下商铺音响声音很大，影响休息。"[:30]
    assert petition.assignments.get().unit == city.street_office
    page = response.content.decode()
    assert petition.number in page and "甲一街道办事处" in page
    assert 'value=""' in page or "id_complainant_phone" in page  # an empty screen for the next call
    assert PetitionEvent.objects.filter(petition=petition, kind="note", actor=operator).exists()


def test_a_call_without_a_classification_waits_for_the_dispatcher(client, city, operator,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/hotline/", call(city, classification=""))
    petition = Petition.objects.get()
    assert petition.status == Status.RECEIVED and petition.classification is None


def test_the_same_call_posted_twice_is_one_petition(client, city, operator, noise_to_street):
    client.force_login(operator)
    client.post("/hotline/", call(city))
    client.post("/hotline/", call(city))
    assert Petition.objects.count() == 1


def test_saved_then_answered_on_the_spot_with_the_same_form_says_where_it_went_not_closed(
        client, city, operator, noise_to_street, parking_article, django_capture_on_commit_callbacks):
    # The operator saves, the answer is slow, and they press "answer on the spot" on the same form (same token).
    client.force_login(operator)
    data = call(city, kind="consultation", article=str(parking_article.pk))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/hotline/", data)
        response = client.post("/hotline/", {**data, "action": "close_on_spot"}, follow=True)
    petition = Petition.objects.get()
    assert petition.status == Status.DISPATCHED and not Citation.objects.exists()
    said = " ".join(str(m) for m in response.context["messages"])
    assert "办结" not in said
    assert petition.number in said and "甲一街道办事处" in said and "未作直接答复" in said


def test_in_confirm_mode_the_operator_is_told_the_unit_is_only_proposed(client, city, operator, noise_to_street,
                                                                          settings,
                                                                          django_capture_on_commit_callbacks):
    settings.PORTAL_DISPATCH_MODE = "confirm"
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hotline/", call(city), follow=True)
    petition = Petition.objects.get()
    assert petition.assignments.get().status == AssignmentStatus.PROPOSED
    said = " ".join(str(m) for m in response.context["messages"])
    assert "拟派至甲一街道办事处，待派单员确认" in said


@pytest.mark.parametrize("overrides, field", [
    ({"complainant_phone": "12345"}, "complainant_phone"),
    ({"complainant_phone": "1391234"}, "complainant_phone"),
    ({"complainant_name": ""}, "complainant_name"),
    ({"area": ""}, "area"),
    ({"content": "太吵了"}, "content"),
    ({"title": "吵"}, "title"),
    ({"complainant_id_number": "370202199001011235"}, "complainant_id_number"),
    ({"complainant_type": "enterprise"}, "enterprise_name"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(client, city, operator, overrides, field):
    client.force_login(operator)
    response = client.post("/hotline/", call(city, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Petition.objects.count() == 0
    # What was typed stays on the screen.
    assert ("楼下商铺音响" if field == "complainant_name" else "王小明") in response.content.decode()


def test_a_retired_classification_item_is_refused_on_its_field(client, city, operator):
    city.noise.is_active = False
    city.noise.save()
    client.force_login(operator)
    response = client.post("/hotline/", call(city))
    assert "classification" in response.context["form"].errors and Petition.objects.count() == 0


def test_a_consultation_is_answered_on_the_spot_citing_an_article(client, city, operator, parking_article,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/hotline/", call(city, kind="consultation", classification=str(city.parking.pk),
                                      content="想问一下小区里乱停车应该找哪个部门管？", action="close_on_spot",
                                      article=str(parking_article.pk)))
    petition = Petition.objects.get()
    assert petition.status == Status.CLOSED_ON_SPOT
    assert petition.answer == parking_article.answer  # nothing reworded: the article's answer
    citation = Citation.objects.get()
    assert citation.petition == petition and citation.article == parking_article and citation.cited_by == operator
    assert not petition.assignments.exists()


def test_the_operator_may_reword_the_articles_answer(client, city, operator, parking_article):
    client.force_login(operator)
    client.post("/hotline/", call(city, kind="consultation", action="close_on_spot", article=str(parking_article.pk),
                                  answer="小区里的车归物业管，您先找物业。"))
    assert Petition.objects.get().answer == "小区里的车归物业管，您先找物业。"


@pytest.mark.parametrize("overrides, field", [
    ({"kind": "complaint"}, "kind"),
    ({"article": ""}, "article"),
])
def test_closing_on_the_spot_is_refused_on_its_field_with_nothing_stored(client, city, operator, parking_article,
                                                                        overrides, field):
    client.force_login(operator)
    data = call(city, kind="consultation", action="close_on_spot", article=str(parking_article.pk))
    data.update(overrides)
    response = client.post("/hotline/", data)
    assert field in response.context["form"].errors
    assert Petition.objects.count() == 0 and Citation.objects.count() == 0


@pytest.mark.parametrize("channel", ["media", "peoples_daily"])
def test_a_media_item_cannot_be_answered_on_the_spot_and_is_told_why_on_its_channel(client, city, operator,
                                                                                   parking_article, channel):
    """A media item is screened first: the operator is told so on the channel, not that someone else acted."""
    client.force_login(operator)
    response = client.post("/hotline/", call(city, kind="consultation", action="close_on_spot", channel=channel,
                                             article=str(parking_article.pk)))
    errors = response.context["form"].errors
    assert "channel" in errors and "初筛" in errors["channel"][0], errors
    assert Petition.objects.count() == 0


def test_a_title_taken_from_the_text_is_one_line(client, city, operator, noise_to_street):
    client.force_login(operator)
    client.post("/hotline/", call(city, content="噪音\n每天晚上十一点以后楼下商铺音响声音很大，影响休息。"))
    title = Petition.objects.get().title
    assert "\n" not in title and title.startswith("噪音 每天晚上"), title


def test_an_expired_article_cannot_be_cited_and_nothing_is_stored(client, city, operator, parking_article):
    Article.objects.filter(pk=parking_article.pk).update(valid_to=dt.date(2021, 1, 1))
    client.force_login(operator)
    response = client.post("/hotline/", call(city, kind="consultation", action="close_on_spot",
                                             article=str(parking_article.pk)))
    assert "article" in response.context["form"].errors
    assert Petition.objects.count() == 0


def test_looking_up_without_javascript_keeps_what_was_typed_and_shows_no_errors(client, city, operator,
                                                                                noise_to_street):
    client.force_login(operator)
    response = client.post("/hotline/", {"complainant_phone": "13912345678", "area": str(city.street.pk),
                                         "classification": str(city.noise.pk), "action": "lookup"})
    page = response.content.decode()
    assert "13912345678" in page and "甲一街道办事处" in page  # the routing preview
    assert not response.context["form"].is_bound and Petition.objects.count() == 0


@time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False)
def test_the_number_is_today_s(client, city, operator, noise_to_street):
    client.force_login(operator)
    client.post("/hotline/", call(city))
    assert Petition.objects.get().number.startswith("20261123")


def test_operators_find_the_console_in_the_header_and_others_do_not(client, operator, dispatcher):
    client.force_login(operator)
    assert 'href="/hotline/"' in client.get("/").content.decode()
    client.force_login(dispatcher)
    assert 'href="/hotline/"' not in client.get("/").content.decode()
