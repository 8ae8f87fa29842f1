"""score_batch / classify_batch / explain_batch / to_frame: every accepted input type, missing
entries, order, and exact agreement with one-at-a-time scoring."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import lurescan


def single(clf: lurescan.Classifier, texts: list) -> np.ndarray:
    """What one-at-a-time scoring gives, as float64 (NaN for a missing entry)."""
    out = []
    for t in texts:
        missing = t is None or t is pd.NA or (isinstance(t, float) and math.isnan(t))
        out.append(math.nan if missing else clf.score(t))
    return np.array(out, dtype=np.float64)


def test_batch_equals_single_exactly(clf: lurescan.Classifier, texts: list[str]) -> None:
    expected = single(clf, texts)
    wide = clf.score_batch(texts, dtype=np.float64)
    assert wide.dtype == np.float64
    assert np.array_equal(wide, expected)  # bit for bit
    narrow = clf.score_batch(texts)
    assert narrow.dtype == np.float32 and narrow.shape == (len(texts),)
    assert np.array_equal(narrow, expected.astype(np.float32))
    assert np.array_equal(clf.score_batch(texts, dtype=np.float32), narrow)
    assert np.array_equal(clf.score_batch(texts, dtype="float32"), narrow)


def test_order_is_kept(clf: lurescan.Classifier, texts: list[str]) -> None:
    forward = clf.score_batch(texts)
    backward = clf.score_batch(texts[::-1])
    assert np.array_equal(forward[::-1], backward)


def test_empty_batch(clf: lurescan.Classifier) -> None:
    for empty in ([], (), np.array([], dtype=str), pd.Series([], dtype=object), pa.array([], pa.string())):
        out = clf.score_batch(empty)
        assert out.dtype == np.float32 and out.shape == (0,)
    assert clf.explain_batch([]) == []
    assert clf.classify_batch([]) == []


SAMPLE = [
    "Kerja di Kamboja, gaji $1,000/bulan, tiket pesawat gratis, WA 0812-3456-7890",
    "PT Maju membuka lowongan admin di Bandung, minimal S1, kirim CV ke hrd@maju.co.id",
    "",
    "🔥 LOKER 🔥 kerja di K4mboja 12jt/bln",
    "é\u0301 👨‍👩‍👧 招聘客服 柬埔寨",
]


def as_inputs(texts: list[str]) -> dict[str, object]:
    """The same texts in every shape score_batch accepts."""
    chunked = pa.chunked_array([texts[:2], texts[2:3], [], texts[3:]], type=pa.string())
    padded = pa.array(["pad"] + texts + ["pad"], pa.string()).slice(1, len(texts))
    inputs: dict[str, object] = {
        "list": list(texts),
        "tuple": tuple(texts),
        "generator": (t for t in texts),
        "numpy_unicode": np.array(texts),
        "numpy_unicode_big_endian": np.array(texts).astype(np.array(texts).dtype.newbyteorder(">")),
        "numpy_object": np.array(texts, dtype=object),
        "numpy_strided": np.array([x for t in texts for x in (t, "skip")], dtype=object)[::2],
        "pandas_object": pd.Series(texts, dtype=object),
        "pandas_default": pd.Series(texts),
        "pandas_string_python": pd.Series(texts, dtype="string[python]"),
        "pandas_string_pyarrow": pd.Series(texts, dtype="string[pyarrow]"),
        "pandas_arrow_dtype": pd.Series(texts, dtype=pd.ArrowDtype(pa.large_string())),
        "pandas_categorical": pd.Series(texts, dtype="category"),
        "pandas_index": pd.Index(texts, dtype=object),
        "pyarrow_string": pa.array(texts, pa.string()),
        "pyarrow_large_string": pa.array(texts, pa.large_string()),
        "pyarrow_string_view": pa.array(texts, pa.string_view()),
        "pyarrow_dictionary": pa.array(texts, pa.string()).dictionary_encode(),
        "pyarrow_chunked": chunked,
        "pyarrow_sliced": padded,
        "pyarrow_table_column": pa.table({"text": texts}).column("text"),
    }
    if hasattr(np, "dtypes") and hasattr(np.dtypes, "StringDType"):  # numpy >= 2
        inputs["numpy_stringdtype"] = np.array(texts, dtype=np.dtypes.StringDType())
    return inputs


@pytest.mark.parametrize("kind", list(as_inputs(SAMPLE)))
def test_every_input_type(clf: lurescan.Classifier, kind: str) -> None:
    expected = single(clf, SAMPLE)
    inputs = as_inputs(SAMPLE)
    out = clf.score_batch(inputs[kind], dtype=np.float64)
    assert np.array_equal(out, expected), kind
    labels = clf.classify_batch(as_inputs(SAMPLE)[kind])
    assert labels == [clf.classify(t) for t in SAMPLE]
    explained = clf.explain_batch(as_inputs(SAMPLE)[kind])
    assert [e.to_dict() for e in explained] == [clf.explain(t).to_dict() for t in SAMPLE]


def test_pyarrow_on_corpus(clf: lurescan.Classifier, texts: list[str]) -> None:
    expected = clf.score_batch(texts)
    for arr in (
        pa.array(texts),
        pa.array(texts, pa.large_string()),
        pa.chunked_array([texts[i : i + 97] for i in range(0, len(texts), 97)]),
        pa.array(texts).slice(10, 500),
    ):
        got = clf.score_batch(arr)
        ref = expected[10:510] if len(arr) == 500 else expected
        assert np.array_equal(got, ref)


WITH_MISSING = ["Kerja di Kamboja, gaji $1,000", None, "lowongan admin", float("nan"), "", np.nan]


def test_missing_entries_score_nan(clf: lurescan.Classifier) -> None:
    expected = single(clf, WITH_MISSING)
    missing = np.isnan(expected)
    assert missing.tolist() == [False, True, False, True, False, True]
    cases = {
        "list": WITH_MISSING,
        "numpy_object": np.array(WITH_MISSING, dtype=object),
        "pandas_object": pd.Series(WITH_MISSING, dtype=object),
        "pandas_string": pd.Series(WITH_MISSING, dtype="string[python]"),  # pd.NA
        "pandas_pyarrow": pd.Series(WITH_MISSING, dtype="string[pyarrow]"),
        "pyarrow": pa.array([None if m else t for t, m in zip(WITH_MISSING, missing)]),
        "pyarrow_chunked": pa.chunked_array(
            [[None if m else t for t, m in zip(WITH_MISSING, missing)][:3], [None, "", None]]
        ),
    }
    for kind, batch in cases.items():
        out = clf.score_batch(batch, dtype=np.float64)
        assert np.array_equal(np.isnan(out), missing), kind
        assert np.array_equal(out[~missing], expected[~missing]), kind
    assert clf.classify_batch(WITH_MISSING)[1::2] == [None, None, None]
    explained = clf.explain_batch(WITH_MISSING)
    assert [e is None for e in explained] == missing.tolist()
    assert np.isnan(clf.score_batch([None, pd.NA, np.float32("nan"), pd.NaT])).all()


def test_all_null_arrow(clf: lurescan.Classifier) -> None:
    out = clf.score_batch(pa.array([None, None]))  # type null
    assert out.shape == (2,) and np.isnan(out).all()


def test_explain_batch_equals_explain(clf: lurescan.Classifier, texts: list[str]) -> None:
    some = texts[::40]
    batch = clf.explain_batch(some)
    assert len(batch) == len(some)
    for e, t in zip(batch, some):
        assert e is not None
        assert e.to_dict() == clf.explain(t).to_dict()


def test_to_frame(clf: lurescan.Classifier, texts: list[str]) -> None:
    posts = pd.DataFrame({"text": texts[:30] + [None]}, index=[f"post-{i}" for i in range(31)])
    df = lurescan.to_frame(clf, posts["text"])
    assert list(df.columns) == ["score", "label", "reasons"]
    assert list(df.index) == list(posts.index)
    scores = clf.score_batch(posts["text"])
    assert np.array_equal(df["score"].to_numpy(), scores, equal_nan=True)
    assert df["score"].dtype == np.float32
    assert isinstance(df["label"].dtype, pd.CategoricalDtype)
    assert list(df["label"].cat.categories) == ["ok", "review", "lure"]
    assert df["label"].cat.ordered
    assert list(df["label"].iloc[:30]) == clf.classify_batch(texts[:30])
    for text, reasons in zip(texts[:30], df["reasons"].iloc[:30]):
        assert reasons == clf.explain(text).top_reasons(3)
    last = df.iloc[-1]
    assert math.isnan(last["score"]) and pd.isna(last["label"]) and last["reasons"] is None
    joined = posts.join(df)
    assert joined.shape == (31, 4)
    assert lurescan.to_frame(clf, texts[:5], top=1)["reasons"].map(len).max() <= 1
    plain = lurescan.to_frame(clf, texts[:5])
    assert list(plain.index) == list(range(5))
    with pytest.raises(ValueError, match="top"):
        lurescan.to_frame(clf, texts[:5], top=-1)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("one text", TypeError, r"argument 'texts': expected a sequence of str, got a single str"),
        (b"bytes", TypeError, r"argument 'texts'"),
        (42, TypeError, r"argument 'texts': expected a sequence of str .*got int"),
        (["ok", 3], TypeError, r"argument 'texts': item 1 is int, expected str or None"),
        (["ok", b"x"], TypeError, r"argument 'texts': item 1 is bytes"),
        ([1.5], TypeError, r"argument 'texts': item 0 is float"),
        (np.array([["a", "b"]]), ValueError, r"argument 'texts': expected a 1-dimensional array"),
        (np.array([b"a"]), TypeError, r"numpy bytes array"),
        (pd.DataFrame({"text": ["a"]}), TypeError, r"got a DataFrame; pass one column"),
        (pa.array([1, 2]), TypeError, r"expected an Arrow array of strings"),
        (pa.table({"text": ["a"]}), TypeError, r"pass one column"),
        (pa.array([b"a"], pa.binary()), TypeError, r"expected an Arrow array of strings"),
    ],
)
def test_bad_batches(clf: lurescan.Classifier, bad: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        clf.score_batch(bad)
    with pytest.raises(error, match=message):
        clf.explain_batch(bad)


def test_bad_dtype(clf: lurescan.Classifier) -> None:
    with pytest.raises(ValueError, match="argument 'dtype'"):
        clf.score_batch(["a"], dtype=np.int32)
    with pytest.raises(TypeError, match="argument 'dtype'"):
        clf.score_batch(["a"], dtype="no such dtype")
