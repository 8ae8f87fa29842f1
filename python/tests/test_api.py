"""The Python API mirrors the Rust one: construction, scoring, labels, explanations, model files."""

from __future__ import annotations

import json
import math
import re
from importlib.metadata import version
from pathlib import Path

import pytest

import lurescan
from conftest import HONEST, LURE


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", lurescan.__version__)
    assert lurescan.__version__ == version("lurescan")


def test_public_names() -> None:
    for name in lurescan.__all__:
        assert hasattr(lurescan, name), name
    for cls in (lurescan.Classifier, lurescan.Explanation, lurescan.Reason, lurescan.Evidence):
        assert cls.__module__ == "lurescan"
        assert cls.__doc__


def test_bundled_model() -> None:
    a = lurescan.Classifier()
    b = lurescan.Classifier.bundled()
    assert a.to_json() == b.to_json()
    assert a.score(LURE) == b.score(LURE)
    assert repr(a).startswith("Classifier(feature_fingerprint='")


def test_lure_scores_above_honest(clf: lurescan.Classifier) -> None:
    lure, honest = clf.score(LURE), clf.score(HONEST)
    assert isinstance(lure, float)
    assert 0.0 <= honest < lure <= 1.0
    assert clf.classify(LURE) != "ok"


def test_corpus_lures_score_higher_on_average(clf: lurescan.Classifier, corpus: list[dict]) -> None:
    scores = clf.score_batch([r["text"] for r in corpus])
    lures = [s for s, r in zip(scores, corpus) if r["label"] == 1]
    others = [s for s, r in zip(scores, corpus) if r["label"] == 0]
    assert sum(lures) / len(lures) > sum(others) / len(others) + 0.3


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\t", "a", "🔥" * 1000, "x" * 200_000, "\u0301\u200b\u200d", "\x00\x01\x7f"],
)
def test_any_text_scores(clf: lurescan.Classifier, text: str) -> None:
    p = clf.score(text)
    assert 0.0 <= p <= 1.0
    assert clf.classify(text) in ("ok", "review", "lure")
    e = clf.explain(text)
    assert 0.0 <= e.score <= 1.0


def test_classify_follows_thresholds(clf: lurescan.Classifier, texts: list[str]) -> None:
    t = clf.thresholds
    assert set(t) == {"review", "lure"}
    assert 0.0 <= t["review"] <= t["lure"] <= 1.0
    for text in texts[::25]:
        p = clf.score(text)
        expected = "lure" if p >= t["lure"] else "review" if p >= t["review"] else "ok"
        assert clf.classify(text) == expected
    assert clf.classify_batch(texts[::25]) == [clf.classify(x) for x in texts[::25]]


def test_model_info(clf: lurescan.Classifier) -> None:
    info = clf.model_info
    assert info["format"] == "lurescan-model"
    assert info["format_version"] == 1
    assert isinstance(info["feature_fingerprint"], str) and info["feature_fingerprint"]
    assert info["thresholds"] == clf.thresholds
    assert info["checksum"].startswith("sha256:")
    assert all(isinstance(s, str) for s in info["signals"])
    assert "weights" not in info
    assert {"a", "b", "method"} <= set(info["calibration"])
    assert {"buckets", "word", "char", "seed"} <= set(info["ngram"])
    json.dumps(info)  # plain Python values only
    # A fresh dict each time: mutating it changes nothing.
    info["thresholds"]["lure"] = -1
    assert clf.model_info["thresholds"] == clf.thresholds


def test_training_metadata(trained: lurescan.Classifier) -> None:
    training = trained.model_info["training"]
    assert training["config"]["max_ngram_features"] == 2000
    assert training["config"]["alphas"] == [1.0]
    assert training["metadata"] == {"test": True}


