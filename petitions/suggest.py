"""Classification suggestions from the words typed so far (the citizen's form and the operator's console).

Two suggesters behind one function, `suggest(text, limit=3)`:

- **The learnt model** (the one used when it exists): the portal's own classified petitions (title and
  content → the leaf they were finally classified under), plus the starter corpus shipped in
  petitions/data/suggest_training.csv (hand-written complaints, one or two per leaf of the standard; a row
  counts only while its code still names a leaf of that name) and one pseudo-document per leaf made of
  its path and keywords, so that an item nobody has filed under yet can still be suggested. Texts
  become TF-IDF vectors of character 1-2-grams (`char_wb`: Chinese needs no word segmentation); each leaf
  is the normalised mean of its texts' vectors (a nearest-centroid linear classifier, pruned to its
  strongest n-grams), and a text's suggestions are the leaves whose vectors are closest. Chosen by
  measurement on the held-out complaints (benchmarks/suggest_accuracy.py, docs/intake.md): clearly better
  than ComplementNB and SGD, as good as logistic regression (one complaint fewer at top-1) for a
  three-hundredth of its training time, and small (sparse), where a dense linear model over 1,000+
  leaves weighs tens to hundreds of megabytes in every worker.
- **The keyword suggester** (the fallback): each leaf is known by the two-character words of its name
  and its path, and by its keywords; a text scores the leaves whose words it contains, longer words
  counting more. It needs no history, so it answers on a new city's first day.

`suggester_train` (the nightly beat task, petitions/tasks.py) trains a model when there are at least
MIN_EXAMPLES labelled texts, stores it in the database (SuggesterModel) and keeps the newest few. A web
worker loads the newest model on first use and looks for a newer one at most every RELOAD_SECONDS; a
request never trains. With no model (or a model it cannot read) the keyword suggester answers.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from scipy import sparse

from org.models import Classification, HandlingUnit
from petitions.models import Petition, Status, SuggesterModel

log = logging.getLogger(__name__)

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_SPLIT = re.compile(r"[,，;；、\s/]+")
# Words too common in complaints to say anything about the category.
_STOP = {"问题", "投诉", "反映", "情况", "处理", "希望", "有关", "部门", "相关", "其他", "管理", "服务", "事项", "要求"}

CORPUS_CSV = Path(__file__).resolve().parent / "data" / "suggest_training.csv"
# Below this many labelled texts (classified petitions plus the starter corpus rows that still match a
# leaf) no model is trained and the keyword suggester answers. The shipped corpus alone passes it for a
# city on the shipped standard; a city with a tree of its own waits for its first 300 classified petitions.
MIN_EXAMPLES = 300
HISTORY_LIMIT = 50_000  # the newest classified petitions read for one training (a few seconds at 10M petitions)
PER_LEAF_LIMIT = 300  # so the hot leaves (物业, 停车) do not drown the others
CENTROID_TERMS = 1500  # n-grams kept per leaf: the model stays a few MB at any history size
KEEP_MODELS = 3
RELOAD_SECONDS = 60.0
NGRAMS = (1, 2)
METHOD = "tf-idf char_wb 1-2-grams, nearest centroid"
# Statuses whose classification is not settled yet (screening) or was never the hotline's (routed out,
# merged): their petitions teach nothing.
_UNSETTLED = (Status.SCREENING, Status.ROUTED_OUT, Status.MERGED)


@dataclass(frozen=True)
class Suggestion:
    pk: int
    code: str
    name: str
    path: str
    score: float
    tier: str = ""
    tier_label: str = ""
    urgent_hours: int | None = None
    unit_id: int | None = None  # the default unit: the city department (or utility) of the leaf's sector
    unit_name: str = ""
    source: str = "keywords"  # "model" or "keywords"


@dataclass
class _Entry:
    leaf: Classification
    path: str
    weights: dict[str, float]
    unit: HandlingUnit | None


_INDEX: tuple[tuple, dict[str, _Entry]] | None = None
# The keyword suggester's inverted index, built with _INDEX: word → [(leaf code, weight)], and the longest word.
_POSTINGS: tuple[dict[str, list[tuple[str, float]]], int] = ({}, 0)


def _words(text: str) -> set[str]:
    found = set()
    for run in _CJK_RUN.findall(text or ""):
        found.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) <= 6:
            found.add(run)
    return found - _STOP


def _default_units() -> dict[int, HandlingUnit]:
    """Sector id → its unit: the city department, else the public-service company (utilities)."""
    units: dict[int, HandlingUnit] = {}
    kinds = [HandlingUnit.Kind.CITY_DEPARTMENT, HandlingUnit.Kind.PUBLIC_SERVICE]
    for unit in HandlingUnit.objects.filter(is_active=True, sector__isnull=False, kind__in=kinds).order_by("kind", "code"):
        units.setdefault(unit.sector_id, unit)
    return units


def _index() -> dict[str, _Entry]:
    """Every active leaf by code, with its path, keyword weights and default unit. Built once per process
    and rebuilt when the active leaves change in number or newest id (one small aggregate per call)."""
    global _INDEX, _POSTINGS
    stamp = tuple(Classification.objects.filter(is_active=True, is_leaf=True)
                  .aggregate(n=Count("id"), last=Max("id")).values())
    if _INDEX is not None and _INDEX[0] == stamp:
        return _INDEX[1]
    nodes = {c.code: c for c in Classification.objects.filter(is_active=True)}
    units = _default_units()
    entries = {}
    for leaf in (c for c in nodes.values() if c.is_leaf):
        names = [nodes[code].name for code in leaf.ancestor_codes if code in nodes]
        weights: dict[str, float] = {}
        for word in _words(leaf.name):
            weights[word] = max(weights.get(word, 0), 2.0 * len(word))
        for name in names[:-1]:
            for word in _words(name):
                weights.setdefault(word, 0.5 * len(word))
        for keyword in _SPLIT.split(leaf.keywords or ""):
            if len(keyword) >= 2:
                weights[keyword] = max(weights.get(keyword, 0), 3.0 * len(keyword))
        entries[leaf.code] = _Entry(leaf, " / ".join(names), weights, units.get(leaf.sector_id))
    postings: dict[str, list[tuple[str, float]]] = {}
    for code, entry in entries.items():
        for word, weight in entry.weights.items():
            postings.setdefault(word, []).append((code, weight))
    _POSTINGS = (postings, max(map(len, postings), default=0))
    _INDEX = (stamp, entries)
    return entries


def _suggestion(entry: _Entry, score: float, source: str) -> Suggestion:
    leaf = entry.leaf
    return Suggestion(leaf.pk, leaf.code, leaf.name, entry.path, round(float(score), 4), tier=leaf.tier,
                      tier_label=str(leaf.get_tier_display()), urgent_hours=leaf.urgent_hours,
                      unit_id=entry.unit.pk if entry.unit else None, unit_name=entry.unit.name if entry.unit else "",
                      source=source)


def keyword_suggest(text: str, limit: int = 3) -> list[Suggestion]:
    """The keyword suggester alone (the fallback; benchmarks compare it with the model)."""
    if not _words(text):
        return []
    entries = _index()
    postings, longest = _POSTINGS
    # A leaf scores the weights of its words found anywhere in the text: look up the text's substrings
    # (each once) instead of testing every word of every leaf.
    found = {text[i:i + n] for n in range(2, longest + 1) for i in range(len(text) - n + 1)}
    scores: dict[str, float] = {}
    for word in found & postings.keys():
        for code, weight in postings[word]:
            scores[code] = scores.get(code, 0.0) + weight
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [_suggestion(entries[code], score, "keywords") for code, score in ranked]


def suggest(text: str, limit: int = 3) -> list[Suggestion]:
    """The top `limit` leaves for the words typed so far: the learnt model's when one is trained, else
    the keyword suggester's. Nothing for a text without two Chinese characters in a row."""
    if not _words(text):
        return []
    model = current_model()
    if model is None:
        return keyword_suggest(text, limit)
    entries = _index()
    found = []
    # A few spare candidates: a leaf retired since the model was trained is skipped.
    for code, score in model.rank(text, limit + 5):
        entry = entries.get(code)
        if entry is not None:
            found.append(_suggestion(entry, score, "model"))
            if len(found) == limit:
                break
    return found or keyword_suggest(text, limit)


