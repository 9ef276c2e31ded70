"""Prevention flows: the per-incident plan and the daily follow-up audit of every open plan."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import acreate_table_artifact

from breachflow.errors import CheckUnavailable
from breachflow.prevention.model import AuditResult, CheckResult
from tasks.prevention import (
    list_checks,
    mark_check_unavailable,
    plan_prevention,
    record_prevention_audit,
    run_check,
)
from tasks.response import list_cases_with_plans
from tasks.scheduled import find_cases_past_retention


def check_results(incident_id: str) -> dict[str, CheckResult]:
    """Submit every open action's check; a check that stays unavailable becomes not_checked, never passed."""
    futures = {action_id: run_check.submit(incident_id, action_id) for action_id in list_checks(incident_id)}
    results: dict[str, CheckResult] = {}
    for action_id, future in futures.items():
        try:
            results[action_id] = future.result()
        except CheckUnavailable as exc:
            results[action_id] = mark_check_unavailable(incident_id, action_id, str(exc))
    return results


@flow(name="prevention-plan", flow_run_name="prevention-{incident_id}", persist_result=False)
async def prevention_plan(incident_id: str) -> AuditResult:
    """Propose the corrective-action plan (feeding report item 8) and audit it once."""
    plan_prevention(incident_id)
    return record_prevention_audit(incident_id, check_results(incident_id))


@flow(name="prevention-audit", persist_result=False)
async def prevention_audit() -> dict[str, int]:
    """Daily: audit every case that has a plan; returns open-action counts per incident."""
    summary: dict[str, int] = {}
    for incident_id in list_cases_with_plans():
        audit = record_prevention_audit(incident_id, check_results(incident_id))
        summary[incident_id] = len(audit.actions)
    due, retention_days = find_cases_past_retention()
    await acreate_table_artifact(
        table=[row.model_dump(mode="json") for row in due]
        or [{"incident_id": "-", "status": f"no case older than {retention_days} days"}],
        key="retention-due", description="cases past the retention period: purge with 'breachflow case purge'",
    )
    return summary
