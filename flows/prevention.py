"""Prevention flows: the per-incident plan and the daily follow-up audit of every open plan."""

from __future__ import annotations

from prefect import flow

from breachflow.casestore import CaseStore
from breachflow.prevention.model import AuditResult
from breachflow.settings import get_settings
from tasks.prevention import check_results, plan_prevention, record_prevention_audit


@flow(name="prevention-plan", flow_run_name="prevention-{incident_id}", persist_result=False)
async def prevention_plan(incident_id: str) -> AuditResult:
    """Propose the corrective-action plan (feeding report item 8) and audit it once."""
    plan_prevention(incident_id)
    return record_prevention_audit(incident_id, check_results(incident_id))


@flow(name="prevention-audit", persist_result=False)
async def prevention_audit() -> dict[str, int]:
    """Daily: audit every case that has a plan; returns open-action counts per incident."""
    store = CaseStore(get_settings().cases_dir)
    summary: dict[str, int] = {}
    for incident_id in store.ids():
        if not store.get(incident_id).has("prevention/plan.json"):
            continue
        audit = record_prevention_audit(incident_id, check_results(incident_id))
        summary[incident_id] = len(audit.actions)
    await publish_retention()
    return summary


async def publish_retention() -> None:
    """List cases past the retention period (ids and dates only) so someone decides to purge them."""
    from prefect.artifacts import acreate_table_artifact

    from breachflow.intake.loader import today_jst
    from breachflow.security.retention import cases_past_retention

    settings = get_settings()
    due = cases_past_retention(store=CaseStore(settings.cases_dir), today=today_jst(),
                               retention_days=settings.retention_days)
    await acreate_table_artifact(
        table=[row.model_dump(mode="json") for row in due]
        or [{"incident_id": "-", "status": f"no case older than {settings.retention_days} days"}],
        key="retention-due", description="cases past the retention period: purge with 'breachflow case purge'",
    )
