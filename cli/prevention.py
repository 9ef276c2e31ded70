"""``breachflow prevention``: plan, list, update, close, cancel and audit corrective actions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from breachflow.errors import CheckUnavailable, PreventionError
from breachflow.prevention.audit import audit_plan, run_action_check, unavailable_result
from breachflow.prevention.checks import LiveCheckRunner, RetryingCheckRunner
from breachflow.prevention.model import (
    UNASSIGNED_OWNER,
    CheckEvidence,
    Evidence,
    FileEvidence,
    LeakcheckCleanSpec,
    PlanDefaults,
    PreventionPlan,
    SignedRecord,
    TrainingCoverageSpec,
)
from breachflow.prevention.plan import (
    cancel_action,
    check_spec_with,
    close_action,
    item8_facts,
    plan_case,
    read_plan,
    report_item8,
    update_action,
)
from breachflow.settings import get_settings
from cli.common import JsonFlag, emit_json, parse_date, wiring

prevention_app = typer.Typer(
    help="Corrective-action plans (再発防止策) and their follow-up audits.", no_args_is_help=True
)

Incident = Annotated[str, typer.Argument(help="Incident id of an open case.")]
ActionId = Annotated[str, typer.Argument(help="Action id, e.g. A03.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Treat this day (YYYY-MM-DD) as today, e.g. for drills.")]
Owner = Annotated[str | None, typer.Option("--owner", help="Person or role responsible for the action(s).")]
Roster = Annotated[Path | None, typer.Option("--roster", help="Employee roster (CSV/XLSX) for the training check.")]
Completion = Annotated[
    Path | None, typer.Option("--completion", help="Training completion list (CSV/XLSX) for the training check.")
]
RosterColumn = Annotated[str | None, typer.Option("--roster-id-column", help="Header of the roster's id column.")]
CompletionColumn = Annotated[
    str | None, typer.Option("--completion-id-column", help="Header of the completion list's id column.")
]
ScanPaths = Annotated[
    list[Path] | None, typer.Option("--scan-path", help="Folder to scan in the leak check (repeatable).")
]
Approved = Annotated[
    list[str] | None, typer.Option("--approved", help="Approved store folder or path glob (repeatable).")
]
Retries = Annotated[
    int, typer.Option("--retries", min=0, help="Retries of a check that cannot run now (back-off 2 s, 4 s, …).")
]


def _paths(values: list[Path] | None) -> list[str] | None:
    return [os.path.abspath(p.expanduser()) for p in values] if values else None


def _approved(values: list[str] | None) -> list[str] | None:
    """Folders become absolute (the audit may run elsewhere); globs are kept as written."""
    return [v if any(c in v for c in "*?[") else os.path.abspath(v) for v in values] if values else None


def _print_plan(plan: PreventionPlan) -> None:
    typer.echo(f"incident {plan.incident_id}: {len(plan.actions)} prevention actions (cause: {plan.cause.value})")
    for action in plan.actions:
        typer.echo(
            f"  {action.id}  {action.status.value:<9}  due {action.due}  {action.evidence_required.value:<15}  "
            f"{action.title_ja}（担当: {action.owner}）"
        )


@prevention_app.command("plan")
def prevention_plan(
    incident: Incident,
    owner: Owner = None,
    roster: Roster = None,
    completion: Completion = None,
    roster_id_column: RosterColumn = None,
    completion_id_column: CompletionColumn = None,
    scan_path: ScanPaths = None,
    approved: Approved = None,
    as_json: JsonFlag = False,
    as_of: AsOf = None,
) -> None:
    """Propose the plan for the incident's cause and store it; re-running keeps existing actions."""
    case = wiring().store.get(incident)
    defaults = PlanDefaults(
        owner=owner or get_settings().prevention_owner or UNASSIGNED_OWNER,
        training=check_spec_with(
            TrainingCoverageSpec(),
            roster=_paths([roster])[0] if roster else None,
            completion=_paths([completion])[0] if completion else None,
            roster_id_column=roster_id_column,
            completion_id_column=completion_id_column,
        ),
        leakcheck=check_spec_with(LeakcheckCleanSpec(), scan_paths=_paths(scan_path), allowlist=_approved(approved)),
    )
    plan = plan_case(case=case, today=parse_date("--as-of", as_of) or wiring().today(), defaults=defaults)
    if as_json:
        emit_json(plan.model_dump(mode="json"))
    else:
        _print_plan(plan)


@prevention_app.command("list")
def prevention_list(incident: Incident, as_json: JsonFlag = False) -> None:
    """Show every action with its status, due date and required evidence."""
    plan = read_plan(case=wiring().store.get(incident))
    if as_json:
        emit_json(plan.model_dump(mode="json"))
    else:
        _print_plan(plan)


