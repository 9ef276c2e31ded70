"""Every shared legal case produces exactly its ``expected`` block, in Python and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from breachflow.intake import load_intake
from breachflow.obligations import assess

CASES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "legal"
CASES = sorted(CASES_DIR.glob("*.yaml"))


def _case(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_case_folder_is_there() -> None:
    """The shared legal cases are found beside the clone, so the parametrised tests are not empty."""
    assert len(CASES) >= 13


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_assess_matches_expected(path: Path) -> None:
    """assess() on the case, judged as of its discovery day, equals the case's expected block."""
    case = _case(path)
    intake = load_intake(path, as_of=intake_day(case))
    assert assess(intake=intake).expected_view() == case["expected"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cli_json_matches_expected(path: Path) -> None:
    """`breachflow assess FILE --json --as-of DAY` prints the expected keys with the same values and shapes."""
    case = _case(path)
    result = subprocess.run(
        [sys.executable, "-m", "cli", "assess", str(path), "--json", "--as-of", intake_day(case).isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert {key: printed[key] for key in case["expected"]} == case["expected"]
    assert printed["rule_set_version"] and len(printed["inputs_sha256"]) == 64
    assert all(f["source"] for f in printed["findings"])


def intake_day(case: dict) -> date:
    """The case's discovery day, the day it is judged as of."""
    return date.fromisoformat(str(case["discovered_on"]))
