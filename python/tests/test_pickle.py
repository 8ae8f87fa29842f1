"""Pickling: the state is the model file, so a classifier ships to other processes."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import pickle

import cloudpickle
import numpy as np
import pytest

import lurescan
from conftest import LURE


def test_reduce_is_from_json(trained: lurescan.Classifier) -> None:
    ctor, args = trained.__reduce__()
    assert ctor == lurescan.Classifier.from_json
    assert args == (trained.to_json(),)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(
    clf: lurescan.Classifier, trained: lurescan.Classifier, protocol: int, texts: list[str]
) -> None:
    for c in (clf, trained):
        again = pickle.loads(pickle.dumps(c, protocol=protocol))
        assert isinstance(again, lurescan.Classifier)
        assert again.to_json() == c.to_json()
        assert np.array_equal(again.score_batch(texts[:100]), c.score_batch(texts[:100]))


def test_copy_and_cloudpickle(trained: lurescan.Classifier) -> None:
    for again in (
        copy.copy(trained),
        copy.deepcopy(trained),
        cloudpickle.loads(cloudpickle.dumps(trained)),
    ):
        assert again.to_json() == trained.to_json()
        assert again.score(LURE) == trained.score(LURE)


def score_in_worker(clf: lurescan.Classifier, texts: list[str]) -> list[float]:
    return clf.score_batch(texts, dtype=np.float64).tolist()


def test_ships_to_worker_process(trained: lurescan.Classifier, texts: list[str]) -> None:
    some = texts[:200]
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        remote = pool.submit(score_in_worker, trained, some).result(timeout=120)
    assert remote == trained.score_batch(some, dtype=np.float64).tolist()
    # The worker used the shipped model, not its own bundled one.
    assert trained.to_json() != lurescan.Classifier().to_json()
