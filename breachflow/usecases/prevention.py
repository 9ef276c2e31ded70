"""Prevention use cases: propose the plan (feeding report item 8), run checks, record audits."""

from __future__ import annotations

from collections.abc import Mapping

from breachflow.errors import CheckUnavailable
from breachflow.prevention import item8_facts, plan_case, read_plan
from breachflow.prevention.audit import (
    checks_to_run,
    record_audit,
    run_action_check,
    unavailable_result,
)
from breachflow.prevention.checks import CheckRunner, LiveCheckRunner
from breachflow.prevention.model import (
    AuditResult,
    CheckResult,
    PlanDefaults,
    PreventionPlan,
)
from breachflow.reporting.facts import (
    MeasureStatus,
    PreventionMeasure,
    update_report_facts,
)
from breachflow.wiring import Wiring

PLAN_FILE = "prevention/plan.json"


def plan_prevention(w: Wiring, incident_id: str, *, defaults: PlanDefaults | None = None) -> PreventionPlan:
    """Propose (idempotently) the corrective-action plan and feed report item 8 with it."""
    case = w.case(incident_id)
    plan = plan_case(case=case, today=w.today(), defaults=defaults)
    facts = item8_facts(plan)
    measures = [PreventionMeasure(text=m.text, status=MeasureStatus.done, on=m.on) for m in facts.done]
    measures += [PreventionMeasure(text=m.text, status=MeasureStatus.planned, on=m.on) for m in facts.planned]
    update_report_facts(case=case, prevention=measures)
    return plan


def actions_to_check(w: Wiring, incident_id: str) -> list[str]:
    """Ids of the open actions proved by an automated check."""
    return [a.id for a in checks_to_run(read_plan(case=w.case(incident_id)))]


def check_action(w: Wiring, incident_id: str, action_id: str, *, checks: CheckRunner | None = None) -> CheckResult:
    """Run one action's automated check; raises CheckUnavailable when it cannot run now (retry it)."""
    action = next(a for a in read_plan(case=w.case(incident_id)).actions if a.id == action_id)
    return run_action_check(action=action, checks=checks or LiveCheckRunner(), today=w.today())


def check_unavailable(w: Wiring, incident_id: str, action_id: str, error: CheckUnavailable) -> CheckResult:
    """The not_checked result of a check that still could not run after its retries (never passed)."""
    action = next(a for a in read_plan(case=w.case(incident_id)).actions if a.id == action_id)
    return unavailable_result(action=action, today=w.today(), error=error)


def audit(w: Wiring, incident_id: str, results: Mapping[str, CheckResult]) -> AuditResult:
    """Assess the plan with the check results and log the audit (ids and counts) in the timeline."""
    case = w.case(incident_id)
    return record_audit(case=case, plan=read_plan(case=case), today=w.today(), results=results)


def cases_with_plans(w: Wiring) -> list[str]:
    """Ids of the cases that have a prevention plan (the daily audit's work list)."""
    return [i for i in w.store.ids() if w.case(i).has(PLAN_FILE)]
