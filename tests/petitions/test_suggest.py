"""Classification suggestions (petitions/suggest.py): the learnt model, its nightly training and loading, and
the keyword suggester that answers when there is no model."""
import csv

import pytest
from django.conf import settings

from org.models import Classification, HandlingUnit, Sector
from org.services import STANDARD_CSV, classification_load_standard, classification_read_standard
from petitions import suggest, tasks
from petitions.models import SuggesterModel
from tests import factories

URL = "/petitions/suggest/"
HELDOUT = settings.BASE_DIR / "org" / "data" / "heldout_complaints.csv"


@pytest.fixture(autouse=True)
def _fresh_process():
    """What a worker loaded belongs to its database: every test starts as a new worker and leaves none behind."""
    suggest.forget()
    yield
    suggest.forget()


def _file(city, leaf, texts):
    for text in texts:
        factories.file_petition(city, classification=leaf, title=text[:20], content=text)


DANCING = ["晚上广场上跳舞的大妈把音箱开到最大", "跳舞的音箱每晚响到十点多", "小区广场跳舞音箱太响孩子没法写作业",
           "对面空地天天晚上跳舞放音箱", "大妈们跳舞的音箱对着我家窗户"]
BLOCKED = ["有辆车横在小区门口我出不去", "一辆白色轿车堵住了车库出口", "门口那辆车一直不挪我上班要迟到了",
           "车横在单元门口救护车都进不来", "楼下有车堵着消防通道好几天"]


@pytest.mark.django_db
def test_without_a_model_the_keywords_answer_with_path_tier_and_default_unit(client, city):
    items = client.get(URL, {"q": "家里暖气不热，屋里只有十二度"}).json()["items"]
    assert items[0] == {"id": city.heating_outage.pk, "code": "010105", "name": "暖气不热",
                        "path": "民生诉求 / 城市管理 / 暖气不热", "tier": "urgent",
                        "tier_label": str(Classification.Tier.URGENT.label), "urgent_hours": 24,
                        "unit": {"id": city.heating.pk, "name": "热电集团"}, "source": "keywords"}
    assert len(items) <= 3
    assert client.get(URL, {"q": "x"}).json()["items"] == []
    assert not SuggesterModel.objects.exists()  # a request never trains


@pytest.mark.django_db
def test_too_little_history_trains_no_model_and_the_keywords_keep_answering(city):
    _file(city, city.noise, DANCING)
    # The shipped starter corpus is written for the standard's codes and names: this tree has other ones.
    assert suggest.suggester_train() is None
    assert suggest.suggester_train(min_examples=len(DANCING) + 1) is None
    assert not SuggesterModel.objects.exists()
    assert suggest.suggest("家里暖气不热")[0].source == "keywords"


@pytest.mark.django_db
def test_the_nightly_task_learns_the_citys_own_words(client, city, monkeypatch):
    assert "petitions.tasks.train_suggester" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    _file(city, city.noise, DANCING)
    _file(city, city.parking, BLOCKED)
    # Nothing of these words is in the items' names: the keywords cannot tell.
    assert suggest.keyword_suggest("跳舞的音箱吵到半夜") == []
    assert tasks.train_suggester() is None  # 10 petitions: fewer than MIN_EXAMPLES (300)
    monkeypatch.setattr(suggest, "MIN_EXAMPLES", 10)
    model_id = tasks.train_suggester()
    stored = SuggesterModel.objects.get(pk=model_id)
    assert (stored.petitions, stored.leaves) == (10, 2)
    first = client.get(URL, {"q": "跳舞的音箱吵到半夜"}).json()["items"][0]
    assert (first["id"], first["source"], first["unit"]["name"]) == (city.noise.pk, "model", "市城市管理局")
    assert suggest.suggest("一辆车堵在门口出不去")[0].pk == city.parking.pk


