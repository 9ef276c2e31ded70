"""Use cases of the scheduled runs: deadline reminders, leak checks, retention."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from breachflow.casestore.retention import RetentionDue, cases_past_retention
from breachflow.errors import ConfigError
from breachflow.leakcheck import load_allowlist, open_incident_drafts, scan
from breachflow.leakcheck.incident import DRAFTS_SUBDIR, FolderDraftWriter
from breachflow.leakcheck.model import ScanReport
from breachflow.leakcheck.scanner import DEFAULT_MAX_BYTES, JST
from breachflow.notification.mailer import OutgoingEmail
from breachflow.reminders import DeadlineRow, reminder_email, reminders
from breachflow.wiring import Wiring

LEAKCHECK_STATE = Path("leakcheck") / "state.json"


def due_obligations(w: Wiring, *, within_days: int = 2) -> list[DeadlineRow]:
    """Obligations overdue or due within ``within_days`` in every case (ids and dates only)."""
    return reminders(store=w.store, today=w.today(), within_days=within_days)


def email_officer(w: Wiring, rows: list[DeadlineRow]) -> bool:
    """Email the officer the due obligations when SMTP and an officer address are configured."""
    settings = w.settings
    if not rows or not settings.officer_email or not settings.smtp_host:
        return False
    from breachflow.notification.mailer import build_mailer

    today = w.today()
    mailer = build_mailer(settings, outbox_dir=settings.home / "outbox" / "reminders")
    try:
        mailer.deliver(OutgoingEmail(notice_id=f"reminder-{today.isoformat()}", sender=_officer_sender(settings),
                                     recipient=settings.officer_email,
                                     data=reminder_email(rows=rows, today=today, settings=settings)))
    finally:
        mailer.close()
    return True


def _officer_sender(settings) -> str:
    """The From address of the officer's reminder: BREACHFLOW_MAIL_FROM, else the company desk's address."""
    sender = settings.mail_from or settings.business_desk_email
    if not sender:
        raise ConfigError("the deadline reminder needs a sender: set BREACHFLOW_MAIL_FROM or BREACHFLOW_BUSINESS_DESK_EMAIL")
    return sender


def scan_for_leaks(
    w: Wiring, *, paths: list[Path] | None = None, state: Path | None = None, allow: Path | None = None,
    open_incident: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
) -> ScanReport:
    """Scan folders (default: BREACHFLOW_LEAKCHECK_PATHS) incrementally; optionally draft incidents for findings."""
    settings = w.settings
    state_path = state or settings.home / LEAKCHECK_STATE
    state_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    allow = allow or settings.leakcheck_allowlist
    report = scan(paths=list(settings.leakcheck_paths) if paths is None else paths, state_path=state_path,
                  allowlist=load_allowlist(allow) if allow else None, max_bytes=max_bytes)
    if open_incident:
        report = open_incident_drafts(report=report, writer=FolderDraftWriter(settings.home / DRAFTS_SUBDIR),
                                      business_name=settings.business_name or "（事業者名を記入）", found_at=datetime.now(JST))
    return report


def past_retention(w: Wiring) -> list[RetentionDue]:
    """Cases whose personal data is kept longer than BREACHFLOW_RETENTION_DAYS (ids and dates)."""
    return cases_past_retention(store=w.store, today=w.today(), retention_days=w.settings.retention_days)
