"""Maintaining the knowledge base in the admin: platform admins and knowledge editors (a duty beside a role)
write articles; operators read them; bad dates are refused on the field, nothing stored."""
import pytest
import time_machine
from django.contrib.auth.models import Group

from knowledge.models import Article
from org.roles import DUTY_PERMISSIONS
from tests.factories import make_user
from tests.knowledge.conftest import TODAY

FROZEN = time_machine.travel(TODAY.isoformat() + " 10:00 +0800", tick=False)


def _form(city, **overrides):
    data = {"title": "暖气不热找谁？", "answer": "联系供热企业。", "policy_basis": "", "classification": city.heating_outage.pk,
            "theme": "water", "owner_unit": city.heating.pk, "valid_from": "2026-01-01", "valid_to": "",
            "is_public": "on", "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0"}
    data.update(overrides)
    return data


@pytest.fixture
def editor(city):
    user = make_user("editor", "operator", city.platform, is_staff=True)
    user.groups.add(Group.objects.get(name="duty:knowledge_editor"))
    return user


@FROZEN
@pytest.mark.django_db
def test_a_knowledge_editor_writes_articles_an_operator_only_reads(client, city, editor, operator):
    client.force_login(operator)
    assert client.get("/admin/knowledge/article/").status_code == 200
    assert client.post("/admin/knowledge/article/add/", _form(city)).status_code == 403
    client.force_login(editor)
    response = client.post("/admin/knowledge/article/add/", _form(city))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert (article.classification, article.owner_unit, article.is_public) == (city.heating_outage, city.heating, True)


@FROZEN
@pytest.mark.django_db
def test_the_duty_survives_a_change_of_role(city, editor):
    from org.services import user_set_role

    user_set_role(user=editor, role="dispatcher", unit=city.platform)
    assert editor.groups.filter(name="duty:knowledge_editor").exists()
    assert set(DUTY_PERMISSIONS["knowledge_editor"]) <= {
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="duty:knowledge_editor")
        .permissions.select_related("content_type")}


@pytest.mark.django_db
def test_the_duty_opens_no_admin_to_a_unit_handler(client, city):
    # docs/knowledge.md: the duty is for staff roles; an owner unit's liaison sends corrections, units stay on
    # their own pages.
    liaison = make_user("liaison", "unit_handler", city.heating)
    liaison.groups.add(Group.objects.get(name="duty:knowledge_editor"))
    client.force_login(liaison)
    response = client.get("/admin/knowledge/article/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@FROZEN
@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field", [
    ({"valid_to": "2025-12-31"}, "valid_to"),
    ({"classification": "", "theme": ""}, "classification"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_stored(client, city, platform_admin, overrides, field):
    client.force_login(platform_admin)
    response = client.post("/admin/knowledge/article/add/", _form(city, **overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Article.objects.exists()


@FROZEN
@pytest.mark.django_db
def test_the_admin_search_understands_chinese_words_and_shows_validity(client, platform_admin, articles):
    client.force_login(platform_admin)
    page = client.get("/admin/knowledge/article/", {"q": "家里暖气不热"})
    found = {a.title for a in page.context["cl"].result_list}
    assert "暖气不热怎么办？" in found and "邻居装修太吵找谁？" not in found
    expired = client.get("/admin/knowledge/article/", {"validity": "expired"}).context["cl"].result_list
    assert [a.title for a in expired] == ["去年的暖气费缴纳通知"]


@FROZEN
@pytest.mark.django_db
def test_a_cited_article_cannot_be_deleted_only_retired(client, city, platform_admin, articles, petition):
    from knowledge.services import article_cite

    article_cite(petition=petition, article=articles["heating"], actor=platform_admin)
    client.force_login(platform_admin)
    page = client.get(f"/admin/knowledge/article/{articles['heating'].pk}/change/").content.decode()
    assert petition.number in page  # the citation under the article, by its tracking number
    client.post(f"/admin/knowledge/article/{articles['heating'].pk}/delete/", {"post": "yes"})
    assert Article.objects.filter(pk=articles["heating"].pk).exists()
