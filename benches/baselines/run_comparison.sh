#!/usr/bin/env bash
# lurescan's bundled model next to the scikit-learn baseline, in one run, on the same posts.
#
#   bash benches/baselines/run_comparison.sh
#
# From the repository root (or anywhere: it cd's there). Steps:
#   1. builds the release binary (cargo build --release -p lurescan-cli);
#   2. trains the baseline (benches/baselines/sklearn_baseline.py) on exactly the training
#      data of the bundled model (the specs and --cap-external recorded in
#      models/lurescan-v1.json: its train split, thresholds on its validation split), and
#      scores the test split of the corpus and of every external set;
#   3. runs `lurescan eval --split test` on the same specs for the bundled model and for the
#      baseline's scores (--scores/--thresholds);
#   4. prints a side-by-side table per source.
# External sets are skipped, with a message, when ../shared/data (or $LURESCAN_SHARED_DATA) is
# missing or a set cannot be loaded. Everything is written under reports/ (gitignored):
#   reports/baseline/{scores.jsonl,thresholds.json,train.log}
#   reports/{lurescan,baseline}-eval.{json,html,txt}
#   reports/comparison.txt
#
# Environment: PYTHON (default python3, needs scikit-learn and numpy: pip install -r
# benches/baselines/requirements.txt), BASELINE_VARIANT (tfidf or hashing, default tfidf),
# LURESCAN_SHARED_DATA (where the external data is).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PYTHON="${PYTHON:-python3}"
VARIANT="${BASELINE_VARIANT:-tfidf}"
BIN=target/release/lurescan
OUT=reports
mkdir -p "$OUT/baseline"

if ! "$PYTHON" -c "import sklearn, numpy" 2>/dev/null; then
    echo "error: $PYTHON cannot import scikit-learn and numpy;" \
        "run: $PYTHON -m pip install -r benches/baselines/requirements.txt" >&2
    exit 2
fi

echo "==> building the release binary"
cargo build --release -p lurescan-cli

