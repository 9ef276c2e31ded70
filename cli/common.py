"""Options and helpers shared by every command: JSON output, date options, the wiring."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

import typer

from breachflow.errors import BreachflowError
from breachflow.intake.loader import JST
from breachflow.wiring import Wiring, get_wiring

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Judge dates as of this day (YYYY-MM-DD) instead of today, e.g. for drills."),
]
ApproveAs = Annotated[
    str | None,
    typer.Option("--approve-as", help="Pre-approve every gate as this person (scripted runs); recorded as such."),
]
Incident = Annotated[str, typer.Argument(help="The incident id (the case folder name).")]


def wiring() -> Wiring:
    """The adapters built from the current settings."""
    return get_wiring()


def emit_json(payload: Any) -> None:
    """Print JSON to stdout (UTF-8, Japanese kept readable)."""
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def parse_date(option: str, value: str | None) -> date | None:
    """Parse a date option (YYYY-MM-DD); None stays None."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BreachflowError(f"{option}: {value!r} is not a date; expected YYYY-MM-DD") from None


def parse_as_of(value: str | None) -> date | None:
    """Parse the --as-of option."""
    return parse_date("--as-of", value)


def parse_datetime(option: str, value: str) -> datetime:
    """Parse a date-time option; a bare time means JST, where the APPI clock counts."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BreachflowError(
            f"{option}: {value!r} is not a date-time; expected e.g. 2026-11-12T10:30 (JST if no offset)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)
