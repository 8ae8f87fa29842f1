"""A classifier is shared by Python threads: same results as one thread, no crash."""

from __future__ import annotations

import concurrent.futures as cf
import threading

import numpy as np

import lurescan


def test_threads_share_a_classifier(clf: lurescan.Classifier, texts: list[str]) -> None:
    some = texts[:300]
    expected_scores = [clf.score(t) for t in some]
    expected_expl = [clf.explain(t).to_dict() for t in some[:60]]
    expected_batch = clf.score_batch(some)

    def work(k: int) -> bool:
        if k % 3 == 0:
            return [clf.score(t) for t in some] == expected_scores
        if k % 3 == 1:
            return [clf.explain(t).to_dict() for t in some[:60]] == expected_expl
        return bool(np.array_equal(clf.score_batch(some), expected_batch))

    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(24), timeout=300))
    assert all(results)


def test_threads_construct_and_train(small_corpus) -> None:
    texts, labels = small_corpus
    models: list[str] = []
    lock = threading.Lock()

    def work(_: int) -> None:
        c = lurescan.train(texts, labels, alpha=1.0, max_ngram_features=1000)
        lurescan.Classifier()
        with lock:
            models.append(c.to_json())

    with cf.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(4), timeout=300))
    # Training is deterministic whichever thread runs it.
    assert len(set(models)) == 1

