"""Notification services: plan, preview, approval, letters, returned mail, calls, substitute measures.

Keyword-only functions over the case store and the ledger; the lead's Prefect tasks call
these. Return values are counts and ids only.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from breachflow.approvals import ApprovalRecord, Gate, Verdict, record_approval
from breachflow.casestore import Case, case_containing
from breachflow.errors import DeliveryError, InputError
from breachflow.harm import secondary_harm
from breachflow.notification.batches import (
    EMAIL_BATCH_SIZE,
    EmailBatch,
    EmailBatches,
    batch_file,
    cutting,
    forget_email_batches,
    read_email_batch,
    read_email_batches,
    write_email_batches,
)
from breachflow.notification.calls import (
    CallOutcome,
    call_list_rows,
    read_call_outcomes,
    write_call_list,
)
from breachflow.notification.casework import case_persons
from breachflow.notification.content import (
    notice_context,
    placeholder_person,
)
from breachflow.notification.email_render import render_email_parts
from breachflow.notification.ledger import Ledger, LedgerRow, State
from breachflow.notification.letters import label_sheets, missing_glyphs, render_letters
from breachflow.notification.plan import (
    PLAN_FILE,
    Channel,
    IncidentFacts,
    Notice,
    NoticePlan,
    PlanCounts,
    build_plan,
    item_labels,
    item_variants,
    make_notice,
    plan_counts,
    template_versions,
)
from breachflow.notification.policy import ChannelPolicy, next_channel
from breachflow.notification.spreadsheet import Unencodable, write_csv
from breachflow.obligations.model import Decision
from breachflow.profile import Business
from breachflow.progress import Progress
from breachflow.scoping.model import Person
from breachflow.security.files import write_private
from breachflow.templating import environment, render, wareki
from breachflow.vocabulary import DataItem

SUBSTITUTE_FILE = "notification/substitute.json"
# How the 公表文 names the channels used for individual notices, in this order.
CHANNEL_LABELS_JA = {Channel.email: "電子メール", Channel.letter: "郵便", Channel.phone: "お電話"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- plan, preview, approval


def plan_notifications(
    *, case: Case, persons: list[Person], decision: Decision | None, policy: ChannelPolicy, templates_dir: Path,
    ledger: Ledger, email_batch_size: int = EMAIL_BATCH_SIZE,
) -> PlanCounts:
    """Plan every notice, store the plan, its email batches and the ledger rows; return counts only."""
    plan = build_plan(
        incident_id=case.incident_id, persons=persons, decision=decision, policy=policy,
        versions=template_versions(templates_dir),
    )
    with cutting(case):
        forget_email_batches(case)  # until the new batches are complete, none of the old plan's can be taken
        case.write_model(PLAN_FILE, plan)
        write_email_batches(case=case, plan=plan, persons={p.person_id: p for p in persons},
                            plan_sha256=plan_digest(plan), batch_size=email_batch_size)
    added = ledger.add(plan.notices, incident_id=case.incident_id)
    counts = plan_counts(plan)
    case.timeline.append(
        "notification.planned", "本人通知を計画", notices=counts.notices, added=added,
        by_channel={c.value: n for c, n in counts.by_channel.items()}, template_versions=plan.template_versions,
    )
    return counts


def load_plan(case: Case) -> NoticePlan:
    """The stored plan."""
    return case.read_model(PLAN_FILE, NoticePlan)


def plan_digest(plan: NoticePlan) -> str:
    """SHA-256 of the stored plan: an approval is valid for exactly this plan."""
    return hashlib.sha256(plan.model_dump_json().encode()).hexdigest()


class Sample(_Frozen):
    """One rendered sample for the approval gate (synthetic placeholder person)."""

    channel: Channel
    items: list[DataItem]
    notices: int
    subject: str | None = None
    text: str
    html: str | None = None


class Preview(_Frozen):
    """What the approver sees: counts, one sample per channel and item-set variant, template versions."""

    counts: PlanCounts
    template_versions: dict[Channel, str]
    samples: list[Sample]


def build_preview(
    *, plan: NoticePlan, facts: IncidentFacts, business: Business, today: date, templates_dir: Path
) -> Preview:
    """Render one sample per (channel, item set) from a placeholder person, never a real one."""
    samples = []
    for (channel, items), count in sorted(item_variants(plan).items(), key=lambda kv: (kv[0][0], kv[0][1])):
        person = placeholder_person(list(items))
        notice = make_notice(incident_id=plan.incident_id, person=person, channel=channel, versions=plan.template_versions)
        context = notice_context(notice=notice, person=person, facts=facts, business=business, today=today)
        if channel is Channel.email:
            subject, text, html = render_email_parts(context, templates_dir=templates_dir)
            samples.append(Sample(channel=channel, items=list(items), notices=count, subject=subject, text=text, html=html))
        elif channel is Channel.letter:
            env = environment(templates_dir)
            values = context.model_dump(mode="python")
            html = env.get_template("letters/stamp.html").render(**values) + env.get_template("letters/letter.html").render(**values)
            samples.append(Sample(channel=channel, items=list(items), notices=count, text="", html=html))
        elif channel is Channel.phone:
            samples.append(Sample(channel=channel, items=list(items), notices=count,
                                  text=render("phone/script.txt", context, templates_dir=templates_dir)))
        else:
            samples.append(Sample(channel=channel, items=list(items), notices=count,
                                  text="代替措置（公表・問合せ窓口）の対象。個別の通知文はありません。"))
    return Preview(counts=plan_counts(plan), template_versions=plan.template_versions, samples=samples)


def approve_plan(*, case: Case, approved: bool, decided_by: str, comment: str = "", scripted: bool = False) -> ApprovalRecord:
    """Record the notification gate's decision for exactly the current plan (its SHA-256)."""
    record = ApprovalRecord(
        gate=Gate.notification, approver=decided_by, verdict=Verdict.approve if approved else Verdict.reject,
        comment=comment, at=datetime.now(UTC), scripted=scripted, subject_sha256=plan_digest(load_plan(case)),
    )
    record_approval(case=case, record=record)
    return record


