"""The case store: the only place personal data lives."""

from breachflow.casestore.store import Case, CaseStore
from breachflow.casestore.timeline import Timeline, TimelineEntry

__all__ = ["Case", "CaseStore", "Timeline", "TimelineEntry"]
