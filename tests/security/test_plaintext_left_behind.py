"""A crash leaves no readable personal data for long: verify reports it, repair and the next run remove or seal it."""

from __future__ import annotations

import os
import subprocess
import sys

from breachflow.security.crypto import is_sealed
from breachflow.usecases import response
from breachflow.wiring import get_wiring
from tests.conftest import REPO

INCIDENT = REPO / "examples" / "stolen-bag" / "incident.yaml"
PERSON = "山田 太郎,090-1234-5678,taro@example.com\n".encode()


def _cli(*args, home):
    env = {**os.environ, "BREACHFLOW_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=REPO)


def test_verify_reports_plaintext_and_repair_removes_or_seals_it(tmp_path):
    """A decrypted list in tmp/ and an unsealed mailing list: verify exits 1 naming both; --repair leaves none."""
    home = tmp_path / "home"
    assert _cli("intake", "open", str(INCIDENT), home=home).returncode == 0
    case_dir = home / "cases" / "DEMO-STOLEN-BAG"
    (case_dir / "tmp").mkdir(exist_ok=True)
    (case_dir / "tmp" / "deadbeef.csv").write_bytes(PERSON)
    (case_dir / "notification" / "letters").mkdir(parents=True, exist_ok=True)
    (case_dir / "notification" / "letters" / "mailing_list.csv").write_bytes(PERSON)
    found = _cli("case", "verify", "DEMO-STOLEN-BAG", home=home)
    assert found.returncode == 1
    assert "plaintext: tmp/deadbeef.csv" in found.stderr and "notification/letters/mailing_list.csv" in found.stderr
    assert "山田" not in found.stderr + found.stdout
    repaired = _cli("case", "verify", "DEMO-STOLEN-BAG", "--repair", home=home)
    assert repaired.returncode == 0, repaired.stderr
    assert not (case_dir / "tmp" / "deadbeef.csv").exists()
    assert is_sealed((case_dir / "notification" / "letters" / "mailing_list.csv").read_bytes())
    assert _cli("case", "verify", "DEMO-STOLEN-BAG", home=home).returncode == 0


def test_the_next_scoping_removes_a_decrypted_copy_a_killed_run_left(tmp_path):
    """A killed scoping leaves its decrypted copy in tmp/; the next scoping of the case removes it before its own."""
    w = get_wiring()
    case = response.open_or_update(w, INCIDENT)
    (case.dir / "tmp").mkdir(exist_ok=True)
    leftover = case.dir / "tmp" / "killed.csv"
    leftover.write_bytes(PERSON)
    with case.dataset_file() as path:
        assert path is not None and path.exists()
        assert not leftover.exists()
    assert case.plaintext_files() == []


def test_the_internal_summary_is_sealed_and_gone_after_a_purge(tmp_path):
    """A summary naming a customer is readable through the case only: no plain file holds it, and a purge destroys it."""
    import yaml

    summary = "顧客の山田太郎様（090-1234-5678）から連絡あり"
    raw = yaml.safe_load(INCIDENT.read_text(encoding="utf-8"))
    raw["event"]["summary"] = summary
    (tmp_path / "incident.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    (tmp_path / raw["data"]["dataset"]).write_bytes((INCIDENT.parent / raw["data"]["dataset"]).read_bytes())
    w = get_wiring()
    case = response.open_or_update(w, tmp_path / "incident.yaml")
    assert case.intake().event.summary == summary
    for path in case.dir.rglob("*"):
        if path.is_file():
            assert "山田太郎".encode() not in path.read_bytes(), path
    case.purge()
    assert case.intake().event.summary == ""
    assert case.intake().incident_id == raw["incident_id"]