# --- The learnt model -------------------------------------------------------------------------------------

class CentroidModel:
    """TF-IDF character n-grams and one sparse unit vector per leaf; scores are cosine similarities."""

    def __init__(self, *, terms, idf, centroids, codes, ngrams=NGRAMS):
        # scikit-learn is heavy: loaded with the first model, not with every process (docs/development.md, 13).
        from sklearn.feature_extraction.text import CountVectorizer

        self.terms = list(terms)
        self.idf = idf
        self.centroids = centroids  # leaves × terms, CSR, rows of unit length
        self.by_term = centroids.T.tocsr()  # terms × leaves: a text's few n-grams pick their rows
        self.codes = codes
        self.counter = CountVectorizer(analyzer="char_wb", ngram_range=tuple(ngrams),
                                       vocabulary={term: i for i, term in enumerate(self.terms)}, dtype=np.float32)

    def vectors(self, texts):
        """TF-IDF rows of unit length, as TfidfVectorizer(sublinear_tf=True) makes them, in place (a call
        is a hot path: the form asks as the citizen types)."""
        counts = self.counter.transform(texts)
        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(rows, weights=counts.data ** 2, minlength=counts.shape[0]))
        counts.data /= norms[rows]  # a row with no known n-gram has no data to divide
        return counts

    def scores(self, texts):
        return (self.vectors(texts) @ self.by_term).toarray()

    def rank(self, text: str, limit: int) -> list[tuple[str, float]]:
        row = self.scores([text])[0]
        limit = min(limit, len(row))
        top = np.argpartition(-row, limit - 1)[:limit]
        top = top[np.argsort(-row[top], kind="stable")]
        return [(str(self.codes[i]), float(row[i])) for i in top if row[i] > 0]

    def dumps(self) -> bytes:
        out = io.BytesIO()
        c = self.centroids
        np.savez_compressed(out, terms=np.array(self.terms), idf=self.idf, codes=np.array(self.codes),
            data=c.data, indices=c.indices, indptr=c.indptr, shape=np.array(c.shape),
            ngrams=np.array(self.counter.ngram_range))
        return out.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> CentroidModel:
        with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as z:
            centroids = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            return cls(terms=[str(t) for t in z["terms"]], idf=z["idf"], centroids=centroids,
                       codes=[str(c) for c in z["codes"]], ngrams=tuple(int(n) for n in z["ngrams"]))


