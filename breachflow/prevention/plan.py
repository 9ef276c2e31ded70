"""Propose, store and change an incident's corrective-action plan; render report item 8.

Every change is written to ``prevention/plan.json`` in the case folder and recorded in the
timeline with action ids, statuses and evidence kinds only (owners, signers and statements
may name people, so they stay in the plan file).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from breachflow.casestore import Case
from breachflow.casestore.store import sha256_file
from breachflow.errors import EvidenceRequired, PreventionError
from breachflow.intake.loader import today_jst
from breachflow.intake.model import Intake
from breachflow.prevention.catalog import ActionTemplate, templates_for
from breachflow.prevention.model import (
    EVIDENCE_LABELS_JA,
    PLAN_FILE,
    UNASSIGNED_OWNER,
    Action,
    ActionStatus,
    CheckEvidence,
    CheckKind,
    CheckSpec,
    CheckStatus,
    Evidence,
    FileEvidence,
    Item8Facts,
    Item8Measure,
    LeakcheckCleanSpec,
    PlanDefaults,
    PreventionPlan,
    SignedRecord,
    TrainingCoverageSpec,
)
from breachflow.settings import get_settings
from breachflow.templating import wareki


def default_plan_defaults() -> PlanDefaults:
    """Plan defaults from settings: the owner is BREACHFLOW_PREVENTION_OWNER, else 未定."""
    return PlanDefaults(owner=get_settings().prevention_owner or UNASSIGNED_OWNER)


def _check_for(template: ActionTemplate, defaults: PlanDefaults) -> CheckSpec | None:
    if template.check is CheckKind.training_coverage:
        return defaults.training
    if template.check is CheckKind.leakcheck_clean:
        return defaults.leakcheck
    return None


def _action(action_id: str, template: ActionTemplate, universal: bool, today: date, defaults: PlanDefaults) -> Action:
    return Action(
        id=action_id,
        key=template.key,
        universal=universal,
        title_ja=template.title_ja,
        description_ja=template.description_ja,
        owner=defaults.owner,
        due=today + timedelta(days=template.due_days),
        evidence_required=template.evidence,
        evidence_hint_ja=template.evidence_hint_ja,
        check=_check_for(template, defaults),
    )


def _action_id(number: int) -> str:
    return f"A{number:02d}"


def propose_plan(*, intake: Intake, today: date, defaults: PlanDefaults | None = None) -> PreventionPlan:
    """A fresh plan for the intake's cause: the four universal measures, then the cause's own."""
    defaults = defaults or default_plan_defaults()
    actions = [
        _action(_action_id(number), template, universal, today, defaults)
        for number, (template, universal) in enumerate(templates_for(intake.event.cause), start=1)
    ]
    return PreventionPlan(incident_id=intake.incident_id, cause=intake.event.cause, planned_on=today, actions=actions)


def merge_plan(*, existing: PreventionPlan, proposed: PreventionPlan) -> PreventionPlan:
    """Keep every existing action as it is; append proposed actions whose template key is new."""
    known = {action.key for action in existing.actions}
    next_number = max((int(a.id[1:]) for a in existing.actions), default=0) + 1
    added: list[Action] = []
    for action in proposed.actions:
        if action.key in known:
            continue
        added.append(action.model_copy(update={"id": _action_id(next_number)}))
        next_number += 1
    return existing.model_copy(update={"cause": proposed.cause, "actions": [*existing.actions, *added]})


def read_plan(*, case: Case) -> PreventionPlan:
    """The case's stored plan; raises PreventionError if none was made yet."""
    if not case.has(PLAN_FILE):
        raise PreventionError(
            f"case {case.incident_id}: no prevention plan yet; run 'breachflow prevention plan {case.incident_id}'"
        )
    return case.read_model(PLAN_FILE, PreventionPlan)


