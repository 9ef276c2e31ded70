"""``breachflow notify …``: plan, preview, approve, send, letters, calls, returned mail, substitute measures."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from breachflow.casestore import Case
from breachflow.cli import JsonFlag, app, case_store, emit_json
from breachflow.errors import BreachflowError
from breachflow.notification import service
from breachflow.notification.casework import (
    DECISION_FILE,
    case_facts,
    case_ledger,
    case_persons,
    channel_policy,
    notifiable_persons,
)
from breachflow.notification.content import Business
from breachflow.notification.ledger import Ledger, State
from breachflow.notification.mailer import build_mailer
from breachflow.notification.plan import Channel
from breachflow.notification.policy import ChannelPolicy
from breachflow.notification.sending import send_email_batch
from breachflow.settings import get_settings

notify_app = typer.Typer(help="Notify affected persons: plan, gate, email, letters, calls.", no_args_is_help=True)
app.add_typer(notify_app, name="notify")

ExtraLetter = Annotated[bool, typer.Option("--letter-for-sensitive", help="Also send letters to persons with sensitive or financial data.")]


def _case(incident: str) -> Case:
    return case_store().get(incident)


_persons = case_persons
_facts = case_facts


def _policy(extra_letter: bool = False) -> ChannelPolicy:
    return channel_policy(extra_letter_for_sensitive=extra_letter)


def _ledger(case: Case) -> Ledger:
    return case_ledger(case, get_settings())


@notify_app.command("plan")
def notify_plan(incident: str, extra_letter: ExtraLetter = False, as_json: JsonFlag = False) -> None:
    """Plan one notice per person and channel (only that person's items); prints counts per channel."""
    from breachflow.obligations.model import Decision

    case = _case(incident)
    decision = case.read_model(DECISION_FILE, Decision) if case.has(DECISION_FILE) else None
    persons = notifiable_persons(case)
    counts = service.plan_notifications(
        case=case, persons=persons, decision=decision, policy=_policy(extra_letter),
        templates_dir=get_settings().templates_dir, ledger=_ledger(case),
    )
    if as_json:
        emit_json(counts.model_dump(mode="json"))
    else:
        typer.echo(f"{counts.notices} notices for {counts.persons} persons: "
                   + ", ".join(f"{c}={n}" for c, n in counts.by_channel.items()))


@notify_app.command("preview")
def notify_preview(incident: str, as_json: JsonFlag = False) -> None:
    """Counts, template versions and one sample per channel and item set (placeholder person) for the gate."""
    case = _case(incident)
    settings = get_settings()
    preview = service.build_preview(
        plan=service.load_plan(case), facts=_facts(case), business=Business.from_settings(settings), today=date.today(),
        templates_dir=settings.templates_dir,
    )
    case.write_model("notification/preview.json", preview)
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
    incident: str,
    approve_as: Annotated[str, typer.Option("--approve-as", help="Name of the approver.")],
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approve.")] = False,
    comment: Annotated[str, typer.Option("--comment")] = "",
) -> None:
    """Approve (or reject) exactly the current notice plan."""
    record = service.approve_plan(case=_case(incident), approved=not reject, decided_by=approve_as, comment=comment)
    typer.echo(f"notification plan {record.verdict.value} by {record.approver}")


@notify_app.command("send")
def notify_send(
    incident: str,
    batch_size: Annotated[int, typer.Option("--batch-size")] = 1000,
    extra_letter: ExtraLetter = False,
    as_json: JsonFlag = False,
) -> None:
    """Send the approved email notices over one connection; already-sent notices are never sent again."""
    case = _case(incident)
    service.require_approval(case)
    settings = get_settings()
    plan = service.load_plan(case)
    persons = _persons(case)
    ledger = _ledger(case)
    notices = [n for n in plan.notices if n.channel is Channel.email]
    mailer = build_mailer(settings, outbox_dir=case.path("notification/outbox/x").parent)
    worker = f"cli-{uuid.uuid4().hex[:8]}"
    totals: dict[str, int] = {}
    try:
        for start in range(0, len(notices), batch_size):
            result = send_email_batch(
                ledger=ledger, mailer=mailer, notices=notices[start : start + batch_size], persons=persons,
                facts=_facts(case), business=Business.from_settings(settings), sender=settings.mail_from,
                today=date.today(), policy=_policy(extra_letter), versions=plan.template_versions, worker=worker,
            )
            for key in ("sent", "already_done", "in_doubt", "failed_transient", "failed_permanent"):
                totals[key] = totals.get(key, 0) + getattr(result, key)
    finally:
        mailer.close()
    case.timeline.append("notification.email", "メール通知を送信", **totals)
    emit_json(totals) if as_json else typer.echo(", ".join(f"{k}={v}" for k, v in totals.items()))