def fit(texts: list[str], codes: list[str]) -> CentroidModel:
    """Train on labelled texts (pure: no database). Used by `suggester_train` and the benchmark."""
    # scikit-learn is heavy: loaded by the trainer only (docs/development.md, rule 13).
    from sklearn.feature_extraction.text import TfidfVectorizer

    # Rare n-grams are noise once there is a real history, and they make the vocabulary large.
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True,
                                 min_df=2 if len(texts) > 20_000 else 1, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    labels, rows = np.unique(np.array(codes), return_inverse=True)
    membership = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, np.arange(len(rows)))),
                                   shape=(len(labels), len(rows)))
    centroids = (membership @ matrix).tocsr()
    for i in range(centroids.shape[0]):  # keep each leaf's strongest n-grams
        start, end = centroids.indptr[i], centroids.indptr[i + 1]
        if end - start > CENTROID_TERMS:
            row = centroids.data[start:end]
            row[np.argsort(row)[: end - start - CENTROID_TERMS]] = 0
    centroids.eliminate_zeros()
    centroids = _unit_rows(centroids)
    terms = vectorizer.get_feature_names_out()
    return CentroidModel(terms=list(terms), idf=vectorizer.idf_.astype(np.float32), centroids=centroids,
                         codes=[str(c) for c in labels], ngrams=NGRAMS)


def _unit_rows(matrix):
    """Rows scaled to unit length (cosine similarity becomes a dot product)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ matrix, dtype=np.float32)


def leaf_document(entry: _Entry) -> str:
    """A leaf's own words: its path and keywords."""
    return f"{entry.path} {' '.join(_SPLIT.split(entry.leaf.keywords or ''))}".strip()


