"""Prefect tasks of the notification stage: ids in, counts out; the work is in ``usecases.notification``.

Email batches are mapped, one SMTP connection per batch task.
"""

from __future__ import annotations

import uuid

from prefect import task
from prefect.cache_policies import NO_CACHE

from breachflow.notification.plan import PlanCounts
from breachflow.notification.sending import BatchResult
from breachflow.usecases import notification
from breachflow.usecases.notification import GatePreview
from breachflow.wiring import get_wiring
from tasks._retry import retry_unless_user_error
from tasks._safety import ids_only
from tasks.progress import log_progress


@task(name="plan-notices", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def plan_notices(incident_id: str) -> PlanCounts:
    """Plan one notice per person and channel with only that person's items (deterministic ids)."""
    with ids_only("plan-notices", incident_id):
        return notification.plan(get_wiring(), incident_id)


@task(name="preview-notices", cache_policy=NO_CACHE, persist_result=False)
def preview_notices(incident_id: str) -> GatePreview:
    """Render one sample per channel and item set from a synthetic placeholder person, for the gate."""
    with ids_only("preview-notices", incident_id):
        return notification.gate_preview(get_wiring(), incident_id)


@task(name="send-email-batch", retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def send_email_batch_task(incident_id: str, batch: int) -> BatchResult:
    """Send one batch of email notices over one SMTP connection; the ledger makes a retry safe."""
    with ids_only("send-email-batch", incident_id):
        return notification.send_email_batch(get_wiring(), incident_id, batch, worker=f"prefect-{uuid.uuid4().hex[:8]}")


@task(name="record-email-round", cache_policy=NO_CACHE, persist_result=False)
def record_email_round(incident_id: str, results: list[BatchResult]) -> dict[str, int]:
    """Add up the email batches and log the totals in the case timeline."""
    with ids_only("record-email-round", incident_id):
        return notification.record_email_round(get_wiring(), incident_id, results)


@task(name="produce-letters", retries=1, retry_delay_seconds=5, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def produce_letters_task(incident_id: str) -> dict[str, int]:
    """Render planned letters (PDF), mailing lists and label sheets in the case folder."""
    with ids_only("produce-letters", incident_id):
        run = notification.produce_letters(get_wiring(), incident_id, progress=log_progress("letters"))
        return {"letters": run.letters, "files": len(run.files), "unencodable_cp932": run.unencodable_cp932,
                "missing_glyphs": run.missing_glyphs, "address_too_long": run.address_too_long}


@task(name="export-call-list", retries=1, retry_delay_seconds=5, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def export_call_list_task(incident_id: str) -> dict[str, int]:
    """Write the call list (CSV UTF-8 BOM / CP932, XLSX) for open phone notices."""
    with ids_only("export-call-list", incident_id):
        return notification.export_call_list(get_wiring(), incident_id, progress=log_progress("call list"))


@task(name="draft-substitute-measures", retries=1, retry_delay_seconds=5, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def draft_substitute_task(incident_id: str) -> int:
    """Draft the public announcement and inquiry-desk FAQ when persons remain unreachable; returns their count."""
    with ids_only("draft-substitute-measures", incident_id):
        return notification.draft_substitutes(get_wiring(), incident_id).persons


@task(name="record-notice-status", cache_policy=NO_CACHE, persist_result=False)
def record_notice_status(incident_id: str, substitute_persons: int) -> dict[str, dict[str, int]]:
    """Feed report item 6 from the ledger (counts only) and return the per-channel state counts."""
    with ids_only("record-notice-status", incident_id):
        return notification.record_notice_status(get_wiring(), incident_id, substitute_persons=substitute_persons)
