"""Errors: the lurescan exception hierarchy, built-in OSErrors for paths, TypeError/ValueError
naming the argument, and no Rust panic reaching Python."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lurescan
from conftest import LURE


def test_hierarchy() -> None:
    for exc in (
        lurescan.ModelFormatError,
        lurescan.SchemaMismatchError,
        lurescan.ConfigError,
        lurescan.TrainingError,
    ):
        assert issubclass(exc, lurescan.LurescanError)
        assert exc.__module__ == "lurescan"
        assert exc.__doc__
    assert issubclass(lurescan.LurescanError, Exception)
    assert issubclass(lurescan.ConfigError, ValueError)
    assert not issubclass(lurescan.ModelFormatError, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(FileNotFoundError) as info:
        lurescan.Classifier.load(path)
    assert info.value.filename == str(path)
    assert info.value.errno == 2
    assert str(path) in str(info.value)


def test_directory_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        lurescan.Classifier.load(tmp_path)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may read any file"
)
def test_permission_denied(tmp_path: Path, clf: lurescan.Classifier) -> None:
    path = tmp_path / "model.json"
    clf.save(path)
    path.chmod(0)
    with pytest.raises(PermissionError):
        lurescan.Classifier.load(path)


def test_save_into_missing_directory(clf: lurescan.Classifier, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        clf.save(tmp_path / "no" / "such" / "dir" / "model.json")


@pytest.mark.parametrize(
    "data",
    ["", "not json", "{}", "[]", '{"format": "something-else"}', b"\xff\xfe", "null"],
)
def test_not_a_model(data: str | bytes) -> None:
    with pytest.raises(lurescan.ModelFormatError):
        lurescan.Classifier.from_json(data)


def test_model_file_errors(clf: lurescan.Classifier, tmp_path: Path) -> None:
    model = json.loads(clf.to_json())

    newer = dict(model, format_version=99)
    with pytest.raises(lurescan.ModelFormatError, match="version 99"):
        lurescan.Classifier.from_json(json.dumps(newer))

    edited = json.loads(clf.to_json())
    edited["weights"]["intercept"] += 1.0
    with pytest.raises(lurescan.ModelFormatError, match="checksum"):
        lurescan.Classifier.from_json(json.dumps(edited))

    truncated = clf.to_json()[: len(clf.to_json()) // 2]
    path = tmp_path / "truncated.json"
    path.write_text(truncated, encoding="utf-8")
    with pytest.raises(lurescan.ModelFormatError):
        lurescan.Classifier.load(path)


def minify(text: str) -> str:
    """JSON without the whitespace between tokens, numbers kept as written: what serde_json
    writes compactly, which the model checksum is computed over."""
    out = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch not in " \n\r\t":
            out.append(ch)
    return "".join(out)


def with_checksum(pretty: str) -> str:
    """Recomputes the checksum of a model file written by to_json() and edited by hand."""
    current = json.loads(pretty)["checksum"]
    blank = minify(pretty).replace(f'"checksum":"{current}"', '"checksum":""')
    digest = "sha256:" + hashlib.sha256(blank.encode("utf-8")).hexdigest()
    return pretty.replace(current, digest)


def test_schema_mismatch(clf: lurescan.Classifier) -> None:
    pretty = clf.to_json()
    assert with_checksum(pretty) == pretty, "the checksum recipe reproduces the real one"
    fingerprint = clf.model_info["feature_fingerprint"]
    other = "0" * len(fingerprint)
    forged = with_checksum(pretty.replace(f'"{fingerprint}"', f'"{other}"'))
    with pytest.raises(lurescan.SchemaMismatchError) as info:
        lurescan.Classifier.from_json(forged)
    assert info.value.expected == fingerprint
    assert info.value.found == other
    assert "retrain" in str(info.value)


def test_config_errors(small_corpus) -> None:
    texts, labels = small_corpus
    cases = [
        ({"alpha": -1.0}, "alphas"),
        ({"alphas": [1.0, float("nan")]}, "alphas"),
        ({"alphas": []}, "alphas"),
        ({"folds": 1}, "folds"),
        ({"max_iterations": 0}, "max_iterations"),
        ({"lure_precision": 0.2}, "lure_precision"),
        ({"alpha": 1.0, "alphas": [1.0, 2.0]}, "alpha"),
        ({"max_iterations": -5}, "max_iterations"),
        ({"min_df": 2**40}, "min_df"),
    ]
    for settings, field in cases:
        with pytest.raises(lurescan.ConfigError) as info:
            lurescan.train(texts, labels, **settings)
        assert isinstance(info.value, ValueError)
        assert info.value.field == field, settings
        assert field in str(info.value)


def test_training_errors() -> None:
    with pytest.raises(lurescan.TrainingError, match="at least"):
        lurescan.train(["kerja"] * 2 + ["lowongan"] * 10, [1] * 2 + [0] * 10, alpha=1.0)
    with pytest.raises(lurescan.TrainingError):
        lurescan.train([f"post {i}" for i in range(20)], [0] * 20, alpha=1.0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.score(None), TypeError, "argument 'text': expected str, got NoneType"),
        (lambda c: c.score(b"bytes"), TypeError, "argument 'text': expected str, got bytes"),
        (lambda c: c.classify(1), TypeError, "argument 'text': expected str, got int"),
        (lambda c: c.explain(["a"]), TypeError, "argument 'text': expected str, got list"),
        (lambda c: c.save(3), TypeError, "argument 'path': expected str or os.PathLike, got int"),
        (lambda c: lurescan.Classifier.load(None), TypeError, "argument 'path'"),
        (lambda c: lurescan.Classifier.from_json(1), TypeError, "argument 'data': expected str or bytes"),
        (lambda c: lurescan.train("abc", [1]), TypeError, "argument 'texts'"),
        (lambda c: lurescan.train(["a", "b"], 3), TypeError, "argument 'labels'"),
        (lambda c: lurescan.train(["a"], ["lure"]), ValueError, "'labels': item 0 is 'lure'"),
        (lambda c: lurescan.train(["a", "b"], [0, 2]), ValueError, "'labels': item 1 is 2"),
        (lambda c: lurescan.train(["a", "b"], [0, {}]), TypeError, "'labels': item 1 is dict"),
        (lambda c: lurescan.train(["a", "b"], [0]), ValueError, "different lengths: 2 and 1"),
        (lambda c: lurescan.train(["a", None], [0, 1]), ValueError, "'texts': item 1 is missing"),
        (lambda c: lurescan.train(["a"], [0], alphas="1"), TypeError, "argument 'alphas'"),
        (lambda c: lurescan.train(["a"], [0], validation=3), TypeError, "argument 'validation'"),
        (
            lambda c: lurescan.train(["a"], [0], validation=(["a", 3], [0, 1])),
            TypeError,
            "argument 'validation texts': item 1 is int",
        ),
        (lambda c: lurescan.train(["a"], [0], alpha="x"), TypeError, "argument 'alpha'"),
        (lambda c: lurescan.train(["a"], [0], min_df=1.5), TypeError, "argument 'min_df'"),
        (lambda c: lurescan.train(["a"], [0], metadata=object()), TypeError, "argument 'metadata'"),
    ],
)
def test_argument_errors(clf: lurescan.Classifier, call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(clf)


def test_errors_are_exceptions_not_panics(clf: lurescan.Classifier) -> None:
    # Whatever goes wrong surfaces as an Exception subclass (pyo3's PanicException is a
    # BaseException, which `except Exception` would miss).
    for call in (
        lambda: lurescan.Classifier.from_json("{" * 100_000),
        lambda: lurescan.Classifier.from_json('{"format":"lurescan-model","format_version":1}'),
        lambda: lurescan.train([], []),
    ):
        with pytest.raises(Exception) as info:
            call()
        assert isinstance(info.value, lurescan.LurescanError)
    assert 0.0 <= clf.score("\x00" * 10_000 + LURE) <= 1.0


def test_exceptions_pickle() -> None:
    import pickle

    try:
        lurescan.Classifier.from_json("{}")
    except lurescan.ModelFormatError as e:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is lurescan.ModelFormatError and str(again) == str(e)


def test_import_in_fresh_interpreter() -> None:
    code = "import lurescan; print(lurescan.Classifier().classify('Kerja di Kamboja'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() in ("ok", "review", "lure")
