"""The approval gate: pause the flow run until a person approves or rejects in the Prefect UI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from prefect import get_run_logger
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from breachflow.approvals import (
    ApprovalRecord,
    Gate,
    Verdict,
    consume_preapproval,
    pending_preapproval,
    record_approval,
)
from breachflow.casestore import CaseStore
from breachflow.settings import get_settings

GATE_TIMEOUT_SECONDS = 7 * 24 * 3600


class ApprovalInput(RunInput):
    """承認 / 却下 — the form shown in the Prefect UI at a gate."""

    approver: str = Field(min_length=1, max_length=100, description="承認者の氏名 (approver's name)")
    decision: Literal["approve", "reject"] = Field(description="approve (承認) or reject (却下)")
    comment: str = Field(default="", max_length=2000, description="コメント")


async def approval_gate(
    *, incident_id: str, gate: Gate, description: str, subject_sha256: str | None = None,
    timeout: int = GATE_TIMEOUT_SECONDS, poll_interval: int = 2,
) -> ApprovalRecord:
    """Wait for a sign-off (or use a scripted pre-approval); record it in the case timeline."""
    case = CaseStore(get_settings().cases_dir).get(incident_id)
    logger = get_run_logger()
    scripted = pending_preapproval(case=case, gate=gate)
    if scripted is not None:
        record = scripted.model_copy(update={"at": datetime.now(UTC), "subject_sha256": subject_sha256})
        consume_preapproval(case=case, gate=gate)  # one scripted approval answers one gate once
        logger.info("gate %s for incident %s: pre-approved (scripted)", gate.value, incident_id)
    else:
        logger.info("gate %s for incident %s: waiting for approval in the UI", gate.value, incident_id)
        answer = await pause_flow_run(
            wait_for_input=ApprovalInput.with_initial_data(description=description, decision="approve"),
            timeout=timeout,
            poll_interval=poll_interval,
            key=f"{gate.value}-gate",
        )
        record = ApprovalRecord(
            gate=gate, approver=answer.approver, verdict=Verdict(answer.decision), comment=answer.comment,
            at=datetime.now(UTC), scripted=False, subject_sha256=subject_sha256,
        )
    record_approval(case=case, record=record)
    logger.info("gate %s for incident %s: %s", gate.value, incident_id, record.verdict.value)
    return record
