"""The approval gate: resume when the gate has its answer, else pause until a person answers in the UI."""

from __future__ import annotations

from typing import Literal

from prefect import get_run_logger
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from breachflow.approvals import ApprovalRecord, Gate, Verdict
from breachflow.usecases import gates
from breachflow.wiring import get_wiring

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
    """The gate's standing or scripted answer, else a person's answer given in the UI (recorded in the case)."""
    logger = get_run_logger()
    record = gates.resume_or_ask(get_wiring(), incident_id, gate=gate, subject_sha256=subject_sha256)
    if record is not None:
        logger.info("gate %s for incident %s: %s (%s)", gate.value, incident_id, record.verdict.value,
                    "scripted" if record.scripted else "approved before for the same subject")
        return record
    logger.info("gate %s for incident %s: waiting for approval in the UI", gate.value, incident_id)
    answer = await pause_flow_run(
        wait_for_input=ApprovalInput.with_initial_data(description=description, decision="approve"),
        timeout=timeout, poll_interval=poll_interval, key=f"{gate.value}-gate",
    )
    record = gates.record_answer(get_wiring(), incident_id, gate=gate, approver=answer.approver,
                                 verdict=Verdict(answer.decision), comment=answer.comment,
                                 subject_sha256=subject_sha256)
    logger.info("gate %s for incident %s: %s", gate.value, incident_id, record.verdict.value)
    return record
