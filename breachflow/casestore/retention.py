"""Retention: which cases have kept personal data longer than ``retention_days``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from breachflow.casestore.store import CaseStore


class RetentionDue(BaseModel):
    """A case past its retention period (ids and dates only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    opened_on: date
    due_on: date
    days_over: int


def opened_on(store: CaseStore, incident_id: str) -> date | None:
    """The day a case was opened: the manifest's time, else the first timeline entry."""
    case = store.get(incident_id)
    stamp = case.manifest().get("opened_at")
    if stamp:
        return datetime.fromisoformat(stamp).date()
    entries = case.timeline.entries()
    return entries[0].at.date() if entries else None


def cases_past_retention(*, store: CaseStore, today: date, retention_days: int) -> list[RetentionDue]:
    """Unpurged cases opened more than ``retention_days`` before ``today``, oldest first."""
    due = []
    for incident_id in store.ids():
        case = store.get(incident_id)
        if case.purged_at():
            continue
        opened = opened_on(store, incident_id)
        if opened is None:
            continue
        limit = opened + timedelta(days=retention_days)
        if today > limit:
            due.append(RetentionDue(incident_id=incident_id, opened_on=opened, due_on=limit,
                                    days_over=(today - limit).days))
    return sorted(due, key=lambda d: (d.due_on, d.incident_id))
