"""`breachflow assess`: readable summary, recording, and bad input rejected naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from breachflow.obligations import assess
from cli.assess import render_summary
from tests.obligations.helpers import make_intake, raw_intake


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
        ({"business.role": "processor", "business.client": "委託元株式会社", "business.client_notified_on": "2026-06-06"},
         "business.client_notified_on"),
    ],
    ids=["processor-without-client", "eu-without-aware-at", "min-above-max", "future-discovery", "unknown-cause",
         "unknown-item", "future-client-notice"],
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


def test_summary_gives_the_gdpr_due_in_local_time_and_utc() -> None:
    """The text summary shows the 72-hour instant, its local time at aware_at's offset, and UTC."""
    decision = assess(intake=make_intake(**{"event.cause": "theft", "jurisdictions": ["JP", "EU"],
                                            "eu": {"aware_at": "2026-06-01T09:00:00+02:00"}}))
    gdpr_line = next(line for line in render_summary(decision).splitlines() if line.startswith("GDPR:"))
    assert "2026-06-04T09:00:00+02:00" in gdpr_line
    assert "2026-06-04 09:00 (UTC+02:00) local" in gdpr_line and "2026-06-04 07:00 UTC" in gdpr_line


def test_summary_says_why_a_late_processor_is_not_exempt() -> None:
    """A processor that told its client after the 速報 window sees the Rule 9 reason in the summary."""
    decision = assess(intake=make_intake(**{"business.role": "processor", "business.client": "委託元",
                                            "business.client_notified_on": "2026-07-13", "event.cause": "theft"}))
    summary = render_summary(decision)
    assert "委託先 / processor" in summary and "not prompt" in summary and "GL 3-5-3-5" in summary
