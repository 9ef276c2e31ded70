"""Hand-off models of the corrective-action plan (再発防止策) and its follow-up audits.

``PreventionPlan`` lives in the case folder (``prevention/plan.json``) and may hold personal
data (owners' names, signers, statements). ``CheckResult`` and ``AuditResult`` are
aggregate-only — ids, statuses, counts, percentages — so they can become Prefect artifacts.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from breachflow.vocabulary import Cause

PLAN_FILE = "prevention/plan.json"
UNASSIGNED_OWNER = "未定"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ActionStatus(StrEnum):
    """Where an action stands."""

    open = "open"
    done = "done"
    cancelled = "cancelled"


class EvidenceKind(StrEnum):
    """What proves an action done."""

    file = "file"
    signed_record = "signed_record"
    automated_check = "automated_check"


EVIDENCE_LABELS_JA: dict[EvidenceKind, str] = {
    EvidenceKind.file: "証跡ファイル",
    EvidenceKind.signed_record: "署名付き記録",
    EvidenceKind.automated_check: "自動点検の合格結果",
}


class CheckKind(StrEnum):
    """The automated checks an audit can run."""

    leakcheck_clean = "leakcheck_clean"
    training_coverage = "training_coverage"


class LeakcheckCleanSpec(_Frozen):
    """No customer-list files outside the approved store: scan ``paths``, ``allowlist`` suppresses the store."""

    kind: Literal[CheckKind.leakcheck_clean] = CheckKind.leakcheck_clean
    paths: list[str] = Field(default_factory=list, description="folders or mounted shares to scan")
    allowlist: list[str] = Field(default_factory=list, description="approved store locations / known files")

    def configured(self) -> bool:
        """Whether the check knows what to scan."""
        return bool(self.paths)


class TrainingCoverageSpec(_Frozen):
    """Every employee id in the roster appears in the training completion list."""

    kind: Literal[CheckKind.training_coverage] = CheckKind.training_coverage
    roster: str | None = Field(default=None, description="CSV/XLSX roster with an employee id column")
    completion: str | None = Field(default=None, description="CSV/XLSX list of ids who completed the training")
    roster_id_column: str | None = Field(default=None, description="header of the id column; None = detect")
    completion_id_column: str | None = None
    required_pct: float = Field(default=100.0, ge=0, le=100)

    def configured(self) -> bool:
        """Whether both files are named."""
        return bool(self.roster and self.completion)


CheckSpec = Annotated[LeakcheckCleanSpec | TrainingCoverageSpec, Field(discriminator="kind")]


class CheckStatus(StrEnum):
    """The outcome of one automated check; not_checked is never a pass."""

    passed = "passed"
    failed = "failed"
    not_checked = "not_checked"


class CheckResult(_Frozen):
    """One run of an automated check: aggregates only, never ids, names or matched values."""

    kind: CheckKind
    status: CheckStatus
    checked_on: date
    reason: str = Field(default="", description="why failed / not checked (paths, counts, error kinds only)")
    coverage_pct: float | None = None
    expected_count: NonNegativeInt | None = Field(default=None, description="roster size")
    missing_count: NonNegativeInt | None = None
    findings_count: NonNegativeInt | None = None
    files_scanned: NonNegativeInt | None = None


class FileEvidence(_Frozen):
    """A document proving the action done; ``sha256`` is filled in when the action closes."""

    kind: Literal[EvidenceKind.file] = EvidenceKind.file
    path: str
    sha256: str | None = None


class SignedRecord(_Frozen):
    """A statement signed by a responsible person."""

    kind: Literal[EvidenceKind.signed_record] = EvidenceKind.signed_record
    signer: str = Field(min_length=1)
    signed_on: date
    statement: str = Field(min_length=1)


class CheckEvidence(_Frozen):
    """A passing automated check result from an audit or a ``close --check`` run."""

    kind: Literal[EvidenceKind.automated_check] = EvidenceKind.automated_check
    result: CheckResult


Evidence = Annotated[FileEvidence | SignedRecord | CheckEvidence, Field(discriminator="kind")]


class Action(_Frozen):
    """One corrective action with its owner, due date and the evidence that proves it done."""

    id: str = Field(pattern=r"^A\d{2,}$")
    key: str = Field(description="catalog template key; what makes re-planning idempotent")
    universal: bool = Field(description="one of the four measures every leak gets")
    title_ja: str
    description_ja: str
    owner: str = UNASSIGNED_OWNER
    due: date
    status: ActionStatus = ActionStatus.open
    evidence_required: EvidenceKind
    evidence_hint_ja: str = ""
    check: CheckSpec | None = None
    evidence: Evidence | None = None
    closed_on: date | None = None
    cancel_reason: str | None = None


class PreventionPlan(_Frozen):
    """An incident's corrective-action plan."""

    incident_id: str
    cause: Cause
    planned_on: date
    actions: list[Action]

    def action(self, action_id: str) -> Action | None:
        """The action with this id, if any."""
        return next((a for a in self.actions if a.id == action_id), None)


class PlanDefaults(_Frozen):
    """What a new plan's actions start with: owner and the automated checks' inputs."""

    owner: str = UNASSIGNED_OWNER
    training: TrainingCoverageSpec = Field(default_factory=TrainingCoverageSpec)
    leakcheck: LeakcheckCleanSpec = Field(default_factory=LeakcheckCleanSpec)


class Item8Measure(_Frozen):
    """One line of report item 8: the measure and its date (done on / due by)."""

    action_id: str
    text: str
    on: date


class Item8Facts(_Frozen):
    """Report item 8 (再発防止のための措置) as structured lists."""

    done: list[Item8Measure]
    planned: list[Item8Measure]


class ActionAudit(_Frozen):
    """How one action stood at an audit: ids, dates, statuses and aggregates only."""

    action_id: str
    status: ActionStatus
    due: date
    overdue: bool
    days_overdue: NonNegativeInt = 0
    check: CheckResult | None = None


class AuditResult(_Frozen):
    """A follow-up audit of one plan; aggregate-only so it can be a Prefect table artifact."""

    incident_id: str
    audited_on: date
    actions: list[ActionAudit]
    open_count: NonNegativeInt
    done_count: NonNegativeInt
    cancelled_count: NonNegativeInt
    overdue_ids: list[str]
    passed_ids: list[str]
    failed_ids: list[str]
    not_checked_ids: list[str]

    def table_rows(self) -> list[dict[str, object]]:
        """One row per audited action, for a table artifact."""
        rows: list[dict[str, object]] = []
        for audit in self.actions:
            check = audit.check
            rows.append(
                {
                    "action": audit.action_id,
                    "status": audit.status.value,
                    "due": audit.due.isoformat(),
                    "overdue": audit.overdue,
                    "days_overdue": audit.days_overdue,
                    "check": check.kind.value if check else "",
                    "check_status": check.status.value if check else "",
                    "coverage_pct": check.coverage_pct if check and check.coverage_pct is not None else "",
                    "missing": check.missing_count if check and check.missing_count is not None else "",
                    "findings": check.findings_count if check and check.findings_count is not None else "",
                    "reason": check.reason if check else "",
                }
            )
        return rows
