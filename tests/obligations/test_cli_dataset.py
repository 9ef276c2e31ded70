"""`breachflow assess` on an intake that names its leaked list scopes the list for the person count."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path


def test_assess_scopes_the_named_dataset(repo: Path, tmp_path: Path) -> None:
    """The stolen-bag intake gives no count; the CP932 list does (300 persons), and theft makes it category 3."""
    shutil.copytree(repo / "examples" / "stolen-bag", tmp_path / "case")
    result = subprocess.run(
        [sys.executable, "-m", "cli", "assess", str(tmp_path / "case" / "incident.yaml"), "--json"],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["categories"] == [3] and payload["reportable"] is True
    assert "maximum count 300" in json.dumps(payload, ensure_ascii=False)
