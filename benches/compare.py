"""Runs every contender of the lurescan speed comparison on the same posts, in one run, and
prints (and writes) a markdown table. Started by benches/compare.sh, which builds what it needs.

    python benches/compare.py --input FILE.jsonl --bin-dir target/release --out TABLE.md

Every contender scores the `text` field of every record of FILE.jsonl. Reading and parsing
the file is not timed, except for the CLI, whose wall time includes everything it does
(process start, model load, JSON in and out). MB/s counts the UTF-8 bytes of the post texts.
Each timed run reports its answer (posts labelled lure, matches found) so that none can get fast
by going wrong.

The lurescan rows (CLI, Rust API, Python wheel) are run in --rounds interleaved rounds (each
round runs every one of them once, in the same order) and each row reports its median: on a
shared machine a single run of a row can fall into a slow spell of the host, which then shows
as a ratio between rows. The other rows run once (scikit-learn takes minutes; the floors are
far from lurescan either way).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable


def run_child(cmd: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int, bytes]:
    """Runs cmd; returns wall seconds, peak RSS in KiB and its stdout. The RSS is an upper
    bound: Linux carries the RSS high-water mark of this process, forked, across exec."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    out = p.stdout.read() if p.stdout else b""
    err = p.stderr.read() if p.stderr else b""
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {err.decode(errors='replace')}")
    return secs, usage.ru_maxrss, out


def helper(bin_dir: Path, *args: str) -> dict:
    _, _, out = run_child([str(bin_dir / "lurescan-bench"), *args], stdout=subprocess.PIPE)
    return json.loads(out.decode().strip().splitlines()[-1])


