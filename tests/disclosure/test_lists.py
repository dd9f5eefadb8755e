"""The public lists page through every policy and question, with their filters kept in the page links; the
most-asked links reach their question wherever it is; a question never links to or names an unpublished policy."""
import datetime as dt

import pytest
from django.test import Client

from disclosure import views
from disclosure.models import Policy, Question


def make_policies(city, count: int, **kw) -> None:
    Policy.objects.bulk_create([Policy(
        number=f"青政发〔2026〕{i}号", title=f"政策文件第{i}号", issuer=city.urban, theme=kw.get("theme", "business"),
        issued_on=dt.date(2020, 1, 1) + dt.timedelta(days=i), effective_on=dt.date(2020, 1, 1), text="正文")
        for i in range(count)])


@pytest.mark.django_db
def test_every_policy_is_reachable_page_by_page_with_the_filters_kept(client, city):
    make_policies(city, 105)
    Policy.objects.create(number="青政发〔2026〕900号", title="教育文件", issuer=city.urban, theme="education",
                          issued_on=dt.date(2021, 1, 1), effective_on=dt.date(2021, 1, 1), text="正文")
    seen, url = set(), "/disclosure/policies/?theme=business"
    while url:
        response = client.get(url)
        seen |= {policy.number for policy, _state, _label in response.context["items"]}
        page = response.context["page"]
        assert "教育文件" not in response.content.decode()
        url = f"/disclosure/policies/?theme=business&page={page.next_page_number()}" if page.has_next() else None
        if url:
            assert 'href="?theme=business&amp;page=' in response.content.decode()  # the filter travels
    assert len(seen) == 105 and "青政发〔2026〕0号" in seen


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999", "2.5", ""])
def test_a_bad_page_number_shows_a_page_not_a_server_error(city, page):
    make_policies(city, 40)
    Question.objects.bulk_create([Question(question=f"问题{i}", answer="回答", theme="business") for i in range(25)])
    client = Client(raise_request_exception=False)
    assert client.get("/disclosure/policies/", {"page": page}).status_code == 200
    assert client.get("/disclosure/questions/", {"page": page}).status_code == 200


@pytest.mark.django_db
def test_the_questions_page_through_and_most_asked_links_reach_their_question(client, city):
    per_page = views.QUESTIONS_PER_PAGE
    Question.objects.bulk_create([Question(question=f"问题{i:03d}", answer="回答", theme="business", views=1000 - i)
                                  for i in range(per_page * 2 + 5)])
    # Asked rarely but voted helpful a lot: most asked, and on the last page of the list.
    popular = Question.objects.create(question="最常问的问题", answer="回答", theme="education", views=0, helpful=500)
    first = client.get("/disclosure/questions/")
    assert first.context["page"].paginator.count == per_page * 2 + 6
    links = {q.pk: q.listed_on for q in first.context["most_asked"]}
    # On another page: the link names that page, where the question's anchor is.
    where = links[popular.pk]
    assert where == "?page=3"
    assert f'id="q{popular.pk}"' in client.get(f"/disclosure/questions/{where}").content.decode()
    # On this page: the anchor alone.
    top = Question.objects.get(question="问题000")
    assert links[top.pk] == "" and f'href="#q{top.pk}"' in first.content.decode()
    # Filtered to the popular one's theme, it is on the current page.
    filtered = client.get("/disclosure/questions/", {"theme": "education"})
    assert {q.pk: q.listed_on for q in filtered.context["most_asked"]}[popular.pk] == ""


@pytest.mark.django_db
def test_a_question_on_an_unpublished_policy_neither_links_to_it_nor_names_it(client, city):
    draft = Policy.objects.create(number="青政发〔2026〕77号", title="未发布的文件", issuer=city.urban, theme="business",
                                  issued_on=dt.date(2026, 1, 1), effective_on=dt.date(2026, 1, 1), text="正文",
                                  published=False)
    public = Policy.objects.create(number="青政发〔2026〕78号", title="已发布的文件", issuer=city.urban,
                                   theme="business", issued_on=dt.date(2026, 1, 1),
                                   effective_on=dt.date(2026, 1, 1), text="正文")
    Question.objects.create(question="草稿政策的问题", answer="回答", theme="business", policy=draft)
    Question.objects.create(question="公开政策的问题", answer="回答", theme="business", policy=public)
    page = client.get("/disclosure/questions/").content.decode()
    assert f"/disclosure/policies/{draft.pk}/" not in page and draft.number not in page
    assert f"/disclosure/policies/{public.pk}/" in page
    api = {row["question"]: row["policy"] for row in client.get("/api/v1/disclosure/questions/").json()["results"]}
    assert api == {"草稿政策的问题": None, "公开政策的问题": public.number}


@pytest.mark.django_db
def test_a_nul_in_the_policy_and_question_searches_is_dropped_not_a_server_error(client, city):
    """PostgreSQL refuses a NUL in a text parameter (icontains: "A string literal cannot contain NUL")."""
    for url in ("/disclosure/policies/", "/disclosure/questions/"):
        for query in ("停车\x00管理", "\x00"):
            page = client.get(url, {"q": query})
            assert page.status_code == 200, (url, query)
            assert "\x00" not in page.context["query"]
