"""The ``report-obligations`` flow: decide duties, draft reports, get a human sign-off."""

from __future__ import annotations

from prefect import flow
from pydantic import BaseModel, ConfigDict

from breachflow.approvals import Gate, Verdict, approval_of
from breachflow.casestore import CaseStore
from breachflow.obligations.model import Decision
from breachflow.settings import get_settings
from tasks.approval import approval_gate
from tasks.obligations import assess_obligations, publish_deadlines
from tasks.reporting import DraftSet, draft_reports


class ObligationsOutcome(BaseModel):
    """Aggregates of the stage: the decision's key facts, drafts, and the gate's verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    reportable: bool
    categories: list[int]
    individual_notice_required: bool
    drafts: DraftSet
    approved: bool
    approver: str | None


def _gate_description(incident_id: str, decision: Decision, drafts: DraftSet, drafts_dir: str) -> str:
    window = " … ".join(d.isoformat() for d in decision.preliminary_window) if decision.preliminary_window else "-"
    lines = [
        f"## 報告義務の判定と報告書下書きの承認 — incident {incident_id}",
        "",
        f"- 報告義務: **{'あり' if decision.reportable else 'なし'}**（報告先: {decision.recipient.value}）",
        f"- 規則7条該当: {', '.join(str(c) for c in decision.categories) or 'なし'}",
        f"- 速報の目安: {window}",
        f"- 確報の期限: {decision.final_due.isoformat() if decision.final_due else '-'}",
        f"- 本人通知: {'必要' if decision.individual_notice_required else '不要'}; 警察: {decision.police.value}",
        "- 下書き: " + (", ".join(f"[{name}](file://{drafts_dir}/{name})" for name in drafts.report_files + drafts.police_files
                                 if name.endswith((".html", ".pdf"))) or "-"),
        "",
        "`breachflow report draft " + incident_id + " --kind preliminary --format html` で内容を確認してから承認してください。",
    ]
    return "\n".join(lines)


@flow(name="report-obligations", flow_run_name="obligations-{incident_id}", persist_result=False)
async def report_obligations(incident_id: str) -> ObligationsOutcome:
    """Assess the legal duties, draft the regulator and police documents, and wait for sign-off."""
    decision = assess_obligations(incident_id)
    publish_deadlines(incident_id, decision)
    drafts = draft_reports(incident_id, decision)
    case = CaseStore(get_settings().cases_dir).get(incident_id)
    previous = approval_of(case=case, gate=Gate.reports)
    if previous is not None and previous.verdict is Verdict.approve and previous.subject_sha256 == decision.inputs_sha256:
        record = previous  # already signed off for these very facts: do not ask again
    else:
        record = await approval_gate(
            incident_id=incident_id, gate=Gate.reports,
            description=_gate_description(incident_id, decision, drafts, str((case.dir / "drafts").resolve())),
            subject_sha256=decision.inputs_sha256,
        )
    return ObligationsOutcome(
        incident_id=incident_id, reportable=decision.reportable, categories=list(decision.categories),
        individual_notice_required=decision.individual_notice_required, drafts=drafts,
        approved=record.verdict is Verdict.approve, approver=record.approver,
    )
