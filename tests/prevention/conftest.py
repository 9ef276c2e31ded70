"""Fixtures for the prevention tests: a case opened from the shared WE-01 intake."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from breachflow.casestore import Case, CaseStore
from breachflow.intake import load_intake
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES

WE01 = SHARED_CASES / "WE-01.yaml"
DISCOVERED = date(2026, 11, 10)


def intake_file(directory: Path, *, cause: str, incident_id: str = "WE-01") -> Path:
    """A copy of WE-01 with another cause (and id), written to ``directory``."""
    raw = yaml.safe_load(WE01.read_text(encoding="utf-8"))
    raw["incident_id"] = incident_id
    raw["event"]["cause"] = cause
    raw["expected"] = None
    target = directory / f"{incident_id}-{cause}.yaml"
    target.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return target


def open_case(path: Path = WE01, *, update: bool = False) -> Case:
    """Open (or update) a case in the test's own case store."""
    store = CaseStore(get_settings().cases_dir)
    return store.open_case(load_intake(path, as_of=DISCOVERED), path, update=update)


@pytest.fixture
def case() -> Case:
    """The WE-01 case (theft of a bag with a paper customer list)."""
    return open_case()
