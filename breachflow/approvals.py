"""Human sign-off before irreversible steps: decisions and pre-approvals in the case store."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from breachflow.casestore import Case


class Gate(StrEnum):
    """The approval gates of the incident response."""

    reports = "reports"
    notification = "notification"


class Verdict(StrEnum):
    """What the approver decided."""

    approve = "approve"
    reject = "reject"


class ApprovalRecord(BaseModel):
    """One sign-off, as kept in the case store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gate: Gate
    approver: str = Field(min_length=1, max_length=100)
    verdict: Verdict
    comment: str = Field(default="", max_length=2000)
    at: datetime
    scripted: bool = Field(description="given in advance with --approve-as, not at the gate")
    subject_sha256: str | None = Field(default=None, description="hash of what was approved (e.g. the decision)")


def _path(gate: Gate) -> str:
    return f"approvals/{gate.value}.json"


def preapprove(*, case: Case, gate: Gate, approver: str) -> ApprovalRecord:
    """Record a scripted approval given in advance (``--approve-as NAME``)."""
    record = ApprovalRecord(
        gate=gate, approver=approver, verdict=Verdict.approve, at=datetime.now(UTC), scripted=True,
        comment="pre-approved with --approve-as",
    )
    case.write_model(f"approvals/{gate.value}.preapproved.json", record)
    case.timeline.append("approval.preapproved", f"{gate.value} を事前承認（--approve-as）", gate=gate.value, approver=approver)
    return record


def pending_preapproval(*, case: Case, gate: Gate) -> ApprovalRecord | None:
    """A scripted approval waiting for this gate, if any."""
    name = f"approvals/{gate.value}.preapproved.json"
    return case.read_model(name, ApprovalRecord) if case.has(name) else None


def consume_preapproval(*, case: Case, gate: Gate) -> None:
    """Remove a used scripted approval so it cannot answer a later gate."""
    case.path(f"approvals/{gate.value}.preapproved.json").unlink(missing_ok=True)


def record_approval(*, case: Case, record: ApprovalRecord) -> None:
    """Store the gate's decision and log it in the timeline."""
    case.write_model(_path(record.gate), record)
    case.timeline.append(
        f"approval.{record.verdict.value}",
        f"{record.gate.value} を{'承認' if record.verdict is Verdict.approve else '却下'}"
        + ("（事前承認）" if record.scripted else ""),
        gate=record.gate.value,
        approver=record.approver,
        scripted=record.scripted,
        subject_sha256=record.subject_sha256,
    )


def approval_of(*, case: Case, gate: Gate) -> ApprovalRecord | None:
    """The recorded decision at a gate, if any."""
    return case.read_model(_path(gate), ApprovalRecord) if case.has(_path(gate)) else None
