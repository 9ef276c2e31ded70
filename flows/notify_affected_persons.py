"""The ``notify-affected-persons`` flow: plan → approval gate → email / letters / calls → substitute measures."""

from __future__ import annotations

from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import (
    acreate_progress_artifact,
    acreate_table_artifact,
    aupdate_progress_artifact,
)
from prefect.futures import as_completed
from pydantic import BaseModel, ConfigDict, Field

from breachflow.approvals import Gate, Verdict
from breachflow.notification.policy import Channel
from breachflow.settings import get_settings
from tasks.approval import approval_gate
from tasks.artifacts import artifact_key
from tasks.progress import EmailTally
from tasks.notification import (
    draft_substitute_task,
    export_call_list_task,
    plan_notices,
    preview_notices,
    produce_letters_task,
    record_email_round,
    record_notice_status,
    send_email_batch_task,
)


class NotificationOutcome(BaseModel):
    """Counts per channel and state after the run (aggregates only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    approved: bool
    planned: dict[str, int]
    email_sent: int = Field(description="accepted by a mail relay")
    email_outbox: int = Field(description="kept in the outbox only: not sent")
    email_in_doubt: int
    letters: int = Field(description="rendered to PDF: not posted until recorded with 'notify printed'")
    calls: int
    substitute_persons: int
    ledger: dict[str, dict[str, int]]


async def _report_email_progress(incident_id: str, tally: EmailTally, progress: UUID, *, last: bool) -> None:
    """Log every few percent; update the progress and live-count artifacts every few percent or seconds."""
    if tally.log_due.due(tally.finished) or last:
        get_run_logger().info("%s", tally.line())
    if tally.artifact_due.due(tally.finished) or last:
        await aupdate_progress_artifact(progress, progress=tally.artifact_due.share(tally.finished),
                                        description=f"email notices finished: {tally.line()}")
        await acreate_table_artifact(
            table=tally.table(), key=artifact_key("email-counts", incident_id),
            description="email notices so far: sent / kept in the outbox / in doubt / failed / remaining (counts only)",
        )


@flow(name="notify-affected-persons", flow_run_name="notify-{incident_id}", persist_result=False)
async def notify_affected_persons(incident_id: str) -> NotificationOutcome:
    """Notify every affected person exactly once, after a human approves the plan and samples."""
    logger = get_run_logger()
    counts = plan_notices(incident_id)
    preview = preview_notices(incident_id)
    record = await approval_gate(incident_id=incident_id, gate=Gate.notification, description=preview.markdown,
                                 subject_sha256=preview.plan_sha256)
    planned = {str(channel): n for channel, n in counts.by_channel.items()}
    if record.verdict is not Verdict.approve:
        logger.warning("incident %s: notification plan rejected at the gate; nothing sent", incident_id)
        return NotificationOutcome(incident_id=incident_id, approved=False, planned=planned, email_sent=0,
                                   email_outbox=0, email_in_doubt=0, letters=0, calls=0, substitute_persons=0, ledger={})
    tally = EmailTally(notices=counts.by_channel.get(Channel.email, 0))
    progress = await acreate_progress_artifact(
        progress=0.0, key=artifact_key("email-progress", incident_id),
        description=f"email notices finished (live counts: artifact {artifact_key('email-counts', incident_id)}): "
                    f"{tally.line()}",
    )
    # At most email_concurrency batches (one SMTP connection each) at once: a crash leaves at most
    # that many notices in doubt.
    total, window = preview.email_batches, get_settings().email_concurrency
    results = []
    logger.info("%s in %d batch(es)", tally.line(), total)
    for start in range(0, total, window):
        for future in as_completed(send_email_batch_task.map(incident_id, list(range(start, min(start + window, total))))):
            results.append(future.result())
            tally.add(results[-1])
            await _report_email_progress(incident_id, tally, progress, last=len(results) == total)
    if not total:
        await aupdate_progress_artifact(progress, progress=100.0)
    totals = record_email_round(incident_id, results)
    sent, outbox, in_doubt = totals["sent"], totals["outbox"], totals["in_doubt"]
    # Letters after email: a 550 refusal re-routes the person to a letter in the ledger.
    letters = produce_letters_task(incident_id)
    calls = export_call_list_task(incident_id)
    substitute = draft_substitute_task(incident_id)
    ledger = record_notice_status(incident_id, substitute)
    await acreate_table_artifact(
        table=[{"channel": channel, **states} for channel, states in sorted(ledger.items())],
        key=artifact_key("notification", incident_id),
        description="notices per channel and state (ledger)",
    )
    if outbox:
        logger.warning("incident %s: %d email(s) kept in the outbox and NOT sent (no SMTP relay configured); "
                       "configure BREACHFLOW_SMTP_HOST and re-run to send them", incident_id, outbox)
    if in_doubt:
        logger.warning("incident %s: %d notice(s) in doubt; decide with 'breachflow notify status'", incident_id, in_doubt)
    return NotificationOutcome(
        incident_id=incident_id, approved=True, planned=planned, email_sent=sent, email_outbox=outbox,
        email_in_doubt=in_doubt,
        letters=letters["letters"], calls=calls.get("calls", 0), substitute_persons=substitute, ledger=ledger,
    )
