"""The notice ledger on its own: the plain SQLAlchemy class and SQLite's fast step store the same rows."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from breachflow.errors import DeliveryError
from breachflow.notification import ledger as ledger_module
from breachflow.notification.ledger import LEDGER_FILE, Ledger, State
from breachflow.notification.ledger_fast import SqliteLedger, open_ledger
from breachflow.notification.plan import Channel, make_notice, template_versions
from tests.notification.support import INCIDENT, TEMPLATES, email_person

VERSIONS = template_versions(TEMPLATES)


def notice(i: int, channel: Channel = Channel.email, rerouted_from: str | None = None):
    """Person i's notice on a channel."""
    return make_notice(incident_id=INCIDENT, person=email_person(i), channel=channel, versions=VERSIONS,
                       rerouted_from=rerouted_from)


def start_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the ledger's clock (both classes read it) to a fixed start, 1.25 s on at each reading."""
    ticks = (datetime(2026, 11, 27, 9, 30, tzinfo=UTC) + timedelta(milliseconds=1250 * s) for s in range(10_000))
    monkeypatch.setattr(ledger_module, "_now", lambda: next(ticks))


@pytest.fixture(params=[Ledger, SqliteLedger], ids=["plain", "fast"])
def ledger(request, tmp_path: Path):
    """A SQLite ledger of each class."""
    opened = request.param(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    yield opened
    opened.close()


def stored(path: Path) -> tuple[list[tuple], list[tuple]]:
    """Every notice and event row exactly as SQLite holds it (text, not parsed)."""
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT * FROM notices ORDER BY notice_id").fetchall(),
                conn.execute("SELECT * FROM events ORDER BY seq").fetchall())


def operations(ledger: Ledger) -> list[object]:
    """A run of adds, claims, confirmations and failures touching every branch of ``step``; returns outcomes."""
    a, b, c, d = (notice(i) for i in range(4))
    letter = notice(3, Channel.letter, rerouted_from=d.notice_id)
    out: list[object] = [ledger.add([a, b, c, d], incident_id=INCIDENT)]
    out.append(ledger.claim(a.notice_id, worker="w1"))
    out.append(ledger.step(confirm=a.notice_id, reply_code=250, claim=b.notice_id, worker="w1"))
    out.append(ledger.step(confirm=b.notice_id, reply_code=251, claim=a.notice_id, worker="w1"))  # a is done
    out.append(ledger.claim(c.notice_id, worker="w2"))
    ledger.finish(c.notice_id, State.failed_transient, reply_code=451, detail="451 4.7.1 try later")
    out.append(ledger.step(confirm=None, reply_code=None, claim=c.notice_id, worker="w2"))  # second attempt
    with pytest.raises(DeliveryError):
        ledger.step(confirm=b.notice_id, reply_code=250, claim=d.notice_id, worker="w2")  # b is not sending
    out.append(ledger.step(confirm=c.notice_id, reply_code=250, claim=None, worker="w2"))
    out.append(ledger.claim(d.notice_id, worker="w1"))
    ledger.finish(d.notice_id, State.failed_permanent, reply_code=550, detail="550 5.1.1 <user3@example.com> unknown",
                  rerouted_to=letter.notice_id)
    out.append(ledger.add([letter, a], incident_id=INCIDENT))
    out.append(ledger.claim(letter.notice_id, worker="print"))
    out.append(ledger.step(confirm=None, reply_code=None, claim=None, worker="w1"))
    return out


