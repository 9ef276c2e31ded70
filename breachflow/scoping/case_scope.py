"""Scope a case's stored dataset and keep the results in the case folder."""

from __future__ import annotations

from datetime import date

from breachflow.casestore import Case
from breachflow.errors import CaseStoreError, DatasetError
from breachflow.scoping.model import PersonList, ScopeSummary
from breachflow.scoping.review import NEAR_MERGES_FILE, WEAK_MERGES_FILE

SCOPE_FILE = "scope.json"
PERSONS_FILE = "persons.json"


def scope_case(*, case: Case, as_of: date | None = None) -> ScopeSummary:
    """Scope the case's dataset; store the summary, person list and merge review lists; return aggregates only."""
    from breachflow.scoping.service import scope_with_review

    intake = case.intake()
    # The readers take a path: the sealed copy is decrypted into a 0600 file under the
    # case's tmp/ folder for the length of the read and deleted afterwards.
    with case.dataset_file() as dataset:
        if dataset is None:
            raise CaseStoreError(f"case {case.incident_id}: the intake names no data.dataset to scope")
        try:
            summary, persons, review = scope_with_review(
                path=dataset, as_of=as_of or intake.discovered_on, header=intake.data.header, plain_names=True
            )
        except DatasetError as exc:
            # The user knows the list by the path in the intake, not by the temporary copy.
            raise DatasetError(intake.data.dataset, exc.detail.replace(str(dataset), str(intake.data.dataset))) from None
    previous = case.read_model(SCOPE_FILE, ScopeSummary) if case.has(SCOPE_FILE) else None
    case.write_model(PERSONS_FILE, persons)
    # Written even when empty, so that a re-scope never leaves an earlier run's list behind.
    case.write_bytes(WEAK_MERGES_FILE, review.weak_merges_csv())
    case.write_bytes(NEAR_MERGES_FILE, review.near_merges_csv())
    case.write_model(SCOPE_FILE, summary)
    if previous != summary:
        case.timeline.append(
            "scope.done",
            f"漏えい対象の範囲を特定: {summary.persons}名（{summary.rows}行、重複{summary.duplicates_merged}件を統合）"
            + _review_note(summary),
            rows=summary.rows,
            persons=summary.persons,
            duplicates_merged=summary.duplicates_merged,
            weak_merges=summary.weak_merges,
            near_merges=summary.near_merges,
            items=[str(i) for i in summary.items],
            sensitive=summary.sensitive,
            financial=summary.financial,
        )
    return summary


def _review_note(summary: ScopeSummary) -> str:
    """The timeline's mention of the merges to review, if any."""
    parts = []
    if summary.weak_merges:
        parts.append(f"生年月日と住所のみで統合した{summary.weak_merges}名（{WEAK_MERGES_FILE}）")
    if summary.near_merges:
        parts.append(f"同姓同名で生年月日か住所の一方のみ一致し統合しなかった{summary.near_merges}組（{NEAR_MERGES_FILE}）")
    return f"。要確認: {'、'.join(parts)}" if parts else ""


def stored_scope(case: Case) -> ScopeSummary | None:
    """The stored scope summary, if the case was scoped."""
    return case.read_model(SCOPE_FILE, ScopeSummary) if case.has(SCOPE_FILE) else None


def stored_persons(case: Case) -> PersonList:
    """The stored person list (personal data: use inside the case store only)."""
    return case.read_model(PERSONS_FILE, PersonList)
