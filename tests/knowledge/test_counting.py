""""Most asked" counts real readers (lib/counting.py, knowledge/services.py): a view and a helpful vote count
once per visitor, never for a client without a session or a robot, and a bounded number per address."""
import time_machine
from django.test import Client

from disclosure.models import Question
from knowledge.models import Article
from lib import counting
from tests.knowledge.conftest import BROWSER, TODAY

FROZEN = time_machine.travel(TODAY.isoformat() + " 10:00 +0800", tick=False)


def _counts(obj):
    obj.refresh_from_db()
    if isinstance(obj, Article):
        return obj.views, obj.helpful_votes, obj.not_helpful_votes
    return obj.views, obj.helpful, obj.not_helpful


@FROZEN
def test_a_repeated_view_by_the_same_visitor_counts_once(visitor, articles):
    article = articles["heating"]
    visitor.get("/knowledge/")  # the FAQ gives the visitor a session
    for _ in range(3):  # opened, reloaded, opened again from the list
        assert visitor.get(f"/knowledge/a/{article.pk}/").status_code == 200
    assert _counts(article) == (1, 0, 0)
    other = Client(HTTP_USER_AGENT=BROWSER)
    other.get("/knowledge/")
    other.get(f"/knowledge/a/{article.pk}/")
    assert _counts(article) == (2, 0, 0)


@FROZEN
def test_a_helpful_vote_counts_once(visitor, articles):
    article = articles["heating"]
    visitor.get(f"/knowledge/a/{article.pk}/")
    first = visitor.post(f"/knowledge/a/{article.pk}/vote/", {"helpful": "yes"}, follow=True)
    visitor.post(f"/knowledge/a/{article.pk}/vote/", {"helpful": "yes"})
    visitor.post(f"/knowledge/a/{article.pk}/vote/", {"helpful": "no"})  # changing one's mind is not a second vote
    assert _counts(article)[1:] == (1, 0)
    page = first.content.decode()
    assert "感谢您的反馈" in page and 'name="helpful"' not in page


@FROZEN
def test_a_policy_question_read_in_the_faq_counts_its_view_and_vote_once(visitor, qa):
    visitor.get("/knowledge/")
    visitor.get(f"/knowledge/qa/{qa.pk}/")
    visitor.get(f"/knowledge/qa/{qa.pk}/")
    visitor.post(f"/knowledge/qa/{qa.pk}/vote/", {"helpful": "yes"})
    visitor.post(f"/knowledge/qa/{qa.pk}/vote/", {"helpful": "yes"})
    # The same vote on the policy Q&A page is the same visitor's vote: not counted again.
    visitor.post(f"/disclosure/questions/{qa.pk}/vote/", {"helpful": "yes"})
    assert _counts(qa) == (1, 1, 0)


@FROZEN
def test_a_client_that_keeps_no_cookies_never_counts(articles, qa):
    article = articles["heating"]
    fresh = lambda: Client(HTTP_USER_AGENT=BROWSER)  # noqa: E731 (a script: no cookie jar between requests)
    for _ in range(5):
        fresh().get(f"/knowledge/a/{article.pk}/")
        fresh().post(f"/knowledge/a/{article.pk}/vote/", {"helpful": "yes"})
        fresh().post(f"/disclosure/questions/{qa.pk}/vote/", {"helpful": "yes"})
    assert _counts(article) == (0, 0, 0) and _counts(qa) == (0, 0, 0)


@FROZEN
def test_a_made_up_or_altered_visitor_cookie_does_not_count(articles):
    article = articles["heating"]
    genuine = Client(HTTP_USER_AGENT=BROWSER)
    genuine.get("/knowledge/")
    issued = genuine.cookies[counting.COOKIE].value
    for forged in ("0123456789abcdef01234567", issued.replace(issued[0], "f" if issued[0] != "f" else "e", 1)):
        client = Client(HTTP_USER_AGENT=BROWSER)
        client.cookies[counting.COOKIE] = forged
        client.get(f"/knowledge/a/{article.pk}/")
    assert _counts(article) == (0, 0, 0)


@FROZEN
def test_reading_the_faq_writes_no_session_row(articles):
    """A crawler without cookies reads every answer: no session is stored for it (nor for anyone reading)."""
    from django.contrib.sessions.models import Session

    for _ in range(3):
        Client(HTTP_USER_AGENT=BROWSER).get("/knowledge/", {"q": "暖气"})
        Client(HTTP_USER_AGENT=BROWSER).get(f"/knowledge/a/{articles['heating'].pk}/")
    assert Session.objects.count() == 0


@FROZEN
def test_robots_do_not_count(articles):
    article = articles["heating"]
    for agent in ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
                  "python-requests/2.32", ""):
        robot = Client(HTTP_USER_AGENT=agent)
        robot.get("/knowledge/")
        assert robot.get(f"/knowledge/a/{article.pk}/").status_code == 200  # served, just not counted
        robot.post(f"/knowledge/a/{article.pk}/vote/", {"helpful": "yes"})
    assert _counts(article) == (0, 0, 0)


@FROZEN
def test_an_address_counts_a_bounded_number_of_events(articles, settings):
    """A script that keeps a fresh session per article still inflates nothing past the address's budget."""
    settings.PORTAL_RATE_FAQ_COUNT = "2/h"
    visitors = [Client(HTTP_USER_AGENT=BROWSER) for _ in range(4)]
    for client in visitors:
        client.get("/knowledge/")
        client.get(f"/knowledge/a/{articles['heating'].pk}/")
    assert _counts(articles["heating"])[0] == 2


@FROZEN
def test_the_most_asked_order_follows_counted_views_and_votes(articles, qa):
    readers = [Client(HTTP_USER_AGENT=BROWSER) for _ in range(3)]
    for client in readers:
        client.get("/knowledge/")
        client.get(f"/knowledge/a/{articles['noise'].pk}/")  # 3 views
    readers[0].get(f"/knowledge/qa/{qa.pk}/")
    readers[0].post(f"/knowledge/qa/{qa.pk}/vote/", {"helpful": "yes"})  # 1 view + a helpful vote (3) = 4
    readers[1].get(f"/knowledge/a/{articles['fee'].pk}/")  # 1 view
    page = readers[2].get("/knowledge/")
    most_asked = [e.question for e in page.context["most_asked"]]
    assert most_asked[:3] == ["暖气费可以在手机上交吗？", "邻居装修太吵找谁？", "物业公司能自己涨物业费吗？"]
    assert "去年的暖气费缴纳通知" not in most_asked and "暖气停热来电的转接要点" not in most_asked


@FROZEN
def test_the_policy_qa_page_orders_most_asked_by_counted_views_and_votes(visitor, qa):
    quiet = Question.objects.create(question="老旧小区改造包括哪些内容？", answer="基础类、完善类、提升类。", theme="housing")
    assert [q.pk for q in visitor.get("/disclosure/questions/").context["most_asked"]][:2] == [qa.pk, quiet.pk]
    visitor.get(f"/knowledge/qa/{quiet.pk}/")
    assert [q.pk for q in visitor.get("/disclosure/questions/").context["most_asked"]][:2] == [quiet.pk, qa.pk]