@notify_app.command("status")
def notify_status(incident: str, as_json: JsonFlag = False) -> None:
    """Notices per channel and state, and the notices in doubt that need a human decision."""
    ledger = _ledger(_case(incident))
    doubtful = [r.notice_id for r in ledger.rows(states=(State.sending, State.in_doubt))]
    payload = {"counts": ledger.counts(), "in_doubt": doubtful}
    if as_json:
        emit_json(payload)
        return
    for channel, states in payload["counts"].items():
        typer.echo(f"{channel}: " + ", ".join(f"{s}={n}" for s, n in sorted(states.items())))
    for nid in doubtful:
        typer.echo(f"in doubt: {nid} — decide with 'breachflow notify resolve {incident} {nid} --resend|--mark-sent'")


@notify_app.command("resolve")
def notify_resolve(
    incident: str,
    notice_id: str,
    resend: Annotated[bool, typer.Option("--resend", help="The server did not get it: send it again.")] = False,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", help="The server got it: record it as sent.")] = False,
    by: Annotated[str, typer.Option("--by", help="Who decided.")] = "operator",
) -> None:
    """A human decision on a notice whose delivery is in doubt."""
    if resend == mark_sent:
        raise BreachflowError("resolve: give exactly one of --resend or --mark-sent")
    case = _case(incident)
    state = _ledger(case).resolve(notice_id, resend=resend, decided_by=by)
    case.timeline.append("notification.resolved", "送信結果不明の通知を判断", notice_id=notice_id, state=state.value, by=by)
    typer.echo(f"{notice_id}: {state}")


@notify_app.command("letters")
def notify_letters(incident: str, workers: Annotated[int, typer.Option("--workers")] = 2) -> None:
    """Render the planned letters (PDF), the mailing lists (UTF-8 BOM / CP932) and label sheets."""
    case = _case(incident)
    service.require_approval(case)
    settings = get_settings()
    out_dir = case.path("notification/letters/x").parent
    run = service.produce_letters(
        case=case, ledger=_ledger(case), persons=_persons(case), plan=service.load_plan(case), facts=_facts(case),
        business=Business.from_settings(settings), today=date.today(), templates_dir=settings.templates_dir,
        out_dir=out_dir, workers=workers,
    )
    typer.echo(f"{run.letters} letters in {len(run.files)} file(s) under {out_dir}; "
               f"{run.unencodable_cp932} character(s) not encodable in CP932 (see mailing_list_cp932_problems.csv)")


@notify_app.command("call-list")
def notify_call_list(incident: str) -> None:
    """Write the call list (CSV UTF-8 BOM, CSV CP932, XLSX) for every open phone notice."""
    case = _case(incident)
    settings = get_settings()
    out_dir = case.path("notification/calls/x").parent
    counts = service.export_call_list(
        ledger=_ledger(case), persons=_persons(case), plan=service.load_plan(case), facts=_facts(case),
        business=Business.from_settings(settings), today=date.today(), templates_dir=settings.templates_dir,
        out_dir=out_dir,
    )
    typer.echo(f"{counts['calls']} calls listed under {out_dir}; {counts['unencodable_cp932']} CP932 problem(s)")


@notify_app.command("calls")
def notify_calls(incident: str, file: Path, extra_letter: ExtraLetter = False) -> None:
    """Import call outcomes; unreached persons move to a letter or the substitute list."""
    case = _case(incident)
    counts = service.import_calls(case=case, ledger=_ledger(case), persons=_persons(case),
                                  plan=service.load_plan(case), policy=_policy(extra_letter), file=file)
    typer.echo(f"{counts.imported} outcomes imported; rerouted {counts.rerouted}; unknown ids {counts.unknown_notice_ids}")


@notify_app.command("returned")
def notify_returned(incident: str, file: Path, extra_letter: ExtraLetter = False) -> None:
    """Import returned letters (CSV with a notice_id column); those persons move to phone or the substitute list."""
    case = _case(incident)
    counts = service.import_returned(case=case, ledger=_ledger(case), persons=_persons(case),
                                     plan=service.load_plan(case), policy=_policy(extra_letter), file=file)
    typer.echo(f"{counts.imported} returned letters; rerouted {counts.rerouted}; unknown ids {counts.unknown_notice_ids}")


@notify_app.command("substitute")
def notify_substitute(incident: str) -> None:
    """Draft the public announcement (公表文) and inquiry-desk FAQ for persons no channel reached."""
    case = _case(incident)
    settings = get_settings()
    record = service.draft_substitute_measures(
        case=case, ledger=_ledger(case), plan=service.load_plan(case), facts=_facts(case),
        business=Business.from_settings(settings), today=date.today(), templates_dir=settings.templates_dir,
    )
    typer.echo(f"drafted {record.announcement_file} and {record.faq_file} for {record.persons} person(s); "
               "report item 6 needs them")