def approval_given(case: Case) -> ApprovalRecord:
    """The notification gate's approval (not yet checked against any plan); raises if none or rejected."""
    name = f"approvals/{Gate.notification.value}.json"
    if not case.has(name):
        raise DeliveryError(f"case {case.incident_id}: the notice plan is not approved; run 'breachflow notify approve'")
    record = case.read_model(name, ApprovalRecord)
    if record.verdict is not Verdict.approve:
        raise DeliveryError(f"case {case.incident_id}: the notice plan was rejected by {record.approver}")
    return record


def require_approval(case: Case) -> ApprovalRecord:
    """The approval of the current plan; raises if none, rejected, or given for another plan."""
    record = approval_given(case)
    _approved_for(case, record, load_plan(case))
    return record


def approved_plan(case: Case) -> NoticePlan:
    """The stored plan, read once, if it is exactly the approved one; raises if not approved, rejected or changed."""
    record = approval_given(case)
    plan = load_plan(case)
    _approved_for(case, record, plan)
    return plan


def _approved_for(case: Case, record: ApprovalRecord, plan: NoticePlan) -> None:
    if record.subject_sha256 != plan_digest(plan):
        raise DeliveryError(f"case {case.incident_id}: the plan changed after approval; approve it again")


def stored_email_batches(case: Case, *, batch_size: int = EMAIL_BATCH_SIZE) -> EmailBatches:
    """The index of the plan's email batches; cut them now (once) for a case planned before they were stored."""
    index = read_email_batches(case)
    if index is not None:
        return index
    with cutting(case):  # parallel batch tasks: one cuts, the others wait and find the index
        index = read_email_batches(case)
        if index is None:
            plan = load_plan(case)
            index = write_email_batches(case=case, plan=plan, persons=case_persons(case),
                                        plan_sha256=plan_digest(plan), batch_size=batch_size)
            case.timeline.append("notification.batches", "メール送信バッチを作成", batches=index.batches,
                                 emails=index.emails)
    return index