CORPUS=(corpus/posts/*.jsonl)

# External sets: every shared:NAME that `lurescan data list` knows and that loads here.
EXTERNAL=()
if "$BIN" data list | head -n 1 | grep -q "not found"; then
    echo "==> external data not found (../shared/data or \$LURESCAN_SHARED_DATA):" \
        "skipping the external sets; comparing on the corpus only"
else
    for spec in $("$BIN" data list | awk '/^shared:/ {print $1}'); do
        if "$BIN" data export "$spec" --split test >/dev/null 2>"$OUT/baseline/probe.err"; then
            EXTERNAL+=("$spec")
        else
            echo "==> skipping $spec: $(head -n 1 "$OUT/baseline/probe.err")"
        fi
    done
    rm -f "$OUT/baseline/probe.err"
fi
EVAL_SPECS=("${CORPUS[@]}" "${EXTERNAL[@]+"${EXTERNAL[@]}"}")
# The bundled model's training data, as recorded in it.
mapfile -t TRAIN_SPECS < <("$PYTHON" -c 'import json; m = json.load(open("models/lurescan-v1.json"))
md = m["training"]["metadata"]; print("\n".join(md.get("specs") or md["data"]))')
CAP=$("$PYTHON" -c 'import json; m = json.load(open("models/lurescan-v1.json"))
print(m["training"]["metadata"].get("cap_external", 300))')
if [ ${#EXTERNAL[@]} -eq 0 ]; then
    mapfile -t TRAIN_SPECS < <(printf '%s\n' "${TRAIN_SPECS[@]}" | grep -v '^shared:')
fi
echo "==> test sets: corpus ${EXTERNAL[*]+"${EXTERNAL[*]}"}"
echo "==> baseline training specs (those of the bundled model, cap $CAP): ${TRAIN_SPECS[*]}"

echo "==> training the scikit-learn baseline ($VARIANT)"
"$PYTHON" benches/baselines/sklearn_baseline.py \
    --lurescan "$BIN" \
    --variant "$VARIANT" \
    --train "${TRAIN_SPECS[@]}" --cap-external "$CAP" \
    --eval "${EVAL_SPECS[@]}" \
    --out-scores "$OUT/baseline/scores.jsonl" \
    --out-thresholds "$OUT/baseline/thresholds.json" \
    2> >(tee "$OUT/baseline/train.log" >&2)

THRESHOLDS=$("$PYTHON" -c 'import json,sys; t=json.load(open(sys.argv[1])); print("%r,%r" % (t["review"], t["lure"]))' \
    "$OUT/baseline/thresholds.json")

echo "==> lurescan eval: bundled model"
"$BIN" eval --split test --name lurescan \
    --json "$OUT/lurescan-eval.json" --html "$OUT/lurescan-eval.html" \
    "${EVAL_SPECS[@]}" >"$OUT/lurescan-eval.txt"

echo "==> lurescan eval: baseline scores (thresholds $THRESHOLDS)"
"$BIN" eval --split test --name sklearn-baseline \
    --scores "$OUT/baseline/scores.jsonl" --thresholds "$THRESHOLDS" \
    --json "$OUT/baseline-eval.json" --html "$OUT/baseline-eval.html" \
    "${EVAL_SPECS[@]}" >"$OUT/baseline-eval.txt"

echo "==> side by side (test split; L = lurescan, B = baseline)"
"$PYTHON" - "$OUT/lurescan-eval.json" "$OUT/baseline-eval.json" <<'EOF' | tee "$OUT/comparison.txt"
import json, sys

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def sources(report):
    """Per-source metric objects, plus the overall one (lurescan eval: "sources", "overall")."""
    out = {}
    for key in ("sources", "by_source", "per_source"):
        if isinstance(report.get(key), dict):
            out.update(report[key])
            break
    if isinstance(report.get("overall"), dict):
        out["(all)"] = report["overall"]
    return out

def metric(m, name):
    """A number from a group's metrics; None when absent or null (one-class groups)."""
    if m is None:
        return None
    if name == "recall@P.95":
        rap = m.get("recall_at_precision")
        if not isinstance(rap, dict):
            return None
        v = rap.get("0.95", rap.get("0.950"))
        return v.get("recall") if isinstance(v, dict) else v
    if name == "lure_flag_rate":
        fr = m.get("flag_rate")
        return fr.get("lure") if isinstance(fr, dict) else None
    v = m.get(name)
    return v if isinstance(v, (int, float)) else None

def fmt(v):
    return "   -  " if v is None else "%6.3f" % v

lure, base = load(sys.argv[1]), load(sys.argv[2])
ls, bs = sources(lure), sources(base)
names = [s for s in ls if s != "(all)"] + [s for s in bs if s not in ls and s != "(all)"]
names.append("(all)")
cols = [("PR-AUC", "pr_auc"), ("ROC-AUC", "roc_auc"), ("R@P.95", "recall@P.95"),
        ("ECE", "ece"), ("lure%", "lure_flag_rate")]
head = "%-12s %5s %5s  " % ("source", "n", "lures") + "  ".join(
    "%-13s" % ("%s L/B" % c) for c, _ in cols)
print(head.rstrip())
print("-" * len(head))
for s in names:
    lm, bm = ls.get(s), bs.get(s)
    any_m = lm or bm
    n = any_m.get("n", "?")
    pos = any_m.get("positives", "?")
    row = "%-12s %5s %5s  " % (s, n, pos)
    row += "  ".join("%s/%s" % (fmt(metric(lm, k)), fmt(metric(bm, k))) for _, k in cols)
    print(row.rstrip())
print()
print("thresholds: lurescan review %.3f lure %.3f; baseline review %.3f lure %.3f" % (
    lure["thresholds"]["review"], lure["thresholds"]["lure"],
    base["thresholds"]["review"], base["thresholds"]["lure"]))
print("lure% = share flagged at the lure threshold (the figure to read on one-class sets, "
      "where the ranking metrics are undefined: '-')")
EOF
echo "==> reports in $OUT/ (eval JSON, HTML and text for both; baseline scores and thresholds)"
