"""`breachflow intake new` prints a commented template that is refused as it is and validates once filled in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BREACHFLOW_HOME": str(cwd / "home")}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=cwd)


@pytest.mark.parametrize("kind", ["theft", "misdelivery", "unauthorized_access"])
def test_the_template_is_refused_unfilled_and_valid_once_filled(tmp_path: Path, kind: str) -> None:
    """Unfilled, validate names the placeholders' fields; with each <…> replaced by its content, it validates."""
    template = _cli("intake", "new", "--kind", kind, cwd=tmp_path)
    assert template.returncode == 0, template.stderr
    assert f"cause: {kind}" in template.stdout
    (tmp_path / "incident.yaml").write_text(template.stdout, encoding="utf-8")
    unfilled = _cli("intake", "validate", "incident.yaml", cwd=tmp_path)
    assert unfilled.returncode == 2 and "incident_id" in unfilled.stderr and "Traceback" not in unfilled.stderr
    filled = re.sub(r"<([^<>]*)>", lambda m: m.group(1), template.stdout)
    (tmp_path / "incident.yaml").write_text(filled, encoding="utf-8")
    (tmp_path / "customers.csv").write_bytes((REPO / "examples" / "stolen-bag" / "customers.csv").read_bytes())
    valid = _cli("intake", "validate", "incident.yaml", cwd=tmp_path)
    assert valid.returncode == 0, valid.stderr


def test_an_unknown_kind_is_a_clear_error(tmp_path: Path) -> None:
    """--kind with a word the template does not know exits 2 and lists the kinds."""
    result = _cli("intake", "new", "--kind", "earthquake", cwd=tmp_path)
    assert result.returncode == 2 and "misdelivery" in result.stderr
