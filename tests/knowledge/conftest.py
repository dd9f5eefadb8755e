import datetime as dt

import pytest

from disclosure.models import Question, Theme
from knowledge.models import Article

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
TODAY = dt.date(2026, 12, 2)


def make_article(title, *, answer="按规定办理。", classification=None, theme=Theme.WATER, **extra) -> Article:
    fields = {"valid_from": dt.date(2026, 1, 1), "classification": classification, "theme": theme}
    fields.update(extra)
    return Article.objects.create(title=title, answer=answer, **fields)


@pytest.fixture
def visitor(client):
    """A phone browser that keeps its cookies, as a citizen's does."""
    client.defaults["HTTP_USER_AGENT"] = BROWSER
    return client


@pytest.fixture
def articles(city):
    return {
        "heating": make_article("暖气不热怎么办？", answer="先检查阀门，再联系供热企业报修。", classification=city.heating_outage,
                                owner_unit=city.heating, policy_basis="《山东省供热条例》"),
        "fee": make_article("物业公司能自己涨物业费吗？", answer="不能擅自上涨，暖气费另算。",
                            classification=city.property_fee, theme=Theme.HOUSING),
        "noise": make_article("邻居装修太吵找谁？", answer="先找物业劝阻。", classification=city.noise,
                              theme=Theme.ENVIRONMENT),
        "expired": make_article("去年的暖气费缴纳通知", answer="截止到去年10月31日。", classification=city.heating_outage,
                                valid_from=dt.date(2025, 9, 1), valid_to=dt.date(2026, 4, 5)),
        "future": make_article("明年暖气费新标准", answer="明年起执行。", classification=city.heating_outage,
                               valid_from=dt.date(2027, 1, 1)),
        "internal": make_article("暖气停热来电的转接要点", answer="转热电集团抢修。", classification=city.heating_outage,
                                 is_public=False),
    }


@pytest.fixture
def qa(db):
    return Question.objects.create(question="暖气费可以在手机上交吗？", answer="可以，微信或支付宝生活缴费。",
                                   theme=Theme.WATER)
