"""Notification use cases: plan, preview, approve, send, letters, calls, substitutes, status."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.approvals import ApprovalRecord
from breachflow.casestore import Case
from breachflow.errors import InputError
from breachflow.notification import service
from breachflow.notification.batches import EMAIL_BATCH_SIZE, batch_count, read_email_batches
from breachflow.notification.casework import (
    case_decision,
    case_facts,
    case_persons,
    channel_policy,
    notifiable_persons,
)
from breachflow.notification.ledger import State
from breachflow.notification.plan import NoticePlan, PlanCounts
from breachflow.notification.policy import Channel
from breachflow.notification.sending import BatchResult
from breachflow.notification.sending import send_email_batch as _send_batch
from breachflow.progress import Progress
from breachflow.reporting.facts import NoticeStatus, update_report_facts
from breachflow.wiring import CALLS_DIR, LETTERS_DIR, Wiring

PREVIEW_FILE = "notification/preview.json"
BATCH_COUNTS = ("sent", "outbox", "already_done", "in_doubt", "failed_transient", "failed_permanent")


class GatePreview(BaseModel):
    """What the notification gate shows: counts, template versions, placeholder samples."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_sha256: str
    markdown: str
    email_batches: int


class NoticeStatusView(BaseModel):
    """Notices per channel and state, and the ids of notices in doubt (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    counts: dict[str, dict[str, int]]
    in_doubt: list[str]


def plan(w: Wiring, incident_id: str, *, extra_letter: bool = False) -> PlanCounts:
    """Plan one notice per person and channel with only that person's items (deterministic ids)."""
    case = w.case(incident_id)
    return service.plan_notifications(
        case=case, persons=notifiable_persons(case), decision=case_decision(case),
        policy=channel_policy(extra_letter_for_sensitive=extra_letter), templates_dir=w.settings.templates_dir,
        ledger=w.ledger(case), email_batch_size=EMAIL_BATCH_SIZE,
    )


def preview(w: Wiring, incident_id: str) -> service.Preview:
    """Render one sample per channel and item set from a placeholder person; store it in the case."""
    case = w.case(incident_id)
    return _preview(w, case, service.load_plan(case))


def _preview(w: Wiring, case: Case, plan: NoticePlan) -> service.Preview:
    result = service.build_preview(
        plan=plan, facts=case_facts(case), business=w.business(case), today=w.today(),
        templates_dir=w.settings.templates_dir,
    )
    case.write_model(PREVIEW_FILE, result)
    return result


def email_batches(w: Wiring, incident_id: str) -> int:
    """How many email batches the current plan has (``EMAIL_BATCH_SIZE`` notices each)."""
    case = w.case(incident_id)
    index = read_email_batches(case)
    if index is not None:  # a small file, not the whole plan
        return index.batches
    return _batches_of(case, service.load_plan(case))


def _batches_of(case: Case, plan: NoticePlan, plan_sha256: str | None = None) -> int:
    """The batches of this plan: as stored when they were cut from it, else as they will be cut."""
    index = read_email_batches(case)
    if index is not None and index.plan_sha256 == (plan_sha256 or service.plan_digest(plan)):
        return index.batches
    return batch_count(sum(1 for n in plan.notices if n.channel is Channel.email), EMAIL_BATCH_SIZE)


def gate_preview(w: Wiring, incident_id: str) -> GatePreview:
    """The notification gate's text (counts, versions, placeholder samples) and the plan's digest."""
    case = w.case(incident_id)
    plan = service.load_plan(case)  # once: the preview, the digest and the batch count all come from it
    result = _preview(w, case, plan)
    business = w.business(case)
    lines = [
        f"## 本人通知の承認 — incident {incident_id}",
        "",
        "| channel | notices |",
        "|---|---|",
        *[f"| {channel} | {count} |" for channel, count in result.counts.by_channel.items()],
        "",
        "template versions: " + ", ".join(f"{c}={v}" for c, v in result.template_versions.items()),
        "",
        f"差出人（From）: {business.name} <{w.sender(case)}> — 所在地 {business.address} / 問合せ窓口 {business.contact}",
        "",
        "Samples below use a placeholder person (架空の見本), not a real one.",
    ]
    for sample in result.samples:
        lines += ["", f"### {sample.channel} × {sample.notices} ({', '.join(sample.items)})", "", "```",
                  (sample.subject + "\n\n" if sample.subject else "") + sample.text[:1500], "```"]
    plan_sha = service.plan_digest(plan)
    return GatePreview(plan_sha256=plan_sha, markdown="\n".join(lines), email_batches=_batches_of(case, plan, plan_sha))