@prevention_app.command("update")
def prevention_update(
    incident: Incident,
    action: ActionId,
    owner: Owner = None,
    due: Annotated[str | None, typer.Option("--due", help="New due date (YYYY-MM-DD).")] = None,
    roster: Roster = None,
    completion: Completion = None,
    roster_id_column: RosterColumn = None,
    completion_id_column: CompletionColumn = None,
    scan_path: ScanPaths = None,
    approved: Approved = None,
) -> None:
    """Change an open action's owner, due date or automated-check inputs."""
    case = wiring().store.get(incident)
    check = None
    check_options = (roster, completion, roster_id_column, completion_id_column, scan_path, approved)
    if any(check_options):
        current = read_plan(case=case).action(action)
        if current is None or current.check is None:
            raise PreventionError(f"case {incident}: action {action} has no automated check to configure")
        check = check_spec_with(
            current.check,
            roster=_paths([roster])[0] if roster else None,
            completion=_paths([completion])[0] if completion else None,
            roster_id_column=roster_id_column,
            completion_id_column=completion_id_column,
            scan_paths=_paths(scan_path),
            allowlist=_approved(approved),
        )
    update_action(case=case, action_id=action, owner=owner, due=parse_date("--due", due), check=check)
    typer.echo(f"action {action} of case {incident} updated")


@prevention_app.command("close")
def prevention_close(
    incident: Incident,
    action: ActionId,
    evidence_file: Annotated[
        Path | None, typer.Option("--evidence-file", help="Document proving the action done (its sha256 is kept).")
    ] = None,
    signed_by: Annotated[str | None, typer.Option("--signed-by", help="Who signs the record.")] = None,
    statement: Annotated[str | None, typer.Option("--statement", help="What the signer confirms.")] = None,
    signed_on: Annotated[str | None, typer.Option("--signed-on", help="Signing date (default: today).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Run the action's automated check now; close if it passes.")] = False,
    retries: Retries = 2,
    as_of: AsOf = None,
) -> None:
    """Close an action with the evidence it requires (file, signed record or passing check)."""
    case = wiring().store.get(incident)
    today = parse_date("--as-of", as_of) or wiring().today()
    given = [evidence_file is not None, signed_by is not None or statement is not None, check]
    if sum(given) > 1:
        raise PreventionError("give exactly one of --evidence-file, --signed-by/--statement or --check")
    evidence: Evidence | None = None
    if evidence_file is not None:
        evidence = FileEvidence(path=str(evidence_file))
    elif signed_by is not None or statement is not None:
        if not (signed_by or "").strip() or not (statement or "").strip():
            raise PreventionError("a signed record needs both --signed-by and --statement")
        evidence = SignedRecord(
            signer=signed_by or "", statement=statement or "", signed_on=parse_date("--signed-on", signed_on) or today
        )
    elif check:
        current = read_plan(case=case).action(action)
        if current is not None and current.check is not None:
            runner = RetryingCheckRunner(LiveCheckRunner(), delays=[2.0 * 2**n for n in range(retries)])
            try:
                result = run_action_check(action=current, checks=runner, today=today)
            except CheckUnavailable as exc:
                result = unavailable_result(action=current, today=today, error=exc)
            evidence = CheckEvidence(result=result)
    close_action(case=case, action_id=action, evidence=evidence, today=today)
    typer.echo(f"action {action} of case {incident} closed")


@prevention_app.command("cancel")
def prevention_cancel(
    incident: Incident,
    action: ActionId,
    reason: Annotated[str, typer.Option("--reason", help="Why the action no longer applies.")],
    as_of: AsOf = None,
) -> None:
    """Cancel an open action that no longer applies."""
    cancel_action(
        case=wiring().store.get(incident), action_id=action, reason=reason, today=parse_date("--as-of", as_of) or wiring().today()
    )
    typer.echo(f"action {action} of case {incident} cancelled")


@prevention_app.command("audit")
def prevention_audit(incident: Incident, retries: Retries = 2, as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """Flag overdue actions and run the automated checks of open actions (unrunnable = not_checked)."""
    runner = RetryingCheckRunner(LiveCheckRunner(), delays=[2.0 * 2**n for n in range(retries)])
    result = audit_plan(case=wiring().store.get(incident), today=parse_date("--as-of", as_of) or wiring().today(), checks=runner)
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    typer.echo(
        f"incident {incident}: {result.open_count} open, {result.done_count} done, "
        f"{len(result.overdue_ids)} overdue, checks passed {len(result.passed_ids)} / failed "
        f"{len(result.failed_ids)} / not checked {len(result.not_checked_ids)}"
    )
    for row in result.table_rows():
        late = f" OVERDUE {row['days_overdue']}d" if row["overdue"] else ""
        check = f"  {row['check']}: {row['check_status']}" if row["check"] else ""
        extra = f" {row['reason']}" if row["reason"] else ""
        typer.echo(f"  {row['action']}  due {row['due']}{late}{check}{extra}")


@prevention_app.command("item8")
def prevention_item8(incident: Incident, as_json: JsonFlag = False) -> None:
    """Print report item 8 (再発防止のための措置) from the plan."""
    plan = read_plan(case=wiring().store.get(incident))
    if as_json:
        emit_json(item8_facts(plan).model_dump(mode="json"))
    else:
        typer.echo(report_item8(plan), nl=False)
