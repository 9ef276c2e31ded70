"""The ``incident-response`` parent flow: every stage of the response, resumable from the case store."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact
from pydantic import BaseModel, ConfigDict, Field

from breachflow.interrupts import stage
from flows.notify_affected_persons import notify_affected_persons
from flows.prevention import prevention_plan
from flows.report_obligations import report_obligations
from flows.scope_incident import scope_incident
from tasks.artifacts import artifact_key
from tasks.requests import publish_request_counts
from tasks.response import inspect_case, publish_case_status


class IncidentOutcome(BaseModel):
    """Where the response stands after a run (aggregates only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    persons: int | None
    reportable: bool
    categories: list[int]
    reports_approved: bool
    notices_sent: int | None = Field(description="emails accepted by a relay")
    notices_prepared: int | None = Field(description="made but not yet gone out: outbox emails, rendered letters, listed calls")
    stages_done: list[str]
    stopped_at: str | None
    email_unsent: int = Field(default=0, description="emails deferred or in doubt after every retry: not sent")
    email_outbox: int = Field(default=0, description="emails kept in the outbox (no relay configured): not sent")


@flow(name="incident-response", flow_run_name="incident-{incident_id}", persist_result=False)
async def incident_response(incident_id: str) -> IncidentOutcome:
    """Run the response for one incident: scope → obligations (gate) → notification (gate) → prevention."""
    logger = get_run_logger()
    stages = inspect_case(incident_id)
    done: list[str] = []
    persons = None
    if stages.has_dataset:
        with stage("scope-incident"):
            summary = await scope_incident(incident_id)
        persons = summary.persons
        done.append("scope")
    publish_case_status(incident_id)
    with stage("report-obligations"):
        obligations = await report_obligations(incident_id)
    publish_case_status(incident_id)
    stopped_at = None
    if obligations.approved:
        done.append("report-obligations")
    else:
        stopped_at = "report-obligations"
        logger.warning("incident %s: reports were rejected at the gate; stopping", incident_id)
    notified = prepared = None
    unsent = outboxed = 0
    if stopped_at is None and obligations.individual_notice_required and inspect_case(incident_id).has_persons:
        with stage("notify-affected-persons"):
            notification = await notify_affected_persons(incident_id)
        if notification.approved:
            done.append("notify-affected-persons")
            notified = notification.email_sent
            prepared = notification.email_outbox + notification.letters + notification.calls
            unsent = sum(notification.ledger.get("email", {}).get(s, 0)
                         for s in ("failed_transient", "in_doubt", "sending"))
            outboxed = notification.ledger.get("email", {}).get("outbox", 0)
        else:
            stopped_at = "notify-affected-persons"
    publish_case_status(incident_id)
    if stopped_at is None:
        with stage("prevention-plan"):
            await prevention_plan(incident_id)
        done.append("prevention-plan")
    publish_request_counts(incident_id)
    publish_case_status(incident_id)
    outcome = IncidentOutcome(
        incident_id=incident_id, persons=persons, reportable=obligations.reportable,
        categories=obligations.categories, reports_approved=obligations.approved, notices_sent=notified, notices_prepared=prepared,
        stages_done=done,
        stopped_at=stopped_at, email_unsent=unsent, email_outbox=outboxed,
    )
    await acreate_markdown_artifact(
        markdown="\n".join(
            [
                f"# Incident {incident_id}",
                "",
                f"- persons affected: {persons if persons is not None else 'per intake'}",
                f"- reportable: {'yes' if outcome.reportable else 'no'}; categories: {outcome.categories or '-'}",
                f"- emails sent (accepted by a relay): {notified if notified is not None else '-'}",
                f"- notices prepared, not yet gone out (outbox emails + rendered letters + listed calls): "
                f"{prepared if prepared is not None else '-'}",
                f"- stages done: {', '.join(done) or '-'}",
                f"- stopped at: {stopped_at or '-'}",
                f"- emails NOT sent (deferred or in doubt; retry with `breachflow notify send {incident_id}`, "
                f"decide doubts with `breachflow notify status {incident_id}`): {unsent}",
                f"- emails kept in the outbox, NOT sent (no SMTP relay configured): {outboxed}",
            ]
        ),
        key=artifact_key("incident", incident_id),
        description="incident response summary",
    )
    return outcome
