"""lurescan.train: the Rust trainer behind `lurescan train`, same settings, deterministic."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import lurescan
from conftest import FAST_TRAINING


def test_train_gives_a_working_classifier(
    trained: lurescan.Classifier, corpus: list[dict], small_corpus
) -> None:
    assert isinstance(trained, lurescan.Classifier)
    assert trained.model_info["feature_fingerprint"] == lurescan.Classifier().model_info[
        "feature_fingerprint"
    ]
    # Held-out posts: lures score higher on average.
    seen = set(small_corpus[0])
    held_out = [r for r in corpus if r["text"] not in seen]
    scores = trained.score_batch([r["text"] for r in held_out])
    labels = np.array([r["label"] for r in held_out])
    assert scores[labels == 1].mean() > scores[labels == 0].mean() + 0.2


def test_training_is_deterministic(small_corpus) -> None:
    texts, labels = small_corpus
    a = lurescan.train(texts, labels, **FAST_TRAINING)
    b = lurescan.train(texts, labels, **FAST_TRAINING)
    assert a.to_json() == b.to_json()
    # Same data in other containers: same model.
    c = lurescan.train(pa.array(texts), np.array(labels, dtype=bool), **FAST_TRAINING)
    d = lurescan.train(pd.Series(texts), pd.Series(labels), **FAST_TRAINING)
    e = lurescan.train(tuple(texts), [float(x) for x in labels], **FAST_TRAINING)
    assert a.to_json() == c.to_json() == d.to_json() == e.to_json()


def test_settings_are_recorded(small_corpus) -> None:
    texts, labels = small_corpus
    settings = dict(
        alphas=[0.5, 4.0],
        folds=3,
        max_iterations=50,
        min_df=3,
        max_ngram_features=1000,
        seed=7,
        gradient_tolerance=1e-4,
        lure_precision=0.9,
        review_recall=0.9,
    )
    clf = lurescan.train(texts, labels, **settings, metadata={"source": "tests", "n": [1, 2]})
    training = clf.model_info["training"]
    for key, value in settings.items():
        assert training["config"][key] == value, key
    assert training["metadata"] == {"source": "tests", "n": [1, 2]}
    single = lurescan.train(texts, labels, alpha=2.0, max_ngram_features=1000)
    assert single.model_info["training"]["config"]["alphas"] == [2.0]


def test_ngram_settings_are_recorded_and_used(small_corpus) -> None:
    texts, labels = small_corpus
    clf = lurescan.train(
        texts, labels, **FAST_TRAINING, word_ngrams=(1, 1), char_ngrams=(2, 3), buckets=1 << 16
    )
    ngram = clf.model_info["training"]["config"]["ngram"]
    assert (ngram["word"], ngram["char"], ngram["buckets"]) == ([1, 1], [2, 3], 1 << 16)
    # The model scores with the configuration it was trained with: not the default's.
    default = lurescan.train(texts, labels, **FAST_TRAINING)
    assert clf.model_info["feature_fingerprint"] != default.model_info["feature_fingerprint"]
    again = lurescan.Classifier.from_json(clf.to_json())
    assert again.score_batch(texts[:20]).tolist() == clf.score_batch(texts[:20]).tolist()
    words_only = lurescan.train(texts, labels, **FAST_TRAINING, char_ngrams=(0, 0))
    assert words_only.model_info["training"]["config"]["ngram"]["char"] == [0, 0]


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({"char_ngrams": (3,)}, TypeError),
        ({"char_ngrams": "3,4"}, TypeError),
        ({"word_ngrams": (1.0, 2)}, TypeError),
        ({"char_ngrams": (-1, 4)}, lurescan.ConfigError),
        ({"char_ngrams": (3, 300)}, lurescan.ConfigError),
        ({"char_ngrams": (5, 3)}, lurescan.ConfigError),
        ({"buckets": 1000}, lurescan.ConfigError),
    ],
)
def test_bad_ngram_settings_are_refused(small_corpus, settings, error) -> None:
    texts, labels = small_corpus
    with pytest.raises(error):
        lurescan.train(texts, labels, **FAST_TRAINING, **settings)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alphas": "0.1"}, "argument 'alphas': expected a sequence of numbers, got str"),
        ({"alphas": [0.1, "x"]}, "argument 'alphas': expected a sequence of numbers, got list"),
        ({"char_ngrams": "34"}, "argument 'char_ngrams': expected a pair of ints"),
        ({"word_ngrams": 2}, "argument 'word_ngrams': expected a pair of ints"),
    ],
)
def test_sequence_arguments_name_what_they_expect(small_corpus, settings, message) -> None:
    texts, labels = small_corpus
    fast = {k: v for k, v in FAST_TRAINING.items() if k not in settings and k != "alpha"}
    with pytest.raises(TypeError, match=re.escape(message)):
        lurescan.train(texts, labels, **fast, **settings)


def test_defaults_are_the_trainers(small_corpus) -> None:
    texts, labels = small_corpus
    clf = lurescan.train(texts, labels, **FAST_TRAINING)
    explicit_none = lurescan.train(
        texts, labels, **FAST_TRAINING, folds=None, seed=None, min_df=None, validation=None
    )
    assert explicit_none.to_json() == clf.to_json()
    config = clf.model_info["training"]["config"]
    # Untouched settings keep the Rust TrainConfig defaults (those of `lurescan train`).
    assert config["seed"] == 42
    assert config["folds"] >= 2


def test_seed_changes_the_folds(small_corpus) -> None:
    texts, labels = small_corpus
    a = lurescan.train(texts, labels, **FAST_TRAINING, seed=1)
    b = lurescan.train(texts, labels, **FAST_TRAINING, seed=2)
    # Other folds: another calibration (not just another recorded seed).
    assert a.model_info["calibration"] != b.model_info["calibration"]


def test_validation_set_chooses_thresholds(small_corpus, corpus: list[dict]) -> None:
    texts, labels = small_corpus
    seen = set(texts)
    rest = [r for r in corpus if r["text"] not in seen][:200]
    validation = ([r["text"] for r in rest], [r["label"] for r in rest])
    with_val = lurescan.train(texts, labels, **FAST_TRAINING, validation=validation)
    without = lurescan.train(texts, labels, **FAST_TRAINING)
    # Same weights and calibration (the validation posts only place the thresholds).
    assert with_val.model_info["calibration"] == without.model_info["calibration"]
    assert with_val.model_info["training"]["metadata"] is None
    assert with_val.to_json() != without.to_json()


def test_trained_model_survives_save_and_load(trained: lurescan.Classifier, tmp_path, texts) -> None:
    path = tmp_path / "m.json"
    trained.save(path)
    again = lurescan.Classifier.load(path)
    assert np.array_equal(again.score_batch(texts), trained.score_batch(texts))
