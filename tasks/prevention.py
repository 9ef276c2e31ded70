"""Prefect tasks of the prevention stage: plan, run checks with retries, record the audit."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from breachflow.casestore import CaseStore
from breachflow.errors import CheckUnavailable
from breachflow.intake.loader import today_jst
from breachflow.prevention import item8_facts, plan_case, read_plan
from breachflow.prevention.audit import checks_to_run, record_audit, run_action_check, unavailable_result
from breachflow.prevention.checks import LiveCheckRunner
from breachflow.prevention.model import AuditResult, CheckResult
from breachflow.reporting.facts import MeasureStatus, PreventionMeasure, update_report_facts
from breachflow.settings import get_settings
from tasks._retry import retry_on
from tasks._safety import ids_only
from tasks.scoping import artifact_key


def _case(incident_id: str):
    return CaseStore(get_settings().cases_dir).get(incident_id)


@task(name="plan-prevention", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False)
def plan_prevention(incident_id: str) -> int:
    """Propose (idempotently) the corrective-action plan and feed report item 8; returns the action count."""
    with ids_only("plan-prevention", incident_id):
        case = _case(incident_id)
        plan = plan_case(case=case, today=today_jst())
        facts = item8_facts(plan)
        measures = [PreventionMeasure(text=m.text, status=MeasureStatus.done, on=m.on) for m in facts.done]
        measures += [PreventionMeasure(text=m.text, status=MeasureStatus.planned, on=m.on) for m in facts.planned]
        update_report_facts(case=case, prevention=measures)
        return len(plan.actions)


@task(name="run-action-check", retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=retry_on(CheckUnavailable), cache_policy=NO_CACHE, persist_result=False)
def run_check(incident_id: str, action_id: str) -> CheckResult:
    """Run one action's automated check; raises CheckUnavailable (retried) when it cannot run now."""
    plan = read_plan(case=_case(incident_id))
    action = next(a for a in plan.actions if a.id == action_id)
    return run_action_check(action=action, checks=LiveCheckRunner(), today=today_jst())


@task(name="record-audit", cache_policy=NO_CACHE, persist_result=False)
def record_prevention_audit(incident_id: str, results: dict[str, CheckResult]) -> AuditResult:
    """Record the audit in the timeline and show it as a table artifact."""
    case = _case(incident_id)
    audit = record_audit(case=case, plan=read_plan(case=case), today=today_jst(), results=results)
    create_table_artifact(table=audit.table_rows() or [{"action": "-", "status": "no open actions"}],
                          key=artifact_key("prevention", incident_id), description="prevention audit")
    return audit


def check_results(incident_id: str) -> dict[str, CheckResult]:
    """Submit every open action's check; a check that stays unavailable becomes not_checked, never passed."""
    plan = read_plan(case=_case(incident_id))
    actions = checks_to_run(plan)
    futures = {a.id: run_check.submit(incident_id, a.id) for a in actions}
    results: dict[str, CheckResult] = {}
    for action in actions:
        try:
            results[action.id] = futures[action.id].result()
        except CheckUnavailable as exc:
            results[action.id] = unavailable_result(action=action, today=today_jst(), error=exc)
    return results
