"""lurescan: scores social-media job posts for scam-compound and trafficking recruitment lures,
and explains why.

>>> import lurescan
>>> clf = lurescan.Classifier()                  # the bundled model
>>> p = clf.score("Kerja di Kamboja, gaji $1000, tiket gratis. WA 0812-3456-7890")
>>> 0.0 <= p <= 1.0
True

The work is done by the Rust core: ``score_batch``, ``explain_batch`` and ``train`` release the
GIL and use every core. Spans in explanations are code-point indices into the Python string:
``text[start:end]`` is the evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lurescan import (
    Classifier,
    ConfigError,
    Evidence,
    Explanation,
    LurescanError,
    ModelFormatError,
    Reason,
    SchemaMismatchError,
    TrainingError,
    __version__,
    train,
)

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Classifier",
    "ConfigError",
    "Evidence",
    "Explanation",
    "LurescanError",
    "ModelFormatError",
    "Reason",
    "SchemaMismatchError",
    "TrainingError",
    "__version__",
    "to_frame",
    "train",
]

LABELS = ("ok", "review", "lure")


def to_frame(clf: Classifier, texts: Any, *, top: int = 3) -> pandas.DataFrame:
    """Scores ``texts`` into a pandas DataFrame, one row per text, in input order.

    Columns:

    - ``score``: the probability of a lure (float32, as ``clf.score_batch``; NaN when the
      text is missing);
    - ``label``: ``"ok"``, ``"review"`` or ``"lure"``, an ordered categorical (NaN when
      missing);
    - ``reasons``: the names of at most ``top`` signals that pushed the score up most,
      largest first (a list; None when missing).

    ``texts`` accepts what ``Classifier.score_batch`` accepts. A pandas Series keeps its index,
    so the frame can be joined back: ``posts.join(lurescan.to_frame(clf, posts["text"]))``.
    Scoring runs on all cores with the GIL released.
    """
    import pandas as pd

    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ValueError(f"top: expected an int >= 0, got {top!r}")
    scores, labels, reasons = clf._frame_columns(texts, top)
    index = texts.index if isinstance(texts, pd.Series) else None
    return pd.DataFrame(
        {
            "score": scores,
            "label": pd.Categorical(labels, categories=list(LABELS), ordered=True),
            "reasons": pd.Series(reasons, dtype=object, index=index),
        },
        index=index,
    )
