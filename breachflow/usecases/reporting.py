"""Reporting use cases: the next due report drafts, the police drafts, and the reports gate's text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.errors import RenderError
from breachflow.obligations.model import Decision, PoliceAdvice
from breachflow.reporting.facts import ReportKind, read_submissions
from breachflow.reporting.render import Format, write_police_draft, write_report_draft
from breachflow.wiring import Wiring

REPORT_FORMATS = (Format.md, Format.html, Format.pdf, Format.fields)
POLICE_FORMATS = (Format.md, Format.html, Format.pdf)


class DraftSet(BaseModel):
    """Which drafts were written (file names inside the case's drafts/ folder)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    report_kind: str | None
    report_files: list[str]
    police_files: list[str]
    final_blocked: str | None = None


def next_report_kind(w: Wiring, incident_id: str) -> ReportKind:
    """速報 until one was submitted, then 確報."""
    submitted = read_submissions(case=w.case(incident_id))
    return ReportKind.final if submitted.last(ReportKind.preliminary) else ReportKind.preliminary


def draft_report(w: Wiring, incident_id: str, *, kind: ReportKind, fmt: Format, on: date | None = None,
                 decision: Decision | None = None) -> list[Path]:
    """Write one report draft (a format may give several files) into the case's drafts/ folder."""
    return write_report_draft(case=w.case(incident_id), kind=kind, fmt=fmt, settings=w.settings,
                              report_date=on or w.today(), decision=decision)


def draft_police(w: Wiring, incident_id: str, *, fmt: Format, on: date | None = None) -> Path:
    """Write the police draft that fits the cause (被害届 or cybercrime consultation memo)."""
    return write_police_draft(case=w.case(incident_id), fmt=fmt, settings=w.settings, draft_date=on or w.today())


def draft_next_reports(w: Wiring, incident_id: str, decision: Decision) -> DraftSet:
    """Draft the next due report (速報, then 確報) in every format, and the police draft when advised."""
    report_files: list[str] = []
    kind: ReportKind | None = None
    blocked: str | None = None
    if decision.reportable:
        kind = next_report_kind(w, incident_id)
        try:
            for fmt in REPORT_FORMATS:
                report_files += [p.name for p in draft_report(w, incident_id, kind=kind, fmt=fmt, decision=decision)]
        except RenderError as exc:
            # A 確報 with unfilled items is expected until the officer fills them; not a failure.
            blocked = str(exc)
    police_files: list[str] = []
    if decision.police is PoliceAdvice.recommended:
        police_files = [draft_police(w, incident_id, fmt=fmt).name for fmt in POLICE_FORMATS]
    return DraftSet(report_kind=kind.value if kind else None, report_files=report_files,
                    police_files=police_files, final_blocked=blocked)


def reports_gate_markdown(w: Wiring, incident_id: str, decision: Decision, drafts: DraftSet) -> str:
    """The reports gate's text (Japanese, for the officer): the decision's key facts and the drafts."""
    window = " … ".join(d.isoformat() for d in decision.preliminary_window) if decision.preliminary_window else "-"
    # The drafts are sealed in the case store: a link would open nothing, so the form names each
    # draft and the one command that writes a readable copy of it.
    readable = [name for name in drafts.report_files + drafts.police_files if name.endswith(".pdf")]
    exports = [f"`breachflow case export {incident_id} drafts/{name} --to ./{name}`" for name in readable]
    return "\n".join([
        f"## 報告義務の判定と報告書下書きの承認 — incident {incident_id}",
        "",
        f"- 報告義務: **{'あり' if decision.reportable else 'なし'}**（報告先: {decision.recipient.value}）",
        f"- 規則7条該当: {', '.join(str(c) for c in decision.categories) or 'なし'}",
        f"- 速報の目安: {window}",
        f"- 確報の期限: {decision.final_due.isoformat() if decision.final_due else '-'}",
        f"- 本人通知: {'必要' if decision.individual_notice_required else '不要'}; 警察: {decision.police.value}",
        f"- 下書き（暗号化して保存）: {', '.join(readable) or '-'}",
        "",
        "下書きは次のコマンドで読める写しを書き出し、内容を確認してから承認してください:",
        *[f"- {command}" for command in exports],
    ])
