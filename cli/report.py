"""``breachflow report …`` and ``breachflow police …``: drafts, hand-filled items, filings, submissions."""

from __future__ import annotations

from typing import Annotated

import typer

from breachflow.reporting.facts import (
    PoliceContact,
    ReportKind,
    record_police_filing,
    record_submission,
    set_report_item,
)
from breachflow.reporting.render import Format
from breachflow.usecases import reporting
from cli.common import Incident, JsonFlag, emit_json, parse_date, parse_datetime, wiring

report_app = typer.Typer(
    help="Draft the 漏えい等報告 (速報/確報/追完), fill its items, record submissions.", no_args_is_help=True
)
police_app = typer.Typer(
    help="Draft the 被害届 / cybercrime consultation memo and record the police filing.", no_args_is_help=True
)

def _sealed_hint(case, path) -> str:
    """The stored (encrypted) draft and the command that writes a readable copy."""
    name = case.name_of(path)
    return f"{name}  (encrypted in the case store; read it with: breachflow case export {case.incident_id} {name} --to ./{path.name})"


@report_app.command("draft")
def report_draft(
    incident: Incident,
    kind: Annotated[ReportKind, typer.Option("--kind", help="preliminary (速報), final (確報) or supplement (追完).")],
    fmt: Annotated[
        Format, typer.Option("--format", help="md / html for review, pdf for filing, fields for the online form.")
    ] = Format.md,
    on: Annotated[str | None, typer.Option("--date", help="Report date (YYYY-MM-DD); default today in JST.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write a report draft into the case's drafts/ folder and print its path."""
    w = wiring()
    case = w.case(incident)
    paths = reporting.draft_report(w, incident, kind=kind, fmt=fmt, on=parse_date("--date", on))
    if as_json:
        emit_json({"incident_id": incident, "files": [str(p) for p in paths]})
    else:
        for path in paths:
            typer.echo(_sealed_hint(case, path))


@report_app.command("set")
def report_set(
    incident: Incident,
    item: Annotated[int, typer.Option("--item", min=1, max=9, help="Item number 1-9 of Rule 8(1).")],
    text: Annotated[str | None, typer.Option("--text", help="The item's content.")] = None,
    unknown_reason: Annotated[str | None, typer.Option("--unknown-reason", help="Mark the item unknown, giving why.")] = None,
) -> None:
    """Fill one report item by hand, or mark it unknown with the reason."""
    set_report_item(case=wiring().store.get(incident), item=item, text=text, unknown_reason=unknown_reason)
    typer.echo(f"case {incident}: report item {item} {'set' if text is not None else 'marked unknown'}")


@report_app.command("submitted")
def report_submitted(
    incident: Incident,
    kind: Annotated[ReportKind, typer.Option("--kind", help="preliminary, final or supplement.")],
    at: Annotated[str, typer.Option("--at", help="When it was submitted, e.g. 2026-11-12T10:30 (JST if no offset).")],
    ref: Annotated[str, typer.Option("--ref", help="The authority's receipt / reference number.")],
) -> None:
    """Record that a report was submitted (timeline and submission log)."""
    log = record_submission(case=wiring().store.get(incident), kind=kind, at=parse_datetime("--at", at), ref=ref)
    typer.echo(f"case {incident}: {kind.value} report recorded as submitted ({len(log.submissions)} submission(s) in total)")


@police_app.command("record")
def police_record(
    incident: Incident,
    station: Annotated[str, typer.Option("--station", help="Police station, e.g. 渋谷警察署.")],
    receipt: Annotated[str | None, typer.Option("--receipt", help="受理番号 given by the police, once known.")] = None,
    consultation: Annotated[bool, typer.Option("--consultation", help="A consultation (e.g. the cybercrime desk), not a 被害届.")] = False,
    filed_on: Annotated[str | None, typer.Option("--filed-on", help="Filing date (YYYY-MM-DD); default today in JST.")] = None,
) -> None:
    """Store the police contact (被害届 or consultation, station, 受理番号 if given); report item 9 states exactly that."""
    record_police_filing(
        case=wiring().store.get(incident), station=station, receipt_no=receipt,
        filed_on=parse_date("--filed-on", filed_on) or wiring().today(),
        kind=PoliceContact.consultation if consultation else PoliceContact.damage_report,
    )
    typer.echo(f"case {incident}: police {'consultation' if consultation else 'filing'} recorded"
               + ("" if receipt or consultation else " (no 受理番号 yet: item 9 says so)"))


@police_app.command("draft")
def police_draft(
    incident: Incident,
    fmt: Annotated[Format, typer.Option("--format", help="md, html or pdf.")] = Format.md,
    on: Annotated[str | None, typer.Option("--date", help="Draft date (YYYY-MM-DD); default today in JST.")] = None,
) -> None:
    """Write the 被害届 (theft etc.) or cybercrime consultation memo draft and print its path."""
    case = wiring().store.get(incident)
    path = reporting.draft_police(wiring(), incident, fmt=fmt, on=parse_date("--date", on))
    typer.echo(_sealed_hint(case, path))
