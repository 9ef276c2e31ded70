"""Render reports and police drafts: Markdown/HTML for review, PDF for filing, field lists for the PPC form."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case
from breachflow.errors import RenderError
from breachflow.obligations.model import Decision
from breachflow.reporting.context import ReportContext, build_report_context, check_complete
from breachflow.reporting.facts import ReportKind, read_report_facts, read_submissions
from breachflow.reporting.police import POLICE_TEMPLATES, PoliceContext, build_police_context
from breachflow.settings import Settings
from breachflow.templating import html_to_pdf, render

DECISION_FILE = "decision.json"
DRAFTS_DIR = "drafts"


class Format(StrEnum):
    """Output formats of a draft."""

    md = "md"
    html = "html"
    pdf = "pdf"
    fields = "fields"


class ReportField(BaseModel):
    """One row of the field list pasted into the PPC online form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_no: int
    label: str
    value: str
    state: str


def render_report_markdown(context: ReportContext, *, review: bool = True) -> str:
    """The report as Markdown (review copy with the internal cover note by default)."""
    check_complete(context)
    return render("reports/report.md.j2", {"report": context, "review": review})


def render_report_html(context: ReportContext, *, review: bool = True) -> str:
    """The report as HTML (autoescaped); ``review=False`` leaves out the internal cover note."""
    check_complete(context)
    return render("reports/report.html.j2", {"report": context, "review": review})


def render_report_pdf(context: ReportContext) -> bytes:
    """The report as a filing PDF (A4, IPAex fonts embedded, no internal cover note)."""
    return html_to_pdf(render_report_html(context, review=False))


def report_fields(context: ReportContext) -> list[ReportField]:
    """The nine items as (number, label, value) rows, value being text, 調査中 or 不明（理由）."""
    check_complete(context)
    return [ReportField(item_no=i.no, label=i.label, value=i.display, state=i.value.state) for i in context.items]


def report_fields_json(context: ReportContext) -> str:
    """The field list as JSON, with the header fields the online form also asks for."""
    payload = {
        "incident_id": context.incident_id,
        "report_kind": context.kind_label,
        "addressee": context.addressee.heading,
        "business_name": context.business.name,
        "business_address": context.business.address,
        "business_contact": context.business.contact,
        "report_date": context.report_date.isoformat(),
        "items": [f.model_dump() for f in report_fields(context)],
        "follow_up": context.follow_up,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def report_fields_csv(context: ReportContext) -> str:
    """The field list as CSV (項目番号, 項目名, 内容); written with a BOM so Excel opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["項目番号", "項目名", "内容"])
    for field in report_fields(context):
        writer.writerow([field.item_no, field.label, field.value])
    return buffer.getvalue()


def render_police(context: PoliceContext, *, fmt: Format) -> str | bytes:
    """A police draft as Markdown, HTML or PDF."""
    base = POLICE_TEMPLATES[context.kind]
    if fmt is Format.md:
        return render(f"{base}.md.j2", {"police": context})
    html = render(f"{base}.html.j2", {"police": context})
    if fmt is Format.html:
        return html
    if fmt is Format.pdf:
        return html_to_pdf(html)
    raise RenderError(f"case {context.incident_id}: police drafts come as md, html or pdf, not {fmt.value}")


def load_decision(*, case: Case) -> Decision:
    """The case's current decision record, computed (and stored) if the engine has not stored one."""
    if case.has(DECISION_FILE):
        return case.read_model(DECISION_FILE, Decision)
    try:
        from breachflow.obligations import assess
    except ImportError:
        raise RenderError(
            f"case {case.incident_id}: {DECISION_FILE} is missing; run 'breachflow assess' for the case first"
        ) from None
    from breachflow.scoping.case_scope import stored_scope

    return assess(intake=case.intake(), scope=stored_scope(case))


def case_report_context(*, case: Case, kind: ReportKind, settings: Settings, report_date: date,
                        decision: Decision | None = None) -> ReportContext:
    """The report context for a stored case: intake, scope, decision, report facts and timeline from the case folder."""
    from breachflow.scoping.case_scope import stored_scope

    return build_report_context(
        kind=kind,
        intake=case.intake(),
        decision=decision or load_decision(case=case),
        settings=settings,
        facts=read_report_facts(case=case),
        report_date=report_date,
        submissions=read_submissions(case=case),
        scope=stored_scope(case),
        case_timeline=case.timeline.entries(),
    )


def _store(case: Case, name: str, data: str | bytes) -> Path:
    raw = data.encode("utf-8-sig" if name.endswith(".csv") else "utf-8") if isinstance(data, str) else data
    return case.write_bytes(f"{DRAFTS_DIR}/{name}", raw)


def write_report_draft(*, case: Case, kind: ReportKind, fmt: Format, settings: Settings, report_date: date,
                       decision: Decision | None = None) -> list[Path]:
    """Render a report draft into the case's drafts/ folder; returns the written paths."""
    context = case_report_context(case=case, kind=kind, settings=settings, report_date=report_date, decision=decision)
    stem = f"report-{kind.value}-{report_date:%Y%m%d}"
    outputs: dict[str, str | bytes]
    if fmt is Format.md:
        outputs = {f"{stem}.md": render_report_markdown(context)}
    elif fmt is Format.html:
        outputs = {f"{stem}.html": render_report_html(context)}
    elif fmt is Format.pdf:
        outputs = {f"{stem}.pdf": render_report_pdf(context)}
    else:
        outputs = {f"{stem}.fields.json": report_fields_json(context), f"{stem}.fields.csv": report_fields_csv(context)}
    paths = [_store(case, name, data) for name, data in outputs.items()]
    case.timeline.append(
        "report.drafted",
        f"漏えい等報告（{context.kind_label}）の下書きを作成（{fmt.value}）",
        report_kind=kind.value,
        format=fmt.value,
        files=[p.name for p in paths],
        sha256=[hashlib.sha256(p.read_bytes()).hexdigest() for p in paths],
        pending_items=[i.no for i in context.pending()],
    )
    return paths


def write_police_draft(*, case: Case, fmt: Format, settings: Settings, draft_date: date) -> Path:
    """Render the police draft that fits the cause into the case's drafts/ folder."""
    from breachflow.scoping.case_scope import stored_scope

    context = build_police_context(
        intake=case.intake(), settings=settings, facts=read_report_facts(case=case), draft_date=draft_date,
        scope=stored_scope(case),
    )
    suffix = {Format.md: "md", Format.html: "html", Format.pdf: "pdf"}.get(fmt)
    if suffix is None:
        raise RenderError(f"case {case.incident_id}: police drafts come as md, html or pdf, not {fmt.value}")
    path = _store(case, f"police-{context.kind.value}-{draft_date:%Y%m%d}.{suffix}", render_police(context, fmt=fmt))
    case.timeline.append(
        "police.drafted",
        f"警察向け書面（{context.title}）の下書きを作成（{fmt.value}）",
        draft_kind=context.kind.value,
        format=fmt.value,
        file=path.name,
    )
    return path