@pytest.mark.django_db
def test_a_worker_keeps_its_model_for_a_minute_then_picks_up_a_newer_one(city, django_assert_num_queries,
                                                                         monkeypatch):
    _file(city, city.noise, DANCING)
    _file(city, city.parking, BLOCKED)
    suggest.suggester_train(min_examples=10)
    assert suggest.suggest("跳舞的音箱")[0].pk == city.noise.pk
    # Within RELOAD_SECONDS a call reads only the leaves' stamp: no model query, no load.
    with django_assert_num_queries(1):
        suggest.suggest("跳舞的音箱")
    # New words come in, classified by the operators.
    _file(city, city.property_fee, ["电梯广告的钱去哪了从没公示", "电梯里的广告收益业主分不到", "电梯广告费账目不公开"])
    newer = suggest.suggester_train(min_examples=10)
    assert suggest.suggest("电梯广告的收益")[0].pk != city.property_fee.pk  # the loaded model never saw them
    monkeypatch.setattr(suggest, "RELOAD_SECONDS", 0)
    assert suggest.suggest("电梯广告的收益")[0].pk == city.property_fee.pk
    assert suggest._Loaded.model_id == newer.pk


@pytest.mark.django_db
def test_a_damaged_model_falls_back_to_the_keywords(city):
    SuggesterModel.objects.create(trained_at="2026-01-01T00:00:00Z", method="x", petitions=0, examples=0,
                                  leaves=0, data=b"not a model")
    assert suggest.suggest("家里暖气不热")[0].source == "keywords"


@pytest.mark.django_db
def test_training_keeps_only_the_newest_models(city):
    _file(city, city.noise, DANCING)
    _file(city, city.parking, BLOCKED)
    ids = [suggest.suggester_train(min_examples=10).pk for _ in range(suggest.KEEP_MODELS + 2)]
    assert list(SuggesterModel.objects.order_by("id").values_list("id", flat=True)) == ids[-suggest.KEEP_MODELS:]


def _heldout():
    with open(HELDOUT, newline="", encoding="utf-8") as handle:
        return [(row["text"], row["code"]) for row in csv.DictReader(handle)]


def _accuracy(cases):
    top1 = top3 = 0
    for text, code in cases:
        codes = [s.code for s in suggest.suggest(text)]
        top1 += bool(codes) and codes[0] == code
        top3 += code in codes
    return top1 / len(cases), top3 / len(cases)


def test_the_starter_corpus_shares_no_text_with_the_heldout_set():
    with open(suggest.CORPUS_CSV, newline="", encoding="utf-8") as handle:
        corpus = {row["text"] for row in csv.DictReader(handle)}
    heldout = {text for text, _code in _heldout()}
    assert len(heldout) >= 300 and len(corpus) >= 1000
    assert not corpus & heldout


@pytest.mark.django_db
def test_on_the_heldout_complaints_the_model_beats_the_keyword_fallback(monkeypatch):
    monkeypatch.setattr(suggest, "RELOAD_SECONDS", 0)  # the model is used as soon as it is stored
    rows = classification_read_standard(STANDARD_CSV)
    for code in {row["sector"] for row in rows if row["sector"]}:
        sector = Sector.objects.create(code=code, name=code)
        HandlingUnit.objects.create(code=f"D-{code}", name=f"{code} bureau", kind="city_department", sector=sector)
    classification_load_standard(rows=rows)
    cases = _heldout()

    keyword_top1, keyword_top3 = _accuracy(cases)
    assert {s.source for s in suggest.suggest(cases[0][0])} == {"keywords"}
    stored = suggest.suggester_train()  # no petitions yet: the starter corpus and the leaves' names
    assert stored.petitions == 0 and stored.leaves == 1040
    model_top1, model_top3 = _accuracy(cases)
    assert {s.source for s in suggest.suggest(cases[0][0])} == {"model"}

    # Measured 41% / 59% for the keywords and 85% / 96% for the model (docs/intake.md); the margins
    # leave room for a retuned model, not for one that stops beating the fallback.
    assert model_top3 >= keyword_top3 + 0.2 and model_top3 >= 0.85
    assert model_top1 >= keyword_top1 + 0.2
