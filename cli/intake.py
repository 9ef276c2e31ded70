"""``breachflow intake …``: validate an intake file, open its case, or submit it to the server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachflow.intake import load_intake
from cli.common import AsOf, JsonFlag, emit_json, parse_as_of, wiring

intake_app = typer.Typer(help="Validate and open incident intake files.", no_args_is_help=True)

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
    case = wiring().store.open_case(intake, file, update=update)
    if as_json:
        emit_json({"incident_id": case.incident_id, "case_dir": str(case.dir)})
    else:
        typer.echo(f"case {case.incident_id} opened in {case.dir}")