def test_save_load_roundtrip(clf: lurescan.Classifier, tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "model.json"
    assert clf.save(path) is None
    for loaded in (lurescan.Classifier.load(path), lurescan.Classifier.load(str(path))):
        assert loaded.to_json() == clf.to_json()
        assert list(loaded.score_batch(texts[:50])) == list(clf.score_batch(texts[:50]))
    assert path.read_text(encoding="utf-8") == clf.to_json()


def test_json_roundtrip(trained: lurescan.Classifier) -> None:
    text = trained.to_json()
    assert json.loads(text)["format"] == "lurescan-model"
    for data in (text, text.encode("utf-8")):
        again = lurescan.Classifier.from_json(data)
        assert again.to_json() == text
        assert again.score(LURE) == trained.score(LURE)


def test_explanation(clf: lurescan.Classifier) -> None:
    e = clf.explain(LURE)
    assert isinstance(e, lurescan.Explanation)
    assert e.label in ("ok", "review", "lure")
    assert e.score == pytest.approx(clf.score(LURE), abs=1e-9)
    assert e.score == pytest.approx(1 / (1 + math.exp(-e.logit)), abs=1e-12)
    total = e.intercept + e.ngram_contribution + sum(r.contribution for r in e.reasons)
    assert total == pytest.approx(e.logit, abs=1e-9)
    contributions = [r.contribution for r in e.reasons]
    assert contributions == sorted(contributions, reverse=True)
    assert e.reasons, "an obvious lure fires signals"
    for r in e.reasons:
        assert isinstance(r, lurescan.Reason)
        assert r.signal and r.description
        assert isinstance(r.weight, float) and isinstance(r.contribution, float)
        assert r.spans == [(ev.start, ev.end, ev.text) for ev in r.evidence]
        for ev in r.evidence:
            assert isinstance(ev, lurescan.Evidence)
            assert LURE[ev.start : ev.end] == ev.text
    top = e.top_reasons(2)
    assert len(top) <= 2
    assert top == [r.signal for r in e.reasons if r.contribution > 0][:2]
    assert e.top_reasons() == [r.signal for r in e.reasons if r.contribution > 0][:3]


def test_explanation_reprs(clf: lurescan.Classifier) -> None:
    e = clf.explain(LURE)
    assert repr(e).startswith("Explanation(score=")
    assert e.reasons[0].signal in repr(e)
    r = e.reasons[0]
    assert repr(r).startswith(f"Reason(signal='{r.signal}'")
    ev = next(ev for r in e.reasons for ev in r.evidence)
    assert repr(ev).startswith(f"Evidence(start={ev.start}, end={ev.end}, text=")


def test_to_dict_is_json(clf: lurescan.Classifier) -> None:
    e = clf.explain(LURE)
    d = e.to_dict()
    again = json.loads(json.dumps(d))
    assert again == d
    assert d["score"] == e.score and d["label"] == e.label and d["logit"] == e.logit
    assert [r["signal"] for r in d["reasons"]] == [r.signal for r in e.reasons]
    for rd, r in zip(d["reasons"], e.reasons):
        assert rd == r.to_dict()
        assert [(x["start"], x["end"], x["text"]) for x in rd["evidence"]] == r.spans
        for xd, ev in zip(rd["evidence"], r.evidence):
            assert xd == ev.to_dict()
            assert ("value" in xd) == (ev.value is not None)


def values_of(clf: lurescan.Classifier, text: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in clf.explain(text).reasons:
        for ev in r.evidence:
            if ev.value is not None:
                out.setdefault(ev.value["type"], []).append(ev.value)
    return out


def test_structured_values(clf: lurescan.Classifier) -> None:
    text = (
        "Dicari operator, gaji $1,000 per bulan, kerja di Phnom Penh. Usia 18-35 tahun. "
        "Minat WA 0812-3456-7890"
    )
    values = values_of(clf, text)
    salary = values["salary"][0]
    assert salary["currency"] == "USD"
    assert salary["period"] == "month"
    assert salary["min"] == salary["max"] == 1000
    assert salary["usd_per_month_min"] == salary["usd_per_month_max"] == 1000
    assert {"country": "KH", "type": "destination"} in values["destination"]
    contact = values["contact"][0]
    assert contact["channel"] == "whatsapp"
    assert contact["country"] == "ID"
    assert "0812" in contact["handle"]
    assert values["age"][0] == {"type": "age", "min": 18, "max": 35}


def test_structured_values_in_corpus(clf: lurescan.Classifier, texts: list[str]) -> None:
    seen: set[str] = set()
    for text in texts[:400]:
        seen |= set(values_of(clf, text))
    assert {"salary", "contact", "destination", "age"} <= seen


def test_classifier_is_immutable(clf: lurescan.Classifier) -> None:
    with pytest.raises(AttributeError):
        clf.thresholds = {"review": 0.0, "lure": 0.0}  # type: ignore[misc]
    e = clf.explain(LURE)
    with pytest.raises(AttributeError):
        e.score = 1.0  # type: ignore[misc]
