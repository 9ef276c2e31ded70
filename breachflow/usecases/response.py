"""Whole-response use cases: open a case from an intake file, and what a run of the response can do."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case
from breachflow.intake import load_intake
from breachflow.notification.casework import PERSONS_FILE
from breachflow.wiring import Wiring


class CaseStages(BaseModel):
    """What the case holds that decides which stages can run (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    has_dataset: bool
    has_persons: bool


def open_or_update(w: Wiring, file: Path, *, as_of: date | None = None) -> Case:
    """Open the case of an intake file, or replace the intake of the already open case."""
    intake = load_intake(file, as_of=as_of)
    return w.store.open_case(intake, file, update=w.store.exists(intake.incident_id))


def stages(w: Wiring, incident_id: str) -> CaseStages:
    """Whether the case has a leaked dataset to scope, and a person list to notify."""
    case = w.case(incident_id)
    return CaseStages(has_dataset=bool(case.manifest().get("dataset")), has_persons=case.has(PERSONS_FILE))