def approved_email_batch(case: Case, batch: int, *, batch_size: int = EMAIL_BATCH_SIZE) -> EmailBatch:
    """Batch ``batch`` of the approved plan, reading only its own file; refuses a batch cut from another plan."""
    approved = approval_given(case).subject_sha256
    index = stored_email_batches(case, batch_size=batch_size)
    if batch >= index.batches:  # past the last batch: nothing to send, if the approval is for this plan
        found = EmailBatch(plan_sha256=index.plan_sha256, batch=batch, template_versions={}, notices=[], persons=[])
    else:
        found = read_email_batch(case, batch)
    if found.plan_sha256 != approved:
        # The error path only: one read of the whole plan tells a changed plan from a stale batch.
        if approved != plan_digest(load_plan(case)):
            raise DeliveryError(f"case {case.incident_id}: the plan changed after approval; approve it again")
        raise DeliveryError(
            f"case {case.incident_id}: email batch {batch} ({batch_file(batch)}) was cut from another plan "
            f"(sha256 {found.plan_sha256[:12]}…) than the approved one ({(approved or '')[:12]}…); nothing was sent "
            "from it. Run 'breachflow notify plan' again to cut the batches anew, then send."
        )
    return found


# ---------------------------------------------------------------- notices from the ledger


def notices_in_ledger(
    *, ledger: Ledger, persons: Mapping[str, Person], plan: NoticePlan, channel: Channel, states: tuple[State, ...]
) -> list[Notice]:
    """The notices of a channel in given states, including ones rerouted after the plan was made."""
    notices = []
    for row in ledger.rows(states=states, channel=channel.value):
        notice = make_notice(
            incident_id=plan.incident_id, person=persons[row.person_id], channel=channel,
            versions=plan.template_versions, rerouted_from=row.rerouted_from,
        )
        if notice.notice_id != row.notice_id:
            raise DeliveryError(f"ledger: notice {row.notice_id} was planned with other templates; re-plan first")
        notices.append(notice)
    return notices


def reroute(
    *, ledger: Ledger, row: LedgerRow, person: Person, policy: ChannelPolicy, plan: NoticePlan, detail: str,
    reply_code: int | None = None, expect: tuple[State, ...],
) -> Notice:
    """Mark a notice failed for good and plan the person's next channel (recorded on both notices)."""
    channel = Channel(row.channel)
    tried = {Channel(c) for c in ledger.channels_of(person.person_id)}
    target_channel = next_channel(person, channel, policy, tried=tried)
    target = make_notice(
        incident_id=plan.incident_id, person=person, channel=target_channel, versions=plan.template_versions,
        rerouted_from=row.notice_id,
    )
    ledger.add([target], incident_id=plan.incident_id)
    ledger.finish(row.notice_id, State.failed_permanent, reply_code=reply_code,
                  detail=f"{detail}; rerouted to {target_channel}", expect=expect, rerouted_to=target.notice_id)
    return target


# ---------------------------------------------------------------- letters


class LetterRun(_Frozen):
    """What a letter run produced (counts and file names only)."""

    letters: int
    files: list[str]
    variants: int
    unencodable_cp932: int
    missing_glyphs: int = Field(description="letters whose addressee has characters the fonts cannot draw")
    address_too_long: int = Field(
        default=0, description="letters whose address block fits the envelope window only below 9 pt (listed in "
                               "address_too_long.csv)")


RENDERED_PREFIX = "rendered: "  # ledger detail of a rendered letter: the PDF file that holds it
MAILING_HEADER = ["notice_id", "郵便番号", "住所1", "住所2", "氏名", "file", "first_page", "pages"]


