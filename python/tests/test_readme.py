"""The quick start and the Dask example of python/README.md, pasted into a fresh Python, work
as written. Blocks preceded by a `<!-- not run ... -->` comment (Spark) are left out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

README = REPO / "python" / "README.md"
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)\n```", re.S)


def runnable_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [
        m["code"] for m in BLOCK.finditer(text) if not m["before"].startswith("<!-- not run")
    ]


def test_readme_has_the_sections() -> None:
    text = README.read_text(encoding="utf-8")
    for heading in ("## Python quick start", "### Install", "### Score", "### Explain",
                    "### Many posts, a DataFrame", "### Retrain", "## Scaling out",
                    "### Dask", "### Spark", "mapInArrow", "pandas_udf"):
        assert heading in text, heading
    assert len(runnable_blocks()) >= 6


def test_readme_examples_run(tmp_path: Path) -> None:
    # A fresh interpreter in a scratch directory that sees the corpus like the repository
    # root does (the retrain example reads corpus/posts and writes my-model.json).
    (tmp_path / "corpus").symlink_to(REPO / "corpus", target_is_directory=True)
    script = "\n\n".join(runnable_blocks())
    out = subprocess.run(
        # -c, as pasted into a REPL: no main file for Dask's spawned workers to re-run.
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]
    assert (tmp_path / "my-model.json").exists()
