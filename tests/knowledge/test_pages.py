"""The public FAQ's pages: search before filing, in Chinese and English, without JavaScript."""
import datetime as dt
import re

import time_machine

from knowledge.models import Article
from tests.knowledge.conftest import TODAY

FROZEN = time_machine.travel(TODAY.isoformat() + " 10:00 +0800", tick=False)


@FROZEN
def test_the_faq_finds_an_article_by_a_chinese_word_and_links_to_it(visitor, articles, qa):
    page = visitor.get("/knowledge/", {"q": "暖气"}).content.decode()
    assert f'href="/knowledge/a/{articles["heating"].pk}/"' in page
    assert f'href="/knowledge/qa/{qa.pk}/"' in page  # the policy Q&A in the same list
    assert "去年的暖气费缴纳通知" not in page and "暖气停热来电的转接要点" not in page
    assert "<script" not in page.split("<main")[1]  # a plain GET form: works without JavaScript
    assert "/petitions/new/" in page  # no answer? file a petition


@FROZEN
def test_the_article_page_shows_answer_basis_item_path_and_owner(visitor, articles):
    page = visitor.get(f"/knowledge/a/{articles['heating'].pk}/").content.decode()
    for text in ("先检查阀门", "《山东省供热条例》", "民生诉求 › 城市管理 › 暖气不热", "热电集团", "2026-01-01"):
        assert text in page, text
    assert not re.search(r"\w+ object \(\d+\)", page)


@FROZEN
def test_expired_future_and_internal_articles_are_not_public(visitor, articles):
    for key in ("expired", "future", "internal"):
        assert visitor.get(f"/knowledge/a/{articles[key].pk}/").status_code == 404, key
        assert visitor.post(f"/knowledge/a/{articles[key].pk}/vote/", {"helpful": "yes"}).status_code == 404, key


@FROZEN
def test_nothing_found_says_what_to_try_and_where_to_file(visitor, articles):
    page = visitor.get("/knowledge/", {"q": "火星移民"}).content.decode()
    assert "没有找到" in page and "/petitions/new/" in page


@FROZEN
def test_the_faq_speaks_english_too(visitor, articles):
    visitor.cookies["django_language"] = "en"
    page = visitor.get("/knowledge/", {"q": "暖气"}).content.decode()
    assert "Common questions" in page and "No answer to your question?" in page


@FROZEN
def test_the_faq_alias_and_a_theme_filter(visitor, articles):
    page = visitor.get("/knowledge/faq/", {"theme": "environment"})
    assert [e.question for e in page.context["entries"]] == ["邻居装修太吵找谁？"]


@FROZEN
def test_the_citizen_home_page_sends_searches_to_the_faq(visitor, articles):
    page = visitor.get("/").content.decode()
    assert 'action="/knowledge/"' in page and "先查一查" in page and "全部常见问题" in page


@FROZEN
def test_the_faq_search_page_reads_a_bounded_number_of_queries(visitor, articles, qa, django_assert_max_num_queries):
    visitor.get("/knowledge/", {"q": "暖气"})  # jieba learns the item names once per process
    # The items named for each word and part (暖气不热, 暖气: 2), the articles (1), the policy Q&A (1); no session.
    with django_assert_max_num_queries(4):
        visitor.get("/knowledge/", {"q": "暖气不热怎么办"})


@FROZEN
def test_a_search_with_more_answers_than_a_page_gives_the_true_count_and_pages_through_all(visitor, city):
    for i in range(25):
        Article.objects.create(title=f"供暖问题{i:02d}", answer="联系供热企业。", theme="water",
                               valid_from=TODAY - dt.timedelta(days=30))
    first = visitor.get("/knowledge/", {"q": "供暖"}).content.decode()
    heading = re.search(r'<h2 id="results-title">(.*?)</h2>', first, re.S).group(1)
    assert "25" in heading and "20" not in heading
    second = visitor.get("/knowledge/", {"q": "供暖", "page": "2"}).content.decode()
    shown = set(re.findall(r"供暖问题\d\d", first)) | set(re.findall(r"供暖问题\d\d", second))
    assert len(shown) == 25 and 'rel="next"' in first and 'rel="prev"' in second
    assert visitor.get("/knowledge/", {"q": "供暖", "page": "²"}).status_code == 200


@FROZEN
def test_a_nul_in_the_search_is_dropped_not_a_server_error(visitor, articles, qa):
    """PostgreSQL refuses a NUL in a text parameter (icontains: "A string literal cannot contain NUL")."""
    page = visitor.get("/knowledge/", {"q": "暖\x00气"})
    assert page.status_code == 200 and page.context["query"] == "暖气"
    assert f'href="/knowledge/a/{articles["heating"].pk}/"' in page.content.decode()
    assert visitor.get("/knowledge/", {"q": "\x00"}).status_code == 200