def plan_case(*, case: Case, today: date, defaults: PlanDefaults | None = None) -> PreventionPlan:
    """Propose a plan for the case and store it; re-running keeps existing actions and statuses."""
    proposed = propose_plan(intake=case.intake(), today=today, defaults=defaults)
    if not case.has(PLAN_FILE):
        case.write_model(PLAN_FILE, proposed)
        case.timeline.append(
            "prevention.planned",
            f"再発防止策の計画を作成（{len(proposed.actions)}件）",
            cause=proposed.cause.value,
            action_ids=[a.id for a in proposed.actions],
        )
        return proposed
    existing = read_plan(case=case)
    merged = merge_plan(existing=existing, proposed=proposed)
    if merged != existing:
        added = [a.id for a in merged.actions[len(existing.actions) :]]
        case.write_model(PLAN_FILE, merged)
        case.timeline.append(
            "prevention.replanned",
            f"再発防止策の計画に{len(added)}件を追加",
            cause=merged.cause.value,
            action_ids=added,
        )
    return merged


def _open_action(case: Case, plan: PreventionPlan, action_id: str) -> Action:
    action = plan.action(action_id)
    if action is None:
        known = ", ".join(a.id for a in plan.actions)
        raise PreventionError(f"case {case.incident_id}: no prevention action {action_id!r}; the plan has {known}")
    if action.status is not ActionStatus.open:
        raise PreventionError(f"case {case.incident_id}: action {action_id} is already {action.status.value}")
    return action


def _replace(plan: PreventionPlan, action: Action) -> PreventionPlan:
    return plan.model_copy(update={"actions": [action if a.id == action.id else a for a in plan.actions]})


def update_action(
    *,
    case: Case,
    action_id: str,
    owner: str | None = None,
    due: date | None = None,
    check: CheckSpec | None = None,
) -> PreventionPlan:
    """Change an open action's owner, due date or automated-check inputs."""
    plan = read_plan(case=case)
    action = _open_action(case, plan, action_id)
    changes: dict[str, object] = {}
    if owner is not None:
        if not owner.strip():
            raise PreventionError(f"case {case.incident_id}: action {action_id}: --owner must not be blank")
        changes["owner"] = owner.strip()
    if due is not None:
        changes["due"] = due
    if check is not None:
        if action.check is None or action.check.kind is not check.kind:
            expected = action.check.kind.value if action.check else "no automated check"
            raise PreventionError(
                f"case {case.incident_id}: action {action_id} takes {expected}, not a {check.kind.value} check"
            )
        changes["check"] = check
    if not changes:
        raise PreventionError(f"case {case.incident_id}: action {action_id}: nothing to update; give --owner or --due")
    updated = action.model_copy(update=changes)
    if updated == action:
        return plan
    plan = _replace(plan, updated)
    case.write_model(PLAN_FILE, plan)
    case.timeline.append(
        "prevention.action_updated",
        f"再発防止策 {action_id} を更新（{'・'.join(sorted(changes))}）",
        action_id=action_id,
        fields=sorted(changes),
        due=updated.due,
    )
    return plan


def _required(case: Case, action: Action) -> str:
    hint = f"（{action.evidence_hint_ja}）" if action.evidence_hint_ja else ""
    return (
        f"case {case.incident_id}: action {action.id} closes only with evidence of kind "
        f"{action.evidence_required.value} — {EVIDENCE_LABELS_JA[action.evidence_required]}{hint}"
    )


def _verified(case: Case, action: Action, evidence: Evidence | None, today: date) -> Evidence:
    """The evidence as stored, after checking it proves what the action requires."""
    required = _required(case, action)
    if evidence is None:
        raise EvidenceRequired(f"{required}; none was given")
    if evidence.kind is not action.evidence_required:
        raise EvidenceRequired(f"{required}; got {evidence.kind.value}")
    if isinstance(evidence, FileEvidence):
        path = Path(evidence.path).expanduser()
        if not path.is_file():
            raise EvidenceRequired(f"{required}; evidence file {path} does not exist")
        digest = sha256_file(path)
        if evidence.sha256 is not None and evidence.sha256 != digest:
            raise EvidenceRequired(f"{required}; evidence file {path} does not match its recorded sha256")
        return FileEvidence(path=str(path.resolve()), sha256=digest)
    if isinstance(evidence, SignedRecord):
        if not evidence.signer.strip() or not evidence.statement.strip():
            raise EvidenceRequired(f"{required}; the signed record needs a signer and a statement")
        if evidence.signed_on > today:
            raise EvidenceRequired(f"{required}; the record is signed on {evidence.signed_on}, after today ({today})")
        return evidence
    assert isinstance(evidence, CheckEvidence)
    result = evidence.result
    if action.check is None or result.kind is not action.check.kind:
        raise EvidenceRequired(f"{required}; got a {result.kind.value} result")
    if result.status is not CheckStatus.passed:
        raise EvidenceRequired(f"{required}; the {result.kind.value} check is {result.status.value}, not passed")
    return evidence


