"""Prefect tasks of the prevention stage: plan, run checks with retries, record the audit."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from breachflow.errors import CheckUnavailable
from breachflow.prevention.model import AuditResult, CheckResult
from breachflow.usecases import prevention
from breachflow.wiring import get_wiring
from tasks._retry import retry_on, retry_unless_user_error
from tasks._safety import ids_only
from tasks.artifacts import artifact_key


@task(name="plan-prevention", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def plan_prevention(incident_id: str) -> int:
    """Propose (idempotently) the corrective-action plan and feed report item 8; returns the action count."""
    with ids_only("plan-prevention", incident_id):
        return len(prevention.plan_prevention(get_wiring(), incident_id).actions)


@task(name="run-action-check", retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=retry_on(CheckUnavailable), cache_policy=NO_CACHE, persist_result=False)
def run_check(incident_id: str, action_id: str) -> CheckResult:
    """Run one action's automated check; raises CheckUnavailable (retried) when it cannot run now."""
    return prevention.check_action(get_wiring(), incident_id, action_id)


@task(name="record-audit", cache_policy=NO_CACHE, persist_result=False)
def record_prevention_audit(incident_id: str, results: dict[str, CheckResult]) -> AuditResult:
    """Record the audit in the timeline and show it as a table artifact."""
    audit = prevention.audit(get_wiring(), incident_id, results)
    create_table_artifact(table=audit.table_rows() or [{"action": "-", "status": "no open actions"}],
                          key=artifact_key("prevention", incident_id), description="prevention audit")
    return audit


@task(name="list-checks", cache_policy=NO_CACHE, persist_result=False)
def list_checks(incident_id: str) -> list[str]:
    """Ids of the open actions proved by an automated check."""
    return prevention.actions_to_check(get_wiring(), incident_id)



@task(name="mark-check-unavailable", cache_policy=NO_CACHE, persist_result=False)
def mark_check_unavailable(incident_id: str, action_id: str, reason: str) -> CheckResult:
    """The not_checked result of a check that still could not run after its retries (never passed)."""
    return prevention.check_unavailable(get_wiring(), incident_id, action_id, CheckUnavailable(reason))
