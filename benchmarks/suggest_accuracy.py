"""Classification suggestions: top-1 / top-3 accuracy on the held-out complaints, and latency.

    python benchmarks/suggest_accuracy.py               # the demo city on a throwaway SQLite file
    python benchmarks/suggest_accuracy.py --compare     # also other classifiers on the same data
    python benchmarks/suggest_accuracy.py --compare --logistic   # and LogisticRegression (minutes, GBs of RAM)
    python benchmarks/suggest_accuracy.py --scale       # also a model trained on a 50,000-petition history
                                                        # (synthetic: its time, size and latency, not its accuracy)

The held-out set (org/data/heldout_complaints.csv, 407 complaints written by hand, one leaf each) is never
trained on: the model learns from the demo city's classified petitions, the starter corpus
(petitions/data/suggest_training.csv) and the leaves' own names, exactly as the nightly task does
(petitions.suggest.suggester_train). The keyword suggester is the fallback used when there is no model.
Latency is one call of petitions.suggest.suggest (what /petitions/suggest/ and the console call), database
lookups included; it does not grow with the number of petitions (the model's size is bounded, see --scale).
"""
from __future__ import annotations

import argparse
import csv
import random
import statistics
import time
from pathlib import Path

from _django import ROOT, machine, setup

HELDOUT = ROOT / "org" / "data" / "heldout_complaints.csv"


def heldout() -> list[tuple[str, str]]:
    with open(HELDOUT, newline="", encoding="utf-8") as handle:
        return [(row["text"], row["code"]) for row in csv.DictReader(handle)]


def evaluate(label: str, call, cases) -> dict:
    top1 = top3 = 0
    times = []
    for text, code in cases:
        started = time.perf_counter()
        codes = [s.code for s in call(text)]
        times.append(time.perf_counter() - started)
        top1 += bool(codes) and codes[0] == code
        top3 += code in codes[:3]
    times.sort()
    result = {"top1": top1 / len(cases), "top3": top3 / len(cases), "p50": statistics.median(times) * 1000,
              "p95": times[int(len(times) * 0.95)] * 1000}
    print(f"{label:28s} top-1 {result['top1']:6.1%}  top-3 {result['top3']:6.1%}   "
          f"latency p50 {result['p50']:5.1f} ms, p95 {result['p95']:5.1f} ms")
    return result


