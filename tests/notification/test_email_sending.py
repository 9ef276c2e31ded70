"""Email sending against a real aiosmtpd server on loopback: exactly once, faults, reroutes, injection."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from breachflow.notification.ledger import State
from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.mailer import RecordingMailer, YagmailMailer
from breachflow.notification.policy import Channel, ChannelPolicy
from breachflow.notification.sending import Backoff, send_email_batch
from breachflow.settings import REPO_ROOT
from breachflow.vocabulary import DataItem
from tests.notification.support import (
    SENDER, TODAY, SinkHandler, business, email_person, email_plan, facts, start_server, write_persons,
)

NO_WAIT = Backoff(rounds=8, base=0.0)


def send_all(ledger, mailer, plan, persons, versions, *, worker="w1", backoff=NO_WAIT):
    """Send a whole plan as one batch."""
    return send_email_batch(
        ledger=ledger, mailer=mailer, notices=plan.notices, persons={p.person_id: p for p in persons},
        facts=facts(), business=business(), sender=SENDER, today=TODAY, policy=ChannelPolicy(), versions=versions,
        worker=worker, backoff=backoff, sleep=lambda _s: None,
    )


@pytest.fixture
def ledger(tmp_path: Path):
    """A SQLite ledger in a temporary case folder."""
    ledger = open_ledger(tmp_path / "case")
    yield ledger
    ledger.close()


def test_one_connection_and_plain_rerun_sends_nothing(ledger):
    """A finished send uses one connection, and running it again sends nothing."""
    handler = SinkHandler()
    server = start_server(handler)
    try:
        persons = [email_person(i) for i in range(40)]
        plan, versions = email_plan(persons, ledger)
        mailer = YagmailMailer(host="127.0.0.1", port=server.port)
        first = send_all(ledger, mailer, plan, persons, versions)
        second = send_all(ledger, mailer, plan, persons, versions)
        mailer.close()
    finally:
        server.stop()
    assert first.sent == 40 and second.sent == 0 and second.already_done == 40
    assert mailer.connections == 1
    assert sorted(handler.received) == sorted(n.notice_id for n in plan.notices)
    assert set(handler.received.values()) == {1}


def test_deferrals_and_dropped_connection_are_retried_until_delivered(ledger):
    """451/452 for ~10% of messages and one dropped connection still deliver everyone exactly once."""
    handler = SinkHandler(defer_rate=0.10, drop_once_after=50)
    server = start_server(handler)
    try:
        persons = [email_person(i) for i in range(300)]
        plan, versions = email_plan(persons, ledger)
        mailer = YagmailMailer(host="127.0.0.1", port=server.port)
        result = send_all(ledger, mailer, plan, persons, versions)
        mailer.close()
    finally:
        server.stop()
    assert handler.deferred > 0 and handler.dropped == 1
    assert result.sent == 300 and result.failed_transient == 0
    assert set(handler.received.values()) == {1} and len(handler.received) == 300
    assert mailer.connections == 2
    retried = [r for r in ledger.rows() if r.attempts > 1]
    assert retried and all(r.state is State.sent for r in retried)


def test_permanent_refusal_plans_a_letter_and_the_ledger_says_why(ledger):
    """A 550 for an address marks that notice failed_permanent with the code and plans a letter instead."""
    refused = {"user3@example.com", "user7@example.com"}
    handler = SinkHandler(reject=refused)
    server = start_server(handler)
    try:
        persons = [email_person(i) for i in range(10)]
        plan, versions = email_plan(persons, ledger)
        mailer = YagmailMailer(host="127.0.0.1", port=server.port)
        result = send_all(ledger, mailer, plan, persons, versions)
        mailer.close()
    finally:
        server.stop()
    assert result.sent == 8 and result.failed_permanent == 2 and result.rerouted == {Channel.letter: 2}
    failed = ledger.rows(states=(State.failed_permanent,))
    assert sorted(r.person_id for r in failed) == ["P000003", "P000007"]
    assert all(r.reply_code == 550 and r.rerouted_to for r in failed)
    letters = ledger.rows(channel="letter")
    assert sorted(r.person_id for r in letters) == ["P000003", "P000007"]
    assert all(r.state is State.planned and r.rerouted_from for r in letters)
    assert [e["state"] for e in ledger.history(failed[0].notice_id)] == ["planned", "sending", "failed_permanent"]


def test_two_concurrent_workers_never_send_one_notice_twice(ledger):
    """Two workers given the same notices share them: each notice reaches the server once."""
    handler = SinkHandler()
    server = start_server(handler)
    try:
        persons = [email_person(i) for i in range(200)]
        plan, versions = email_plan(persons, ledger)
        mailers = [YagmailMailer(host="127.0.0.1", port=server.port) for _ in range(2)]
        results = []
        threads = [
            threading.Thread(target=lambda m=m, w=w: results.append(send_all(ledger, m, plan, persons, versions, worker=w)))
            for m, w in zip(mailers, ("w1", "w2"))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for m in mailers:
            m.close()
    finally:
        server.stop()
    assert sum(r.sent for r in results) == 200
    assert len(handler.received) == 200 and set(handler.received.values()) == {1}


def test_hostile_names_cannot_inject_headers_templates_or_html(ledger):
    """CR/LF, <script>, {{ }} and RTL marks in a name arrive as inert text in one To header."""
    hostile = "悪意\r\nBcc: victim@example.com\r\n{{ 7*7 }}<script>alert(1)</script>\u202egnp.exe"
    person = email_person(1, name=hostile, address2="{% raw %}x\n<b>")
    handler = SinkHandler()
    server = start_server(handler)
    try:
        plan, versions = email_plan([person], ledger)
        mailer = YagmailMailer(host="127.0.0.1", port=server.port)
        send_all(ledger, mailer, plan, [person], versions)
        mailer.close()
    finally:
        server.stop()
    assert handler.envelopes == [(SENDER, ["user1@example.com"])]
    raw = handler.messages[plan.notices[0].notice_id]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and len(msg.get_all("To")) == 1
    assert msg["To"].addresses[0].addr_spec == "user1@example.com"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "{{ 7*7 }}" in text and "49" not in text.split("様")[0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in text and "\u202e" not in html and "\u202e" not in msg["To"]
    assert "<br>" not in text


def test_items_are_only_those_of_the_person(ledger):
    """A person whose row had no email is not told that an email leaked, and the text part has no <br>."""
    with_card = email_person(1, items=[DataItem.name, DataItem.email, DataItem.card_number])
    plain = email_person(2, items=[DataItem.name, DataItem.email])
    plan, versions = email_plan([with_card, plain], ledger)
    mailer = RecordingMailer()
    send_all(ledger, mailer, plan, [with_card, plain], versions)
    bodies = {
        m.notice_id: email.message_from_bytes(m.data, policy=email.policy.default).get_body(("plain",)).get_content()
        for m in mailer.delivered
    }
    by_person = {n.person_id: bodies[n.notice_id] for n in plan.notices}
    assert "クレジットカード番号" in by_person["P000001"] and "クレジットカード番号" not in by_person["P000002"]
    assert "カード発行会社" in by_person["P000001"] and "カード発行会社" not in by_person["P000002"]


def test_lost_connection_during_data_is_in_doubt_not_resent(ledger):
    """A message whose hand-over outcome is unknown is recorded in_doubt and a re-run leaves it alone."""
    from breachflow.notification.mailer import UncertainDeliveryError

    persons = [email_person(i) for i in range(3)]
    plan, versions = email_plan(persons, ledger)
    doubtful = plan.notices[1].notice_id

    def respond(mail):
        if mail.notice_id == doubtful:
            raise UncertainDeliveryError(mail.notice_id, "SMTPServerDisconnected")
        return 250

    mailer = RecordingMailer(respond)
    first = send_all(ledger, mailer, plan, persons, versions)
    second = send_all(ledger, mailer, plan, persons, versions)
    assert first.in_doubt == 1 and second.in_doubt == 1 and second.sent == 0
    assert mailer.attempts == 3
    assert ledger.row(doubtful).state is State.in_doubt
    assert ledger.resolve(doubtful, resend=True, decided_by="tester") is State.planned
    third = send_all(ledger, RecordingMailer(), plan, persons, versions)
    assert third.sent == 1


@pytest.mark.e2e
def test_crash_mid_send_then_rerun_and_resolve_gives_everyone_exactly_one(tmp_path: Path):
    """Killing the sender mid-way over 5,000 persons, re-running and resolving the in-doubt ones gives one each."""
    count = 5000
    handler = SinkHandler()
    server = start_server(handler)
    case_dir = tmp_path / "case"
    persons_file = tmp_path / "persons.jsonl"
    write_persons(persons_file, count)
    command = [sys.executable, "-m", "tests.notification.send_worker", str(case_dir), str(server.port), str(persons_file)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    try:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(handler.received) < 1500 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at = len(handler.received)
        assert 1500 <= killed_at < count, "the sender must be killed mid-way"

        rerun = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    finally:
        server.stop()

    assert max(handler.received.values()) == 1, "nobody may receive two messages"
    ledger = open_ledger(case_dir)
    doubtful = ledger.rows(states=(State.sending, State.in_doubt))
    assert len(doubtful) <= 1, "at most one notice in doubt per open connection"
    sent = ledger.rows(states=(State.sent,))
    assert len(sent) + len(doubtful) == count
    assert all(handler.received[r.notice_id] == 1 for r in sent)

    # The human decision, informed here by the server's log: mark delivered ones sent, resend the rest.
    server = start_server(handler)
    try:
        for row in doubtful:
            ledger.resolve(row.notice_id, resend=handler.received[row.notice_id] == 0, decided_by="tester")
        final = subprocess.run(
            [*command[:4], str(server.port), str(persons_file)], cwd=REPO_ROOT, env=env, capture_output=True, timeout=300
        )
        assert final.returncode == 0, final.stderr.decode()[-2000:]
    finally:
        server.stop()
    assert len(handler.received) == count and set(handler.received.values()) == {1}
    assert len(ledger.rows(states=(State.sent,))) == count
    ledger.close()


def test_each_message_is_handed_over_with_only_itself_committed_as_sending(tmp_path: Path):
    """At every hand-over, another connection sees exactly that notice in sending and every earlier one sent."""
    ledger = open_ledger(tmp_path / "case")
    observer = open_ledger(tmp_path / "case")
    persons = [email_person(i) for i in range(30)]
    plan, versions = email_plan(persons, ledger)
    seen = []

    def respond(mail):
        rows = {r.notice_id: r.state for r in observer.rows()}
        seen.append((mail.notice_id, [nid for nid, s in rows.items() if s is State.sending],
                     sum(1 for s in rows.values() if s is State.sent)))
        return 250

    result = send_all(ledger, RecordingMailer(respond), plan, persons, versions)
    ledger.close()
    assert result.sent == 30
    assert [(nid, sending, sent) for nid, sending, sent in seen] == [
        (n.notice_id, [n.notice_id], k) for k, n in enumerate(plan.notices)
    ]
    assert all(r.state is State.sent and r.reply_code == 250 and r.finished_at for r in observer.rows())
    assert [e["state"] for e in observer.history(plan.notices[0].notice_id)] == ["planned", "sending", "sent"]
    observer.close()
