#!/usr/bin/env bash
# The speed comparison of issue 6, in one run on the same posts:
#
#   bash benches/compare.sh
#
# Builds the release CLI and the helper `lurescan-bench`, installs the wheel into .venv with
# `maturin develop --release` (plus numpy, pyarrow and scikit-learn), replicates the corpus
# into >= $LURESCAN_BENCH_MB MB of post text (default 50), runs every contender on it, measures
# cold start, latency and the CLI's peak RSS on ~100 MB and ~1 GB of JSONL (generated in
# $LURESCAN_BENCH_DIR, default /tmp/lurescan-bench, deleted afterwards; LURESCAN_BENCH_RSS=0
# skips them), prints the table and writes it to benches/results-latest.md. The lurescan rows
# are the median of $LURESCAN_BENCH_ROUNDS interleaved rounds (default 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MB="${LURESCAN_BENCH_MB:-50}"
RSS="${LURESCAN_BENCH_RSS:-1}"
ROUNDS="${LURESCAN_BENCH_ROUNDS:-3}"
WORK="${LURESCAN_BENCH_DIR:-${TMPDIR:-/tmp}/lurescan-bench}"
PYTHON="${PYTHON:-python3}"
VENV=.venv

mkdir -p "$WORK"
trap 'rm -f "$WORK"/rss-*.jsonl' EXIT

echo "==> release binaries (lurescan, lurescan-bench)"
cargo build --release --quiet -p lurescan-cli -p lurescan-benches

echo "==> wheel into $VENV (maturin develop --release) with numpy, pyarrow, scikit-learn"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip maturin numpy pyarrow scikit-learn
(cd python && VIRTUAL_ENV="$PWD/../$VENV" PATH="$PWD/../$VENV/bin:$PATH" \
    maturin develop --release --quiet)

echo "==> inputs in $WORK"
cat corpus/posts/*.jsonl > "$WORK/corpus.jsonl"
replicate() { # replicate SRC DEST COUNT
    : > "$2"
    for _ in $(seq "$3"); do cat "$1" >> "$2"; done
}
text_bytes=$("$VENV/bin/python" -c '
import json, sys
print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1]) if l.strip()))
' "$WORK/corpus.jsonl")
file_bytes=$(stat -c %s "$WORK/corpus.jsonl")
reps=$(( (MB * 1000000 + text_bytes - 1) / text_bytes ))
replicate "$WORK/corpus.jsonl" "$WORK/bench.jsonl" "$reps"
echo "    bench.jsonl: corpus x $reps"

rss_args=()
if [ "$RSS" != 0 ]; then
    free_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
    replicate "$WORK/corpus.jsonl" "$WORK/rss-100mb.jsonl" $(( 100000000 / file_bytes + 1 ))
    rss_args+=(--rss-small "$WORK/rss-100mb.jsonl")
    if [ "$free_kb" -gt 3000000 ]; then
        replicate "$WORK/rss-100mb.jsonl" "$WORK/rss-1gb.jsonl" 10
        rss_args+=(--rss-big "$WORK/rss-1gb.jsonl")
    else
        echo "    (less than 3 GB free in $WORK: the 1 GB RSS run is skipped)"
    fi
fi

echo "==> contenders"
"$VENV/bin/python" benches/compare.py --input "$WORK/bench.jsonl" \
    --train corpus/posts/*.jsonl --bin-dir target/release \
    --out benches/results-latest.md --rounds "$ROUNDS" "${rss_args[@]}"
echo "==> written to benches/results-latest.md ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
