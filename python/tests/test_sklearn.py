"""lurescan.sklearn.LureClassifier: a scikit-learn estimator on raw text.

scikit-learn's own `check_estimator` runs nothing for an estimator whose input tag is
`string` and not `two_d_array` (it warns "Can't test estimator ... which requires input of
type ..." and returns). So the checks that do not feed numeric matrices are run one by one
below (`APPLICABLE_CHECKS`), and the numeric ones are skipped with the reason in
`NUMERIC_CHECKS`; what those test (fit returns self, params untouched by fit, idempotent fit,
predict/proba/decision consistency, one-class and multiclass targets, pickling a fitted
estimator, unfitted errors) is re-tested on text in this file.
"""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks as ec

import lurescan
from lurescan.sklearn import LureClassifier

FAST = dict(alpha=1.0, max_ngram_features=1500)


@pytest.fixture(scope="module")
def data(small_corpus) -> tuple[np.ndarray, np.ndarray]:
    texts, labels = small_corpus
    return np.array(texts, dtype=object), np.array(labels)


# Checks of the API that do not feed the estimator a numeric matrix (or only check that an
# unfitted estimator refuses to predict).
APPLICABLE_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_parameters_default_constructible",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_estimators_unfitted",
]

# Checks that need numeric X (make_blobs, iris, random matrices): not applicable to an
# estimator on raw text. Their intent is covered by the text tests named here.
NUMERIC_CHECKS = {
    "check_fit_score_takes_y": "test_fit_and_score_take_y",
    "check_estimators_overwrite_params": "test_fit_does_not_change_params",
    "check_dont_overwrite_parameters": "test_fit_does_not_change_params",
    "check_estimators_fit_returns_self": "test_fit_returns_self",
    "check_readonly_memmap_input": "(numeric memmaps; texts are never written to)",
    "check_n_features_in_after_fitting": "(no n_features_in_ for raw text, as CountVectorizer)",
    "check_positive_only_tag_during_fit": "(numeric)",
    "check_fit_idempotent": "test_fit_is_idempotent",
    "check_estimators_pickle": "test_pickle_fitted",
    "check_classifiers_one_label": "test_target_must_have_two_classes",
    "check_classifiers_train": "test_predict_consistency",
    "check_supervised_y_2d": "test_column_inputs",
    "check_classifiers_classes": "test_string_labels",
}


def test_check_lists_are_real() -> None:
    for name in APPLICABLE_CHECKS + list(NUMERIC_CHECKS):
        assert hasattr(ec, name), f"scikit-learn has no {name}"


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
def test_sklearn_estimator_check(check: str) -> None:
    getattr(ec, check)("LureClassifier", LureClassifier())


def test_tags() -> None:
    est = LureClassifier()
    assert is_classifier(est)
    from sklearn.utils import get_tags

    tags = get_tags(est)
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert not tags.classifier_tags.multi_class
    assert tags.target_tags.required


def test_fit_and_score_take_y(data) -> None:
    for method in ("fit", "score"):
        params = list(inspect.signature(getattr(LureClassifier, method)).parameters)
        assert params[1:3] == ["X", "y"]
    X, y = data
    acc = LureClassifier(**FAST).fit(X, y).score(X, y)
    assert 0.5 < acc <= 1.0


def test_fit_returns_self(data) -> None:
    X, y = data
    est = LureClassifier(**FAST)
    assert est.fit(X, y) is est


def test_fit_does_not_change_params(data) -> None:
    X, y = data
    est = LureClassifier(seed=3, threshold="lure", **FAST)
    before = est.get_params()
    est.fit(X, y)
    assert est.get_params() == before
    assert set(vars(est)) - set(before) == {"classifier_", "classes_"}


def test_fit_is_idempotent(data) -> None:
    X, y = data
    est = LureClassifier(**FAST).fit(X, y)
    first = (est.predict_proba(X), est.classifier_.to_json())
    est.fit(X, y)
    assert np.array_equal(est.predict_proba(X), first[0])
    assert est.classifier_.to_json() == first[1]
    # Same as calling lurescan.train directly.
    direct = lurescan.train(list(X), y == 1, **FAST)
    assert direct.to_json() == first[1]


def test_predict_consistency(data) -> None:
    X, y = data
    for threshold in (0.5, 0.3, "review", "lure", 0.0, 1.0):
        est = LureClassifier(threshold=threshold, **FAST).fit(X, y)
        proba = est.predict_proba(X)
        decision = est.decision_function(X)
        pred = est.predict(X)
        assert proba.shape == (len(X), 2) and proba.dtype == np.float64
        assert np.allclose(proba.sum(axis=1), 1.0)
        assert decision.shape == (len(X),)
        t = est.classifier_.thresholds[threshold] if isinstance(threshold, str) else threshold
        expected = np.where(proba[:, 1] >= t, est.classes_[1], est.classes_[0])
        assert np.array_equal(pred, expected), threshold
        assert np.isfinite(decision).all()
        if 0.0 < t < 1.0:
            assert np.array_equal(decision >= 0, pred == est.classes_[1]), threshold
        # Higher decision, higher probability.
        order = np.argsort(decision, kind="stable")
        assert np.all(np.diff(proba[order, 1]) >= -1e-12)
    default = LureClassifier(**FAST).fit(X, y)
    assert np.array_equal(default.predict(X), default.classes_[default.predict_proba(X).argmax(1)])


