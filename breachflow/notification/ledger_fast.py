"""The ledger on SQLite with its per-message step on the sqlite3 driver; the rest is the plain ``Ledger``."""

# Why this exists: ``Ledger.step`` is four SQLAlchemy executions per message (begin, confirm,
# claim, events), and on SQLite their overhead (not the database's work) took bench/notify.py's
# email path from about 0.65-0.75x bare smtplib to about 0.5x, below its 0.7x target; holding
# one connection per thread and letting the driver begin the transaction did not lift it
# back. Here the same statements go straight to the driver. The rows must stay exactly what ``Ledger.step`` writes, down to
# SQLAlchemy's text form of SQLite datetimes: tests/notification/test_ledger.py runs both
# classes through the same operations and compares the stored rows.

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from breachflow.errors import DeliveryError
from breachflow.notification import ledger
from breachflow.notification.ledger import CLAIMABLE, Ledger, State

_CONFIRM = "UPDATE notices SET state = ?, reply_code = ?, detail = NULL, finished_at = ? WHERE notice_id = ? AND state = ?"
_CLAIM = (
    "UPDATE notices SET state = ?, attempts = attempts + 1, sending_at = ?, worker = ? "
    f"WHERE notice_id = ? AND state IN ({', '.join('?' for _ in CLAIMABLE)})"
)
_CLAIMABLE_VALUES = tuple(s.value for s in CLAIMABLE)
_EVENT = "INSERT INTO events (notice_id, at, state, reply_code, detail) VALUES (?, ?, ?, ?, ?)"
_TWO_EVENTS = "INSERT INTO events (notice_id, at, state, reply_code, detail) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)"


def _sqlite_text(moment: datetime) -> str:
    """A UTC time in the text form SQLAlchemy's SQLite DateTime writes and reads back (naive)."""
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


class SqliteLedger(Ledger):
    """The ledger on SQLite, with ``step`` on the driver (what ``open_ledger`` opens for SQLite)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        # One driver connection per thread, because two workers may share one Ledger.
        self._raw = threading.local()
        self._raw_connections: list[Any] = []
        self._raw_lock = threading.Lock()

    def close(self) -> None:
        """Release the driver connections and the pool."""
        with self._raw_lock:
            for connection in self._raw_connections:
                connection.close()
            self._raw_connections.clear()
        self._raw = threading.local()
        super().close()

    def _cursor(self) -> Any:
        cursor = getattr(self._raw, "cursor", None)
        if cursor is None:
            # From the engine's pool, so the connect hook has set WAL and busy_timeout.
            connection = self.engine.raw_connection()
            with self._raw_lock:
                self._raw_connections.append(connection)
            cursor = self._raw.cursor = connection.driver_connection.cursor()
        return cursor

    def step(self, *, confirm: str | None, reply_code: int | None, claim: str | None, worker: str,
             confirmed: State = State.sent) -> bool:
        """``Ledger.step`` on the driver: same statements, rows and transaction boundaries."""
        now = _sqlite_text(ledger._now())  # the plain module's clock: a test freezes both paths at once
        cursor = self._cursor()
        connection = cursor.connection
        cursor.execute("BEGIN IMMEDIATE")  # as Ledger._writing does, and for the same reason
        try:
            if confirm is not None:
                cursor.execute(_CONFIRM, (confirmed.value, reply_code, now, confirm, State.sending.value))
                if cursor.rowcount != 1:
                    raise DeliveryError(f"ledger: notice {confirm} is no longer in state sending; refusing to mark it {confirmed}")
            claimed = False
            if claim is not None:
                cursor.execute(_CLAIM, (State.sending.value, now, worker, claim, *_CLAIMABLE_VALUES))
                claimed = cursor.rowcount == 1
            # Both events in one statement, confirmation first (seq follows the order).
            events = ([(confirm, now, confirmed.value, reply_code, None)] if confirm is not None else []) + (
                [(claim, now, State.sending.value, None, worker)] if claimed else [])
            if len(events) == 2:
                cursor.execute(_TWO_EVENTS, (*events[0], *events[1]))
            elif events:
                cursor.execute(_EVENT, events[0])
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
        return claimed


def open_ledger(case_dir: Path, url: str | None = None) -> Ledger:
    """The ledger of a case: ``url`` if configured, else SQLite in the case folder; SQLite gets the fast step."""
    if not url:
        path = case_dir / ledger.LEDGER_FILE
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    # On SQLite, SQLAlchemy's per-statement cost in step alone puts bench/notify.py's
    # email path below its 0.7x target; SqliteLedger runs step on the driver.
    return SqliteLedger(url) if make_url(url).get_backend_name() == "sqlite" else Ledger(url)
