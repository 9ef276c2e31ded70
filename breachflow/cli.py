"""The ``breachflow`` command line: thin wrappers around the domain packages."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer
    from click import ClickException

from breachflow.casestore import CaseStore
from breachflow.errors import BreachflowError
from breachflow.intake import load_intake
from breachflow.settings import get_settings

app = typer.Typer(
    name="breachflow",
    help="Incident response for personal-data leaks under Japan's APPI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
intake_app = typer.Typer(help="Validate and open incident intake files.", no_args_is_help=True)
app.add_typer(intake_app, name="intake")
case_app = typer.Typer(help="Inspect cases in the case store: list, timeline, verify, export, retention, purge.",
                       no_args_is_help=True)
app.add_typer(case_app, name="case")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Judge dates as of this day (YYYY-MM-DD) instead of today, e.g. for drills."),
]


def emit_json(payload: Any) -> None:
    """Print JSON to stdout (UTF-8, Japanese kept readable)."""
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def parse_as_of(value: str | None) -> date | None:
    """Parse the --as-of option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BreachflowError(f"--as-of: {value!r} is not a date; expected YYYY-MM-DD") from None


def case_store() -> CaseStore:
    """The configured case store."""
    return CaseStore(get_settings().cases_dir)


@intake_app.command("validate")
def intake_validate(file: Path, as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """Check an intake file and report every problem at once, each with its field path."""
    intake = load_intake(file, as_of=parse_as_of(as_of))
    if as_json:
        emit_json({"valid": True, "incident_id": intake.incident_id})
    else:
        typer.echo(f"{file}: valid intake for incident {intake.incident_id}")


@intake_app.command("open")
def intake_open(
    file: Path,
    update: Annotated[bool, typer.Option("--update", help="Replace the intake of an already open case.")] = False,
    as_json: JsonFlag = False,
    as_of: AsOf = None,
) -> None:
    """Create the case folder for an incident: intake, dataset copy, timeline."""
    intake = load_intake(file, as_of=parse_as_of(as_of))
    case = case_store().open_case(intake, file, update=update)
    if as_json:
        emit_json({"incident_id": case.incident_id, "case_dir": str(case.dir)})
    else:
        typer.echo(f"case {case.incident_id} opened in {case.dir}")


@case_app.command("list")
def case_list(as_json: JsonFlag = False) -> None:
    """List the incident ids in the case store."""
    ids = case_store().ids()
    if as_json:
        emit_json(ids)
    else:
        typer.echo("\n".join(ids) or "no cases")


@case_app.command("timeline")
def case_timeline(incident_id: str, as_json: JsonFlag = False) -> None:
    """Show the case's timeline (事実経過), oldest first."""
    entries = case_store().get(incident_id).timeline.entries()
    if as_json:
        emit_json([e.model_dump(mode="json") for e in entries])
        return
    for entry in entries:
        typer.echo(f"{entry.seq:4d}  {entry.at:%Y-%m-%d %H:%M:%S}Z  {entry.kind:<28} {entry.message}")


@case_app.command("verify")
def case_verify(incident_id: str) -> None:
    """Check the timeline's hash chain (names the first broken entry) and warn about loose permissions."""
    from breachflow.security.permissions import warn_loose_permissions

    case = case_store().get(incident_id)
    count = case.timeline.verify()
    warn_loose_permissions([case])
    typer.echo(f"case {incident_id}: timeline intact ({count} entries)")


@case_app.command("export")
def case_export(
    incident_id: str,
    name: Annotated[str, typer.Argument(help="File inside the case folder, e.g. notification/calls/call_list.csv")],
    to: Annotated[Path, typer.Option("--to", help="Where to write the decrypted copy (must not exist).")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file at --to.")] = False,
) -> None:
    """Decrypt one stored file to an explicit path; the export is recorded in the timeline."""
    target = case_store().get(incident_id).export(name, to, overwrite=overwrite)
    typer.echo(f"case {incident_id}: {name} written to {target} (recorded in the timeline)")


@case_app.command("retention")
def case_retention(as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """List cases whose personal data is kept longer than BREACHFLOW_RETENTION_DAYS."""
    from breachflow.security.retention import cases_past_retention

    settings = get_settings()
    due = cases_past_retention(store=case_store(), today=parse_as_of(as_of) or date.today(),
                               retention_days=settings.retention_days)
    if as_json:
        emit_json([d.model_dump(mode="json") for d in due])
        return
    if not due:
        typer.echo(f"no case is past the retention period ({settings.retention_days} days)")
    for item in due:
        typer.echo(f"{item.incident_id}: opened {item.opened_on}, due {item.due_on} ({item.days_over} days over); "
                   f"purge with 'breachflow case purge {item.incident_id} --yes'")


@case_app.command("purge")
def case_purge(
    incident_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: the personal data cannot be recovered afterwards.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Destroy the case's data key and personal files; keep the aggregate record and log the purge."""
    if not yes:
        raise BreachflowError(f"case {incident_id}: purging cannot be undone; repeat with --yes to confirm")
    record = case_store().get(incident_id).purge()
    if as_json:
        emit_json(record.model_dump(mode="json"))
    else:
        typer.echo(f"case {incident_id}: purged {record.files_deleted} file(s), data key "
                   f"{'destroyed' if record.key_destroyed else 'was already gone'}; {len(record.kept)} aggregate record(s) kept")


def _warn_loose_permissions() -> None:
    """Warn (stderr, paths and modes only) about case folders or key files open to others."""
    from breachflow.security.permissions import warn_loose_permissions

    store = case_store()
    try:
        ids = store.ids()
    except OSError:
        return
    warn_loose_permissions(store.get(i) for i in ids)


def main() -> None:
    """Entry point: run the app; user errors become one paragraph on stderr and exit 2."""
    try:
        _warn_loose_permissions()
        app(standalone_mode=False)
    except BreachflowError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except ClickException as exc:
        exc.show()
        sys.exit(2)


# Sub-command modules register themselves on ``app`` when imported.
from breachflow import cli_commands  # noqa: E402,F401
