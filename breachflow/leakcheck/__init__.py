"""Periodic leak checks: find files holding unprotected personal data (issue 5)."""

from breachflow.leakcheck.allowlist import AllowList, load_allowlist
from breachflow.leakcheck.detectors import Detector, detect
from breachflow.leakcheck.incident import DraftWriter, FolderDraftWriter, RecordingDraftWriter, open_incident_drafts
from breachflow.leakcheck.model import Finding, FindingStatus, RiskLevel, ScanReport, ScanSummary
from breachflow.leakcheck.scanner import scan

__all__ = [
    "AllowList",
    "Detector",
    "DraftWriter",
    "Finding",
    "FindingStatus",
    "FolderDraftWriter",
    "RecordingDraftWriter",
    "RiskLevel",
    "ScanReport",
    "ScanSummary",
    "detect",
    "load_allowlist",
    "open_incident_drafts",
    "scan",
]
