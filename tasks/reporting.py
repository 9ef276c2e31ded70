"""Prefect tasks of the reporting stage: drafts of the regulator report and the police documents."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from breachflow.casestore import CaseStore
from breachflow.errors import RenderError
from breachflow.intake.loader import today_jst
from breachflow.obligations.model import Decision, PoliceAdvice
from breachflow.reporting.facts import ReportKind, read_submissions
from breachflow.reporting.render import Format, write_police_draft, write_report_draft
from breachflow.settings import get_settings
from tasks._safety import ids_only


class DraftSet(BaseModel):
    """Which drafts were written (file names inside the case's drafts/ folder)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    report_kind: str | None
    report_files: list[str]
    police_files: list[str]
    final_blocked: str | None = None


@task(name="draft-reports", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False)
def draft_reports(incident_id: str, decision: Decision) -> DraftSet:
    """Draft the next due report (速報, then 確報) in every format, and the police draft when advised."""
    with ids_only("draft-reports", incident_id):
        settings = get_settings()
        case = CaseStore(settings.cases_dir).get(incident_id)
        today = today_jst()
        report_files: list[str] = []
        kind: ReportKind | None = None
        blocked: str | None = None
        if decision.reportable:
            submitted = read_submissions(case=case)
            kind = ReportKind.final if submitted.last(ReportKind.preliminary) else ReportKind.preliminary
            try:
                for fmt in (Format.md, Format.html, Format.pdf, Format.fields):
                    paths = write_report_draft(case=case, kind=kind, fmt=fmt, settings=settings, report_date=today,
                                               decision=decision)
                    report_files.extend(p.name for p in paths)
            except RenderError as exc:
                # A 確報 with unfilled items is expected until the officer fills them; not a failure.
                blocked = str(exc)
        police_files: list[str] = []
        if decision.police is PoliceAdvice.recommended:
            for fmt in (Format.md, Format.html, Format.pdf):
                police_files.append(write_police_draft(case=case, fmt=fmt, settings=settings, draft_date=today).name)
        return DraftSet(report_kind=kind.value if kind else None, report_files=report_files,
                        police_files=police_files, final_blocked=blocked)
