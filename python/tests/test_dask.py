"""Scaling out: a partitioned dataset scored on a dask.distributed LocalCluster with two worker
processes, the classifier shipped by pickle, gives exactly the in-process scores.

The test cannot hang: every wait has a timeout, and a watchdog ends the whole run with a
traceback of every thread if the cluster itself gets stuck.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
from collections.abc import Iterator

import cloudpickle
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import lurescan

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

TIMEOUT = 120  # seconds for each wait
WATCHDOG = 420  # seconds for the whole module before the run is aborted


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    # Functions of this test module travel to the workers by value: the workers cannot
    # import the test module.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    faulthandler.dump_traceback_later(WATCHDOG, exit=True, file=sys.stderr)
    try:
        import dask

        with dask.config.set(
            {
                "distributed.comm.timeouts.connect": "30s",
                "distributed.comm.timeouts.tcp": "60s",
                "distributed.deploy.lost-worker-timeout": "30s",
            }
        ):
            with distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
                silence_logs=logging.ERROR,
            ) as cluster, distributed.Client(cluster, timeout=TIMEOUT) as c:
                c.wait_for_workers(2, timeout=TIMEOUT)
                yield c
    finally:
        faulthandler.cancel_dump_traceback_later()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def results(futures: list) -> list:
    """The results of futures, in order, waiting at most TIMEOUT seconds."""
    distributed.wait(futures, timeout=TIMEOUT)
    return [f.result(timeout=TIMEOUT) for f in futures]


def score_partition(part: pd.Series, clf: lurescan.Classifier) -> pd.Series:
    return pd.Series(clf.score_batch(part), index=part.index, name="score")


def score_arrow(chunk: pa.Array, clf: lurescan.Classifier) -> np.ndarray:
    return clf.score_batch(chunk)


def worker_pid(_: int) -> int:
    return os.getpid()


def test_workers_are_processes(client: distributed.Client) -> None:
    pids = set(results(client.map(worker_pid, range(8), pure=False)))
    assert os.getpid() not in pids
    assert len(client.scheduler_info()["workers"]) == 2


def test_dask_dataframe_scores_equal_in_process(
    client: distributed.Client, trained: lurescan.Classifier, corpus: list[dict]
) -> None:
    frame = pd.DataFrame(
        {"id": [r["id"] for r in corpus], "text": [r["text"] for r in corpus]}
    )
    frame.loc[7, "text"] = None  # a missing text scores NaN on the workers too
    ddf = dd.from_pandas(frame, npartitions=6)
    scores = ddf["text"].map_partitions(score_partition, trained, meta=("score", "f4"))
    remote = client.compute(scores).result(timeout=TIMEOUT)
    local = trained.score_batch(frame["text"])
    assert remote.dtype == np.float32
    assert np.array_equal(remote.to_numpy(), local, equal_nan=True)
    assert list(remote.index) == list(frame.index)
    assert np.isnan(remote.iloc[7])
    # The workers used the shipped (trained) model, not their bundled one.
    bundled = lurescan.Classifier().score_batch(frame["text"])
    assert not np.array_equal(local, bundled, equal_nan=True)


def test_dask_arrow_partitions(
    client: distributed.Client, trained: lurescan.Classifier, texts: list[str]
) -> None:
    chunks = [pa.array(texts[i : i + 250], pa.large_string()) for i in range(0, len(texts), 250)]
    clf_future = client.scatter(trained, broadcast=True)
    futures = client.map(score_arrow, chunks, clf=clf_future)
    remote = np.concatenate(results(futures))
    assert np.array_equal(remote, trained.score_batch(texts))


def test_dask_to_frame(client: distributed.Client, clf: lurescan.Classifier, texts: list[str]) -> None:
    ddf = dd.from_pandas(pd.DataFrame({"text": texts[:300]}), npartitions=3)
    meta = lurescan.to_frame(clf, pd.Series([], dtype=object))
    frames = ddf["text"].map_partitions(lambda s, c: lurescan.to_frame(c, s), clf, meta=meta)
    remote = client.compute(frames).result(timeout=TIMEOUT)
    local = lurescan.to_frame(clf, pd.Series(texts[:300]))
    assert np.array_equal(remote["score"].to_numpy(), local["score"].to_numpy())
    assert list(remote["label"]) == list(local["label"])
    assert list(remote["reasons"]) == list(local["reasons"])
