"""Deadline status per case: what is due soon, overdue, or done (ids and dates only)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case, CaseStore
from breachflow.obligations.model import Decision
from breachflow.obligations.records import current_decision
from breachflow.reporting.facts import ReportKind, read_submissions

# Which submission discharges which obligation.
_DISCHARGED_BY: dict[str, ReportKind] = {
    "preliminary_report": ReportKind.preliminary,
    "final_report": ReportKind.final,
}


class DeadlineStatus(StrEnum):
    """Where one obligation stands."""

    done = "done"
    overdue = "overdue"
    due_soon = "due_soon"
    pending = "pending"


class DeadlineRow(BaseModel):
    """One obligation of one incident, for the deadline table artifact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    regime: str
    obligation: str
    due: str | None
    window_start: str | None
    status: DeadlineStatus


def _due_day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def deadline_rows(*, case: Case, decision: Decision, today: date, within_days: int = 2) -> list[DeadlineRow]:
    """Every obligation of the decision with its status as of ``today``."""
    submissions = read_submissions(case=case)
    rows: list[DeadlineRow] = []
    for deadline in decision.deadlines:
        kind = _DISCHARGED_BY.get(deadline.obligation)
        due = _due_day(deadline.due)
        if kind is not None and submissions.last(kind) is not None:
            status = DeadlineStatus.done
        elif due is None:
            status = DeadlineStatus.pending
        elif due < today:
            status = DeadlineStatus.overdue
        elif (due - today).days <= within_days:
            status = DeadlineStatus.due_soon
        else:
            status = DeadlineStatus.pending
        rows.append(
            DeadlineRow(
                incident_id=case.incident_id,
                regime=deadline.regime,
                obligation=deadline.obligation,
                due=deadline.due.isoformat() if deadline.due else None,
                window_start=deadline.window_start.isoformat() if deadline.window_start else None,
                status=status,
            )
        )
    for item in decision.sector_obligations:
        due = item.due
        if due is None:
            status = DeadlineStatus.pending
        elif due < today:
            status = DeadlineStatus.overdue
        elif (due - today).days <= within_days:
            status = DeadlineStatus.due_soon
        else:
            status = DeadlineStatus.pending
        rows.append(
            DeadlineRow(
                incident_id=case.incident_id,
                regime=f"pack:{item.pack}",
                obligation=item.obligation,
                due=due.isoformat() if due else None,
                window_start=item.window_start.isoformat() if item.window_start else None,
                status=status,
            )
        )
    return rows


def reminders(*, store: CaseStore, today: date, within_days: int = 2) -> list[DeadlineRow]:
    """Obligations across all cases that are overdue or due within ``within_days``."""
    found: list[DeadlineRow] = []
    for incident_id in store.ids():
        case = store.get(incident_id)
        decision = current_decision(case=case)
        if decision is None:
            continue
        found.extend(
            row
            for row in deadline_rows(case=case, decision=decision, today=today, within_days=within_days)
            if row.status in {DeadlineStatus.overdue, DeadlineStatus.due_soon}
        )
    return found
