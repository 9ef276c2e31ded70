"""Gate use cases: one rule for when a gate already has its answer, and recording a person's answer."""

from __future__ import annotations

from datetime import UTC, datetime

from breachflow.approvals import (
    ApprovalRecord,
    Gate,
    Verdict,
    approval_of,
    consume_preapproval,
    pending_preapproval,
    preapprove,
    record_approval,
)
from breachflow.wiring import Wiring


def resume_or_ask(w: Wiring, incident_id: str, *, gate: Gate, subject_sha256: str | None) -> ApprovalRecord | None:
    """The gate's answer if it has one, else None (ask a person).

    An approval of exactly this subject (same facts or plan) lets a re-run resume without
    asking again; a scripted pre-approval (``--approve-as``) answers one gate once and is recorded.
    """
    case = w.case(incident_id)
    previous = approval_of(case=case, gate=gate)
    if previous is not None and previous.verdict is Verdict.approve and previous.subject_sha256 == subject_sha256:
        return previous
    scripted = pending_preapproval(case=case, gate=gate)
    if scripted is None:
        return None
    record = scripted.model_copy(update={"at": datetime.now(UTC), "subject_sha256": subject_sha256})
    consume_preapproval(case=case, gate=gate)
    record_approval(case=case, record=record)
    return record


def record_answer(w: Wiring, incident_id: str, *, gate: Gate, approver: str, verdict: Verdict, comment: str,
                  subject_sha256: str | None) -> ApprovalRecord:
    """Record a person's answer at a gate in the case (and its timeline)."""
    record = ApprovalRecord(gate=gate, approver=approver, verdict=verdict, comment=comment, at=datetime.now(UTC),
                            scripted=False, subject_sha256=subject_sha256)
    record_approval(case=w.case(incident_id), record=record)
    return record


def preapprove_all(w: Wiring, incident_id: str, *, approver: str) -> None:
    """Pre-approve every gate as ``approver`` (scripted runs); recorded as such."""
    case = w.case(incident_id)
    for gate in Gate:
        preapprove(case=case, gate=gate, approver=approver)
