"""Requests use cases: counts of inquiries and requests, fed into report item 6."""

from __future__ import annotations

from breachflow.requests import publish_request_summary, request_counts
from breachflow.requests.model import RequestCounts
from breachflow.wiring import Wiring


def publish_counts(w: Wiring, incident_id: str) -> RequestCounts:
    """Counts by type and status as of today, stored where report item 6 reads them."""
    case = w.case(incident_id)
    publish_request_summary(case=case, today=w.today())
    return request_counts(case=case, today=w.today())