def produce_letters(
    *, case: Case, ledger: Ledger, persons: Mapping[str, Person], plan: NoticePlan, facts: IncidentFacts,
    business: Business, today: date, templates_dir: Path, out_dir: Path, workers: int = 2, chunk_size: int = 500,
    progress: Progress | None = None,
) -> LetterRun:
    """Render every planned letter, write the mailing lists and label sheet, mark the letters rendered (not posted).

    ``progress`` hears ``("rendered", done, total)`` per PDF and ``("recorded", done, total)`` per letter.
    """
    notices = notices_in_ledger(ledger=ledger, persons=persons, plan=plan, channel=Channel.letter, states=(State.planned,))
    contexts = [
        notice_context(notice=n, person=persons[n.person_id], facts=facts, business=business, today=today) for n in notices
    ]
    missing = missing_glyphs(contexts)
    index = render_letters(contexts=contexts, out_dir=out_dir, templates_dir=templates_dir, workers=workers,
                           chunk_size=chunk_size,
                           progress=(lambda done, total: progress("rendered", done, total)) if progress else None)
    pages = {p.notice_id: p for p in index.letters}
    too_long = [p for p in index.letters if not p.address_fits]
    rows = [
        [c.notice_id, c.recipient.postal_code, c.recipient.address1, c.recipient.address2, c.recipient.name,
         pages[c.notice_id].file, pages[c.notice_id].first_page, pages[c.notice_id].pages]
        for c in contexts
    ]
    problems: list[Unencodable] = []
    if rows:
        write_csv(out_dir / "mailing_list.csv", MAILING_HEADER, rows, encoding="utf-8-sig")
        problems = write_csv(out_dir / "mailing_list_cp932.csv", MAILING_HEADER, rows, encoding="cp932")
        write_problems(out_dir / "mailing_list_cp932_problems.csv", problems)
        write_private(out_dir / "labels.pdf", label_sheets(contexts))
        write_private(out_dir / "letter_index.json", index.model_dump_json(indent=2).encode("utf-8"))
        # Letters that would print a character as tofu: a human fixes them (e.g. hand-writes the name).
        write_csv(out_dir / "missing_glyphs.csv", ["notice_id", "codepoints"],
                  [[nid, " ".join(cps)] for nid, cps in missing.items()], encoding="utf-8-sig")
        # Letters whose address shows in the window only in a small print: a human checks or re-envelopes them.
        write_csv(out_dir / "address_too_long.csv", ["notice_id", "file", "first_page"],
                  [[p.notice_id, p.file, p.first_page] for p in too_long], encoding="utf-8-sig")
    where = seal_outputs(case=case, out_dir=out_dir)
    for done, notice in enumerate(notices, start=1):
        # Rendered is not posted: the officer records the hand-over (breachflow notify printed).
        if ledger.claim(notice.notice_id, worker="print"):
            ledger.finish(notice.notice_id, State.rendered, detail=f"{RENDERED_PREFIX}{pages[notice.notice_id].file}")
        if progress:
            progress("recorded", done, len(notices))
    if notices:
        case.timeline.append("notification.letters", "郵送通知を作成（未発送）", letters=len(notices), files=index.files,
                             unencodable_cp932=len(problems), missing_glyphs=len(missing),
                             address_too_long=len(too_long), **where)
    return LetterRun(letters=len(notices), files=index.files, variants=index.variants, unencodable_cp932=len(problems),
                     missing_glyphs=len(missing), address_too_long=len(too_long))


def seal_outputs(*, case: Case | None, out_dir: Path) -> dict[str, object]:
    """Encrypt files just written into a case folder; files written elsewhere were asked for by path.

    Returns what the timeline should record: how many files were sealed in the case store,
    or the explicit folder the plain files were written to.
    """
    owner = case if case is not None and case.contains(out_dir) else case_containing(out_dir)
    if owner is not None:
        return {"sealed_files": owner.seal_tree(out_dir)}
    return {"written_to": str(Path(out_dir).resolve())}


def write_problems(path: Path, problems: list[Unencodable]) -> None:
    """The CP932 report: row, column and code point of each character the vendor file could not hold."""
    write_csv(path, ["row", "column", "codepoint"], [[p.row, p.column, p.codepoint] for p in problems],
              encoding="utf-8-sig")


# ---------------------------------------------------------------- returned mail, calls


class RerouteCounts(_Frozen):
    """How many persons moved, and where to (counts only)."""

    imported: int
    rerouted: dict[Channel, int]
    unknown_notice_ids: int = Field(description="ids in the file that are not letter/phone notices of this case")


