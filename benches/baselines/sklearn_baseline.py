#!/usr/bin/env python3
"""A scikit-learn TF-IDF + logistic-regression baseline for lurescan.

It is the first model a competent data scientist would build on the same data, so that
`lurescan eval` can put lurescan's figures next to something ordinary:

* data: `lurescan data export SPEC... --split S` (the same posts and the same fixed
  train / validation / test split lurescan itself uses);
* model: word 1-2-grams and char_wb 2-5-grams (TF-IDF, sublinear tf, min_df=2; or, with
  `--variant hashing`, HashingVectorizer with 2**20 features + TfidfTransformer), then
  LogisticRegression(class_weight="balanced"), C chosen by 5-fold stratified CV on the train
  split (GridSearchCV, scoring average_precision), then sigmoid (Platt) calibration with
  CalibratedClassifierCV(cv=5) so that its scores are probabilities like lurescan's;
* thresholds: chosen on the validation split with lurescan's rule (`lure`: the lowest cut
  with precision >= 0.95; `review`: the highest cut with recall >= 0.95; cuts halfway between
  neighbouring distinct scores; review <= lure);
* output: one `{"id", "source", "score"}` line per post of the test split of every `--eval`
  spec, for `lurescan eval --scores FILE --thresholds REVIEW,LURE`, which computes the metrics.

    python benches/baselines/sklearn_baseline.py --lurescan target/release/lurescan \
        --train corpus/posts/*.jsonl --eval corpus/posts/*.jsonl shared:emscad \
        --out-scores reports/baseline-scores.jsonl \
        --out-thresholds reports/baseline-thresholds.json

Deterministic: fixed folds (random_state=0) and deterministic solvers.
"""

import argparse
import json
import subprocess
import sys
import time
from collections import OrderedDict

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import (
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

SEED = 0
C_GRID = [0.1, 1.0, 10.0, 100.0, 1000.0]
FOLDS = 5
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.95


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def export(lurescan, specs, split, cap_external=None):
    """Posts of one split of the given specs, as dicts, via `lurescan data export` (with
    `--cap-external N`: at most N posts per label of each shared:NAME set, the same posts
    `lurescan train --cap-external N` trains on)."""
    cmd = [lurescan, "data", "export", *specs, "--split", split]
    if cap_external is not None:
        cmd += ["--cap-external", str(cap_external)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.exit(
            "error: %s failed (exit %d):\n%s"
            % (" ".join(cmd), proc.returncode, proc.stderr.decode("utf-8", "replace"))
        )
    posts = []
    # Split on "\n" only: str.splitlines() would also break on U+2028, U+0085 etc., which
    # JSON strings may hold unescaped.
    for line in proc.stdout.decode("utf-8").split("\n"):
        if line.strip():
            posts.append(json.loads(line))
    return posts


def texts_labels(posts):
    x = [p["text"] for p in posts]
    y = np.array([1 if p["label"] else 0 for p in posts], dtype=int)
    return x, y


def make_features(variant):
    """Word 1-2-grams and char_wb 2-5-grams, each L2-normalised, side by side."""
    if variant == "tfidf":
        word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float64
        )
        char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float64
        )
        return FeatureUnion([("word", word), ("char", char)])
    if variant == "hashing":
        def hashed(analyzer, ngrams):
            return Pipeline(
                [
                    (
                        "hash",
                        HashingVectorizer(
                            analyzer=analyzer,
                            ngram_range=ngrams,
                            n_features=2 ** 20,
                            alternate_sign=False,
                            norm=None,
                        ),
                    ),
                    ("tfidf", TfidfTransformer(sublinear_tf=True)),
                ]
            )

        return FeatureUnion([("word", hashed("word", (1, 2))), ("char", hashed("char_wb", (2, 5)))])
    raise ValueError("unknown variant %r" % variant)


def make_model(variant, C=1.0):
    return Pipeline(
        [
            ("features", make_features(variant)),
            (
                "lr",
                LogisticRegression(
                    C=C, class_weight="balanced", max_iter=2000, random_state=SEED
                ),
            ),
        ]
    )


