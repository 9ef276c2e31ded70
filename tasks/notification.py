"""Prefect tasks of the notification stage: plan, preview, send in batches, letters, calls, substitutes.

Every task takes the incident id and returns counts; persons, addresses and rendered notices
stay in the case store. Email batches are mapped, one SMTP connection per batch task.
"""

from __future__ import annotations

import uuid
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case, CaseStore
from breachflow.intake.loader import today_jst
from breachflow.notification import service
from breachflow.notification.casework import (
    case_decision,
    case_facts,
    case_ledger,
    case_persons,
    channel_policy,
    notifiable_persons,
)
from breachflow.notification.content import Business
from breachflow.notification.ledger import State
from breachflow.notification.mailer import build_mailer
from breachflow.notification.plan import PlanCounts
from breachflow.notification.policy import Channel
from breachflow.notification.sending import BatchResult, send_email_batch
from breachflow.reporting.facts import NoticeStatus, update_report_facts
from breachflow.settings import get_settings
from tasks._safety import ids_only

EMAIL_BATCH_SIZE = 500


def _case(incident_id: str) -> Case:
    return CaseStore(get_settings().cases_dir).get(incident_id)


class GatePreview(BaseModel):
    """What the notification gate shows: counts, template versions, placeholder samples."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_sha256: str
    markdown: str
    email_batches: int


@task(name="plan-notices", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False)
def plan_notices(incident_id: str) -> PlanCounts:
    """Plan one notice per person and channel with only that person's items (deterministic ids)."""
    with ids_only("plan-notices", incident_id):
        case = _case(incident_id)
        settings = get_settings()
        return service.plan_notifications(
            case=case, persons=notifiable_persons(case), decision=case_decision(case),
            policy=channel_policy(), templates_dir=settings.templates_dir, ledger=case_ledger(case, settings),
        )


@task(name="preview-notices", cache_policy=NO_CACHE, persist_result=False)
def preview_notices(incident_id: str) -> GatePreview:
    """Render one sample per channel and item set from a synthetic placeholder person, for the gate."""
    with ids_only("preview-notices", incident_id):
        case = _case(incident_id)
        settings = get_settings()
        plan = service.load_plan(case)
        preview = service.build_preview(
            plan=plan, facts=case_facts(case), business=Business.from_settings(settings), today=today_jst(),
            templates_dir=settings.templates_dir,
        )
        case.write_model("notification/preview.json", preview)
        lines = [
            f"## 本人通知の承認 — incident {incident_id}",
            "",
            "| channel | notices |",
            "|---|---|",
            *[f"| {channel} | {count} |" for channel, count in preview.counts.by_channel.items()],
            "",
            "template versions: " + ", ".join(f"{c}={v}" for c, v in preview.template_versions.items()),
            "",
            "Samples below use a placeholder person (架空の見本), not a real one.",
        ]
        for sample in preview.samples:
            lines += ["", f"### {sample.channel} × {sample.notices} ({', '.join(sample.items)})", "", "```",
                      (sample.subject + "\n\n" if sample.subject else "") + sample.text[:1500], "```"]
        emails = sum(1 for n in plan.notices if n.channel is Channel.email)
        return GatePreview(plan_sha256=service.plan_digest(plan), markdown="\n".join(lines),
                           email_batches=(emails + EMAIL_BATCH_SIZE - 1) // EMAIL_BATCH_SIZE)


@task(name="send-email-batch", retries=2, retry_delay_seconds=[5, 30], cache_policy=NO_CACHE, persist_result=False)
def send_email_batch_task(incident_id: str, batch: int) -> BatchResult:
    """Send one batch of email notices over one SMTP connection; the ledger makes a retry safe."""
    with ids_only("send-email-batch", incident_id):
        case = _case(incident_id)
        service.require_approval(case)
        settings = get_settings()
        plan = service.load_plan(case)
        emails = [n for n in plan.notices if n.channel is Channel.email]
        notices = emails[batch * EMAIL_BATCH_SIZE : (batch + 1) * EMAIL_BATCH_SIZE]
        mailer = build_mailer(settings, outbox_dir=case.path("notification/outbox/x").parent)
        try:
            return send_email_batch(
                ledger=case_ledger(case, settings), mailer=mailer, notices=notices, persons=case_persons(case),
                facts=case_facts(case), business=Business.from_settings(settings), sender=settings.mail_from,
                today=today_jst(), policy=channel_policy(), versions=plan.template_versions,
                worker=f"prefect-{uuid.uuid4().hex[:8]}",
            )
        finally:
            mailer.close()


@task(name="produce-letters", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE, persist_result=False)
def produce_letters_task(incident_id: str) -> dict[str, int]:
    """Render planned letters (PDF), mailing lists and label sheets in the case folder."""
    with ids_only("produce-letters", incident_id):
        case = _case(incident_id)
        service.require_approval(case)
        settings = get_settings()
        run = service.produce_letters(
            case=case, ledger=case_ledger(case, settings), persons=case_persons(case), plan=service.load_plan(case),
            facts=case_facts(case), business=Business.from_settings(settings), today=today_jst(),
            templates_dir=settings.templates_dir, out_dir=case.path("notification/letters/x").parent,
        )
        return {"letters": run.letters, "files": len(run.files), "unencodable_cp932": run.unencodable_cp932,
                "missing_glyphs": run.missing_glyphs}


@task(name="export-call-list", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE, persist_result=False)
def export_call_list_task(incident_id: str) -> dict[str, int]:
    """Write the call list (CSV UTF-8 BOM / CP932, XLSX) for open phone notices."""
    with ids_only("export-call-list", incident_id):
        case = _case(incident_id)
        settings = get_settings()
        return service.export_call_list(
            ledger=case_ledger(case, settings), persons=case_persons(case), plan=service.load_plan(case),
            facts=case_facts(case), business=Business.from_settings(settings), today=today_jst(),
            templates_dir=settings.templates_dir, out_dir=case.path("notification/calls/x").parent,
        )


@task(name="draft-substitute-measures", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE, persist_result=False)
def draft_substitute_task(incident_id: str) -> int:
    """Draft the public announcement and inquiry-desk FAQ when persons remain unreachable; returns their count."""
    with ids_only("draft-substitute-measures", incident_id):
        case = _case(incident_id)
        settings = get_settings()
        record = service.draft_substitute_measures(
            case=case, ledger=case_ledger(case, settings), plan=service.load_plan(case), facts=case_facts(case),
            business=Business.from_settings(settings), today=today_jst(), templates_dir=settings.templates_dir,
        )
        return record.persons


@task(name="record-notice-status", cache_policy=NO_CACHE, persist_result=False)
def record_notice_status(incident_id: str, substitute_persons: int, today: date | None = None) -> dict[str, dict[str, int]]:
    """Feed report item 6 from the ledger (counts only) and return the per-channel state counts."""
    case = _case(incident_id)
    ledger = case_ledger(case, get_settings())
    counts = ledger.counts()
    persons = len(case_persons(case))
    sent_persons = {r.person_id for r in ledger.rows(states=(State.sent,))}
    failed = sum(n for states in counts.values() for s, n in states.items() if s == State.failed_permanent.value)
    update_report_facts(
        case=case,
        notices=NoticeStatus(
            targets=persons, sent=min(len(sent_persons), persons), undeliverable=min(failed, len(sent_persons)),
            substitute_measures="公表及び問合せ窓口の設置（準備中）" if substitute_persons else "",
            as_of=today or today_jst(),
        ),
    )
    return counts
