"""A case's hostile list: errors name the user's dataset path, scope.json never keeps a person."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from breachflow.casestore import Case, CaseStore
from breachflow.errors import DatasetError
from breachflow.intake import load_intake
from breachflow.scoping.case_scope import SCOPE_FILE, scope_case
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES
from tests.security.conftest import PEOPLE, SEARCHED, hits


def _open(tmp_path: Path, body: str, *, extra: str = "") -> Case:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ragged.csv").write_bytes(body.encode("utf-8"))
    text = (SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8")
    text = text.replace("dataset: null", "dataset: data/ragged.csv" + extra)
    intake_path = tmp_path / "WE-01.yaml"
    intake_path.write_text(text, encoding="utf-8")
    return CaseStore(get_settings().cases_dir).open_case(load_intake(intake_path, check_future=False), intake_path)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process from the repository root (exit code checked by the caller)."""
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[2], check=False,
    )


def test_scope_case_error_names_the_users_dataset(tmp_path: Path):
    """A ragged list in a case is reported as data/ragged.csv with its line, not as the decrypted temp copy."""
    rows = [",".join(p) for p in PEOPLE]
    case = _open(tmp_path, "お名前,フリガナ,〒,ご住所,電話番号,Eメール\n" + rows[0] + "\n" + rows[1] + ",extra\n")
    with pytest.raises(DatasetError) as info:
        scope_case(case=case)
    message = str(info.value)
    assert message.startswith("data/ragged.csv: ") and "line 3" in message
    assert "tmp" not in message and str(case.dir) not in message
    assert not any(value in message for value in SEARCHED)


def test_headerless_case_list_is_refused_and_keeps_no_person(tmp_path: Path):
    """A case list without a header row is refused and nothing is stored about its first person."""
    case = _open(tmp_path, "".join(",".join(p) + "\n" for p in PEOPLE))
    with pytest.raises(DatasetError) as info:
        scope_case(case=case)
    assert "no header row" in str(info.value)
    assert not case.has(SCOPE_FILE)


def test_headerless_case_list_with_header_false(tmp_path: Path):
    """data.header: false scopes every person (3 of 3); scope.json names the columns by position, no person."""
    case = _open(tmp_path, "".join(",".join(p) + "\n" for p in PEOPLE), extra="\n  header: false")
    summary = scope_case(case=case)
    assert summary.persons == 3
    assert list(summary.columns) == ["列1", "列2", "列3", "列4", "列5", "列6"]
    plain = (case.dir / SCOPE_FILE).read_text(encoding="utf-8")
    assert not any(value in plain for value in SEARCHED)
    assert hits(case.dir) == {}


def test_cli_scope_no_header(tmp_path: Path):
    """`breachflow scope --no-header` reads the first row as a person; without it the list is refused (exit 2)."""
    path = tmp_path / "list.csv"
    path.write_bytes("".join(",".join(p) + "\n" for p in PEOPLE).encode("utf-8"))
    refused = _cli("scope", str(path))
    assert refused.returncode == 2 and "--no-header" in refused.stderr and "Traceback" not in refused.stderr
    assert not any(value in refused.stderr + refused.stdout for value in SEARCHED)
    done = _cli("scope", "--no-header", "--json", str(path))
    assert done.returncode == 0, done.stderr
    assert '"persons": 3' in done.stdout


def test_cli_run_names_the_users_dataset(tmp_path: Path):
    """`breachflow run` on a ragged list ends with one error naming data/ragged.csv, never the decrypted temp copy."""
    rows = [",".join(p) for p in PEOPLE]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ragged.csv").write_bytes(
        ("お名前,フリガナ,〒,ご住所,電話番号,Eメール\n" + rows[0] + "\n" + rows[1] + ",extra\n").encode("utf-8")
    )
    text = (SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8").replace("dataset: null", "dataset: data/ragged.csv")
    (tmp_path / "incident.yaml").write_text(text, encoding="utf-8")
    done = _cli("run", str(tmp_path / "incident.yaml"), "--approve-as", "X")
    assert done.returncode == 2, done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    expected = (
        "error: data/ragged.csv: line 3 has 7 fields but the header has 6; fix that row "
        "(a stray comma or a missing one) or export the list again"
    )
    assert errors == [expected], done.stderr[-2000:]
    assert "cases/WE-01/tmp" not in done.stderr and "Traceback" not in done.stderr
    assert not any(value in done.stderr + done.stdout for value in SEARCHED)
