"""``breachflow prevention`` through a real subprocess: plan, list, update, close, audit, item8."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from breachflow.casestore import Case
from breachflow.prevention import plan_case, read_plan
from breachflow.settings import get_settings
from tests.prevention.conftest import DISCOVERED
from tests.prevention.test_audit import EMPLOYEES, write_completion_xlsx, write_roster_cp932


@pytest.fixture
def run(case: Case, tmp_path: Path):
    """Run ``python -m cli`` on this test's case store (WE-01 opened in-process)."""
    env = {**os.environ, "BREACHFLOW_HOME": str(get_settings().home)}
    env.pop("BREACHFLOW_PREVENTION_OWNER", None)

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    return _run


def test_plan_is_idempotent_and_list_shows_it(run, tmp_path: Path) -> None:
    """Planning twice gives the same stored plan; list --json returns it."""
    first = run("prevention", "plan", "WE-01", "--json", "--as-of", "2026-11-10")
    assert first.returncode == 0, first.stderr
    second = run("prevention", "plan", "WE-01", "--json", "--as-of", "2026-11-20")
    listed = run("prevention", "list", "WE-01", "--json")
    plan = json.loads(first.stdout)
    assert json.loads(second.stdout) == plan == json.loads(listed.stdout)
    assert [a["id"] for a in plan["actions"]][:4] == ["A01", "A02", "A03", "A04"]


def test_close_update_audit_and_item8(run, case: Case, tmp_path: Path) -> None:
    """A user-error close exits 2 naming the action; evidence closes; audit and item 8 reflect it."""
    roster = write_roster_cp932(tmp_path / "roster.csv", EMPLOYEES)
    completion = write_completion_xlsx(tmp_path / "done.xlsx", [e for e, _ in EMPLOYEES])
    planned = run(
        "prevention", "plan", "WE-01", "--as-of", "2026-11-10", "--roster", str(roster), "--completion", str(completion)
    )
    assert planned.returncode == 0, planned.stderr

    refused = run("prevention", "close", "WE-01", "A02")
    assert refused.returncode == 2
    assert "A02" in refused.stderr and "file" in refused.stderr

    updated = run("prevention", "update", "WE-01", "A02", "--owner", "総務部長", "--due", "2026-12-31")
    assert updated.returncode == 0, updated.stderr

    evidence = tmp_path / "risk.pdf"
    evidence.write_bytes(b"%PDF-1.7")
    closed = run("prevention", "close", "WE-01", "A02", "--evidence-file", str(evidence), "--as-of", "2026-11-25")
    assert closed.returncode == 0, closed.stderr
    signed = run(
        "prevention", "close", "WE-01", "A01", "--signed-by", "代表取締役", "--statement", "管理者を選任",
        "--as-of", "2026-11-12",
    )
    assert signed.returncode == 0, signed.stderr
    checked = run("prevention", "close", "WE-01", "A03", "--check", "--retries", "0", "--as-of", "2026-12-01")
    assert checked.returncode == 0, checked.stderr

    audit = run("prevention", "audit", "WE-01", "--json", "--retries", "0", "--as-of", "2027-01-01")
    assert audit.returncode == 0, audit.stderr
    result = json.loads(audit.stdout)
    assert result["done_count"] == 3
    assert "A04" in result["not_checked_ids"] and "A04" not in result["passed_ids"]
    assert "A05" in result["overdue_ids"]

    a02 = read_plan(case=case).action("A02")
    assert (a02.owner, a02.due.isoformat(), a02.status.value) == ("総務部長", "2026-12-31", "done")

    item8 = run("prevention", "item8", "WE-01")
    assert "個人データ取扱いのリスク評価（令和8年11月25日実施）" in item8.stdout
    assert "定期的な漏えい点検の実施（令和9年2月8日までに実施予定）" in item8.stdout


def test_user_errors_exit_2(run, case: Case) -> None:
    """Unknown action, a bad date and a missing plan are user errors: exit 2 with a message."""
    no_plan = run("prevention", "list", "WE-01")
    assert no_plan.returncode == 2 and "prevention plan WE-01" in no_plan.stderr
    plan_case(case=case, today=DISCOVERED)
    unknown = run("prevention", "update", "WE-01", "A99", "--owner", "x")
    assert unknown.returncode == 2 and "A99" in unknown.stderr
    bad_date = run("prevention", "update", "WE-01", "A02", "--due", "31.12.2026")
    assert bad_date.returncode == 2 and "--due" in bad_date.stderr
