"""Where `make bench` keeps its figures, and the README table made from them.

Every run writes one JSON file under ``benchmarks/results/`` (kept in the
repository): ``<date>-<commit>.json`` for the plain benchmark,
``<date>-<commit>-<variant>.json`` for a quick check or a diagnostic run. Each file
says which commit ran (and whether the tree had uncommitted changes), when, on
what machine and under what load, so any figure can be traced to its run.

The README's Performance table is this module's output for one plain run, pasted
between ``<!-- bench-table: FILE -->`` and ``<!-- /bench-table -->``;
``tests/project/test_bench_results.py`` checks that it is exactly that file's table::

    .venv/bin/python -m benchmarks.results benchmarks/results/2026-12-01-abc123def456.json
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"
MARK = re.compile(r"<!-- bench-table: (\S+) -->\n(.*?)<!-- /bench-table -->", re.S)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def code() -> dict:
    """Which code is about to run: read at the start, before anything can change the tree."""
    return {
        "commit": _git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
    }


def provenance(started: datetime, variant: str, ran: dict | None = None) -> dict:
    """Which code ran (``code()`` at the start), when, and whether it is the plain benchmark."""
    return {
        **(ran or code()),
        "started": started.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "variant": variant or "plain",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "host": socket.gethostname(),
        "system": platform.platform(),
    }


def path_for(started: datetime, commit: str, variant: str, directory: Path = RESULTS_DIR) -> Path:
    """``<date>-<commit>[-variant].json``; a second run of the same day and commit gets its time too."""
    stem = f"{started.astimezone(timezone.utc):%Y-%m-%d}-{(commit or 'nocommit')[:12]}"
    if variant:
        stem += f"-{variant}"
    path = directory / f"{stem}.json"
    if path.exists():
        path = directory / f"{stem}-{started.astimezone(timezone.utc):%H%M%S}.json"
    return path


def heading(results: dict, name: str) -> str:
    """The line above the README table: the file, the commit, the machine, the load."""
    p, m = results["provenance"], results["machine"]
    dirty = " with uncommitted changes" if p["uncommitted_changes"] else ""
    return (f"From `{name}`: commit {p['commit'][:12]}{dirty}, {p['started']}, {m['cores']} cores "
            f"({m['cpu'] or 'unknown CPU'}), {round(m['memory_mb'] / 1024)} GB, Python {m['python']}, load average "
            f"{m['load_average_at_start'][0]} at the start and {p['load_average_at_end'][0]} at the end; "
            f"the whole run took {results['run_seconds'] / 60:.0f} min.")


def readme_block(path: Path) -> str:
    """What the README holds between the markers for the results file ``path``."""
    results = json.loads(path.read_text(encoding="utf-8"))
    name = path.resolve().relative_to(ROOT).as_posix()
    return f"{heading(results, name)}\n\n{results['table_markdown']}\n"


def readme_table(readme: str) -> tuple[str, str] | None:
    """(file named, block) of the README's bench table, or None when it names no file."""
    match = MARK.search(readme)
    return (match.group(1), match.group(2)) if match else None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    path = Path(argv[0]).resolve()
    print(f"<!-- bench-table: {path.relative_to(ROOT).as_posix()} -->")
    print(readme_block(path), end="")
    print("<!-- /bench-table -->")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
