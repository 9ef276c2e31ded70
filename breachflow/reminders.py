"""Deadline status per case: what is due soon, overdue, or done (ids and dates only)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case, CaseStore
from breachflow.obligations.model import Decision
from breachflow.obligations.records import current_decision
from breachflow.reporting.facts import ReportKind, read_submissions
from breachflow.settings import Settings

# Which submission discharges which obligation.
_DISCHARGED_BY: dict[str, ReportKind] = {
    "preliminary_report": ReportKind.preliminary,
    "final_report": ReportKind.final,
}


class DeadlineStatus(StrEnum):
    """Where one obligation stands."""

    done = "done"
    overdue = "overdue"
    due_soon = "due_soon"
    pending = "pending"


class DeadlineRow(BaseModel):
    """One obligation of one incident, for the deadline table artifact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    regime: str
    obligation: str
    due: str | None
    window_start: str | None
    status: DeadlineStatus


def _due_day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _status(due: date | None, today: date, within_days: int) -> DeadlineStatus:
    """Pending, due soon (within ``within_days``) or overdue, for an obligation not yet done."""
    if due is None or (due - today).days > within_days:
        return DeadlineStatus.pending
    return DeadlineStatus.overdue if due < today else DeadlineStatus.due_soon


def deadline_rows(*, case: Case, decision: Decision, today: date, within_days: int = 2) -> list[DeadlineRow]:
    """Every obligation of the decision with its status as of ``today``."""
    submissions = read_submissions(case=case)
    rows: list[DeadlineRow] = []
    for deadline in decision.deadlines:
        kind = _DISCHARGED_BY.get(deadline.obligation)
        done = kind is not None and submissions.last(kind) is not None
        status = DeadlineStatus.done if done else _status(_due_day(deadline.due), today, within_days)
        rows.append(
            DeadlineRow(
                incident_id=case.incident_id,
                regime=deadline.regime,
                obligation=deadline.obligation,
                due=deadline.due.isoformat() if deadline.due else None,
                window_start=deadline.window_start.isoformat() if deadline.window_start else None,
                status=status,
            )
        )
    for item in decision.sector_obligations:
        due = item.due
        status = _status(due, today, within_days)
        rows.append(
            DeadlineRow(
                incident_id=case.incident_id,
                regime=f"pack:{item.pack}",
                obligation=item.obligation,
                due=due.isoformat() if due else None,
                window_start=item.window_start.isoformat() if item.window_start else None,
                status=status,
            )
        )
    return rows


_OBLIGATION_JA = {
    "preliminary_report": "漏えい等報告（速報）",
    "final_report": "漏えい等報告（確報）",
    "individual_notice": "本人への通知",
    "client_notice": "委託元への通知",
    "gdpr_sa_notification": "GDPR 監督機関への通知",
    "gdpr_individual_notice": "GDPR 本人への通知",
}
_STATUS_JA = {DeadlineStatus.overdue: "期限超過", DeadlineStatus.due_soon: "期限間近",
              DeadlineStatus.pending: "未了", DeadlineStatus.done: "完了"}


def reminder_email(*, rows: list[DeadlineRow], today: date, settings: Settings) -> bytes:
    """The officer's reminder (Japanese, ids and dates only) as an RFC 5322 message."""
    from email.message import EmailMessage
    from email.policy import SMTP as SMTP_POLICY
    from email.utils import formatdate, make_msgid

    from breachflow.templating import render

    body = render(
        "email/reminder.txt",
        {
            "business_name": settings.business_name or "",
            "today": today.isoformat(),
            "rows": [
                {**row.model_dump(), "label": _OBLIGATION_JA.get(row.obligation, row.obligation),
                 "status_ja": _STATUS_JA[row.status]}
                for row in rows
            ],
        },
    )
    message = EmailMessage()
    message["Subject"] = f"【breachflow】期限が近い対応事項 {len(rows)}件（{today.isoformat()}）"
    message["From"] = settings.mail_from or settings.business_desk_email or ""
    message["To"] = settings.officer_email or ""
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="breachflow.invalid")
    message.set_content(body, charset="utf-8", cte="base64")  # 7-bit safe for any relay
    return message.as_bytes(policy=SMTP_POLICY)  # CRLF line ends, as the wire needs


def reminders(*, store: CaseStore, today: date, within_days: int = 2) -> list[DeadlineRow]:
    """Obligations across all cases that are overdue or due within ``within_days``."""
    found: list[DeadlineRow] = []
    for incident_id in store.ids():
        case = store.get(incident_id)
        decision = current_decision(case=case)
        if decision is None:
            continue
        found.extend(
            row
            for row in deadline_rows(case=case, decision=decision, today=today, within_days=within_days)
            if row.status in {DeadlineStatus.overdue, DeadlineStatus.due_soon}
        )
    return found
