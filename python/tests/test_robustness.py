"""Robustness (issue 7): wrong argument types raise TypeError/ValueError naming the argument,
no PanicException ever reaches Python whatever the text, and a KeyboardInterrupt during a long
batch is honoured between chunks instead of after the whole batch."""

from __future__ import annotations

import _thread
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lurescan
from conftest import HONEST, LURE

WRONG_TEXT = [None, b"Kerja di Kamboja", 42, 3.5, ["a"], ("a",), {"text": "a"}, object()]


@pytest.mark.parametrize("bad", WRONG_TEXT, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("method", ["score", "classify", "explain"])
def test_one_text_of_the_wrong_type(clf: lurescan.Classifier, method: str, bad: Any) -> None:
    with pytest.raises(TypeError, match="argument 'text'"):
        getattr(clf, method)(bad)


WRONG_BATCH = [
    None,
    42,
    "a single str",
    b"bytes",
    ["ok", 42],
    ["ok", b"bytes"],
    ["ok", ["nested"]],
    [["nested", "lists"]],
    np.array([["a", "b"], ["c", "d"]]),
    np.array([b"bytes"]),
    pd.DataFrame({"text": [LURE, HONEST]}),
]


@pytest.mark.parametrize("bad", WRONG_BATCH, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("method", ["score_batch", "classify_batch", "explain_batch"])
def test_a_batch_of_the_wrong_type(clf: lurescan.Classifier, method: str, bad: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="argument 'texts'"):
        getattr(clf, method)(bad)


def test_a_dataframe_column_is_fine(clf: lurescan.Classifier) -> None:
    df = pd.DataFrame({"text": [LURE, HONEST]})
    assert list(clf.score_batch(df["text"])) == list(clf.score_batch([LURE, HONEST]))


def test_wrong_keyword_types(clf: lurescan.Classifier) -> None:
    with pytest.raises(TypeError, match="argument 'dtype'"):
        clf.score_batch([LURE], dtype="not a dtype")
    with pytest.raises(ValueError, match="argument 'dtype'"):
        clf.score_batch([LURE], dtype=np.int32)
    with pytest.raises(TypeError):
        clf.score_batch([LURE], 3)  # dtype is keyword-only


# Any Python str, lone surrogates included, and the invisible characters evaders use.
ADVERSARIAL = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(["\u200b", "\u200d", "\u202e", "\ufeff", "\u0301", "\ud800", "4", " "]),
    ),
    max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(text=ADVERSARIAL)
def test_no_panic_on_any_text(clf: lurescan.Classifier, text: str) -> None:
    p = clf.score(text)
    assert 0.0 <= p <= 1.0
    e = clf.explain(text)
    assert e.score == pytest.approx(p)
    assert clf.classify(text) in ("ok", "review", "lure")
    batch = clf.score_batch([text, text])
    assert batch[0] == batch[1] == pytest.approx(p, abs=1e-6)


def test_keyboard_interrupt_during_a_long_batch_is_honoured(clf: lurescan.Classifier) -> None:
    text = LURE * 3
    # Measure this machine's speed, then make a batch that takes at least ~10 s. The fastest of
    # three probes: one slowed by a busy machine would make a batch short enough to finish
    # before the interrupt.
    probe = [text] * 1000
    per_text = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        clf.score_batch(probe)
        per_text = min(per_text, (time.perf_counter() - t0) / len(probe))
    n = max(200_000, int(10.0 / max(per_text, 1e-7)))
    expected = n * per_text
    batch = [text] * n

    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            clf.score_batch(batch)
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - t0
    # Raised long before the batch would have finished (within about a second of the signal).
    assert elapsed < 0.5 + max(1.5, expected / 4), (elapsed, expected)
    # And the classifier still works afterwards.
    assert 0.0 <= clf.score(LURE) <= 1.0
