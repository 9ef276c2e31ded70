"""``breachflow report …`` and ``breachflow police …``: drafts, hand-filled items, filings, submissions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from breachflow.cli import JsonFlag, app, case_store, emit_json
from breachflow.errors import BreachflowError
from breachflow.intake.loader import JST, today_jst
from breachflow.reporting.facts import ReportKind, record_police_filing, record_submission, set_report_item
from breachflow.reporting.render import Format, write_police_draft, write_report_draft
from breachflow.settings import get_settings

report_app = typer.Typer(
    help="Draft the 漏えい等報告 (速報/確報/追完), fill its items, record submissions.", no_args_is_help=True
)
police_app = typer.Typer(
    help="Draft the 被害届 / cybercrime consultation memo and record the police filing.", no_args_is_help=True
)
app.add_typer(report_app, name="report")
app.add_typer(police_app, name="police")

Incident = Annotated[str, typer.Argument(help="The incident id (the case folder name).")]


def _sealed_hint(case, path) -> str:
    """The stored (encrypted) draft and the command that writes a readable copy."""
    name = case.name_of(path)
    return f"{name}  (encrypted in the case store; read it with: breachflow case export {case.incident_id} {name} --to ./{path.name})"


def _date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BreachflowError(f"{option}: {value!r} is not a date; expected YYYY-MM-DD") from None


def _datetime(option: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BreachflowError(
            f"{option}: {value!r} is not a date-time; expected e.g. 2026-11-12T10:30 (JST if no offset)"
        ) from None
    # The APPI clock counts in Japan, so a bare time means JST.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)


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
    case = case_store().get(incident)
    paths = write_report_draft(
        case=case, kind=kind, fmt=fmt, settings=get_settings(), report_date=_date("--date", on) or today_jst()
    )
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
    set_report_item(case=case_store().get(incident), item=item, text=text, unknown_reason=unknown_reason)
    typer.echo(f"case {incident}: report item {item} {'set' if text is not None else 'marked unknown'}")


@report_app.command("submitted")
def report_submitted(
    incident: Incident,
    kind: Annotated[ReportKind, typer.Option("--kind", help="preliminary, final or supplement.")],
    at: Annotated[str, typer.Option("--at", help="When it was submitted, e.g. 2026-11-12T10:30 (JST if no offset).")],
    ref: Annotated[str, typer.Option("--ref", help="The authority's receipt / reference number.")],
) -> None:
    """Record that a report was submitted (timeline and submission log)."""
    log = record_submission(case=case_store().get(incident), kind=kind, at=_datetime("--at", at), ref=ref)
    typer.echo(f"case {incident}: {kind.value} report recorded as submitted ({len(log.submissions)} submission(s) in total)")


@police_app.command("record")
def police_record(
    incident: Incident,
    station: Annotated[str, typer.Option("--station", help="Police station, e.g. 渋谷警察署.")],
    receipt: Annotated[str, typer.Option("--receipt", help="受理番号 given by the police.")],
    filed_on: Annotated[str | None, typer.Option("--filed-on", help="Filing date (YYYY-MM-DD); default today in JST.")] = None,
) -> None:
    """Store the police station and 受理番号; they appear in report item 9 and the timeline."""
    record_police_filing(
        case=case_store().get(incident), station=station, receipt_no=receipt,
        filed_on=_date("--filed-on", filed_on) or today_jst(),
    )
    typer.echo(f"case {incident}: police filing recorded")


@police_app.command("draft")
def police_draft(
    incident: Incident,
    fmt: Annotated[Format, typer.Option("--format", help="md, html or pdf.")] = Format.md,
    on: Annotated[str | None, typer.Option("--date", help="Draft date (YYYY-MM-DD); default today in JST.")] = None,
) -> None:
    """Write the 被害届 (theft etc.) or cybercrime consultation memo draft and print its path."""
    case = case_store().get(incident)
    path = write_police_draft(case=case, fmt=fmt, settings=get_settings(), draft_date=_date("--date", on) or today_jst())
    typer.echo(_sealed_hint(case, path))
