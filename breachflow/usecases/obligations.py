"""Obligations use cases: decide the legal duties, record them, show their deadlines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from breachflow.facts import effective_intake
from breachflow.intake import load_intake
from breachflow.intake.loader import dataset_path
from breachflow.intake.model import Intake
from breachflow.obligations import assess
from breachflow.obligations.model import Decision
from breachflow.obligations.records import RecordOutcome, record_decision
from breachflow.reminders import DeadlineRow, deadline_rows
from breachflow.rulepacks import apply_rule_packs
from breachflow.scoping.case_scope import stored_scope
from breachflow.scoping.model import ScopeSummary
from breachflow.wiring import Wiring


def decide(*, intake: Intake, scope: ScopeSummary | None) -> Decision:
    """APPI/GDPR duties, then industry rule packs (which add sector obligations; APPI keys stay as decided)."""
    effective, _ = effective_intake(intake, scope)
    return apply_rule_packs(intake=effective, decision=assess(intake=effective, scope=scope), scope=scope)


def assess_case(w: Wiring, incident_id: str) -> Decision:
    """Decide the duties of an open case from its effective facts, and record the decision."""
    case = w.case(incident_id)
    scope = stored_scope(case)
    intake = case.intake()
    for source in effective_intake(intake, scope)[1]:
        if source.source == "intake-override":
            case.timeline.append(
                "facts.override", f"受付内容の{source.field}がデータセットの集計と異なるため受付内容を採用",
                field=source.field, reason=intake.data.override_reason or "理由未記載",
            )
    decision = decide(intake=intake, scope=scope)
    record_decision(case=case, decision=decision)
    return decision


def assess_file(w: Wiring, file: Path, *, as_of: date | None = None,
                record: bool = False) -> tuple[Decision, RecordOutcome | None]:
    """Decide the duties from an intake file (its dataset scoped for aggregates); optionally record them."""
    intake = load_intake(file, as_of=as_of)
    scope = None
    if intake.data.dataset:
        from breachflow.scoping import scope_dataset

        scope, _ = scope_dataset(
            path=dataset_path(intake, file), as_of=intake.discovered_on, header=intake.data.header
        )
    decision = decide(intake=intake, scope=scope)
    outcome = record_decision(case=w.case(intake.incident_id), decision=decision) if record else None
    return decision, outcome


def deadlines(w: Wiring, incident_id: str, decision: Decision) -> list[DeadlineRow]:
    """Every obligation of the decision with its status as of today (JST)."""
    return deadline_rows(case=w.case(incident_id), decision=decision, today=w.today())