def corpus_examples(entries: dict[str, _Entry], path: Path = CORPUS_CSV) -> list[tuple[str, str]]:
    """The starter corpus rows whose code is still a leaf of the same name (a city with its own tree
    and other codes gets none of them)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["text"], row["code"]) for row in csv.DictReader(handle)
                if row["code"] in entries and entries[row["code"]].leaf.name == row["name"]]


def history_examples(entries: dict[str, _Entry]) -> list[tuple[str, str]]:
    """Classified petitions, newest first, at most PER_LEAF_LIMIT a leaf, under leaves still active."""
    per_leaf: dict[str, int] = {}
    found = []
    rows = (Petition.objects.filter(classification__is_leaf=True, classification__is_active=True)
            .exclude(status__in=_UNSETTLED).order_by("-id")
            .values_list("title", "content", "classification__code")[:HISTORY_LIMIT])
    for title, content, code in rows.iterator(chunk_size=2000):
        if code in entries and per_leaf.get(code, 0) < PER_LEAF_LIMIT:
            per_leaf[code] = per_leaf.get(code, 0) + 1
            found.append((f"{title} {content}", code))
    return found


def suggester_train(*, min_examples: int | None = None, corpus: Path | None = CORPUS_CSV) -> SuggesterModel | None:
    """Train a model on the labelled texts and store it; None (the keyword suggester stays) with fewer
    than `min_examples` (MIN_EXAMPLES) of them. Run by the nightly beat task, never by a request."""
    min_examples = MIN_EXAMPLES if min_examples is None else min_examples
    entries = _index()
    history = history_examples(entries)
    labelled = history + (corpus_examples(entries, corpus) if corpus else [])
    if len(labelled) < min_examples:
        log.info("suggester: %s labelled texts, fewer than %s; the keyword suggester answers", len(labelled),
                 min_examples)
        return None
    examples = labelled + [(leaf_document(entry), code) for code, entry in entries.items()]
    started = time.perf_counter()
    model = fit([text for text, _code in examples], [code for _text, code in examples])
    with transaction.atomic():
        stored = SuggesterModel.objects.create(
            trained_at=timezone.now(), method=METHOD, petitions=len(history), examples=len(examples),
            leaves=len({code for _text, code in labelled}), data=model.dumps())
        keep = SuggesterModel.objects.order_by("-id").values_list("id", flat=True)[:KEEP_MODELS]
        SuggesterModel.objects.exclude(id__in=list(keep)).delete()
    log.info("suggester: trained on %s texts (%s petitions) in %.1f s", len(examples), len(history),
             time.perf_counter() - started)
    return stored


# --- Loading: lazily, and again when a newer model is stored ---------------------------------------------------

class _Loaded:
    lock = threading.Lock()
    model_id: int | None = None
    model: CentroidModel | None = None
    checked_at: float | None = None


def current_model() -> CentroidModel | None:
    """The newest stored model, loaded once per process; a newer one is looked for at most every
    RELOAD_SECONDS (one indexed query), so a worker picks up the nightly model within a minute."""
    now = time.monotonic()
    if _Loaded.checked_at is not None and now - _Loaded.checked_at < RELOAD_SECONDS:
        return _Loaded.model
    with _Loaded.lock:
        latest = SuggesterModel.objects.order_by("-id").values_list("id", flat=True).first()
        if latest != _Loaded.model_id:
            model = None
            if latest is not None:
                try:
                    model = CentroidModel.loads(SuggesterModel.objects.values_list("data", flat=True).get(id=latest))
                except Exception:  # a damaged row must not take the form down: the keywords answer
                    log.exception("suggester: model %s could not be loaded", latest)
            _Loaded.model_id, _Loaded.model = latest, model
        _Loaded.checked_at = now
    return _Loaded.model


def forget() -> None:
    """Drop what this process has loaded (tests; a new tree)."""
    global _INDEX, _POSTINGS
    with _Loaded.lock:
        _Loaded.model_id = _Loaded.model = _Loaded.checked_at = None
    _INDEX, _POSTINGS = None, ({}, 0)
