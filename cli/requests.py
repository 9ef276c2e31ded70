"""``breachflow requests``: contacts from affected persons — import, add, list, close, lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachflow.requests.lookup import LookupQuery, lookup_in_case
from breachflow.requests.model import (
    CHANNEL_LABELS_JA,
    REQUEST_TYPE_LABELS_JA,
    Channel,
    RequestType,
)
from breachflow.requests.service import (
    add_request,
    close_request,
    import_requests,
    list_requests,
    publish_request_summary,
    request_counts,
)
from cli.common import AsOf, JsonFlag, emit_json, parse_as_of, parse_date, wiring

requests_app = typer.Typer(
    help="Inquiries and APPI requests from affected persons: track to closure, look up, count.",
    no_args_is_help=True,
)


@requests_app.command("import")
def import_command(incident: str, file: Path, as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """Import the inquiry desk's CSV (UTF-8, BOM or CP932); a desk_ref already imported is skipped."""
    case = wiring().store.get(incident)
    outcome = import_requests(case=case, path=file)
    publish_request_summary(case=case, today=parse_as_of(as_of) or wiring().today())
    if as_json:
        emit_json(outcome.model_dump(mode="json"))
    else:
        typer.echo(f"{len(outcome.added)} request(s) imported, {outcome.skipped_duplicates} already recorded")


@requests_app.command("add")
def add_command(
    incident: str,
    type: Annotated[RequestType, typer.Option("--type", help="What the person asked for.")],
    received: Annotated[str, typer.Option("--received", help="Day received (YYYY-MM-DD).")],
    channel: Annotated[Channel, typer.Option("--channel")] = Channel.other,
    person_ref: Annotated[str | None, typer.Option("--person-ref", help="The person's id (e.g. P000012).")] = None,
    desk_ref: Annotated[str | None, typer.Option("--desk-ref", help="The desk's ticket number.")] = None,
    note: Annotated[str, typer.Option("--note", help="Desk note (kept in the case store).")] = "",
    as_json: JsonFlag = False,
    as_of: AsOf = None,
) -> None:
    """Record one contact; its reply due date follows from the type."""
    case = wiring().store.get(incident)
    request = add_request(case=case, type=type, received_on=parse_date("--received", received), channel=channel,
                          person_ref=person_ref, desk_ref=desk_ref, note=note)
    publish_request_summary(case=case, today=parse_as_of(as_of) or wiring().today())
    if as_json:
        emit_json(request.model_dump(mode="json"))
    else:
        typer.echo(f"{request.request_id}: {REQUEST_TYPE_LABELS_JA[type]} due {request.due_on.isoformat()} "
                   f"({request.due_basis})")


@requests_app.command("list")
def list_command(
    incident: str,
    open_only: Annotated[bool, typer.Option("--open", help="Only open requests (overdue included).")] = False,
    overdue_only: Annotated[bool, typer.Option("--overdue", help="Only open requests past their due date.")] = False,
    as_json: JsonFlag = False,
    as_of: AsOf = None,
) -> None:
    """List requests with their status as of today (or --as-of), and the counts by type and status."""
    case = wiring().store.get(incident)
    today = parse_as_of(as_of) or wiring().today()
    chosen = list_requests(case=case, today=today, open_only=open_only, overdue_only=overdue_only)
    counts = request_counts(case=case, today=today)
    if as_json:
        # Ids, types, dates and statuses only: desk notes stay in the case store.
        emit_json({
            "requests": [
                {"request_id": r.request_id, "type": r.type.value, "channel": r.channel.value,
                 "received_on": r.received_on.isoformat(), "due_on": r.due_on.isoformat(),
                 "status": r.listed_status(today).value, "person_ref": r.person_ref, "desk_ref": r.desk_ref}
                for r in chosen
            ],
            "counts": counts.model_dump(mode="json"),
        })
        return
    for r in chosen:
        typer.echo(f"{r.request_id}  {r.listed_status(today).value:<8} {REQUEST_TYPE_LABELS_JA[r.type]}"
                   f"（{CHANNEL_LABELS_JA[r.channel]}） received {r.received_on.isoformat()} due {r.due_on.isoformat()}"
                   + (f"  person {r.person_ref}" if r.person_ref else ""))
    typer.echo(f"total {counts.total}: open {counts.open}, overdue {counts.overdue}, closed {counts.closed}")


@requests_app.command("close")
def close_command(
    incident: str,
    request_id: str,
    note: Annotated[str, typer.Option("--note", help="What was done / answered.")],
    deleted_from: Annotated[
        list[str] | None, typer.Option("--deleted-from", help="A system the data was deleted from (repeatable).")
    ] = None,
    confirmation: Annotated[
        str | None, typer.Option("--confirmation", help="Reference of the deletion confirmation record.")
    ] = None,
    closed_on: Annotated[str | None, typer.Option("--closed-on", help="Day closed (default today).")] = None,
    as_json: JsonFlag = False,
    as_of: AsOf = None,
) -> None:
    """Close a request; a deletion records where it was deleted and leaves the person out of later exports."""
    case = wiring().store.get(incident)
    today = parse_as_of(as_of) or wiring().today()
    closed = close_request(case=case, request_id=request_id, note=note,
                           closed_on=parse_date("--closed-on", closed_on) if closed_on else today,
                           deleted_from=deleted_from, confirmation=confirmation)
    publish_request_summary(case=case, today=today)
    if as_json:
        emit_json({"request_id": closed.request_id, "status": closed.status.value,
                   "suppressed": closed.closure.suppressed if closed.closure else False})
    else:
        suffix = "; person left out of later exports" if closed.closure and closed.closure.suppressed else ""
        typer.echo(f"{closed.request_id} closed{suffix}")


@requests_app.command("lookup")
def lookup_command(
    incident: str,
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Name (kanji or kana); needs --birth-date.")] = None,
    birth_date: Annotated[str | None, typer.Option("--birth-date", help="YYYY-MM-DD")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer "is my data affected?" for one caller: yes/no and the items, never anyone else's data."""
    case = wiring().store.get(incident)
    query = LookupQuery(phone=phone, email=email, name=name,
                        birth_date=parse_date("--birth-date", birth_date) if birth_date else None)
    answer = lookup_in_case(case=case, query=query)
    if as_json:
        emit_json(answer.model_dump(mode="json"))
        return
    typer.echo(f"{answer.outcome.value}: {answer.message_ja}")
    if answer.items:
        typer.echo(f"漏えい等した項目 / items: {answer.items_ja()}  (person {answer.person_id})")
