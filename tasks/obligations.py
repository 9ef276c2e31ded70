"""Prefect tasks of the obligations stage: decide, record, publish deadlines."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.casestore import CaseStore
from breachflow.facts import effective_intake
from breachflow.intake.loader import today_jst
from breachflow.obligations import assess
from breachflow.obligations.model import Decision
from breachflow.obligations.records import record_decision
from breachflow.reminders import DeadlineRow, deadline_rows
from breachflow.rulepacks import apply_rule_packs
from breachflow.scoping.case_scope import stored_scope
from breachflow.settings import get_settings
from tasks._safety import ids_only
from tasks.scoping import artifact_key


def _case(incident_id: str):
    return CaseStore(get_settings().cases_dir).get(incident_id)


@task(name="assess-obligations", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False)
def assess_obligations(incident_id: str) -> Decision:
    """Decide the legal duties from the effective facts and record the decision in the case."""
    with ids_only("assess-obligations", incident_id):
        case = _case(incident_id)
        intake, sources = effective_intake(case.intake(), stored_scope(case))
        for source in sources:
            if source.source == "intake-override":
                case.timeline.append(
                    "facts.override",
                    f"受付内容の{source.field}がデータセットの集計と異なるため受付内容を採用",
                    field=source.field,
                    reason=intake.data.override_reason or "理由未記載",
                )
        scope = stored_scope(case)
        # Industry rule packs add sector_obligations; the APPI keys stay as assess() decided them.
        decision = apply_rule_packs(intake=intake, decision=assess(intake=intake, scope=scope), scope=scope)
        record_decision(case=case, decision=decision)
        return decision


@task(name="publish-deadlines", cache_policy=NO_CACHE, persist_result=False)
def publish_deadlines(incident_id: str, decision: Decision, today: date | None = None) -> list[DeadlineRow]:
    """Show the obligations and their deadlines as a table artifact (obligation, due, status)."""
    rows = deadline_rows(case=_case(incident_id), decision=decision, today=today or today_jst())
    create_table_artifact(
        table=[{"regime": r.regime, "obligation": r.obligation, "window start": r.window_start or "",
                "due": r.due or "", "status": r.status.value} for r in rows],
        key=artifact_key("deadlines", incident_id),
        description=f"deadlines of incident {incident_id}",
    )
    categories = ", ".join(str(c) for c in decision.categories) or "none"
    create_markdown_artifact(
        markdown="\n".join(
            [
                f"# Obligations of incident {incident_id}",
                "",
                f"- reportable: **{'yes' if decision.reportable else 'no'}** (recipient: {decision.recipient.value})",
                f"- Rule 7 categories: {categories}",
                f"- 速報 window: {' … '.join(d.isoformat() for d in decision.preliminary_window) if decision.preliminary_window else '-'}",
                f"- 確報 due: {decision.final_due.isoformat() if decision.final_due else '-'}",
                f"- individual notice required: {'yes' if decision.individual_notice_required else 'no'}",
                f"- police: {decision.police.value}",
                f"- other regimes: {', '.join(decision.other_regimes) or 'none'}",
                f"- rule set {decision.rule_set_version}, inputs {decision.inputs_sha256[:12]}",
                "",
                f"_{decision.disclaimer}_",
            ]
        ),
        key=artifact_key("obligations", incident_id),
        description="decision summary",
    )
    return rows
