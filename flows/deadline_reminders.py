"""The ``deadline-reminders`` flow: obligations due within 2 days or overdue, across all cases."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_table_artifact

from breachflow.intake.loader import JST
from breachflow.reminders import DeadlineRow
from tasks.scheduled import email_officer, find_due_obligations, list_open_cases


def _run_name() -> str:
    """The run says what it is and for which day (JST): deadline-reminders-2026-12-04."""
    return f"deadline-reminders-{datetime.now(JST).date().isoformat()}"


@flow(name="deadline-reminders", flow_run_name=_run_name, persist_result=False)
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
    await acreate_table_artifact(
        table=list_open_cases() or [{"事案": "-", "次の期限": "対応中の事案はありません"}],
        key="open-cases", description="対応中の全事案（次の期限が早い順）",
    )
    email_officer(rows)
    return rows
