"""Prefect task of the requests stage: counts of inquiries and requests by type and status."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.requests.model import RequestCounts
from breachflow.usecases import requests
from breachflow.wiring import get_wiring
from tasks._safety import ids_only
from tasks.artifacts import artifact_key


@task(name="publish-request-counts", cache_policy=NO_CACHE, persist_result=False)
def publish_request_counts(incident_id: str) -> RequestCounts:
    """Show inquiry-desk requests by type and status (counts only) and feed report item 6."""
    with ids_only("publish-request-counts", incident_id):
        counts = requests.publish_counts(get_wiring(), incident_id)
        create_table_artifact(
            table=[{"type": t.type.value, "種別": t.label_ja, "received": t.received, "open": t.open,
                    "overdue": t.overdue, "closed": t.closed} for t in counts.by_type],
            key=artifact_key("requests", incident_id),
            description="inquiries and requests from affected persons (counts)",
        )
        return counts