def read_notice_ids(path: Path) -> list[str]:
    """The notice ids of a CSV with a notice_id column (returned mail, a print vendor's dispatch list)."""
    import csv

    text = path.read_bytes().decode("utf-8-sig", errors="strict") if path.exists() else None
    if text is None:
        raise InputError(path, "file not found")
    reader = csv.DictReader(text.splitlines())
    if "notice_id" not in (reader.fieldnames or []):
        raise InputError(path, "missing column notice_id; expected one notice id per row")
    return [row["notice_id"].strip().lstrip("'") for row in reader if row["notice_id"].strip()]


def record_posting(*, case: Case, ledger: Ledger, notice_ids: list[str], on: date) -> int:
    """Mark rendered letters handed to the post on a day; returns how many moved (unknown or other states are refused)."""
    rows = {r.notice_id: r for r in ledger.rows(channel=Channel.letter.value)}
    wrong = [nid for nid in notice_ids if nid not in rows or rows[nid].state is not State.rendered]
    if wrong:
        raise InputError(None, f"{len(wrong)} notice(s) are not rendered letters of case {case.incident_id} "
                               f"(e.g. {wrong[0]}); only rendered letters can be recorded as posted")
    for nid in notice_ids:
        ledger.finish(nid, State.handed_to_post, detail=f"handed to the post on {on.isoformat()}", expect=(State.rendered,))
    if notice_ids:
        case.timeline.append("notification.posted", "郵送通知を発送（郵便差出）", letters=len(notice_ids), on=on.isoformat())
    return len(notice_ids)


def rendered_letters(*, ledger: Ledger, files: list[str] | None = None) -> list[str]:
    """Ids of the rendered, not yet posted letters (all, or those in the given PDF files)."""
    wanted = {f"{RENDERED_PREFIX}{name}" for name in files} if files else None
    return [r.notice_id for r in ledger.rows(states=(State.rendered,), channel=Channel.letter.value)
            if wanted is None or r.detail in wanted]


def import_returned(
    *, case: Case, ledger: Ledger, persons: Mapping[str, Person], plan: NoticePlan, policy: ChannelPolicy, file: Path
) -> RerouteCounts:
    """Returned letters: each person moves to phone, or to the substitute list."""
    moved: Counter[Channel] = Counter()
    unknown = 0
    ids = read_notice_ids(file)
    for nid in ids:
        row = ledger.row(nid)
        if row is None or row.channel != Channel.letter.value:
            unknown += 1
            continue
        if row.state is State.failed_permanent:
            continue  # imported before
        target = reroute(ledger=ledger, row=row, person=persons[row.person_id], policy=policy, plan=plan,
                         detail="returned mail", expect=(State.handed_to_post, State.rendered, State.sent, State.planned))
        moved[target.channel] += 1
    case.timeline.append("notification.returned", "返送郵便を取込", imported=len(ids), unknown=unknown,
                         rerouted={c.value: n for c, n in moved.items()})
    return RerouteCounts(imported=len(ids), rerouted=dict(moved), unknown_notice_ids=unknown)


def export_call_list(
    *, ledger: Ledger, persons: Mapping[str, Person], plan: NoticePlan, facts: IncidentFacts, business: Business,
    today: date, templates_dir: Path, out_dir: Path, case: Case | None = None, progress: Progress | None = None,
) -> dict[str, int]:
    """Write the call list for every phone notice still open (sealed when inside a case folder); returns counts."""
    notices = notices_in_ledger(ledger=ledger, persons=persons, plan=plan, channel=Channel.phone,
                                states=(State.planned, State.failed_transient))
    rows = call_list_rows(notices=notices, persons=persons, facts=facts, business=business, today=today,
                          templates_dir=templates_dir, progress=progress)
    problems = write_call_list(rows=rows, out_dir=out_dir)
    write_problems(out_dir / "call_list_cp932_problems.csv", problems["call_list_cp932.csv"])
    where = seal_outputs(case=case, out_dir=out_dir)
    if case is not None and "written_to" in where:
        case.timeline.append("notification.call_list", "架電リストを指定先に書き出し", calls=len(rows), **where)
    return {"calls": len(rows), "unencodable_cp932": len(problems["call_list_cp932.csv"])}


