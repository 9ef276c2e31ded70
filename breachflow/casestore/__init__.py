"""The case store: the only place personal data lives, sealed with a per-incident key."""

from breachflow.casestore.store import Case, CaseStore, PurgeRecord, case_containing, loose_permissions, stays_plain
from breachflow.casestore.timeline import Timeline, TimelineEntry

__all__ = ["Case", "CaseStore", "PurgeRecord", "Timeline", "TimelineEntry", "case_containing", "loose_permissions",
           "stays_plain"]
