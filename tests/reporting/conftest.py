"""Fixtures for the reporting tests: cases opened from WE-01 variants and hand-built decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from breachflow.casestore import Case, CaseStore
from breachflow.intake import parse_intake
from breachflow.intake.model import Intake
from breachflow.obligations.model import Deadline, Decision, Finding, PoliceAdvice, Recipient
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES

REPORT_DAY = date(2026, 11, 12)


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


@pytest.fixture
def we01_raw() -> dict[str, Any]:
    """The shared WE-01 case (stolen bag, 300 paper records) as a plain mapping, without its expected block."""
    raw = yaml.safe_load((SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8"))
    raw.pop("expected")
    return raw


@pytest.fixture
def make_intake(we01_raw: dict[str, Any]) -> Callable[..., Intake]:
    """Build a validated intake from WE-01 with some fields changed (nested dicts merge)."""

    def build(**changes: Any) -> Intake:
        return parse_intake(_merge(we01_raw, changes), as_of=date(2026, 11, 10))

    return build


@pytest.fixture
def make_case(tmp_path: Path, we01_raw: dict[str, Any]) -> Callable[..., Case]:
    """Open a case in the (isolated) case store from WE-01 with some fields changed."""

    def build(**changes: Any) -> Case:
        raw = _merge(we01_raw, changes)
        path = tmp_path / f"{raw['incident_id']}.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        intake = parse_intake(raw, as_of=date(2026, 11, 10))
        return CaseStore(get_settings().cases_dir).open_case(intake, path)

    return build


def hand_decision(intake: Intake, **changes: Any) -> Decision:
    """A decision record built by hand (category 3, PPC, theft) with some fields changed."""
    fields: dict[str, Any] = {
        "incident_id": intake.incident_id,
        "rule_set_version": "test-rules-1",
        "inputs_sha256": "ab" * 32,
        "reportable": True,
        "categories": [3],
        "recipient": Recipient.PPC,
        "preliminary_window": (date(2026, 11, 12), date(2026, 11, 14)),
        "final_due": date(2027, 1, 8),
        "individual_notice_required": True,
        "processor_exempt": False,
        "police": PoliceAdvice.recommended,
        "other_regimes": {},
        "my_number": False,
        "findings": [
            Finding(key="category.3", title_ja="不正の目的をもって行われたおそれ", applies=True,
                    reason="cause theft implies a wrongful purpose", source="Rule 7(iii); GL 3-5-3-1"),
        ],
        "deadlines": [
            Deadline(obligation="preliminary_report", regime="APPI", window_start=date(2026, 11, 12),
                     due=date(2026, 11, 14), basis="day 3 … day 5", source="Rule 8(1)"),
            Deadline(obligation="final_report", regime="APPI", due=date(2027, 1, 8), basis="day 60", source="Rule 8(2)"),
        ],
        "choices": [],
    }
    fields.update(changes)
    return Decision(**fields)