def close_action(*, case: Case, action_id: str, evidence: Evidence | None, today: date | None = None) -> PreventionPlan:
    """Mark an open action done; refuses (EvidenceRequired) unless the evidence proves it."""
    today = today or today_jst()
    plan = read_plan(case=case)
    action = _open_action(case, plan, action_id)
    stored = _verified(case, action, evidence, today)
    plan = _replace(
        plan, action.model_copy(update={"status": ActionStatus.done, "evidence": stored, "closed_on": today})
    )
    case.write_model(PLAN_FILE, plan)
    case.timeline.append(
        "prevention.action_closed",
        f"再発防止策 {action_id} を完了（証跡: {EVIDENCE_LABELS_JA[stored.kind]}）",
        action_id=action_id,
        status=ActionStatus.done.value,
        evidence_kind=stored.kind.value,
        sha256=stored.sha256 if isinstance(stored, FileEvidence) else None,
        closed_on=today,
    )
    return plan


def cancel_action(*, case: Case, action_id: str, reason: str, today: date | None = None) -> PreventionPlan:
    """Cancel an open action that no longer applies; the reason stays in the plan file."""
    if not reason.strip():
        raise PreventionError(f"case {case.incident_id}: action {action_id}: --reason must say why it is cancelled")
    today = today or today_jst()
    plan = read_plan(case=case)
    action = _open_action(case, plan, action_id)
    plan = _replace(
        plan,
        action.model_copy(update={"status": ActionStatus.cancelled, "cancel_reason": reason.strip(), "closed_on": today}),
    )
    case.write_model(PLAN_FILE, plan)
    case.timeline.append(
        "prevention.action_cancelled",
        f"再発防止策 {action_id} を取消",
        action_id=action_id,
        status=ActionStatus.cancelled.value,
    )
    return plan


def item8_facts(plan: PreventionPlan) -> Item8Facts:
    """Report item 8 as lists: done measures with their dates, open ones with their due dates."""
    done = [
        Item8Measure(action_id=a.id, text=a.title_ja, on=a.closed_on or a.due)
        for a in plan.actions
        if a.status is ActionStatus.done
    ]
    planned = [
        Item8Measure(action_id=a.id, text=a.title_ja, on=a.due) for a in plan.actions if a.status is ActionStatus.open
    ]
    return Item8Facts(done=sorted(done, key=lambda m: m.on), planned=sorted(planned, key=lambda m: m.on))


def report_item8(plan: PreventionPlan) -> str:
    """Japanese text for report item 8 (再発防止のための措置): done with dates, planned with due dates."""
    facts = item8_facts(plan)
    lines = ["【実施済みの措置】"]
    lines += [f"・{m.text}（{wareki(m.on)}実施）" for m in facts.done] or ["・なし"]
    lines.append("【今後実施予定の措置】")
    lines += [f"・{m.text}（{wareki(m.on)}までに実施予定）" for m in facts.planned] or ["・なし"]
    return "\n".join(lines) + "\n"


def check_spec_with(
    spec: CheckSpec,
    *,
    roster: str | None = None,
    completion: str | None = None,
    roster_id_column: str | None = None,
    completion_id_column: str | None = None,
    scan_paths: list[str] | None = None,
    allowlist: list[str] | None = None,
) -> CheckSpec:
    """A copy of a check spec with the given inputs replaced (options of the other kind are refused)."""
    if isinstance(spec, TrainingCoverageSpec):
        if scan_paths or allowlist:
            raise PreventionError("--scan-path/--approved apply to the leakcheck_clean check, not training_coverage")
        changes = {
            "roster": roster,
            "completion": completion,
            "roster_id_column": roster_id_column,
            "completion_id_column": completion_id_column,
        }
    else:
        assert isinstance(spec, LeakcheckCleanSpec)
        if roster or completion or roster_id_column or completion_id_column:
            raise PreventionError("--roster/--completion apply to the training_coverage check, not leakcheck_clean")
        changes = {"paths": scan_paths, "allowlist": allowlist}
    return spec.model_copy(update={k: v for k, v in changes.items() if v})
