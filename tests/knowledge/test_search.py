"""Finding an answer with Chinese words (knowledge/selectors.py): the operators' search (`article_search`, the
hotline console's contract) and the public FAQ that joins articles with the policy Q&A."""
import time_machine

from knowledge import selectors
from knowledge.selectors import article_search, faq_search
from tests.knowledge.conftest import TODAY, make_article

FROZEN = time_machine.travel(TODAY.isoformat() + " 10:00 +0800", tick=False)


@FROZEN
def test_a_sentence_finds_the_article_by_its_words_and_title_hits_rank_first(articles):
    found = article_search("家里暖气不热了怎么办", public_only=True)
    # "暖气" is in the fee article's answer only: it is found, below the article whose question says it.
    assert [a.title for a in found][:2] == ["暖气不热怎么办？", "物业公司能自己涨物业费吗？"]


@FROZEN
def test_a_word_of_the_item_or_an_item_above_it_finds_the_article(articles, city):
    # "噪音扰民" is the item's name, not in the article's words; "城市管理" is the item above it.
    assert [a.title for a in article_search("噪音扰民")] == ["邻居装修太吵找谁？"]
    assert {a.title for a in article_search("城市管理", public_only=True)} == {
        "暖气不热怎么办？", "物业公司能自己涨物业费吗？", "邻居装修太吵找谁？"}


@FROZEN
def test_a_theme_word_finds_the_articles_of_that_theme(articles):
    assert [a.title for a in article_search("environment")] == ["邻居装修太吵找谁？"]


@FROZEN
def test_expired_and_not_yet_valid_articles_are_never_offered(articles):
    operators = {a.title for a in article_search("暖气费")}
    assert "去年的暖气费缴纳通知" not in operators and "明年暖气费新标准" not in operators
    assert {e.question for e in faq_search("暖气费")}.isdisjoint({"去年的暖气费缴纳通知", "明年暖气费新标准"})


@FROZEN
def test_articles_for_operators_only_are_not_public(articles):
    assert "暖气停热来电的转接要点" in {a.title for a in article_search("暖气")}
    assert "暖气停热来电的转接要点" not in {a.title for a in article_search("暖气", public_only=True)}
    assert "暖气停热来电的转接要点" not in {e.question for e in faq_search("暖气")}


@FROZEN
def test_the_callers_item_comes_first_and_without_words_only_its_branch(articles, city):
    # "物业" is in the fee article's question but only in the noise article's answer: on a noise call, noise first.
    assert [a.title for a in article_search("物业", classification=city.noise)] == [
        "邻居装修太吵找谁？", "物业公司能自己涨物业费吗？"]
    assert [a.title for a in article_search("物业")][0] == "物业公司能自己涨物业费吗？"
    assert [a.title for a in article_search("", classification=city.heating_outage)] == [
        "暖气不热怎么办？", "暖气停热来电的转接要点"]


@FROZEN
def test_the_faq_joins_public_articles_and_the_policy_questions(articles, qa):
    found = faq_search("暖气费")
    assert ("question", qa.pk) in {(e.kind, e.pk) for e in found}
    assert found[0].question == "暖气费可以在手机上交吗？"  # in its question: above answers that mention it
    assert [e.question for e in faq_search("", theme="housing")] == ["物业公司能自己涨物业费吗？"]


@FROZEN
def test_the_item_names_teach_jieba_whole_words(articles):
    words, parts = selectors.query_words("暖气不热怎么办")
    assert words == ["暖气不热"] and "暖气" in parts  # "怎么办" is a stop word


@FROZEN
def test_one_character_still_searches(articles):
    assert "暖气不热怎么办？" in {a.title for a in article_search("暖")}


@FROZEN
def test_search_reads_a_bounded_number_of_queries(articles, django_assert_max_num_queries):
    selectors.query_words("暖气")  # jieba learns the item names once per process (one query), not per search
    # The ranked articles (1) and, per word and part, the items named for it (3 words here).
    with django_assert_max_num_queries(4):
        article_search("物业 暖气 装修", public_only=True)


@FROZEN
def test_an_expiring_article_is_offered_on_its_last_day_and_not_after(city):
    article = make_article("冬季供热投诉处理时限", valid_to=TODAY)
    assert article in article_search("供热")
    with time_machine.travel("2026-12-03 00:30 +0800", tick=False):
        assert article not in article_search("供热")
