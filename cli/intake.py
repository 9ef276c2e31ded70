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


KIND_DEFAULTS = {  # --kind: what the template pre-fills (the cause, how sure, the medium)
    "theft": ("theft", "suspected", "paper"),
    "misdelivery": ("misdelivery", "occurred", "paper"),
    "wrong_recipient_email": ("wrong_recipient_email", "occurred", "electronic"),
    "unauthorized_access": ("unauthorized_access", "suspected", "electronic"),
    "ransomware": ("ransomware", "suspected", "electronic"),
    "lost_item": ("lost_item", "suspected", "both"),
    "misconfiguration": ("misconfiguration", "suspected", "electronic"),
}


@intake_app.command("new")
def intake_new(
    kind: Annotated[str, typer.Option("--kind", help=f"One of: {', '.join(KIND_DEFAULTS)}.")] = "theft",
) -> None:
    """Print a commented intake template (redirect it to a file); it validates once every <…> is filled in."""
    from breachflow.errors import InputError
    from breachflow.templating import environment
    from breachflow.vocabulary import Cause

    if kind not in KIND_DEFAULTS:
        raise InputError(None, f"--kind: {kind!r} is not one of {', '.join(KIND_DEFAULTS)}")
    cause, certainty, medium = KIND_DEFAULTS[kind]
    template = environment(wiring().settings.templates_dir).get_template("intake/incident.yaml")
    typer.echo(template.render(cause=cause, certainty=certainty, medium=medium, today=wiring().today().isoformat(),
                               causes=" | ".join(c.value for c in Cause)), nl=False)