def approve(w: Wiring, incident_id: str, *, approver: str, approved: bool = True, comment: str = "") -> ApprovalRecord:
    """Approve (or reject) exactly the current notice plan."""
    return service.approve_plan(case=w.case(incident_id), approved=approved, decided_by=approver, comment=comment)


def send_email_batch(w: Wiring, incident_id: str, batch: int, *, worker: str, extra_letter: bool = False) -> BatchResult:
    """Send one batch of the approved email notices over one connection; the ledger makes a retry safe.

    Reads only the batch's own sealed file (its notices and their persons), never the whole
    plan or person list.
    """
    case = w.case(incident_id)
    chunk = service.approved_email_batch(case, batch, batch_size=EMAIL_BATCH_SIZE)
    mailer = w.mailer(case)
    try:
        return _send_batch(
            ledger=w.ledger(case), mailer=mailer, notices=chunk.notices,
            persons={p.person_id: p for p in chunk.persons},
            facts=case_facts(case), business=w.business(case), sender=w.sender(case), today=w.today(),
            policy=channel_policy(extra_letter_for_sensitive=extra_letter), versions=chunk.template_versions,
            worker=worker,
        )
    finally:
        mailer.close()


def record_email_round(w: Wiring, incident_id: str, results: Iterable[BatchResult]) -> dict[str, int]:
    """Add up the batches of one sending round and log the totals in the case timeline."""
    results = list(results)
    totals = {key: sum(getattr(r, key) for r in results) for key in BATCH_COUNTS}
    if any(n for key, n in totals.items() if key != "already_done"):  # a re-run that did nothing logs nothing
        w.case(incident_id).timeline.append("notification.email", "メール通知を送信", batches=len(results), **totals)
    return totals


def send_emails(w: Wiring, incident_id: str, *, worker: str, extra_letter: bool = False) -> dict[str, int]:
    """Send every batch of approved email notices in turn and log the round's totals."""
    results = [send_email_batch(w, incident_id, batch, worker=worker, extra_letter=extra_letter)
               for batch in range(email_batches(w, incident_id))]
    return record_email_round(w, incident_id, results)


def produce_letters(w: Wiring, incident_id: str, *, workers: int = 2, progress: Progress | None = None,
                    ) -> service.LetterRun:
    """Render planned letters (PDF), mailing lists and label sheets into the case folder."""
    case = w.case(incident_id)
    plan = service.approved_plan(case)
    return service.produce_letters(
        case=case, ledger=w.ledger(case), persons=case_persons(case), plan=plan,
        facts=case_facts(case), business=w.business(case), today=w.today(), templates_dir=w.settings.templates_dir,
        out_dir=letters_dir(w, incident_id), workers=workers, progress=progress,
    )


def letters_dir(w: Wiring, incident_id: str) -> Path:
    """The case folder holding letters, mailing lists and labels."""
    return w.case(incident_id).path(f"{LETTERS_DIR}/x").parent


def calls_dir(w: Wiring, incident_id: str) -> Path:
    """The case folder holding the call lists."""
    return w.case(incident_id).path(f"{CALLS_DIR}/x").parent


def export_call_list(w: Wiring, incident_id: str, *, progress: Progress | None = None) -> dict[str, int]:
    """Write the call list (CSV UTF-8 BOM / CP932, XLSX) for every open phone notice."""
    case = w.case(incident_id)
    return service.export_call_list(
        ledger=w.ledger(case), persons=case_persons(case), plan=service.load_plan(case), facts=case_facts(case),
        business=w.business(case), today=w.today(), templates_dir=w.settings.templates_dir,
        out_dir=calls_dir(w, incident_id), progress=progress,
    )


def draft_substitutes(w: Wiring, incident_id: str) -> service.SubstituteRecord:
    """Draft the public announcement (公表文) and inquiry-desk FAQ for persons no channel reached."""
    case = w.case(incident_id)
    return service.draft_substitute_measures(
        case=case, ledger=w.ledger(case), plan=service.load_plan(case), facts=case_facts(case),
        business=w.business(case), today=w.today(), templates_dir=w.settings.templates_dir,
    )