def compare(suggest, cases, with_logistic: bool) -> None:
    """Other classifiers on the same training texts (pure scikit-learn, no database)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB

    entries = suggest._index()
    examples = suggest.history_examples(entries) + suggest.corpus_examples(entries)
    examples += [(suggest.leaf_document(entry), code) for code, entry in entries.items()]
    texts, codes = [t for t, _ in examples], np.array([c for _, c in examples])
    truth = np.array([c for _, c in cases])

    def report(name, scores, classes, seconds, size):
        top = classes[np.argsort(-scores, axis=1)[:, :3]]
        t1 = np.mean(top[:, 0] == truth)
        t3 = np.mean([truth[i] in top[i] for i in range(len(truth))])
        print(f"  {name:44s} top-1 {t1:6.1%}  top-3 {t3:6.1%}  trained in {seconds:5.1f} s, {size / 1e6:7.1f} MB")

    for ngrams in ((1, 2), (1, 3)):
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, dtype=np.float32)
        train, test = vec.fit_transform(texts), vec.transform([t for t, _ in cases])
        name = f"char_wb {ngrams[0]}-{ngrams[1]}"
        started = time.perf_counter()
        suggest.NGRAMS, saved = ngrams, suggest.NGRAMS
        model = suggest.fit(texts, list(codes))
        suggest.NGRAMS = saved
        report(f"{name} nearest centroid", model.scores([t for t, _ in cases]), np.array(model.codes),
               time.perf_counter() - started, len(model.dumps()))
        for label, classifier in (("ComplementNB(alpha=0.3)", ComplementNB(alpha=0.3)),
                                  ("SGDClassifier(modified_huber)", SGDClassifier(
                                      loss="modified_huber", alpha=1e-4, max_iter=15, tol=None, random_state=0)),
                                  ("LogisticRegression(C=20)", LogisticRegression(C=20, max_iter=300))):
            if label.startswith("Logistic") and (ngrams != (1, 2) or not with_logistic):
                continue  # minutes per fit: once is enough
            started = time.perf_counter()
            classifier.fit(train, codes)
            seconds = time.perf_counter() - started
            scores = (classifier.predict_joint_log_proba(test) if hasattr(classifier, "predict_joint_log_proba")
                      else classifier.decision_function(test))
            size = (classifier.feature_log_prob_ if hasattr(classifier, "feature_log_prob_") else classifier.coef_).nbytes
            report(f"{name} {label}", scores, classifier.classes_, seconds, size)


def scale(suggest, cases) -> None:
    """The biggest model the nightly task can build: HISTORY_LIMIT petitions (the corpus texts with noise)."""
    entries = suggest._index()
    corpus = suggest.corpus_examples(entries)
    rng = random.Random(7)
    places = ["我家小区", "我们单位门口", "这条街上", "村里", "楼下", "学校附近", "地铁站旁边", "市场里"]
    tails = ["", "麻烦尽快处理。", "已经反映过好几次了。", "希望有关部门管一管。", "请给个答复。"]
    history = []
    for _ in range(suggest.HISTORY_LIMIT):
        text, code = rng.choice(corpus)
        history.append((f"{rng.choice(places)}，{text}{rng.choice(tails)}{rng.randint(1, 999)}号", code))
    examples = history + corpus + [(suggest.leaf_document(entry), code) for code, entry in entries.items()]
    started = time.perf_counter()
    model = suggest.fit([t for t, _ in examples], [c for _, c in examples])
    seconds = time.perf_counter() - started
    blob = model.dumps()
    started = time.perf_counter()
    suggest.CentroidModel.loads(blob)
    load_ms = (time.perf_counter() - started) * 1000
    print(f"at scale: {len(examples):,} texts trained in {seconds:.1f} s; model {len(blob) / 1e6:.1f} MB, "
          f"{len(model.terms):,} n-grams, loads in {load_ms:.0f} ms")
    suggest._Loaded.model, suggest._Loaded.checked_at = model, time.monotonic()
    evaluate("model (50,000-text history)", suggest.suggest, cases)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", action="store_true", help="also other classifiers on the same texts")
    parser.add_argument("--logistic", action="store_true", help="with --compare: LogisticRegression too (minutes)")
    parser.add_argument("--scale", action="store_true", help="also the largest model the nightly task builds")
    args = parser.parse_args()
    setup("suggest")
    from org import demo as org_demo
    from org.models import Classification
    from petitions import demo as petitions_demo
    from petitions import suggest
    from petitions.models import Petition

    if not Classification.objects.exists():
        org_demo.load()
        petitions_demo.load()
    cases = heldout()
    leaves = Classification.objects.filter(is_leaf=True, is_active=True).count()
    print(f"machine: {machine()}")
    print(f"data: {leaves:,} leaves; held-out set {len(cases)} complaints "
          f"({len({c for _, c in cases})} leaves) from {HELDOUT.relative_to(ROOT)}")
    suggest.forget()
    evaluate("keyword suggester (fallback)", suggest.keyword_suggest, cases)  # what suggest() does with no model
    started = time.perf_counter()
    stored = suggest.suggester_train()
    print(f"trained in {time.perf_counter() - started:.1f} s on {stored.examples:,} texts: {stored.petitions} "
          f"classified petitions of the demo city, {stored.examples - stored.petitions - leaves:,} starter-corpus "
          f"complaints ({Path(suggest.CORPUS_CSV).relative_to(ROOT)}), {leaves:,} leaf names; "
          f"model {len(stored.data) / 1e6:.2f} MB ({Petition.objects.count()} petitions in the database)")
    suggest.forget()
    suggest.suggest("暖气不热")  # load the model once, as a worker's first request does
    evaluate("model (nearest centroid)", suggest.suggest, cases)
    if args.compare:
        print("other classifiers on the same texts (held-out top-1 / top-3):")
        compare(suggest, cases, args.logistic)
    if args.scale:
        scale(suggest, cases)


if __name__ == "__main__":
    main()
