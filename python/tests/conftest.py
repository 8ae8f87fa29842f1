"""Shared fixtures: the bundled classifier, the team's labelled corpus, a small trained model.

The tests check behaviour and relations (an obvious lure scores above an honest post, batch
equals single), never hard-coded scores: the bundled model is retrained as the corpus grows.

Set LURESCAN_TEST_MODEL=path/to/model.json to run the suite against another model file
instead of the bundled one (the tests of the bundled model itself still use it).
"""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path

import pytest

import lurescan

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "posts"

# From the core crate's documentation examples.
LURE = (
    "🔥LOKER LUAR NEGERI🔥 Dicari CS/admin, gaji 12jt/bln, tiket pesawat gratis, kerja di "
    "K4mboja. Tanpa pengalaman! Minat WA 0812-3456-7890"
)
HONEST = (
    "PT Sinar Telekomunikasi membuka lowongan Customer Service di Jakarta Selatan. "
    "Kualifikasi: minimal D3, pengalaman 1 tahun. Kirim CV ke hrd@sinartel.co.id. "
    "Gaji UMR + BPJS."
)


# One alpha (no search) and few n-gram columns: a fit takes a second or two.
FAST_TRAINING = {"alpha": 1.0, "max_ngram_features": 2000}


def load_corpus() -> list[dict]:
    rows = []
    for path in sorted(glob.glob(str(CORPUS / "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    rows = load_corpus()
    assert len(rows) > 300, f"expected the labelled corpus in {CORPUS}"
    return rows


@pytest.fixture(scope="session")
def texts(corpus: list[dict]) -> list[str]:
    return [r["text"] for r in corpus]


@pytest.fixture(scope="session")
def small_corpus(corpus: list[dict]) -> tuple[list[str], list[int]]:
    """About 300 posts from every language file, both labels: enough to train in a blink."""
    sub = corpus[:: max(1, len(corpus) // 300)]
    return [r["text"] for r in sub], [int(r["label"]) for r in sub]


@pytest.fixture(scope="session")
def clf() -> lurescan.Classifier:
    path = os.environ.get("LURESCAN_TEST_MODEL")
    return lurescan.Classifier.load(path) if path else lurescan.Classifier()


@pytest.fixture(scope="session")
def trained(small_corpus: tuple[list[str], list[int]]) -> lurescan.Classifier:
    """A model trained in the tests: differs from the bundled one, so shipping it is visible."""
    texts, labels = small_corpus
    return lurescan.train(texts, labels, **FAST_TRAINING, metadata={"test": True})
