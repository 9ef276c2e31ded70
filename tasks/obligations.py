"""Prefect tasks of the obligations stage: decide and record, publish deadlines, draft reports."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.obligations.model import Decision
from breachflow.reminders import DeadlineRow
from breachflow.usecases import obligations, reporting
from breachflow.usecases.reporting import DraftSet
from breachflow.wiring import get_wiring
from tasks._retry import retry_unless_user_error
from tasks._safety import ids_only
from tasks.artifacts import artifact_key


@task(name="assess-obligations", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def assess_obligations(incident_id: str) -> Decision:
    """Decide the legal duties from the effective facts and record the decision in the case."""
    with ids_only("assess-obligations", incident_id):
        return obligations.assess_case(get_wiring(), incident_id)


@task(name="draft-reports", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def draft_reports(incident_id: str, decision: Decision) -> DraftSet:
    """Draft the next due report (速報, then 確報) in every format, and the police draft when advised."""
    with ids_only("draft-reports", incident_id):
        return reporting.draft_next_reports(get_wiring(), incident_id, decision)


@task(name="describe-reports-gate", cache_policy=NO_CACHE, persist_result=False)
def describe_reports_gate(incident_id: str, decision: Decision, drafts: DraftSet) -> str:
    """The reports gate's text for the officer (facts of the decision, the drafts)."""
    with ids_only("describe-reports-gate", incident_id):
        return reporting.reports_gate_markdown(get_wiring(), incident_id, decision, drafts)


@task(name="publish-deadlines", cache_policy=NO_CACHE, persist_result=False)
def publish_deadlines(incident_id: str, decision: Decision) -> list[DeadlineRow]:
    """Show the obligations and their deadlines as a table artifact (obligation, due, status)."""
    rows = obligations.deadlines(get_wiring(), incident_id, decision)
    create_table_artifact(
        table=[{"regime": r.regime, "obligation": r.obligation, "window start": r.window_start or "",
                "due": r.due or "", "status": r.status.value} for r in rows],
        key=artifact_key("deadlines", incident_id),
        description=f"deadlines of incident {incident_id}",
    )
    categories = ", ".join(str(c) for c in decision.categories) or "none"
    create_markdown_artifact(
        markdown="\n".join(
            [
                f"# Obligations of incident {incident_id}",
                "",
                f"- reportable: **{'yes' if decision.reportable else 'no'}** (recipient: {decision.recipient.value})",
                f"- Rule 7 categories: {categories}",
                f"- 速報 window: {' … '.join(d.isoformat() for d in decision.preliminary_window) if decision.preliminary_window else '-'}",
                f"- 確報 due: {decision.final_due.isoformat() if decision.final_due else '-'}",
                f"- individual notice required: {'yes' if decision.individual_notice_required else 'no'}",
                f"- police: {decision.police.value}",
                f"- other regimes: {', '.join(decision.other_regimes) or 'none'}",
                f"- rule set {decision.rule_set_version}, inputs {decision.inputs_sha256[:12]}",
                "",
                f"_{decision.disclaimer}_",
            ]
        ),
        key=artifact_key("obligations", incident_id),
        description="decision summary",
    )
    return rows
