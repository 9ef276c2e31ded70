"""`breachflow assess`: readable summary, recording, and bad input rejected naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.obligations.helpers import raw_intake


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_summary_shows_what_a_lawyer_checks(tmp_path: Path) -> None:
    """Without --json the summary names the categories, recipient, both deadlines, police, GDPR, choices and disclaimer."""
    raw = raw_intake(**{"event.cause": "theft", "jurisdictions": ["JP", "EU"],
                        "eu": {"aware_at": "2026-06-01T09:00:00+02:00", "persons": 2}})
    result = _run("assess", str(_write(tmp_path, raw)), "--as-of", "2026-06-01")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in ("規則7条", "Rule 7(iii)", "PPC", "速報", "確報", "police", "GDPR", "2026-06-04T09:00:00+02:00",
                 "choices", "Not legal advice"):
        assert text in out


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"business.role": "processor"}, "business.client"),
        ({"jurisdictions": ["JP", "EU"]}, "eu.aware_at"),
        ({"data.affected_persons": {"min": 20, "max": 10}}, "data.affected_persons"),
        ({"discovered_on": "2026-06-10"}, "discovered_on"),
        ({"event.cause": "burglary"}, "event.cause"),
        ({"data.items": ["name", "shoe_size"]}, "data.items[1]"),
    ],
    ids=["processor-without-client", "eu-without-aware-at", "min-above-max", "future-discovery", "unknown-cause",
         "unknown-item"],
)
def test_bad_input_is_rejected_naming_the_field(tmp_path: Path, changes: dict, field: str) -> None:
    """Contradictory or unknown facts exit 2 with a message naming the field, without a traceback."""
    result = _run("assess", str(_write(tmp_path, raw_intake(**changes))), "--json", "--as-of", "2026-06-05")
    assert result.returncode == 2
    assert field in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_record_flag_stores_once(tmp_path: Path) -> None:
    """`assess --record` stores the first decision and reports an unchanged re-run."""
    path = _write(tmp_path, raw_intake(**{"event.cause": "theft"}))
    assert _run("intake", "open", str(path), "--as-of", "2026-06-01").returncode == 0
    first = _run("assess", str(path), "--json", "--record", "--as-of", "2026-06-01")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["recorded"]["changed"] is True
    second = _run("assess", str(path), "--json", "--record", "--as-of", "2026-06-01")
    assert json.loads(second.stdout)["recorded"]["changed"] is False
