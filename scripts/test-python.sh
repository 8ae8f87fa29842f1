#!/usr/bin/env bash
# Builds the lurescan wheel from source and runs the Python tests and the stub checks.
#
#   scripts/test-python.sh [pytest arguments...]
#
# From the repository root on a machine with Rust and Python 3 (3.9 or newer): creates a
# virtual environment in .venv if there is none, installs ./python[test] into it (pip runs
# maturin, which compiles the Rust workspace in release mode: a minute or two the first
# time), then runs pytest on python/tests, mypy.stubtest on the compiled module and mypy on
# the package. Exits non-zero on any failure, including a pytest run that collected no tests.
# Set PYTHON to choose the interpreter that creates the environment (default: python3).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
# Keep mypy's cache out of the work tree.
export MYPY_CACHE_DIR="$VENV/.mypy_cache"

echo "==> installing ./python[test] (builds the wheel from source)"
"$PY" -m pip install --quiet --upgrade pip maturin
# pip rebuilds and reinstalls a local directory on every run; --no-build-isolation builds with
# the maturin just installed instead of fetching one into a throwaway environment each time.
"$PY" -m pip install --no-build-isolation "./python[test]"

echo "==> pytest python/tests"
set +e
"$PY" -m pytest python/tests -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
elif [ "$status" -ne 0 ]; then
    exit "$status"
fi

echo "==> mypy.stubtest lurescan._lurescan"
"$PY" -m mypy.stubtest lurescan._lurescan --allowlist python/stubtest-allowlist.txt

echo "==> mypy python/py_src/lurescan"
"$PY" -m mypy --ignore-missing-imports python/py_src/lurescan

echo "==> Python tests and stub checks passed"
