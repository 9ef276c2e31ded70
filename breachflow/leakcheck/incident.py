"""Incident intake drafts for new high-risk findings (``--open-incident``).

A draft is an intake YAML (``shared/spec/intake-format.md``) that names the finding id and
the file path, with counts only: no matched value and no masked sample goes into it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import yaml

from breachflow.intake import parse_intake
from breachflow.leakcheck.model import Finding, FindingStatus, RiskLevel, ScanReport
from breachflow.vocabulary import ITEM_LABELS_JA, Cause

DRAFTS_SUBDIR = Path("leakcheck") / "incident-drafts"


class DraftWriter(Protocol):
    """Where intake drafts go; one method, idempotent by name."""

    def write(self, name: str, text: str) -> str:
        """Store the draft under ``name`` unless it exists; return where it is."""
        ...


class FolderDraftWriter:
    """Writes drafts as files in a folder; an existing draft is kept as is."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, name: str, text: str) -> str:
        """Write ``folder/name`` unless it exists; return its path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / name
        try:
            with target.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            pass
        return str(target)


class RecordingDraftWriter:
    """In-memory fake: records drafts by name."""

    def __init__(self) -> None:
        self.drafts: dict[str, str] = {}

    def write(self, name: str, text: str) -> str:
        """Record the draft unless one with this name exists."""
        self.drafts.setdefault(name, text)
        return f"memory:{name}"


def incident_id_for(finding: Finding) -> str:
    """The draft incident id: derived from the finding id, so a re-run drafts the same incident."""
    return "LC-" + finding.id.removeprefix("LF-")


def draft_intake(*, finding: Finding, business_name: str, found_at: datetime) -> dict[str, object]:
    """Intake data for one finding (cause misconfiguration: personal data left unprotected in a share)."""
    where = finding.path + (f"（アーカイブ内 {finding.member}）" if finding.member else "")
    labels = "、".join(ITEM_LABELS_JA[item] for item in finding.items)
    summary = (
        f"定期漏えいチェック（検出ID {finding.id}）で、保護されていないファイル {where} に"
        f"個人データ（{labels}、推定 {finding.estimated_persons} 人分）を検出した。"
        "アクセス権限と閲覧履歴を確認し、漏えいの有無を判断すること。"
    )
    return {
        "incident_id": incident_id_for(finding),
        "title": f"定期漏えいチェックで保護されていない個人データを検出（検出ID {finding.id}）",
        "business": {"name": business_name},
        "discovered_on": found_at.date().isoformat(),
        "discovered_by": "定期漏えいチェック（breachflow leakcheck）",
        "event": {
            "kind": "leak",
            "certainty": "suspected",
            "cause": Cause.misconfiguration.value,
            "medium": "electronic",
            "summary": summary,
        },
        "protection": {"encryption": "none"},
        "data": {
            "subjects": ["other"],
            "affected_persons": {"min": finding.estimated_persons, "max": finding.estimated_persons},
            "items": [item.value for item in finding.items],
        },
        "jurisdictions": ["JP"],
        "timeline": [
            {
                "at": found_at.isoformat(),
                "text": f"定期漏えいチェックで検出（検出ID {finding.id}、リスク {finding.risk.value}）",
            }
        ],
    }


def open_incident_drafts(
    *, report: ScanReport, writer: DraftWriter, business_name: str, found_at: datetime, as_of: date | None = None
) -> ScanReport:
    """Write an intake draft for every new high-risk finding; return the report listing them."""
    written: list[str] = []
    for finding in report.findings:
        if finding.status is not FindingStatus.new or finding.risk is not RiskLevel.high:
            continue
        data = draft_intake(finding=finding, business_name=business_name, found_at=found_at)
        # Validate before writing: a draft the intake stage rejects would be worse than none.
        parse_intake(data, source=f"draft for {finding.id}", as_of=as_of or found_at.date())
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        written.append(writer.write(f"{incident_id_for(finding)}.yaml", text))
    return report.model_copy(update={"incident_drafts": report.incident_drafts + tuple(written)})
