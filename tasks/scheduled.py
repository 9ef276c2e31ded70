"""Prefect tasks of the scheduled runs: due obligations, the officer's reminder, leak checks, retention."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from breachflow.casestore.retention import RetentionDue
from breachflow.leakcheck.model import ScanSummary
from breachflow.notification.mailer import TransientDeliveryError
from breachflow.reminders import DeadlineRow
from breachflow.usecases import scheduled, status
from breachflow.wiring import get_wiring
from tasks._retry import retry_on, retry_unless_user_error
from tasks._safety import ids_only


@task(name="find-due-obligations", retries=2, retry_delay_seconds=5, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def find_due_obligations(within_days: int) -> list[DeadlineRow]:
    """List obligations overdue or due soon in every case (ids and dates only)."""
    return scheduled.due_obligations(get_wiring(), within_days=within_days)


@task(name="email-officer", retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=retry_on(TransientDeliveryError),
      cache_policy=NO_CACHE, persist_result=False)
def email_officer(rows: list[DeadlineRow]) -> bool:
    """Email the officer the due obligations when SMTP and an officer address are configured."""
    return scheduled.email_officer(get_wiring(), rows)


@task(name="scan-for-leaks", retries=2, retry_delay_seconds=30, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def scan_for_leaks(open_incident: bool) -> ScanSummary:
    """Scan the configured folders incrementally; only the aggregate summary leaves the task."""
    with ids_only("scan-for-leaks", "leak-check"):
        return scheduled.scan_for_leaks(get_wiring(), open_incident=open_incident).summary()


@task(name="find-cases-past-retention", cache_policy=NO_CACHE, persist_result=False)
def find_cases_past_retention() -> tuple[list[RetentionDue], int]:
    """Cases past the retention period (ids and dates only), and the period in days."""
    w = get_wiring()
    return scheduled.past_retention(w), w.settings.retention_days


@task(name="list-open-cases", cache_policy=NO_CACHE, persist_result=False)
def list_open_cases() -> list[dict[str, object]]:
    """All open cases, next deadline first: ids, deadline names and days, the next action (no personal data)."""
    rows = []
    for view in status.open_cases(get_wiring()):
        due = view.next_deadline()
        rows.append({"事案": view.incident_id, "次の期限": due.name_ja if due else "-", "期限日": due.due if due else "-",
                     "残り日数": due.days_left if due else "-", "次に行うこと": view.next_action})
    return rows