def record_notice_status(w: Wiring, incident_id: str, *, substitute_persons: int) -> dict[str, dict[str, int]]:
    """Feed report item 6 from the ledger, counting only what really happened; return the per-channel state counts."""
    case = w.case(incident_id)
    ledger = w.ledger(case)
    persons: dict[tuple[str, State], set[str]] = {}
    for row in ledger.rows():
        persons.setdefault((row.channel, row.state), set()).add(row.person_id)

    def who(channel: Channel, *states: State) -> set[str]:
        return set().union(*(persons.get((channel.value, s), set()) for s in states))

    emailed = who(Channel.email, State.sent)
    posted = who(Channel.letter, State.handed_to_post, State.sent)  # sent: letters recorded before posting was tracked
    phoned = who(Channel.phone, State.sent)
    reached = emailed | posted | phoned
    failed = set().union(*(p for (_, state), p in persons.items() if state is State.failed_permanent))
    targets = len(case_persons(case))
    update_report_facts(
        case=case,
        notices=NoticeStatus(
            targets=targets, sent=min(len(reached), targets), undeliverable=min(len(failed - reached), len(reached)),
            emailed=len(emailed), letters_posted=len(posted), phoned=len(phoned),
            outbox=len(who(Channel.email, State.outbox) - reached),
            letters_rendered=len(who(Channel.letter, State.rendered) - reached),
            substitute_measures="公表及び問合せ窓口の設置（準備中）" if substitute_persons else "",
            as_of=w.today(),
        ),
    )
    return ledger.counts()


def record_posted(w: Wiring, incident_id: str, *, files: list[str] | None = None, dispatch_list: Path | None = None,
                  all_rendered: bool = False, on: date | None = None) -> int:
    """Record rendered letters as handed to the post: those of some PDF files, a vendor's dispatch list, or all."""
    case = w.case(incident_id)
    ledger = w.ledger(case)
    if dispatch_list is not None:
        ids = service.read_notice_ids(dispatch_list)
    elif files or all_rendered:
        ids = service.rendered_letters(ledger=ledger, files=files)
    else:
        raise InputError(None, "say which letters were posted: --batch FILE (repeatable), --dispatch-list CSV or --all")
    return service.record_posting(case=case, ledger=ledger, notice_ids=ids, on=on or w.today())


def status(w: Wiring, incident_id: str) -> NoticeStatusView:
    """Notices per channel and state, and the notices in doubt that need a human decision."""
    ledger = w.ledger(w.case(incident_id))
    doubtful = [r.notice_id for r in ledger.rows(states=(State.sending, State.in_doubt))]
    return NoticeStatusView(counts=ledger.counts(), in_doubt=doubtful)


def resolve(w: Wiring, incident_id: str, notice_id: str, *, resend: bool, decided_by: str) -> State:
    """A human decision on a notice whose delivery is in doubt: send again, or record it as sent."""
    case = w.case(incident_id)
    state = w.ledger(case).resolve(notice_id, resend=resend, decided_by=decided_by)
    case.timeline.append("notification.resolved", "送信結果不明の通知を判断", notice_id=notice_id, state=state.value,
                         by=decided_by)
    return state


def import_calls(w: Wiring, incident_id: str, file: Path, *, extra_letter: bool = False) -> service.RerouteCounts:
    """Import call outcomes; unreached persons move to a letter or the substitute list."""
    case = w.case(incident_id)
    return service.import_calls(case=case, ledger=w.ledger(case), persons=case_persons(case),
                                plan=service.load_plan(case),
                                policy=channel_policy(extra_letter_for_sensitive=extra_letter), file=file)


def import_returned(w: Wiring, incident_id: str, file: Path, *, extra_letter: bool = False) -> service.RerouteCounts:
    """Import returned letters; those persons move to phone or the substitute list."""
    case = w.case(incident_id)
    return service.import_returned(case=case, ledger=w.ledger(case), persons=case_persons(case),
                                   plan=service.load_plan(case),
                                   policy=channel_policy(extra_letter_for_sensitive=extra_letter), file=file)

