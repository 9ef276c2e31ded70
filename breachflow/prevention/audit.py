"""Follow-up audits: flag overdue actions and run automated checks of open actions.

``audit_plan`` is the whole audit. Orchestration that retries checks itself uses the parts:
``checks_to_run`` → ``run_action_check`` (raises CheckUnavailable, so a task retries it) →
``unavailable_result`` once retries are used up → ``record_audit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from breachflow.casestore import Case
from breachflow.errors import CheckUnavailable, InputError
from breachflow.prevention.checks import CheckRunner, not_configured
from breachflow.prevention.model import (
    Action,
    ActionAudit,
    ActionStatus,
    AuditResult,
    CheckResult,
    CheckStatus,
    PreventionPlan,
)
from breachflow.prevention.plan import read_plan


def checks_to_run(plan: PreventionPlan) -> list[Action]:
    """Open actions proved by an automated check."""
    return [a for a in plan.actions if a.status is ActionStatus.open and a.check is not None]


def run_action_check(*, action: Action, checks: CheckRunner, today: date) -> CheckResult:
    """Run one action's check; raises CheckUnavailable when it cannot run now (retry it)."""
    assert action.check is not None, f"action {action.id} has no automated check"
    if not action.check.configured():
        return not_configured(action.check, today)
    try:
        return checks.run(action.check, today=today)
    except InputError as exc:
        # A roster without an id column will fail the same way tomorrow: not retried, not passed.
        return CheckResult(kind=action.check.kind, status=CheckStatus.not_checked, checked_on=today, reason=str(exc))


def unavailable_result(*, action: Action, today: date, error: CheckUnavailable) -> CheckResult:
    """The not_checked result of a check that still could not run after its retries."""
    assert action.check is not None, f"action {action.id} has no automated check"
    return CheckResult(kind=action.check.kind, status=CheckStatus.not_checked, checked_on=today, reason=str(error))


def assess_plan(*, plan: PreventionPlan, today: date, results: Mapping[str, CheckResult]) -> AuditResult:
    """The aggregate audit of a plan given the check results of its open actions."""
    audits: list[ActionAudit] = []
    for action in plan.actions:
        if action.status is not ActionStatus.open:
            continue
        late = max((today - action.due).days, 0)
        audits.append(
            ActionAudit(
                action_id=action.id,
                status=action.status,
                due=action.due,
                overdue=late > 0,
                days_overdue=late,
                check=results.get(action.id),
            )
        )

    def with_check(status: CheckStatus) -> list[str]:
        return [a.action_id for a in audits if a.check is not None and a.check.status is status]

    def counted(status: ActionStatus) -> int:
        return sum(1 for a in plan.actions if a.status is status)

    return AuditResult(
        incident_id=plan.incident_id,
        audited_on=today,
        actions=audits,
        open_count=counted(ActionStatus.open),
        done_count=counted(ActionStatus.done),
        cancelled_count=counted(ActionStatus.cancelled),
        overdue_ids=[a.action_id for a in audits if a.overdue],
        passed_ids=with_check(CheckStatus.passed),
        failed_ids=with_check(CheckStatus.failed),
        not_checked_ids=with_check(CheckStatus.not_checked),
    )


def record_audit(*, case: Case, plan: PreventionPlan, today: date, results: Mapping[str, CheckResult]) -> AuditResult:
    """Assess the plan and append the audit (ids and counts only) to the case timeline."""
    result = assess_plan(plan=plan, today=today, results=results)
    case.timeline.append(
        "prevention.audited",
        f"再発防止策の点検（未完了{result.open_count}件、期限超過{len(result.overdue_ids)}件、"
        f"自動点検 合格{len(result.passed_ids)}件・不合格{len(result.failed_ids)}件・"
        f"未点検{len(result.not_checked_ids)}件）",
        audited_on=today,
        open=result.open_count,
        done=result.done_count,
        cancelled=result.cancelled_count,
        overdue_ids=result.overdue_ids,
        passed_ids=result.passed_ids,
        failed_ids=result.failed_ids,
        not_checked_ids=result.not_checked_ids,
    )
    return result


def audit_plan(*, case: Case, today: date, checks: CheckRunner) -> AuditResult:
    """Audit every open action of the case's plan: overdue flags and automated checks."""
    plan = read_plan(case=case)
    results: dict[str, CheckResult] = {}
    for action in checks_to_run(plan):
        try:
            results[action.id] = run_action_check(action=action, checks=checks, today=today)
        except CheckUnavailable as exc:
            results[action.id] = unavailable_result(action=action, today=today, error=exc)
    return record_audit(case=case, plan=plan, today=today, results=results)
