"""Prefect task of the requests stage: counts of inquiries and requests by type and status."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.casestore import CaseStore
from breachflow.intake.loader import today_jst
from breachflow.requests import publish_request_summary, request_counts
from breachflow.requests.model import RequestCounts
from breachflow.settings import get_settings
from tasks._safety import ids_only
from tasks.scoping import artifact_key


@task(name="publish-request-counts", cache_policy=NO_CACHE, persist_result=False)
def publish_request_counts(incident_id: str) -> RequestCounts:
    """Show inquiry-desk requests by type and status (counts only) and feed report item 6."""
    with ids_only("publish-request-counts", incident_id):
        case = CaseStore(get_settings().cases_dir).get(incident_id)
        today = today_jst()
        counts = request_counts(case=case, today=today)
        publish_request_summary(case=case, today=today)
        create_table_artifact(
            table=[{"type": t.type.value, "種別": t.label_ja, "received": t.received, "open": t.open,
                    "overdue": t.overdue, "closed": t.closed} for t in counts.by_type],
            key=artifact_key("requests", incident_id),
            description="inquiries and requests from affected persons (counts)",
        )
        return counts