def read_posts(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                texts.append(rec["text"])
                labels.append(int(rec.get("label", 0)))
    return texts, labels


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", type=Path, required=True, help="JSONL posts (text field)")
    ap.add_argument("--train", type=Path, nargs="+", required=True, help="corpus for sklearn")
    ap.add_argument("--bin-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="markdown table to write")
    ap.add_argument("--rss-small", type=Path, help="~100 MB JSONL for the CLI RSS test")
    ap.add_argument("--rss-big", type=Path, help="~1 GB JSONL for the CLI RSS test")
    ap.add_argument("--rounds", type=int, default=3,
                    help="interleaved rounds of the lurescan rows (the median is reported)")
    args = ap.parse_args()
    if args.rounds < 1:
        sys.exit("--rounds must be at least 1")

    texts, _ = read_posts(args.input)
    nposts = len(texts)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    cores = os.cpu_count() or 1
    print(f"input: {args.input} ({nposts} posts, {nbytes / 1e6:.1f} MB of text), {cores} cores",
          file=sys.stderr)
    rows: list[tuple[str, float, str]] = []  # (name, seconds, answer)
    cli = str(args.bin_dir / "lurescan")

    def cli_run(threads: int) -> tuple[float, str]:
        cmd = [cli, "score", str(args.input), "--threads", str(threads)]
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        secs = time.perf_counter() - t
        lures = p.stdout.count(b'"label":"lure"')
        return secs, f"lure={lures}"

    shown = [0]

    def step(name: str) -> None:
        for _, s, a in rows[shown[0]:]:
            print(f"    {nbytes / s / 1e6:8.1f} MB/s  {a}", file=sys.stderr, flush=True)
        shown[0] = len(rows)
        print(f"  {name} ...", file=sys.stderr, flush=True)

    # 1-3. The lurescan rows, in interleaved rounds: (name, run) where run() gives (secs, answer).
    contenders: list[tuple[str, Callable[[], tuple[float, str]]]] = []
    for threads in (1, cores):
        contenders.append((f"`lurescan score` CLI, {threads} thread{'s' if threads > 1 else ''}",
                           functools.partial(cli_run, threads)))

    def batch(threads: int) -> tuple[float, str]:
        r = helper(args.bin_dir, "batch", str(args.input), str(threads))
        return r["secs"], r["answer"]
    for threads in (1, cores):
        contenders.append((f"Rust `score_batch`, {threads} thread{'s' if threads > 1 else ''}",
                           functools.partial(batch, threads)))

    def loop() -> tuple[float, str]:
        r = helper(args.bin_dir, "loop", str(args.input))
        return r["secs"], r["answer"]
    contenders.append(("Rust `score` in a loop, 1 thread", loop))
    try:
        import lurescan  # noqa: PLC0415
        import numpy as np  # noqa: PLC0415
    except ImportError as e:
        print(f"  (python wheel skipped: {e})", file=sys.stderr)
    else:
        clf = lurescan.Classifier.bundled()
        lure_at = clf.thresholds["lure"]
        clf.score_batch(texts[:100])
        def py_run(batch_in: object) -> tuple[float, str]:
            t = time.perf_counter()
            probs = clf.score_batch(batch_in, dtype=np.float64)
            secs = time.perf_counter() - t
            return secs, f"lure={int((probs >= lure_at).sum())}"
        for kind in ("list of str", "pyarrow array"):
            batch_in: object = texts
            if kind == "pyarrow array":
                import pyarrow as pa  # noqa: PLC0415
                batch_in = pa.array(texts, type=pa.string())
            contenders.append((f"Python `score_batch`, {kind}, {cores} threads",
                               functools.partial(py_run, batch_in)))

    timings: dict[str, list[float]] = {name: [] for name, _ in contenders}
    answers: dict[str, str] = {}
    for round_no in range(1, args.rounds + 1):
        for name, run in contenders:
            print(f"  round {round_no}/{args.rounds}: {name} ...", file=sys.stderr, flush=True)
            secs, answer = run()
            print(f"    {nbytes / secs / 1e6:8.1f} MB/s  {answer}", file=sys.stderr, flush=True)
            if answers.setdefault(name, answer) != answer:
                sys.exit(f"{name}: answer {answer} in round {round_no}, {answers[name]} before")
            timings[name].append(secs)
    for name, _ in contenders:
        rows.append((name, statistics.median(timings[name]), answers[name]))
    shown[0] = len(rows)

    # 4. scikit-learn, one core, trained on the corpus.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer  # noqa
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
        from sklearn.pipeline import make_pipeline  # noqa: PLC0415
    except ImportError as e:
        print(f"  (scikit-learn skipped: {e})", file=sys.stderr)
    else:
        train_x, train_y = [], []
        for p in args.train:
            x, y = read_posts(p)
            train_x += x
            train_y += y
        models = {
            "scikit-learn `HashingVectorizer` + `LogisticRegression`, 1 thread": make_pipeline(
                HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False),
                LogisticRegression(max_iter=1000),
            ),
            "scikit-learn `TfidfVectorizer(1–2-grams)` + `LogisticRegression`, 1 thread":
                make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                              LogisticRegression(max_iter=1000)),
        }
        for name, model in models.items():
            model.fit(train_x, train_y)
            step(name)
            t = time.perf_counter()
            proba = model.predict_proba(texts)[:, 1]
            secs = time.perf_counter() - t
            rows.append((name, secs, f"p>=0.5: {int((proba >= 0.5).sum())}"))

    # 5. Floors.
    step("aho-corasick")
    r = helper(args.bin_dir, "ac", str(args.input))
    rows.append(("floor: one aho-corasick pass, lexicon phrases, 1 thread", r["secs"], r["answer"]))
    step("memchr")
    r = helper(args.bin_dir, "memchr", str(args.input))
    rows.append(("floor: `memchr` counting newlines, 1 thread", r["secs"], r["answer"]))

    ref = next(s for n, s, _ in rows if n.startswith("Rust `score_batch`, 1 thread"))
    lines = [
        "| contender | posts/s | MB/s | × Rust `score_batch` 1 thread | answer |",
        "|---|---:|---:|---:|---|",
    ]
    for name, secs, answer in rows:
        lines.append(
            f"| {name} | {nposts / secs:,.0f} | {nbytes / secs / 1e6:,.1f} | "
            f"{ref / secs:.2f} | {answer} |"
        )
    speed = {n: nbytes / s / 1e6 for n, s, _ in rows}

    def get(prefix: str) -> float | None:
        return next((v for k, v in speed.items() if k.startswith(prefix)), None)

    extra = ["", f"Same posts for every row: {nposts:,} posts, {nbytes / 1e6:.1f} MB of text "
             f"(`{args.input.name}`). Machine: {cores} cores, {cpu_name()}.", ""]
    if args.rounds > 1:
        spread = "; ".join(
            f"{name} {nbytes / max(ts) / 1e6:.1f}–{nbytes / min(ts) / 1e6:.1f}"
            for name, ts in timings.items())
        extra[-1:] = [f"The lurescan rows are the median of {args.rounds} interleaved rounds; "
                      f"their MB/s ranged over the rounds: {spread}.", ""]

    # Cold start and latency.
    step("cold start")
    colds = sorted(helper(args.bin_dir, "cold")["load_build_secs"] for _ in range(7))
    step("latency")
    lat = helper(args.bin_dir, "latency", "20000")
    model_size = Path(args.bin_dir).parent.parent / "models" / "lurescan-v1.json"
    size_mb = model_size.stat().st_size / 1e6 if model_size.exists() else float("nan")
    extra += [
        "| measure | value |",
        "|---|---:|",
        f"| cold start: load the bundled model + build automata (median of 7 processes) | "
        f"{colds[3] * 1000:.1f} ms |",
        f"| latency, one {lat['bytes']}-byte post, p50 / p90 / p99 / p99.9 ({lat['n']} calls) | "
        f"{lat['p50_us']:.0f} / {lat['p90_us']:.0f} / {lat['p99_us']:.0f} / "
        f"{lat['p999_us']:.0f} µs |",
        f"| model file `models/lurescan-v1.json` | {size_mb:.2f} MB |",
    ]

    # Peak RSS of the CLI streaming big files.
    for label, path in (("~100 MB", args.rss_small), ("~1 GB", args.rss_big)):
        if path is None:
            continue
        step(f"rss {label}")
        size = path.stat().st_size
        cmd = [cli, "score", str(path)]
        if shutil.which("/usr/bin/time"):
            # A child forked from this (large) Python process would inherit its RSS high-water
            # mark across exec; /usr/bin/time forks from a small process.
            t = time.perf_counter()
            p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, check=True)
            secs = time.perf_counter() - t
            rss_kib = int(p.stderr.decode().strip().splitlines()[-1])
        else:
            secs, rss_kib, _ = run_child(cmd)
        extra.append(f"| CLI peak RSS, {label} JSONL ({size / 1e6:,.0f} MB, all threads, "
                     f"{size / secs / 1e6:.1f} MB/s of JSONL) | {rss_kib / 1024:.1f} MiB |")

    # Targets.
    one = get("Rust `score_batch`, 1 thread")
    two = get(f"Rust `score_batch`, {cores} threads")
    cli1 = get("`lurescan score` CLI, 1 thread")
    clin = get(f"`lurescan score` CLI, {cores} threads")
    hashing = get("scikit-learn `HashingVectorizer`")
    ac = get("floor: one aho-corasick")
    py = get("Python `score_batch`, list of str")
    pya = get("Python `score_batch`, pyarrow")
    checks = [("end to end, 1 core, MB/s (target ≥ 100)", f"{one:.1f}")]
    if hashing:
        checks.append(("× scikit-learn hashing pipeline (target ≥ 20)", f"{one / hashing:.2f}"))
    checks.append(("aho-corasick floor ÷ end to end (target ≤ 5)", f"{ac / one:.1f}"))
    checks.append((f"{cores} threads ÷ 1 thread, `score_batch` (target ≥ 1.8)", f"{two / one:.2f}"))
    checks.append((f"{cores} threads ÷ 1 thread, CLI (target ≥ 1.8)", f"{clin / cli1:.2f}"))
    if py:
        checks.append(("Python `score_batch` (list) ÷ Rust `score_batch` (target ≥ 0.9)",
                       f"{py / two:.2f}"))
    if pya:
        checks.append(("Python `score_batch` (pyarrow) ÷ Rust `score_batch` (target ≥ 0.9)",
                       f"{pya / two:.2f}"))
    extra += ["", "| target check (this run) | value |", "|---|---:|"]
    extra += [f"| {k} | {v} |" for k, v in checks]

    table = "\n".join(lines + extra) + "\n"
    print(table)
    args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
