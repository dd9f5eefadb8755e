"""The classification picker at the real standard's size (1,000+ leaves in five levels): found by Chinese
words, pinyin or initials, each item with its path, handling tier and default unit."""
import json

import pytest
from django.core.management import call_command

from dispatch import routing
from hotline import picker
from org import demo as org_demo
from org.models import Classification, HandlingUnit, Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(db):
    Sector.objects.bulk_create([Sector(code=code, name=name) for code, name in org_demo.SECTORS])
    HandlingUnit.objects.create(code="HOUSING", name="市住房和城乡建设局", kind="city_department",
                                sector=Sector.objects.get(code="housing"))
    HandlingUnit.objects.create(code="URBAN", name="市城市管理局", kind="city_department",
                                sector=Sector.objects.get(code="urban"))
    call_command("load_classification_standard", verbosity=0)
    routing.invalidate()
    picker.clear()
    assert Classification.objects.filter(is_leaf=True).count() >= 1000


def names(entries):
    return [e.name for e in entries]


def test_street_lights_show_where_each_belongs_and_who_handles_it(standard):
    found = picker.search(picker.classification_index(), "路灯")
    by_name = {e.name: e for e in found}
    estate = by_name["小区路灯损坏"]
    assert estate.path.startswith("民生诉求 / 物业服务")
    assert estate.unit == "市住房和城乡建设局"
    assert estate.tier == str(Classification.Tier.DAYS_7.label)
    # Names containing the word come before items that only list it among their keywords.
    in_name = [("路灯" in e.name) for e in found]
    assert in_name == sorted(in_name, reverse=True) and not all(in_name)


def test_found_by_pinyin_and_by_initials(standard):
    index = picker.classification_index()
    assert "小区路灯损坏" in names(picker.search(index, "xiaoqulude"))
    assert "小区路灯损坏" in names(picker.search(index, "xqldsh"))
    assert names(picker.search(index, "wyf"))[0].startswith("物业费")


def test_every_word_must_match(standard):
    index = picker.classification_index()
    both = picker.search(index, "小区 路灯")
    assert both and all("路灯" in e.name or "路灯" in e.hanzi for e in both)
    assert all(("小区" in e.name or "小区" in e.hanzi or "小区" in e.hanzi_path) for e in both)
    assert picker.search(index, "路灯 不存在的词") == []


def test_the_tree_opens_branch_by_branch(standard):
    index = picker.classification_index()
    roots = picker.search(index, "")
    assert names(roots) == ["民生诉求", "发展诉求", "执法诉求"]
    livelihood = roots[0]
    children = picker.search(index, "", within=livelihood.code)
    assert children and all(e.parent_code == livelihood.code for e in children)
    inside = picker.search(index, "路灯", within=livelihood.code)
    assert "小区路灯损坏" in names(inside) and "农村路灯" not in names(inside)


def test_the_index_follows_the_tree(standard):
    index = picker.classification_index()
    leaf = Classification.objects.get(name="小区路灯损坏")
    Classification.objects.filter(pk=leaf.pk).update(is_active=False)
    assert "小区路灯损坏" not in names(picker.search(picker.classification_index(), "路灯"))
    assert picker.classification_index() is not index


def test_the_endpoint_answers_json_for_the_console(client, standard):
    from tests.factories import make_user

    client.force_login(make_user("op", "operator"))
    data = json.loads(client.get("/hotline/classifications/?q=xqldsh").content)
    item = data["items"][0]
    assert item["name"] == "小区路灯损坏" and item["leaf"] and "物业服务" in item["path"] and item["tier"]
    assert item["unit"] == "市住房和城乡建设局"


def test_areas_by_name_pinyin_and_initials(client, city, operator):
    client.force_login(operator)
    for query in ("甲一", "jiayi", "jy"):
        items = json.loads(client.get(f"/hotline/areas/?q={query}").content)["items"]
        assert items[0]["name"] == "甲一街道", query
    # Communities are below the street offices: the intake places a call in a district or a street.
    assert all(i["depth"] in (2, 3) for i in json.loads(client.get("/hotline/areas/?q=jia").content)["items"])


def test_a_renamed_item_shows_within_the_index_ttl(standard, monkeypatch):
    index = picker.classification_index()
    Classification.objects.filter(name="小区路灯损坏").update(name="小区路灯坏了")  # same count, same newest id
    assert picker.classification_index() is index
    later = picker.time.monotonic() + picker.INDEX_TTL + 1
    monkeypatch.setattr(picker.time, "monotonic", lambda: later)
    assert "小区路灯坏了" in names(picker.search(picker.classification_index(), "路灯"))




def _first(client, path, language):
    client.cookies["django_language"] = language
    return json.loads(client.get(path).content)["items"][0]


def test_tiers_are_in_each_operators_language_whoever_built_the_index(client, standard):
    """The index is shared by the process: an English operator's search must not leave English tiers for the
    next Chinese one."""
    from tests.factories import make_user

    picker.clear()
    client.force_login(make_user("op", "operator"))
    assert _first(client, "/hotline/classifications/?q=xqldsh", "en")["tier"] == "7 working days"
    assert _first(client, "/hotline/classifications/?q=xqldsh", "zh-hans")["tier"] == "7个工作日"


def test_area_levels_are_in_each_operators_language_whoever_built_the_index(client, city, operator):
    picker.clear()
    client.force_login(operator)
    street_zh = _first(client, "/hotline/areas/?q=jiayi", "zh-hans")["tier"]
    street_en = _first(client, "/hotline/areas/?q=jiayi", "en")["tier"]
    assert street_en.isascii() and not street_zh.isascii(), (street_zh, street_en)


def test_an_urgent_items_hours_are_said_in_the_operators_language(client, city, operator):
    picker.clear()
    client.force_login(operator)
    zh = _first(client, "/hotline/classifications/?q=暖气", "zh-hans")["tier"]
    en = _first(client, "/hotline/classifications/?q=暖气", "en")["tier"]
    assert zh.endswith("24小时内") and "h" not in zh, zh
    assert en.endswith("within 24 hours") and not any("\u4e00" <= ch <= "\u9fff" for ch in en), en