def import_calls(
    *, case: Case, ledger: Ledger, persons: Mapping[str, Person], plan: NoticePlan, policy: ChannelPolicy, file: Path
) -> RerouteCounts:
    """Call outcomes: reached → sent; no answer below the limit → try again; else the next channel."""
    moved: Counter[Channel] = Counter()
    unknown = 0
    results = read_call_outcomes(file)
    for result in results:
        row = ledger.row(result.notice_id)
        if row is None or row.channel != Channel.phone.value:
            unknown += 1
            continue
        if row.state in (State.sent, State.failed_permanent):
            continue
        open_states = (State.planned, State.failed_transient)
        if result.outcome is CallOutcome.reached:
            ledger.finish(row.notice_id, State.sent, detail=f"call reached after {result.attempts} attempt(s)",
                          expect=open_states)
        elif result.outcome is CallOutcome.no_answer and result.attempts < policy.call_attempts:
            ledger.finish(row.notice_id, State.failed_transient,
                          detail=f"no answer ({result.attempts}/{policy.call_attempts})", expect=open_states)
        else:
            # refused counts as not notified: the content was not conveyed.
            target = reroute(ledger=ledger, row=row, person=persons[row.person_id], policy=policy, plan=plan,
                             detail=f"call {result.outcome} after {result.attempts} attempt(s)", expect=open_states)
            moved[target.channel] += 1
    case.timeline.append("notification.calls", "架電結果を取込", imported=len(results), unknown=unknown,
                         rerouted={c.value: n for c, n in moved.items()})
    return RerouteCounts(imported=len(results), rerouted=dict(moved), unknown_notice_ids=unknown)


# ---------------------------------------------------------------- substitute measures


class SubstituteRecord(_Frozen):
    """代替措置: how many persons it covers, and the drafts written (report item 6 needs them)."""

    persons: int
    announcement_file: str
    faq_file: str
    report_item6_needed: bool
    drafted_at: datetime


def draft_substitute_measures(
    *, case: Case, ledger: Ledger, plan: NoticePlan, facts: IncidentFacts, business: Business, today: date,
    templates_dir: Path,
) -> SubstituteRecord:
    """Draft the public announcement (公表文) and inquiry-desk FAQ; record that report item 6 needs them."""
    substitute_persons = {r.person_id for r in ledger.rows(channel=Channel.substitute.value)}
    all_items = sorted({i for n in plan.notices for i in n.items}, key=list(DataItem).index)
    harm = secondary_harm(items=all_items, confirmed=facts.confirmed_harm, self_name=business.self_name)
    channels = {n.channel for n in plan.notices}
    context = {
        "incident": facts.model_dump(), "business": business.model_dump(), "items": item_labels(all_items),
        "harm": harm.text_ja, "advice": harm.advice,
        "channels_ja": "、".join(label for channel, label in CHANNEL_LABELS_JA.items() if channel in channels),
        "date_wareki": wareki(today),
        "discovered_wareki": wareki(facts.discovered_on),
        "persons": len({n.person_id for n in plan.notices}), "unreachable": len(substitute_persons),
    }
    announcement = case.path("notification/public_announcement.txt")
    faq = case.path("notification/inquiry_faq.txt")
    case.write_bytes("notification/public_announcement.txt",
                     render("public/announcement.txt", context, templates_dir=templates_dir).encode())
    case.write_bytes("notification/inquiry_faq.txt", render("public/faq.txt", context, templates_dir=templates_dir).encode())
    record = SubstituteRecord(persons=len(substitute_persons), announcement_file=announcement.name, faq_file=faq.name,
                              report_item6_needed=True, drafted_at=datetime.now(UTC))
    case.write_model(SUBSTITUTE_FILE, record)
    case.timeline.append("notification.substitute", "代替措置（公表文・問合せ想定問答）を起案",
                         persons=record.persons, report_item6_needed=True)
    return record

