#!/usr/bin/env bash
# Runs every check and test of lurescan, Rust and Python, on a machine with only Rust and
# Python 3: installs what the Python tests need into .venv. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "cargo test (unit, integration and doc tests)"
cargo test --workspace

if [ -d benches ] && grep -q '"benches"' Cargo.toml; then
  step "cargo bench --no-run (benches keep compiling)"
  cargo bench --workspace --no-run --quiet
fi

if [ -f scripts/test-python.sh ]; then
  step "Python wheel and tests"
  bash scripts/test-python.sh
fi

step "all checks passed"
