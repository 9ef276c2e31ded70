"""``breachflow notify …``: plan, preview, approve, send, letters, calls, returned mail, substitute measures."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer

from breachflow.errors import BreachflowError
from breachflow.usecases import notification
from cli.common import Incident, JsonFlag, emit_json, parse_date, wiring

notify_app = typer.Typer(help="Notify affected persons: plan, gate, email, letters, calls.", no_args_is_help=True)

ExtraLetter = Annotated[bool, typer.Option("--letter-for-sensitive", help="Also send letters to persons with sensitive or financial data.")]


@notify_app.command("plan")
def notify_plan(incident: Incident, extra_letter: ExtraLetter = False, as_json: JsonFlag = False) -> None:
    """Plan one notice per person and channel (only that person's items); prints counts per channel."""
    counts = notification.plan(wiring(), incident, extra_letter=extra_letter)
    if as_json:
        emit_json(counts.model_dump(mode="json"))
    else:
        typer.echo(f"{counts.notices} notices for {counts.persons} persons: "
                   + ", ".join(f"{c}={n}" for c, n in counts.by_channel.items()))


@notify_app.command("preview")
def notify_preview(incident: Incident, as_json: JsonFlag = False) -> None:
    """Counts, template versions and one sample per channel and item set (placeholder person) for the gate."""
    preview = notification.preview(wiring(), incident)
    if as_json:
        emit_json(preview.model_dump(mode="json"))
        return
    typer.echo(f"notices per channel: {preview.counts.by_channel}; template versions: {preview.template_versions}")
    for sample in preview.samples:
        typer.echo(f"\n=== {sample.channel} × {sample.notices} ({', '.join(sample.items)}) ===")
        typer.echo(sample.subject or "")
        typer.echo(sample.text[:2000])


@notify_app.command("approve")
def notify_approve(
    incident: Incident,
    approve_as: Annotated[str, typer.Option("--approve-as", help="Name of the approver.")],
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approve.")] = False,
    comment: Annotated[str, typer.Option("--comment")] = "",
) -> None:
    """Approve (or reject) exactly the current notice plan."""
    record = notification.approve(wiring(), incident, approver=approve_as, approved=not reject, comment=comment)
    typer.echo(f"notification plan {record.verdict.value} by {record.approver}")


@notify_app.command("send")
def notify_send(incident: Incident, extra_letter: ExtraLetter = False, as_json: JsonFlag = False) -> None:
    """Send the approved email notices, batch by batch; already-sent notices are never sent again."""
    totals = notification.send_emails(wiring(), incident, worker=f"cli-{uuid.uuid4().hex[:8]}",
                                      extra_letter=extra_letter)
    emit_json(totals) if as_json else typer.echo(", ".join(f"{k}={v}" for k, v in totals.items()))


@notify_app.command("status")
def notify_status(incident: Incident, as_json: JsonFlag = False) -> None:
    """Notices per channel and state, and the notices in doubt that need a human decision."""
    view = notification.status(wiring(), incident)
    if as_json:
        emit_json(view.model_dump(mode="json"))
        return
    for channel, states in view.counts.items():
        typer.echo(f"{channel}: " + ", ".join(f"{s}={n}" for s, n in sorted(states.items())))
    for nid in view.in_doubt:
        typer.echo(f"in doubt: {nid} — decide with 'breachflow notify resolve {incident} {nid} --resend|--mark-sent'")
    email = view.counts.get("email", {})
    if email.get("failed_transient") or email.get("planned"):
        typer.echo(f"not sent yet: {email.get('failed_transient', 0) + email.get('planned', 0)} email(s) — "
                   f"retry with 'breachflow notify send {incident}'")
    if email.get("outbox"):
        typer.echo(f"in the outbox, NOT sent: {email['outbox']} email(s) — configure BREACHFLOW_SMTP_HOST, then "
                   f"'breachflow notify send {incident}'")
    letters = view.counts.get("letter", {})
    if letters.get("rendered"):
        typer.echo(f"rendered, not posted: {letters['rendered']} letter(s) — after handing them to the post, "
                   f"'breachflow notify printed {incident} --batch FILE | --all'")


@notify_app.command("resolve")
def notify_resolve(
    incident: Incident,
    notice_id: str,
    resend: Annotated[bool, typer.Option("--resend", help="The server did not get it: send it again.")] = False,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", help="The server got it: record it as sent.")] = False,
    by: Annotated[str, typer.Option("--by", help="Who decided.")] = "operator",
) -> None:
    """A human decision on a notice whose delivery is in doubt."""
    if resend == mark_sent:
        raise BreachflowError("resolve: give exactly one of --resend or --mark-sent")
    state = notification.resolve(wiring(), incident, notice_id, resend=resend, decided_by=by)
    typer.echo(f"{notice_id}: {state}")


@notify_app.command("letters")
def notify_letters(incident: Incident, workers: Annotated[int, typer.Option("--workers")] = 2) -> None:
    """Render the planned letters (PDF), the mailing lists (UTF-8 BOM / CP932) and label sheets."""
    w = wiring()
    run = notification.produce_letters(w, incident, workers=workers)
    typer.echo(f"{run.letters} letters rendered (not yet posted: record the hand-over with 'breachflow notify printed') "
               f"in {len(run.files)} file(s) under {notification.letters_dir(w, incident)}; "
               f"{run.unencodable_cp932} character(s) not encodable in CP932 (see mailing_list_cp932_problems.csv); "
               f"{run.address_too_long} address(es) fit the envelope window only in small print (address_too_long.csv)")


@notify_app.command("printed")
def notify_printed(
    incident: Incident,
    batch: Annotated[list[str] | None, typer.Option("--batch", help="A letters PDF handed to the post, e.g. letters-0001.pdf (repeatable).")] = None,
    dispatch_list: Annotated[Path | None, typer.Option("--dispatch-list", help="The print vendor's dispatch list (CSV with a notice_id column).")] = None,
    all_rendered: Annotated[bool, typer.Option("--all", help="Every rendered letter was handed to the post.")] = False,
    on: Annotated[str | None, typer.Option("--on", help="Day handed to the post (YYYY-MM-DD); default today in JST.")] = None,
) -> None:
    """Record rendered letters as handed to the post; until then they are counted as 郵送準備中, never as sent."""
    count = notification.record_posted(wiring(), incident, files=batch, dispatch_list=dispatch_list,
                                       all_rendered=all_rendered, on=parse_date("--on", on))
    typer.echo(f"{count} letter(s) recorded as handed to the post")


@notify_app.command("call-list")
def notify_call_list(incident: Incident) -> None:
    """Write the call list (CSV UTF-8 BOM, CSV CP932, XLSX) for every open phone notice."""
    w = wiring()
    counts = notification.export_call_list(w, incident)
    typer.echo(f"{counts['calls']} calls listed under {notification.calls_dir(w, incident)}; "
               f"{counts['unencodable_cp932']} CP932 problem(s)")


@notify_app.command("calls")
def notify_calls(incident: Incident, file: Path, extra_letter: ExtraLetter = False) -> None:
    """Import call outcomes; unreached persons move to a letter or the substitute list."""
    counts = notification.import_calls(wiring(), incident, file, extra_letter=extra_letter)
    typer.echo(f"{counts.imported} outcomes imported; rerouted {counts.rerouted}; unknown ids {counts.unknown_notice_ids}")


@notify_app.command("returned")
def notify_returned(incident: Incident, file: Path, extra_letter: ExtraLetter = False) -> None:
    """Import returned letters (CSV with a notice_id column); those persons move to phone or the substitute list."""
    counts = notification.import_returned(wiring(), incident, file, extra_letter=extra_letter)
    typer.echo(f"{counts.imported} returned letters; rerouted {counts.rerouted}; unknown ids {counts.unknown_notice_ids}")


@notify_app.command("substitute")
def notify_substitute(incident: Incident) -> None:
    """Draft the public announcement (公表文) and inquiry-desk FAQ for persons no channel reached."""
    record = notification.draft_substitutes(wiring(), incident)
    typer.echo(f"drafted {record.announcement_file} and {record.faq_file} for {record.persons} person(s); "
               "report item 6 needs them")
