"""The ``report-obligations`` flow: decide duties, draft reports, get a human sign-off."""

from __future__ import annotations

from prefect import flow
from pydantic import BaseModel, ConfigDict

from breachflow.approvals import Gate, Verdict
from breachflow.usecases.reporting import DraftSet
from tasks.approval import approval_gate
from tasks.obligations import (
    assess_obligations,
    describe_reports_gate,
    draft_reports,
    publish_deadlines,
)


class ObligationsOutcome(BaseModel):
    """Aggregates of the stage: the decision's key facts, drafts, and the gate's verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    reportable: bool
    categories: list[int]
    individual_notice_required: bool
    drafts: DraftSet
    approved: bool
    approver: str | None


@flow(name="report-obligations", flow_run_name="obligations-{incident_id}", persist_result=False)
async def report_obligations(incident_id: str) -> ObligationsOutcome:
    """Assess the legal duties, draft the regulator and police documents, and wait for sign-off."""
    decision = assess_obligations(incident_id)
    publish_deadlines(incident_id, decision)
    drafts = draft_reports(incident_id, decision)
    record = await approval_gate(
        incident_id=incident_id, gate=Gate.reports, subject_sha256=decision.inputs_sha256,
        description=describe_reports_gate(incident_id, decision, drafts),
    )
    return ObligationsOutcome(
        incident_id=incident_id, reportable=decision.reportable, categories=list(decision.categories),
        individual_notice_required=decision.individual_notice_required, drafts=drafts,
        approved=record.verdict is Verdict.approve, approver=record.approver,
    )
