"""The ``deadline-reminders`` flow: obligations due within 2 days or overdue, across all cases."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.casestore import CaseStore
from breachflow.intake.loader import today_jst
from breachflow.reminders import DeadlineRow, reminder_email, reminders
from breachflow.notification.mailer import TransientDeliveryError
from breachflow.settings import get_settings
from tasks._retry import retry_on


@task(name="find-due-obligations", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE, persist_result=False)
def find_due_obligations(within_days: int) -> list[DeadlineRow]:
    """List obligations overdue or due soon in every case (ids and dates only)."""
    return reminders(store=CaseStore(get_settings().cases_dir), today=today_jst(), within_days=within_days)


@task(name="email-officer", retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=retry_on(TransientDeliveryError),
      cache_policy=NO_CACHE, persist_result=False)
def email_officer(rows: list[DeadlineRow]) -> bool:
    """Email the officer the due obligations when SMTP and an officer address are configured."""
    settings = get_settings()
    if not rows or not settings.officer_email or not settings.smtp_host:
        return False
    from breachflow.notification.mailer import OutgoingEmail, build_mailer

    today = today_jst()
    mailer = build_mailer(settings, outbox_dir=settings.home / "outbox" / "reminders")
    try:
        mailer.deliver(OutgoingEmail(notice_id=f"reminder-{today.isoformat()}", sender=settings.mail_from,
                                     recipient=settings.officer_email,
                                     data=reminder_email(rows=rows, today=today, settings=settings)))
    finally:
        mailer.close()
    return True


@flow(name="deadline-reminders", persist_result=False)
async def deadline_reminders(within_days: int = 2) -> list[DeadlineRow]:
    """Daily: show due and overdue obligations as an artifact and one log line each."""
    rows = find_due_obligations(within_days)
    logger = get_run_logger()
    for row in rows:
        logger.warning("incident %s: %s %s due %s", row.incident_id, row.regime, row.obligation, row.due)
    await acreate_table_artifact(
        table=[row.model_dump(mode="json") for row in rows] or [{"incident_id": "-", "status": "nothing due"}],
        key="deadline-reminders",
        description=f"obligations overdue or due within {within_days} days",
    )
    email_officer(rows)
    return rows