def test_fast_step_stores_exactly_the_rows_of_the_plain_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same operations through both classes leave byte-identical notices and events, and return the same."""
    results = {}
    for cls in (Ledger, SqliteLedger):
        path = tmp_path / cls.__name__ / "ledger.sqlite"
        path.parent.mkdir()
        start_clock(monkeypatch)
        ledger = cls(f"sqlite:///{path}")
        outcomes = operations(ledger)
        parsed = (ledger.rows(), [ledger.history(r.notice_id) for r in ledger.rows()])
        ledger.close()
        results[cls] = (outcomes, stored(path), parsed)
    plain, fast = results[Ledger], results[SqliteLedger]
    assert plain[0] == [4, True, True, False, True, True, False, True, 1, True, False]
    assert fast == plain
    notices, events = plain[1]
    assert len(notices) == 5 and len(events) == 16
    assert all(isinstance(at, str) and at.count(":") == 2 and "+" not in at for _, _, at, *_ in events)


def test_for_case_opens_sqlite_with_the_fast_step(tmp_path: Path) -> None:
    """A case's SQLite ledger, default or configured, is the fast class; it is a plain ``Ledger`` to callers."""
    default = open_ledger(tmp_path / "case")
    configured = open_ledger(tmp_path, url=f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        assert type(default) is SqliteLedger and type(configured) is SqliteLedger
        assert isinstance(default, Ledger) and (tmp_path / "case" / LEDGER_FILE).exists()
    finally:
        default.close()
        configured.close()


def test_add_skips_notices_already_recorded_or_repeated(ledger: Ledger) -> None:
    """Known notices keep their state and get no new event; a repeated id counts once; big batches work."""
    many = [notice(i) for i in range(1200)]  # more ids than one IN list of the existence check holds
    assert ledger.add(many[:700], incident_id=INCIDENT) == 700
    assert ledger.claim(many[0].notice_id, worker="w1")
    assert ledger.add([*many, many[900], many[900]], incident_id=INCIDENT) == 500
    assert ledger.add(many, incident_id=INCIDENT) == 0
    assert ledger.row(many[0].notice_id).state is State.sending
    assert [e["state"] for e in ledger.history(many[0].notice_id)] == ["planned", "sending"]
    assert [e["detail"] for e in ledger.history(many[900].notice_id)] == ["planned"]
    assert len(ledger.rows()) == 1200


def test_a_refused_confirmation_commits_nothing_of_its_step(ledger: Ledger) -> None:
    """Confirming a notice that is not sending raises, and the claim in the same step is not made."""
    a, b = notice(1), notice(2)
    ledger.add([a, b], incident_id=INCIDENT)
    with pytest.raises(DeliveryError, match="no longer in state sending"):
        ledger.step(confirm=a.notice_id, reply_code=250, claim=b.notice_id, worker="w1")
    assert ledger.states([a.notice_id, b.notice_id]) == {a.notice_id: State.planned, b.notice_id: State.planned}
    assert len(ledger.history(b.notice_id)) == 1
    assert ledger.claim(b.notice_id, worker="w1")  # the failed step left no open transaction behind


def test_a_confirmation_is_kept_when_its_claim_is_refused(ledger: Ledger) -> None:
    """A step whose claim loses still records the sent message, with one event for it."""
    a, b = notice(1), notice(2)
    ledger.add([a, b], incident_id=INCIDENT)
    assert ledger.claim(b.notice_id, worker="other") and ledger.claim(a.notice_id, worker="w1")
    assert ledger.step(confirm=a.notice_id, reply_code=250, claim=b.notice_id, worker="w1") is False
    sent = ledger.row(a.notice_id)
    assert sent.state is State.sent and sent.reply_code == 250 and sent.finished_at and sent.detail is None
    assert [e["state"] for e in ledger.history(a.notice_id)] == ["planned", "sending", "sent"]
    assert ledger.row(b.notice_id).worker == "other" and ledger.row(b.notice_id).attempts == 1


def test_close_releases_the_connections_of_every_thread(tmp_path: Path) -> None:
    """After steps from two threads, close() leaves no connection open: SQLite removes the WAL file."""
    path = tmp_path / "ledger.sqlite"
    ledger = SqliteLedger(f"sqlite:///{path}")
    notices = [notice(i) for i in range(2)]
    ledger.add(notices, incident_id=INCIDENT)
    threads = [threading.Thread(target=ledger.claim, args=(n.notice_id,), kwargs={"worker": f"w{i}"})
               for i, n in enumerate(notices)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.with_name("ledger.sqlite-wal").exists()
    ledger.close()
    assert not path.with_name("ledger.sqlite-wal").exists()
    reopened = Ledger(f"sqlite:///{path}")
    assert {r.worker for r in reopened.rows()} == {"w0", "w1"}
    reopened.close()
