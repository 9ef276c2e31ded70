"""A relay that refuses the session is a configuration problem, not the persons': nothing is rerouted or lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from breachflow.notification.ledger import State
from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.mailer import RelaySessionError, YagmailMailer
from tests.notification.support import SinkHandler, email_person, email_plan, free_port
from tests.notification.test_email_sending import send_all


class RefusingSender(SinkHandler):
    """Answers MAIL FROM with 530 (authentication required), as a relay that wants AUTH does."""

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd API
        return "530 5.7.0 Authentication required"


class RefusingOneMessage(SinkHandler):
    """Refuses the third message at the end of DATA with 500; accepts everything else."""

    def __init__(self) -> None:
        super().__init__()
        self.data_count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.data_count += 1
        if self.data_count == 3:
            return "500 5.0.0 message refused"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def relay():
    """Start a relay with the handler given, on loopback."""
    started = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


def test_a_530_at_mail_from_stops_the_batch_and_leaves_every_notice_to_be_sent(tmp_path: Path, relay):
    """530 at MAIL FROM: the batch stops with the settings to check; no notice is failed for good or rerouted."""
    controller = relay(RefusingSender())
    ledger = open_ledger(tmp_path / "case")
    persons = [email_person(i) for i in range(30)]
    plan, versions = email_plan(persons, ledger)
    mailer = YagmailMailer(host="127.0.0.1", port=controller.port, timeout=10)
    try:
        with pytest.raises(RelaySessionError, match="BREACHFLOW_SMTP_USER") as caught:
            send_all(ledger, mailer, plan, persons, versions)
    finally:
        mailer.close()
    assert "@" not in str(caught.value)  # no address in what may reach Prefect
    states = {r.state for r in ledger.rows()}
    assert states <= {State.planned, State.failed_transient}
    assert not ledger.rows(channel="letter") and not ledger.rows(states=(State.failed_permanent,))


def test_a_500_at_the_end_of_data_reroutes_nobody(tmp_path: Path, relay):
    """One message refused at end of DATA: the batch stops there, the two sent stay sent, nobody moves to a letter."""
    handler = RefusingOneMessage()
    controller = relay(handler)
    ledger = open_ledger(tmp_path / "case")
    persons = [email_person(i) for i in range(30)]
    plan, versions = email_plan(persons, ledger)
    mailer = YagmailMailer(host="127.0.0.1", port=controller.port, timeout=10)
    try:
        with pytest.raises(RelaySessionError):
            send_all(ledger, mailer, plan, persons, versions)
    finally:
        mailer.close()
    counts = ledger.counts()["email"]
    assert counts.get("sent") == 2 and len(handler.messages) == 2
    assert "failed_permanent" not in counts and not ledger.rows(channel="letter")
    assert counts.get("sent", 0) + counts.get("failed_transient", 0) + counts.get("planned", 0) == 30
