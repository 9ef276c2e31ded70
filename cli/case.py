"""``breachflow case …``: list, timeline, verify, export, retention, purge."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachflow.casestore.permissions import warn_loose_permissions
from breachflow.errors import BreachflowError
from breachflow.intake.loader import JST
from breachflow.usecases import scheduled, status
from cli.common import AsOf, JsonFlag, emit_json, parse_as_of, wiring

case_app = typer.Typer(help="Inspect cases in the case store: list, timeline, verify, export, retention, purge.",
                       no_args_is_help=True)


@case_app.command("list")
def case_list(as_json: JsonFlag = False) -> None:
    """List the incident ids in the case store."""
    ids = wiring().store.ids()
    if as_json:
        emit_json(ids)
    else:
        typer.echo("\n".join(ids) or "no cases")


@case_app.command("status")
def case_status(incident_id: str, as_json: JsonFlag = False) -> None:
    """What is due when (JST), which gate waits, notices by honest state, open requests and actions, what to do next."""
    view = status.case_status(wiring(), incident_id)
    if as_json:
        emit_json(view.model_dump(mode="json"))
    else:
        typer.echo(view.markdown_ja())


@case_app.command("timeline")
def case_timeline(incident_id: str, as_json: JsonFlag = False) -> None:
    """Show the case's timeline (事実経過), oldest first."""
    entries = wiring().case(incident_id).timeline.entries()
    if as_json:
        emit_json([e.model_dump(mode="json") for e in entries])
        return
    for entry in entries:
        typer.echo(f"{entry.seq:4d}  {entry.at.astimezone(JST):%Y-%m-%d %H:%M:%S} JST  {entry.kind:<28} {entry.message}")


@case_app.command("verify")
def case_verify(
    incident_id: str,
    repair: Annotated[bool, typer.Option("--repair", help="Delete tmp/ leftovers and seal plaintext files in place.")] = False,
) -> None:
    """Check the timeline's hash chain, report plaintext files a crash left behind, and warn about loose permissions."""
    case = wiring().case(incident_id)
    count = case.timeline.verify()
    warn_loose_permissions([case])
    if repair:
        done = case.repair_plaintext()
        typer.echo(f"case {incident_id}: {done['removed']} temporary file(s) removed, {done['sealed']} file(s) sealed")
    plain = case.plaintext_files()
    for name in plain:
        typer.echo(f"plaintext: {name} — run 'breachflow case verify {incident_id} --repair' to seal or remove it",
                   err=True)
    typer.echo(f"case {incident_id}: timeline intact ({count} entries); "
               + (f"{len(plain)} plaintext file(s)" if plain else "no plaintext file outside the aggregate records"))
    if plain:
        raise typer.Exit(1)


@case_app.command("files")
def case_files(incident_id: str, as_json: JsonFlag = False) -> None:
    """List what the case holds for people to read (drafts, letters, call lists, vendor files), with kind and date."""
    files = wiring().case(incident_id).files()
    if as_json:
        emit_json([f.model_dump(mode="json") for f in files])
        return
    for f in files:
        typer.echo(f"{f.modified.astimezone(JST):%Y-%m-%d %H:%M} JST  {f.kind:<34} {f.name}"
                   + ("  (sealed)" if f.sealed else ""))
    if not files:
        typer.echo(f"case {incident_id}: no drafts, letters or lists yet")


@case_app.command("export")
def case_export(
    incident_id: str,
    name: Annotated[str | None, typer.Argument(help="File inside the case folder, e.g. notification/calls/call_list.csv")] = None,
    to: Annotated[Path | None, typer.Option("--to", help="Where to write the decrypted copy (a file; a folder with --all-drafts).")] = None,
    all_drafts: Annotated[bool, typer.Option("--all-drafts", help="Every report and police draft, into the folder --to.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing files at --to.")] = False,
) -> None:
    """Decrypt stored files to explicit paths; every export is recorded in the timeline."""
    case = wiring().case(incident_id)
    if to is None or (name is None) == (not all_drafts):
        raise BreachflowError("export: give a FILE and --to PATH, or --all-drafts and --to FOLDER")
    if all_drafts:
        if not to.is_dir():
            raise BreachflowError(f"{to}: --all-drafts writes into a folder; create it first")
        drafts = [f.name for f in case.files() if f.name.startswith("drafts/")]
        for draft in drafts:
            case.export(draft, to / Path(draft).name, overwrite=overwrite)
        typer.echo(f"case {incident_id}: {len(drafts)} draft(s) written to {to} (each recorded in the timeline)")
        return
    target = case.export(name, to, overwrite=overwrite)
    typer.echo(f"case {incident_id}: {name} written to {target} (recorded in the timeline)")


@case_app.command("retention")
def case_retention(as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """List cases whose personal data is kept longer than BREACHFLOW_RETENTION_DAYS."""
    w = wiring()
    day = parse_as_of(as_of)
    due = scheduled.past_retention(w if day is None else w.with_clock(lambda: day))
    if as_json:
        emit_json([d.model_dump(mode="json") for d in due])
        return
    if not due:
        typer.echo(f"no case is past the retention period ({w.settings.retention_days} days)")
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
    record = wiring().case(incident_id).purge()
    if as_json:
        emit_json(record.model_dump(mode="json"))
    else:
        typer.echo(f"case {incident_id}: purged {record.files_deleted} file(s), data key "
                   f"{'destroyed' if record.key_destroyed else 'was already gone'}; {len(record.kept)} aggregate record(s) kept")
