"""The words search's bigram index (PostgreSQL): the database's portal_bigrams (petitions migration 0017) holds
exactly the pairs of Chinese characters a search asks for (petitions.selectors.word_bigrams), whatever people
write around them, and a word is found wherever it stands in a long petition."""
import pytest
from django.conf import settings
from django.db import connection

from petitions.models import Petition
from petitions.selectors import petition_search, word_bigrams
from tests.factories import file_petition

postgres_only = pytest.mark.skipif(not settings.IS_POSTGRES, reason="the bigram index is PostgreSQL's")

LONG = ("小区物业长期不作为，" * 140) + "楼顶有人放飞无人机偷拍住户"  # ~1,400 characters, the word at the very end
TEXTS = [
    "我叫王小明，电话13912345678，身份证110101199003071234，住朝阳区望京街道阜安西路12号院3单元502。",
    "Wi-Fi信号差，5G基站建在楼顶😀物业不管！！联系人：李女士 139-1234-5678",
    "噪音", "吵", "", "   ", "abc def", "一二三四五", "路灯坏了\n\t晚上看不见，老人摔倒了（已报警）",
    LONG,
]


def database_bigrams(text: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(portal_bigrams(%s))", [text])
        return set(cursor.fetchone()[0])


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("text", TEXTS)
def test_the_index_holds_exactly_the_pairs_a_search_asks_for(text):
    assert database_bigrams(text) == set(word_bigrams(text))


def test_the_pairs_are_those_of_adjacent_chinese_characters_only():
    assert word_bigrams("电话139物业，不管a停车场") == ["电话", "物业", "不管", "停车", "车场"]


@postgres_only
@pytest.mark.django_db
def test_a_word_is_found_at_the_end_of_a_long_petition_and_not_across_a_break(city):
    far = file_petition(city, title="物业不作为", content=LONG)
    split = file_petition(city, title="无人 机", content="有人在小区上空放飞模型，机器声音很大。")
    found = set(petition_search(Petition.objects.all(), "无人机"))
    assert found == {far} and split not in found
    assert set(petition_search(Petition.objects.all(), "偷拍 住户")) == {far}
