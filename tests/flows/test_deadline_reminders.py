"""The daily deadline check lists due obligations and emails the officer through a real SMTP server."""

from __future__ import annotations

import asyncio
import email
import json
import re
from datetime import date
from email import policy

import pytest
from aiosmtpd.controller import Controller

from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.obligations import assess
from breachflow.obligations.records import record_decision
from breachflow.reminders import DeadlineStatus, deadline_rows
from breachflow.settings import get_settings
from deployments.server import free_port
from tests.conftest import SHARED_CASES


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


def _assessed_case(name: str):
    store = CaseStore(get_settings().cases_dir)
    path = SHARED_CASES / f"{name}.yaml"
    intake = load_intake(path, check_future=False)
    case = store.open_case(intake, path)
    record_decision(case=case, decision=assess(intake=intake))
    return case


def test_status_follows_the_calendar() -> None:
    """Before the window an obligation is pending, two days before due it is due soon, after it overdue."""
    case = _assessed_case("WE-03")
    decision = assess(intake=case.intake())
    final = lambda today: next(r for r in deadline_rows(case=case, decision=decision, today=today)  # noqa: E731
                               if r.obligation == "final_report").status
    assert final(date(2026, 6, 10)) is DeadlineStatus.pending
    assert final(date(2026, 6, 29)) is DeadlineStatus.due_soon
    assert final(date(2026, 7, 1)) is DeadlineStatus.overdue


def test_reminder_flow_emails_the_officer(prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An overdue 速報 produces an artifact row and one Japanese email to the officer, ids and dates only."""
    from flows.deadline_reminders import deadline_reminders

    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        monkeypatch.setenv("BREACHFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BREACHFLOW_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("BREACHFLOW_OFFICER_EMAIL", "officer@example.com")
        get_settings.cache_clear()
        _assessed_case("WE-01")  # discovered 2026-11-10: its 速報 window has passed
        rows = asyncio.run(deadline_reminders())
    finally:
        smtp.stop()
    assert any(r.incident_id == "WE-01" and r.obligation == "preliminary_report" and r.status is DeadlineStatus.overdue
               for r in rows)
    assert len(inbox.messages) == 1
    message = email.message_from_bytes(inbox.messages[0], policy=policy.default)
    assert "期限が近い対応事項" in message["Subject"]
    assert "WE-01" in message.get_content() and "漏えい等報告（速報）" in message.get_content()


def test_the_reminder_run_shows_every_open_case_next_deadline_first(prefect_server: str) -> None:
    """The run's 'open-cases' table lists each open case with its next deadline, the earliest first; its name has the day."""
    from prefect.client.orchestration import get_client

    from flows.deadline_reminders import deadline_reminders

    _assessed_case("WE-03")
    _assessed_case("WE-01")  # discovered later, but its 速報 is due before WE-03's next deadline
    asyncio.run(deadline_reminders())

    async def read() -> tuple[list[dict], str]:
        async with get_client() as client:
            # The newest: an earlier test's run on the same server made an 'open-cases' artifact too.
            artifact = max((a for a in await client.read_artifacts() if a.key == "open-cases"), key=lambda a: a.created)
            runs = await client.read_flow_runs()
            return artifact.data, next(r.name for r in runs if r.name.startswith("deadline-reminders-"))

    data, run_name = asyncio.run(read())
    rows = json.loads(data) if isinstance(data, str) else data
    ids = [row["事案"] for row in rows]
    assert set(ids) >= {"WE-01", "WE-03"}
    dues = [row["期限日"] for row in rows if row["期限日"] != "-"]
    assert dues == sorted(dues)
    assert all("次に行うこと" in row for row in rows)
    assert re.fullmatch(r"deadline-reminders-\d{4}-\d{2}-\d{2}", run_name)
