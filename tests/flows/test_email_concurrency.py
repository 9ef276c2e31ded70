"""The flow opens at most BREACHFLOW_EMAIL_CONCURRENCY SMTP connections at once, so a crash leaves at most that many in doubt."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import yaml

from breachflow.scoping.synthetic import generate_customers, write_csv
from breachflow.settings import get_settings
from breachflow.usecases import gates, response
from breachflow.wiring import get_wiring
from tests.notification.support import SinkHandler, free_port


class CountingSessions(SinkHandler):
    """A sink that records how many SMTP sessions are open at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.open = 0
        self.most = 0
        self.guard = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd API
        if not getattr(session, "counted", False):
            session.counted = True
            with self.guard:
                self.open += 1
                self.most = max(self.most, self.open)
            original = server.connection_lost

            def lost(exc, _original=original):
                with self.guard:
                    self.open -= 1
                return _original(exc)

            server.connection_lost = lost
        session.host_name = hostname
        return responses


@pytest.mark.e2e
def test_no_more_than_the_configured_batches_are_sent_at_once(tmp_path: Path, prefect_server: str, monkeypatch) -> None:
    """1,600 emails in 4 batches with BREACHFLOW_EMAIL_CONCURRENCY=2: never more than 2 connections open, all sent once."""
    from aiosmtpd.controller import Controller

    from flows.notify_affected_persons import notify_affected_persons

    handler = CountingSessions()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setenv("BREACHFLOW_EMAIL_CONCURRENCY", "2")
        monkeypatch.setenv("BREACHFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BREACHFLOW_SMTP_PORT", str(controller.port))
        get_settings.cache_clear()
        data = generate_customers(n=2400, seed=3, duplicate_share=0.0, namesake_share=0.0)
        write_csv(tmp_path / "list.csv", data)
        raw = {"incident_id": "CONC-1", "title": "t", "discovered_on": "2026-11-30",
               "business": {"name": "株式会社同時検証"}, "event": {"cause": "theft"},
               "data": {"subjects": ["customer"], "dataset": "list.csv"}}
        (tmp_path / "incident.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        w = get_wiring()
        incident_id = response.open_or_update(w, tmp_path / "incident.yaml").incident_id
        from breachflow.usecases import obligations, scoping

        scoping.scope(w, incident_id)
        obligations.assess_case(w, incident_id)
        gates.preapprove_all(w, incident_id, approver="試験")
        outcome = asyncio.run(notify_affected_persons(incident_id))
    finally:
        controller.stop()
    emails = outcome.planned["email"]
    assert emails > 1500  # at least four batches of 500
    assert outcome.email_sent == emails == sum(handler.received.values())
    assert max(handler.received.values()) == 1
    assert 1 <= handler.most <= 2