def choose_thresholds(p, y, precision=TARGET_PRECISION, recall=TARGET_RECALL):
    """lurescan's rule (crates/lurescan/src/train.rs, choose_thresholds), line for line.

    Walk the posts from the highest score down; at each boundary between distinct scores the
    cut is halfway to the next score (half the last score after the last one). `lure` is the
    last (lowest) cut whose precision reaches `precision`; `review` is the first (highest) cut
    whose recall reaches `recall`. Fallbacks 0.9 and 0.5 as in lurescan; review <= lure.
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y).astype(bool)
    order = np.argsort(-p, kind="stable")
    total_pos = max(int(y.sum()), 1)
    tp = fp = 0
    lure = review = None
    for k, i in enumerate(order):
        if y[i]:
            tp += 1
        else:
            fp += 1
        nxt = p[order[k + 1]] if k + 1 < len(order) else None
        if nxt is not None and nxt == p[i]:
            continue
        cut = (p[i] + nxt) / 2.0 if nxt is not None else p[i] / 2.0
        if tp / (tp + fp) >= precision:
            lure = cut
        if review is None and tp / total_pos >= recall:
            review = cut
    lure = float(np.clip(0.9 if lure is None else lure, 0.0, 1.0))
    review = float(np.clip(0.5 if review is None else review, 0.0, 1.0))
    return min(review, lure), lure


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="scikit-learn TF-IDF + logistic-regression baseline for lurescan"
    )
    ap.add_argument("--lurescan", required=True, help="path to the lurescan binary")
    ap.add_argument("--train", nargs="+", required=True, metavar="SPEC",
                    help="corpus JSONL files or shared:NAME sets; their train split trains, "
                         "their validation split sets the thresholds")
    ap.add_argument("--eval", nargs="+", required=True, metavar="SPEC",
                    help="specs whose test split is scored")
    ap.add_argument("--out-scores", required=True, help="JSONL of {id, source, score}")
    ap.add_argument("--out-thresholds", required=True, help="JSON {review, lure, ...}")
    ap.add_argument("--cap-external", type=int, default=None, metavar="N",
                    help="train on at most N posts per label of each shared:NAME set, the "
                         "posts `lurescan train --cap-external N` uses (default: all)")
    ap.add_argument("--variant", choices=["tfidf", "hashing"], default="tfidf")
    ap.add_argument("--jobs", type=int, default=2, help="parallel CV fits (default 2)")
    args = ap.parse_args(argv)
    t0 = time.time()

    train = export(args.lurescan, args.train, "train", args.cap_external)
    valid = export(args.lurescan, args.train, "validation", args.cap_external)
    x_tr, y_tr = texts_labels(train)
    x_va, y_va = texts_labels(valid)
    log("train: %d posts (%d lures); validation: %d posts (%d lures)"
        % (len(y_tr), y_tr.sum(), len(y_va), y_va.sum()))
    if len(set(y_tr)) < 2:
        sys.exit("error: the train split has only one class")

    # 1. C by 5-fold stratified CV on the train split (features refitted inside each fold).
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    search = GridSearchCV(
        make_model(args.variant),
        {"lr__C": C_GRID},
        scoring="average_precision",
        cv=folds,
        n_jobs=args.jobs,
        refit=False,
    )
    search.fit(x_tr, y_tr)
    best_c = float(search.best_params_["lr__C"])
    cv_ap = OrderedDict(
        ("%g" % c, round(float(s), 4))
        for c, s in zip(C_GRID, search.cv_results_["mean_test_score"])
    )
    log("CV average precision by C: %s -> C=%g (%.1fs)"
        % (dict(cv_ap), best_c, time.time() - t0))

    # 2. Sigmoid calibration on held-out folds of the train split (5 calibrated copies,
    #    averaged), so that the scores are probabilities comparable with lurescan's.
    model = CalibratedClassifierCV(
        make_model(args.variant, C=best_c),
        method="sigmoid",
        cv=StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED),
        n_jobs=args.jobs,
    )
    model.fit(x_tr, y_tr)
    log("calibrated model fitted (%.1fs)" % (time.time() - t0))

    # 3. Thresholds on the validation split, with lurescan's rule.
    if len(y_va) == 0 or len(set(y_va)) < 2:
        sys.exit("error: the validation split needs both classes to set thresholds")
    p_va = model.predict_proba(x_va)[:, 1]
    review, lure = choose_thresholds(p_va, y_va)
    thresholds = OrderedDict(
        [
            ("review", review),
            ("lure", lure),
            ("variant", args.variant),
            ("C", best_c),
            ("train_size", int(len(y_tr))),
            ("train_lures", int(y_tr.sum())),
            ("validation_size", int(len(y_va))),
            ("train_specs", list(args.train)),
            ("cv_average_precision", cv_ap),
            ("calibration", "sigmoid, CalibratedClassifierCV(cv=5)"),
            ("sklearn", sklearn.__version__),
        ]
    )
    with open(args.out_thresholds, "w", encoding="utf-8") as f:
        json.dump(thresholds, f, indent=2)
        f.write("\n")
    log("thresholds (validation): review %.4f, lure %.4f -> %s"
        % (review, lure, args.out_thresholds))

    # 4. Score the test split of every eval spec (one spec at a time: the source of a post
    #    comes from the export itself).
    n_out = 0
    by_source = OrderedDict()
    with open(args.out_scores, "w", encoding="utf-8") as out:
        for spec in args.eval:
            test = export(args.lurescan, [spec], "test")
            if not test:
                log("%s: no test posts" % spec)
                continue
            x_te, y_te = texts_labels(test)
            p_te = model.predict_proba(x_te)[:, 1]
            for post, score, label in zip(test, p_te, y_te):
                src = post.get("source", spec)
                out.write(json.dumps({"id": post["id"], "source": src,
                                      "score": round(float(score), 6)}) + "\n")
                n_out += 1
                ys, ps = by_source.setdefault(src, ([], []))
                ys.append(label)
                ps.append(float(score))
    log("wrote %d scores -> %s (%.1fs)" % (n_out, args.out_scores, time.time() - t0))

    # Sanity only: lurescan eval computes the real metrics.
    for src, (ys, ps) in by_source.items():
        if len(set(ys)) == 2:
            auc = "%.4f" % roc_auc_score(ys, ps)
        else:
            auc = "n/a (one class)"
        print("baseline test ROC-AUC %-12s %s  (n=%d, lures=%d)"
              % (src, auc, len(ys), sum(ys)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
