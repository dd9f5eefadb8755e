"""Citing an article on a petition answered on the spot (the hotline console's contract), and the demo
articles' items exist in the classification standard the demo city loads."""
import csv
import datetime as dt

import pytest
import time_machine

from knowledge import demo
from knowledge.models import Citation
from knowledge.services import article_cite
from lib.errors import DomainError
from org.services import STANDARD_CSV
from tests.knowledge.conftest import TODAY

FROZEN = time_machine.travel(TODAY.isoformat() + " 10:00 +0800", tick=False)


@FROZEN
@pytest.mark.django_db
def test_citing_an_article_twice_is_one_citation(articles, petition, operator):
    first = article_cite(petition=petition, article=articles["heating"], actor=operator)
    again = article_cite(petition=petition, article=articles["heating"], actor=operator)
    assert first.pk == again.pk and Citation.objects.count() == 1
    assert first.cited_by == operator and first.cited_at.date() == dt.date(2026, 12, 2)


@FROZEN
@pytest.mark.django_db
@pytest.mark.parametrize("key", ["expired", "future"])
def test_an_article_not_in_force_cannot_be_cited(articles, petition, operator, key):
    with pytest.raises(DomainError) as refused:
        article_cite(petition=petition, article=articles[key], actor=operator)
    assert refused.value.field == "article" and not Citation.objects.exists()


@FROZEN
@pytest.mark.django_db
def test_an_internal_article_can_be_cited_by_an_operator(articles, petition, operator):
    assert article_cite(petition=petition, article=articles["internal"], actor=operator).article == articles["internal"]


def test_every_demo_article_names_an_item_of_the_standard_and_the_set_is_realistic():
    with open(STANDARD_CSV, encoding="utf-8") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    missing = [row[1] for row in demo.ARTICLES if row[1] not in names]
    assert missing == []
    assert len(demo.ARTICLES) >= 30
    assert len({row[0] for row in demo.ARTICLES}) == len(demo.ARTICLES)  # keyed by question
