"""`make bench` keeps its figures with their provenance, and the README's table is one run's, named."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timezone

from benchmarks.results import ROOT, RESULTS_DIR, path_for, provenance, readme_block, readme_table

README = ROOT / "README.md"


def test_results_are_named_by_date_and_commit_and_say_where_they_come_from(tmp_path):
    started = datetime(2027, 3, 2, 13, 4, 5, tzinfo=timezone.utc)
    assert path_for(started, "0123456789abcdef" * 2, "", tmp_path) == tmp_path / "2027-03-02-0123456789ab.json"
    assert path_for(started, "0123456789abcdef", "quick", tmp_path).name == "2027-03-02-0123456789ab-quick.json"
    (tmp_path / "2027-03-02-0123456789ab.json").write_text("{}")
    assert path_for(started, "0123456789abcdef", "", tmp_path).name == "2027-03-02-0123456789ab-130405.json"

    p = provenance(started, "")
    assert re.fullmatch(r"[0-9a-f]{40}", p["commit"]), p
    assert p["started"] == "2027-03-02T13:04:05+00:00" and p["variant"] == "plain"
    assert len(p["load_average_at_end"]) == 3 and p["host"]


def test_the_results_directory_is_kept_in_the_repository():
    ignored = subprocess.run(["git", "check-ignore", "-q", str(RESULTS_DIR / "2027-03-02-0123456789ab.json")],
                             cwd=ROOT).returncode == 0
    assert not ignored, "benchmarks/results/ must not be git-ignored"


def test_the_readme_performance_table_is_the_named_runs_table():
    found = readme_table(README.read_text(encoding="utf-8"))
    assert found is not None, "the README's Performance table must name its results file (<!-- bench-table: … -->)"
    name, block = found
    path = ROOT / name
    assert path.parent == RESULTS_DIR and path.exists(), f"{name} is not in benchmarks/results/"
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["provenance"]["variant"] == "plain", "the README cites a plain `make bench` run only"
    assert block == readme_block(path), (
        f"the README table is not {name}'s: paste `python -m benchmarks.results {name}` instead")
