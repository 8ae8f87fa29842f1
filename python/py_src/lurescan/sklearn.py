"""A scikit-learn estimator over raw text, trained with lurescan's own trainer.

>>> from lurescan.sklearn import LureClassifier
>>> from sklearn.model_selection import cross_val_score
>>> scores = cross_val_score(LureClassifier(), texts, labels, cv=5, scoring="roc_auc")  # doctest: +SKIP

``LureClassifier`` takes the texts themselves as ``X`` (a list of ``str``, a 1-d numpy array,
a pandas Series, a one-column DataFrame, a pyarrow string array): lurescan extracts its own
features, so no vectoriser goes in front of it. It needs scikit-learn (``pip install
lurescan[sklearn]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from ._lurescan import Classifier, train

__all__ = ["LureClassifier"]

_TRAIN_PARAMS = (
    "alpha",
    "alphas",
    "folds",
    "max_iterations",
    "gradient_tolerance",
    "min_df",
    "max_ngram_features",
    "seed",
    "lure_precision",
    "review_recall",
    "word_ngrams",
    "char_ngrams",
    "buckets",
)


class LureClassifier(ClassifierMixin, BaseEstimator):
    """Binary lure classifier on raw text: ``lurescan.train`` behind the scikit-learn API.

    Parameters
    ----------
    alpha, alphas, folds, max_iterations, gradient_tolerance, min_df, max_ngram_features, \
seed, lure_precision, review_recall, word_ngrams, char_ngrams, buckets :
        The settings of ``lurescan.train`` (and ``lurescan train``). ``None`` keeps the
        trainer's default, which chooses alpha among ``alphas`` by cross-validation: give
        ``alpha`` for a single, quicker fit (e.g. inside ``GridSearchCV``).
    threshold : float or {"review", "lure"}, default=0.5
        The probability from which ``predict`` gives the positive class: a number in [0, 1],
        or the model's own ``"review"`` or ``"lure"`` threshold. ``decision_function`` is
        shifted so that it is positive exactly where ``predict`` gives the positive class.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``, sorted; ``classes_[1]`` is the lure class.
    classifier_ : lurescan.Classifier
        The trained classifier (save it with ``classifier_.save(path)``).

    Missing texts (None, NaN) are refused with a ValueError: a scikit-learn estimator has no
    answer for them. Use ``Classifier.score_batch`` directly to get NaN instead.
    """

    def __init__(
        self,
        alpha: float | None = None,
        alphas: Sequence[float] | None = None,
        folds: int | None = None,
        max_iterations: int | None = None,
        gradient_tolerance: float | None = None,
        min_df: int | None = None,
        max_ngram_features: int | None = None,
        seed: int | None = None,
        lure_precision: float | None = None,
        review_recall: float | None = None,
        word_ngrams: tuple[int, int] | None = None,
        char_ngrams: tuple[int, int] | None = None,
        buckets: int | None = None,
        threshold: float | str = 0.5,
    ) -> None:
        self.alpha = alpha
        self.alphas = alphas
        self.folds = folds
        self.max_iterations = max_iterations
        self.gradient_tolerance = gradient_tolerance
        self.min_df = min_df
        self.max_ngram_features = max_ngram_features
        self.seed = seed
        self.lure_precision = lure_precision
        self.review_recall = review_recall
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.buckets = buckets
        self.threshold = threshold

    def fit(self, X: Any, y: Any) -> LureClassifier:
        """Trains on texts ``X`` with binary labels ``y`` (any two values; the larger one,
        ``classes_[1]``, is the lure class)."""
        texts = _texts(X)
        y = np.asarray(y)
        if y.ndim != 1:
            y = _column(y, "y")
        check_classification_targets(y)
        if len(y) != len(texts):
            raise ValueError(
                f"X and y have different lengths: {len(texts)} and {len(y)}"
            )
        classes, encoded = np.unique(y, return_inverse=True)
        if len(classes) != 2:
            raise ValueError(
                f"LureClassifier is a binary classifier: y has {len(classes)} "
                f"class{'es' if len(classes) != 1 else ''} ({type_of_target(y)} target), "
                "it needs exactly 2"
            )
        params = {k: getattr(self, k) for k in _TRAIN_PARAMS if getattr(self, k) is not None}
        self.classifier_: Classifier = train(texts, encoded.astype(bool), **params)
        self.classes_ = classes
        self._threshold_value()  # validate now rather than at predict time
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]`` (the lure), shape (n, 2)."""
        p = self._scores(X)
        return np.column_stack([1.0 - p, p])

    def decision_function(self, X: Any) -> np.ndarray:
        """``logit(p) - logit(threshold)``: non-negative where ``predict`` gives
        ``classes_[1]``. Probabilities are clipped to [1e-15, 1 - 1e-15] first, so the values
        are finite (scikit-learn's metrics refuse infinities)."""
        p = _clip(self._scores(X))
        t = float(_clip(np.array(self._threshold_value()))[()])
        return np.asarray((np.log(p) - np.log1p(-p)) - (np.log(t) - np.log1p(-t)), dtype=np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where the probability reaches ``threshold``, else ``classes_[0]``."""
        p = self._scores(X)
        return self.classes_[(p >= self._threshold_value()).astype(np.intp)]

    def _scores(self, X: Any) -> np.ndarray:
        check_is_fitted(self, ("classifier_", "classes_"))
        texts = _texts(X)
        p = self.classifier_.score_batch(texts, dtype=np.float64)
        missing = np.flatnonzero(np.isnan(p))
        if missing.size:
            raise ValueError(
                f"X has missing texts (None or NaN) at positions {missing[:10].tolist()}"
            )
        return p

    def _threshold_value(self) -> float:
        t = self.threshold
        if isinstance(t, str):
            if t not in ("review", "lure"):
                raise ValueError(
                    f"threshold: expected a number in [0, 1], 'review' or 'lure', got {t!r}"
                )
            check_is_fitted(self, "classifier_")
            return float(self.classifier_.thresholds[t])  # type: ignore[literal-required]
        if isinstance(t, bool) or not isinstance(t, (int, float, np.floating, np.integer)):
            raise ValueError(
                f"threshold: expected a number in [0, 1], 'review' or 'lure', got {t!r}"
            )
        if not 0.0 <= float(t) <= 1.0:
            raise ValueError(f"threshold: expected a number in [0, 1], got {t!r}")
        return float(t)

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        tags.target_tags.required = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"X_types": ["string"], "binary_only": True, "requires_y": True}


def _clip(p: np.ndarray) -> np.ndarray:
    return np.clip(p, _EPS, 1.0 - _EPS)


_EPS = 1e-15


def _texts(X: Any) -> Any:
    """X as a 1-d batch of texts for ``score_batch``/``train``."""
    if isinstance(X, str):
        raise ValueError(
            "X: expected a sequence of texts, got a single str; wrap it in a list"
        )
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2:
        return _column(X, "X")
    if shape is not None and len(shape) != 1:
        raise ValueError(f"X: expected a 1-d sequence of texts, got shape {shape}")
    if shape is None and not hasattr(X, "__len__"):
        X = list(X)  # a generator: read it once
    return X


def _column(a: Any, name: str) -> Any:
    """The only column of a 2-d array or DataFrame."""
    shape = a.shape
    if len(shape) != 2 or shape[1] != 1:
        raise ValueError(
            f"{name}: expected a 1-d sequence or a single column, got shape {shape}"
        )
    if hasattr(a, "iloc"):
        return a.iloc[:, 0]
    return np.asarray(a)[:, 0]

