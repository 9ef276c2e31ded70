"""Scoping use cases: what leaked and about whom, from the case's sealed dataset."""

from __future__ import annotations

from breachflow.scoping.case_scope import scope_case
from breachflow.scoping.model import ScopeSummary
from breachflow.wiring import Wiring


def scope(w: Wiring, incident_id: str) -> ScopeSummary:
    """Scope the case's stored dataset; the person list stays in the case store, aggregates come out."""
    return scope_case(case=w.case(incident_id))
