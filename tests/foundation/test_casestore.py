"""The case store: one folder per incident, private files, an append-only timeline."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest

from breachflow.casestore import CaseStore
from breachflow.errors import CaseStoreError
from breachflow.intake import load_intake
from tests.conftest import SHARED_CASES


def _intake_with_dataset(tmp_path: Path) -> Path:
    (tmp_path / "list.csv").write_text("氏名,電話番号\n山田 太郎,090-1234-5678\n", encoding="utf-8")
    text = (SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8").replace("dataset: null", "dataset: list.csv")
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_open_case_stores_intake_dataset_and_timeline(tmp_path: Path) -> None:
    """Opening a case copies the intake and dataset, records the hash, starts the timeline."""
    path = _intake_with_dataset(tmp_path)
    store = CaseStore(tmp_path / "cases")
    case = store.open_case(load_intake(path, as_of=date(2026, 11, 20)), path)
    assert case.dataset_bytes() == (tmp_path / "list.csv").read_bytes()
    assert case.intake().incident_id == "WE-01"
    assert [e.kind for e in case.timeline.entries()] == ["intake.opened"]
    assert stat.S_IMODE(case.dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((case.dir / "intake.yaml").stat().st_mode) == 0o600


def test_opening_twice_needs_update(tmp_path: Path) -> None:
    """A second open is refused unless --update; an update is logged only when the intake really changed."""
    path = _intake_with_dataset(tmp_path)
    store = CaseStore(tmp_path / "cases")
    intake = load_intake(path, as_of=date(2026, 11, 20))
    store.open_case(intake, path)
    with pytest.raises(CaseStoreError, match="already open"):
        store.open_case(intake, path)
    case = store.open_case(intake, path, update=True)
    assert [e.kind for e in case.timeline.entries()] == ["intake.opened"]  # unchanged: nothing new in 事実経過
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: 更新", 1), encoding="utf-8")
    case = store.open_case(load_intake(path, as_of=date(2026, 11, 20)), path, update=True)
    assert [e.kind for e in case.timeline.entries()] == ["intake.opened", "intake.updated"]


def test_a_failed_first_opening_leaves_no_case_folder(tmp_path: Path, monkeypatch) -> None:
    """Without a master key the case cannot be sealed: the error is clear and no empty case folder is left."""
    from breachflow.settings import get_settings

    path = _intake_with_dataset(tmp_path)
    monkeypatch.delenv("BREACHFLOW_MASTER_KEY")
    get_settings.cache_clear()
    store = CaseStore(tmp_path / "cases")
    with pytest.raises(Exception, match="master key"):
        store.open_case(load_intake(path, as_of=date(2026, 11, 20)), path)
    assert list((tmp_path / "cases").iterdir()) == []


def test_tampered_dataset_is_detected(tmp_path: Path) -> None:
    """A stored dataset re-sealed with other content no longer matches its recorded hash and is refused."""
    path = _intake_with_dataset(tmp_path)
    case = CaseStore(tmp_path / "cases").open_case(load_intake(path, as_of=date(2026, 11, 20)), path)
    case.write_bytes("dataset.csv", "changed".encode())
    with pytest.raises(CaseStoreError, match="does not match"):
        case.dataset_bytes()


def test_timeline_chain_detects_edits(tmp_path: Path) -> None:
    """Editing any timeline line breaks the hash chain at that entry."""
    path = _intake_with_dataset(tmp_path)
    case = CaseStore(tmp_path / "cases").open_case(load_intake(path, as_of=date(2026, 11, 20)), path)
    case.timeline.append("scope.done", "範囲を特定", persons=3)
    case.timeline.append("note", "メモ")
    assert case.timeline.verify() == 3
    lines = case.timeline.path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[1])
    entry["data"]["persons"] = 4
    lines[1] = json.dumps(entry, ensure_ascii=False)
    case.timeline.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CaseStoreError, match="broken at entry 2"):
        case.timeline.verify()


@pytest.mark.parametrize("name", ["../escape.json", "/etc/passwd", "a/../../b", "x\x00y", "a" * 300, ""])
def test_file_names_cannot_escape_the_case_folder(tmp_path: Path, name: str) -> None:
    """Names with .., absolute paths, NUL or excessive length are refused."""
    path = _intake_with_dataset(tmp_path)
    case = CaseStore(tmp_path / "cases").open_case(load_intake(path, as_of=date(2026, 11, 20)), path)
    with pytest.raises(CaseStoreError, match="unsafe file name"):
        case.path(name)


@pytest.mark.parametrize("incident_id", ["../x", "/abs", "a b", "x" * 65, ""])
def test_incident_ids_cannot_escape_the_store(tmp_path: Path, incident_id: str) -> None:
    """An incident id outside [A-Za-z0-9_-]{1,64} is refused before touching the disk."""
    with pytest.raises(CaseStoreError, match="incident id"):
        CaseStore(tmp_path / "cases").get(incident_id)
