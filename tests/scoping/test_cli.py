"""``breachflow scope``: JSON output, the mapping option, and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from breachflow.scoping import scope_dataset
from breachflow.scoping.synthetic import generate_customers, write_csv


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from cli.main import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_scope_json_is_the_summary(tmp_path: Path):
    """--json prints exactly ScopeSummary.model_dump(mode='json')."""
    path = write_csv(tmp_path / "c.csv", generate_customers(n=30, seed=2))
    done = _run("scope", str(path), "--json", "--as-of", "2026-11-10")
    assert done.returncode == 0, done.stderr
    summary, _ = scope_dataset(path=path, as_of=date(2026, 11, 10))
    assert json.loads(done.stdout) == summary.model_dump(mode="json")


def test_scope_map_option(tmp_path: Path):
    """--map 'col=item' changes the mapping shown in the output."""
    path = write_csv(tmp_path / "c.csv", generate_customers(n=5, seed=2))
    done = _run("scope", str(path), "--json", "--map", "顧客番号=ignored", "--map", "ご職業=health")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["columns"]["顧客番号"] == "ignored"
    assert payload["sensitive"] is True


def test_bad_input_exits_2_without_traceback(tmp_path: Path):
    """A ragged file gives exit code 2 and a one-paragraph message, not a traceback."""
    path = tmp_path / "x.csv"
    path.write_bytes("氏名,電話番号\r\nA,1,2\r\n".encode("cp932"))
    done = _run("scope", str(path))
    assert done.returncode == 2
    assert "line 2 has 3 fields" in done.stderr and "Traceback" not in done.stderr


def test_bad_map_item_exits_2(tmp_path: Path):
    """An unknown item in --map is a user error listing the allowed items."""
    path = write_csv(tmp_path / "c.csv", generate_customers(n=5, seed=2))
    done = _run("scope", str(path), "--map", "ご職業=job")
    assert done.returncode == 2
    assert "unknown item 'job'" in done.stderr and "Traceback" not in done.stderr


def test_scope_output_lists_the_merges_to_review(tmp_path: Path):
    """The text output counts the merges on birth date + address and the namesakes kept apart, with person ids and rows."""
    from tests.conftest import REPO

    done = _run("scope", str(REPO / "examples" / "stolen-bag" / "customers.csv"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("315 rows, 300 persons (15 duplicate rows merged)")
    assert lines[1].startswith("to review: 5 persons merged on birth date + address only")
    assert "  merged on birth date + address: P000039  rows 40 / 128  (生年月日・住所)" in lines
