"""The ``scope-incident`` flow: what leaked and about whom, as aggregates."""

from __future__ import annotations

from prefect import flow

from breachflow.scoping.model import ScopeSummary
from tasks.scoping import publish_scope_artifacts, scope_dataset_task


@flow(name="scope-incident", flow_run_name="scope-{incident_id}", persist_result=False, log_prints=False)
async def scope_incident(incident_id: str) -> ScopeSummary:
    """Scope the incident's leaked dataset and publish aggregate artifacts."""
    summary = scope_dataset_task(incident_id)
    publish_scope_artifacts(incident_id, summary)
    return summary