def test_string_labels(data) -> None:
    X, y = data
    names = np.where(y == 1, "lure", "benign")
    est = LureClassifier(**FAST).fit(X, names)
    assert list(est.classes_) == ["benign", "lure"]
    assert set(est.predict(X)) <= {"benign", "lure"}
    # The larger class value is the lure class: same model as with 0/1.
    assert est.classifier_.to_json() == LureClassifier(**FAST).fit(X, y).classifier_.to_json()


def test_target_must_have_two_classes(data) -> None:
    X, y = data
    with pytest.raises(ValueError, match="binary"):
        LureClassifier(**FAST).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="binary"):
        LureClassifier(**FAST).fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError):
        LureClassifier(**FAST).fit(X, np.linspace(0, 1, len(X)))  # continuous
    with pytest.raises(ValueError, match="lengths"):
        LureClassifier(**FAST).fit(X, y[:-1])


def test_bad_threshold(data) -> None:
    X, y = data
    for bad in ("maybe", -0.1, 1.5, None, True):
        with pytest.raises(ValueError, match="threshold"):
            LureClassifier(threshold=bad, **FAST).fit(X, y)


def test_unfitted() -> None:
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(NotFittedError):
            getattr(LureClassifier(), method)(["text"])


def test_missing_texts_are_refused(data) -> None:
    X, y = data
    est = LureClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="missing"):
        est.predict(["a", None])
    with pytest.raises(ValueError, match="missing"):
        LureClassifier(**FAST).fit(list(X[:-1]) + [None], y)


def test_column_inputs(data) -> None:
    X, y = data
    est = LureClassifier(**FAST).fit(X, y)
    expected = est.predict_proba(X)
    for shaped in (
        list(X),
        pd.Series(X),
        pd.Series(X, dtype="string[pyarrow]"),
        pd.DataFrame({"text": X}),
        X.reshape(-1, 1),
    ):
        assert np.array_equal(LureClassifier(**FAST).fit(shaped, y).predict_proba(X), expected)
        assert np.array_equal(est.predict_proba(shaped), expected)
    assert np.array_equal(LureClassifier(**FAST).fit(X, y.reshape(-1, 1)).predict_proba(X), expected)
    with pytest.raises(ValueError):
        est.predict(np.array([["a", "b"]], dtype=object))
    with pytest.raises(ValueError):
        est.predict("a single string")


def test_pickle_fitted(data) -> None:
    X, y = data
    est = LureClassifier(**FAST).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    assert np.array_equal(again.predict_proba(X), est.predict_proba(X))
    assert list(again.classes_) == list(est.classes_)


def test_clone_and_params() -> None:
    est = LureClassifier(alpha=0.5, threshold="lure")
    assert est.get_params() == {
        "alpha": 0.5,
        "alphas": None,
        "folds": None,
        "max_iterations": None,
        "gradient_tolerance": None,
        "min_df": None,
        "max_ngram_features": None,
        "seed": None,
        "lure_precision": None,
        "review_recall": None,
        "word_ngrams": None,
        "char_ngrams": None,
        "buckets": None,
        "threshold": "lure",
    }
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()
    assert est.set_params(alpha=3.0) is est and est.alpha == 3.0
    assert "alpha=3.0" in repr(est)


def test_pipeline(data) -> None:
    X, y = data
    lower = FunctionTransformer(lambda xs: [x.lower() for x in xs])
    pipe = make_pipeline(lower, LureClassifier(**FAST))
    pipe.fit(list(X), y)
    assert pipe.predict(list(X[:10])).shape == (10,)
    assert pipe.predict_proba(list(X[:10])).shape == (10, 2)
    assert pipe.score(list(X), y) > 0.5
    named = Pipeline([("clf", LureClassifier(**FAST))]).set_params(clf__seed=5)
    assert named.fit(X, y).named_steps["clf"].seed == 5


def test_cross_val_score(data) -> None:
    X, y = data
    scores = cross_val_score(LureClassifier(**FAST), X, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,)
    assert scores.mean() > 0.7
    accuracy = cross_val_score(LureClassifier(**FAST), X, y, cv=3)
    assert accuracy.mean() > 0.6


def test_grid_search(data) -> None:
    X, y = data
    grid = GridSearchCV(
        LureClassifier(max_ngram_features=1500),
        {"alpha": [0.5, 4.0], "threshold": [0.5, "lure"]},
        cv=3,
        scoring="f1",
    )
    grid.fit(X, y)
    assert grid.best_params_["alpha"] in (0.5, 4.0)
    assert grid.best_estimator_.classifier_ is not None
    assert grid.predict(X[:5]).shape == (5,)
    assert set(grid.cv_results_["param_alpha"]) == {0.5, 4.0}
