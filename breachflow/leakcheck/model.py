"""Result models of a leak check: findings with counts and masked samples, never matched values."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from breachflow.leakcheck.detectors import Detector
from breachflow.leakcheck.protection import Protection, Strength
from breachflow.vocabulary import DataItem


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingStatus(StrEnum):
    """How a finding compares with the previous scan."""

    new = "new"
    still = "still"
    gone = "gone"


class RiskLevel(StrEnum):
    """How urgent a finding is."""

    low = "low"
    medium = "medium"
    high = "high"


class IssueKind(StrEnum):
    """Why a file (or zip member) could not be scanned in full."""

    unreadable = "unreadable"
    not_regular_file = "not_regular_file"
    broken_symlink = "broken_symlink"
    symlink_loop = "symlink_loop"
    symlink_outside = "symlink_outside"  # a link whose target is outside every scanned root: never followed
    broken_container = "broken_container"
    binary_content = "binary_content"
    undecodable = "undecodable"
    unsupported_member = "unsupported_member"
    not_searched = "not_searched"  # read, but the detectors failed on its text (reported, never taken as clean)


# Issues that depend on the file's content only: an unchanged file would fail the same way,
# so the state may remember them. The others (permissions, links) are re-checked every scan.
CONTENT_ISSUES = frozenset(
    {IssueKind.broken_container, IssueKind.binary_content, IssueKind.undecodable, IssueKind.unsupported_member}
)


class DetectorCount(_Model):
    """Hits of one detector in one file: total, distinct values, masked samples."""

    count: int
    distinct: int
    samples: tuple[str, ...] = ()


class Finding(_Model):
    """Personal data found in one file or zip member, unprotected."""

    id: str
    path: str
    member: str | None = None
    detectors: dict[Detector, DetectorCount]
    estimated_persons: int
    items: tuple[DataItem, ...]
    risk: RiskLevel
    status: FindingStatus
    truncated: bool = False


class ProtectedFile(_Model):
    """A file or zip member that is password-protected: neither clean nor a leak."""

    path: str
    member: str | None = None
    protection: Protection


class FileIssue(_Model):
    """A file the scan could not read in full; the scan went on."""

    path: str
    member: str | None = None
    kind: IssueKind
    message: str


class ScanCounts(_Model):
    """Aggregate counts of one scan."""

    files_seen: int = 0
    files_scanned: int = 0
    skipped_unchanged: int = 0
    ignored: int = 0
    protected: int = 0
    protected_weak: int = 0
    issues: int = 0
    truncated: int = 0
    bytes_read: int = 0
    findings_new: int = 0
    findings_still: int = 0
    findings_gone: int = 0
    suppressed: int = 0


class ScanReport(_Model):
    """Everything one scan found: counts, findings (masked), protected files, issues."""

    roots: tuple[str, ...]
    started_at: datetime
    finished_at: datetime
    counts: ScanCounts
    findings: tuple[Finding, ...]
    protected: tuple[ProtectedFile, ...]
    issues: tuple[FileIssue, ...]
    incident_drafts: tuple[str, ...] = ()

    def active_findings(self) -> tuple[Finding, ...]:
        """Findings present in this scan (new or still there)."""
        return tuple(f for f in self.findings if f.status is not FindingStatus.gone)

    def summary(self) -> ScanSummary:
        """The aggregate-only view for orchestration metadata: counts and ids, no samples."""
        return ScanSummary(
            roots=self.roots,
            counts=self.counts,
            findings=tuple(
                FindingSummary(
                    id=f.id,
                    risk=f.risk,
                    status=f.status,
                    estimated_persons=f.estimated_persons,
                    items=f.items,
                    detector_counts={d: c.count for d, c in f.detectors.items()},
                )
                for f in self.findings
            ),
            weak_protection=sum(1 for p in self.protected if p.protection.strength is Strength.weak),
            incident_drafts=self.incident_drafts,
        )


class FindingSummary(_Model):
    """A finding without path or samples: what a flow artifact may carry."""

    id: str
    risk: RiskLevel
    status: FindingStatus
    estimated_persons: int
    items: tuple[DataItem, ...]
    detector_counts: dict[Detector, int]


class ScanSummary(_Model):
    """Aggregate-only result of a scan (for Prefect artifacts and logs)."""

    roots: tuple[str, ...]
    counts: ScanCounts
    findings: tuple[FindingSummary, ...]
    weak_protection: int
    incident_drafts: tuple[str, ...] = ()
