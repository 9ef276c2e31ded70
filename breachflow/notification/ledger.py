"""The delivery ledger: one row per notice, its state, SMTP reply and times (SQLAlchemy 2).

States: planned → sending → sent | failed_transient | failed_permanent, and in_doubt for a
notice handed to the server whose confirmation was never recorded (a crash, or the
connection lost during DATA). ``sending`` is committed *before* the message is handed to
the server, so after a crash a ``sending`` row means "outcome unknown": it is reported for a
human decision (``resolve``) and never re-sent automatically. Claims are conditional
UPDATEs, so two workers can never both send one notice.

Durability: SQLite runs in WAL mode with ``synchronous=NORMAL``. A committed claim survives
a crash of the sending process (the failure the in-doubt design is about); after a power
loss or OS crash the last few commits may be lost. Losing a claim whose message was already
handed over would make that notice look ``planned`` again, so after a power loss of the
sending machine compare the relay's log with the ledger before re-running. Use PostgreSQL
(``ledger_url``) where that window is not acceptable.

Everything here is SQLAlchemy Core. On SQLite, ``ledger_fast.open_ledger`` opens ``ledger_fast``'s
subclass, which runs the per-message ``step`` on the sqlite3 driver and stores the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    literal,
    select,
    update,
)

from breachflow.errors import DeliveryError
from breachflow.notification.plan import Notice
from breachflow.security.scrub import scrub_detail

LEDGER_FILE = "notification/ledger.sqlite"


class State(StrEnum):
    """Delivery state of one notice."""

    planned = "planned"
    sending = "sending"
    sent = "sent"  # email accepted by a relay, letter handed to the post (legacy), call that reached the person
    outbox = "outbox"  # email written to the outbox folder only: NOT sent; sent by a later run with a relay
    rendered = "rendered"  # letter printed to PDF, not yet handed to the post
    handed_to_post = "handed_to_post"  # letter handed to the post (the officer recorded it)
    failed_transient = "failed_transient"
    failed_permanent = "failed_permanent"
    in_doubt = "in_doubt"


CLAIMABLE = (State.planned, State.failed_transient, State.outbox)
# States in which a notice has really reached, or been handed on towards, its person.
DELIVERED = (State.sent, State.handed_to_post)
UNRESOLVED = (State.sending, State.in_doubt)

metadata = MetaData()
notices_table = Table(
    "notices",
    metadata,
    Column("notice_id", String(64), primary_key=True),
    Column("incident_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    # No index on state: every claim and confirmation would update it (a quarter of a
    # commit's cost, measured), while the queries by state are rare scans of one case.
    Column("state", String(24), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("reply_code", Integer),
    Column("detail", String(200)),
    Column("worker", String(64)),
    Column("rerouted_from", String(64)),
    Column("rerouted_to", String(64)),
    Column("planned_at", DateTime(timezone=True), nullable=False),
    Column("sending_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)
events_table = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("notice_id", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("state", String(24), nullable=False),
    Column("reply_code", Integer),
    Column("detail", String(200)),
)


class LedgerRow(BaseModel):
    """One notice's ledger record (ids, states, codes; no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notice_id: str
    incident_id: str
    person_id: str
    channel: str
    state: State
    attempts: int
    reply_code: int | None
    detail: str | None
    worker: str | None
    rerouted_from: str | None
    rerouted_to: str | None
    planned_at: datetime
    sending_at: datetime | None
    finished_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL + synchronous=NORMAL: a commit survives a process crash (the case we guard
    # against) at a fraction of the fsync cost; busy_timeout lets two workers share the file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Ledger:
    """The delivery ledger behind one SQLAlchemy engine (SQLite by default, PostgreSQL by URL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        # Statements built once: per-message claim/finish run thousands of times per batch,
        # and building a statement costs more than executing it on SQLite.
        c = notices_table.c
        self._claim = (
            update(notices_table)
            # Literal states, not an expanding IN: that one is re-rendered on every execution
            # (half the claim's cost, measured).
            .where(c.notice_id == bindparam("nid"), c.state.in_([literal(s.value) for s in CLAIMABLE]))
            .values(state=State.sending.value, attempts=c.attempts + 1, sending_at=bindparam("now"),
                    worker=bindparam("worker"))
        )
        self._confirm = (
            update(notices_table)
            .where(c.notice_id == bindparam("nid"), c.state == State.sending.value)
            .values(state=bindparam("state"), reply_code=bindparam("code"), detail=None, finished_at=bindparam("now"))
        )
        self._event = insert(events_table)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One write transaction, committed on leaving the block."""
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                # IMMEDIATE takes the write lock up front: two workers queue on busy_timeout
                # instead of failing when a read snapshot turns out stale at the first write,
                # and add's existing-id check and insert see the same rows.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    def _insert_ignoring_existing(self) -> Any:
        if self.engine.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        elif self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:  # pragma: no cover - other databases are not supported
            raise DeliveryError(f"ledger: database {self.engine.dialect.name} is not supported; use SQLite or PostgreSQL")
        return dialect_insert(notices_table).on_conflict_do_nothing(index_elements=["notice_id"])

    def add(self, notices: list[Notice], *, incident_id: str) -> int:
        """Record notices as planned; notices already in the ledger keep their state. Returns rows added."""
        if not notices:
            return 0
        now = _now()
        with self._writing() as conn:
            existing: set[str] = set()
            ids = [n.notice_id for n in notices]
            # Chunks keep each IN list under the drivers' limits on bound parameters.
            for start in range(0, len(ids), 500):
                existing.update(conn.execute(select(notices_table.c.notice_id).where(
                    notices_table.c.notice_id.in_(ids[start : start + 500]))).scalars())
            new: dict[str, Notice] = {}
            for n in notices:
                if n.notice_id not in existing:
                    new.setdefault(n.notice_id, n)  # a repeated id counts once, as first given
            if not new:
                return 0
            # Still "ignoring existing": on PostgreSQL another worker may add the same notice meanwhile.
            conn.execute(self._insert_ignoring_existing(), [
                {"notice_id": n.notice_id, "incident_id": incident_id, "person_id": n.person_id,
                 "channel": n.channel.value, "state": State.planned.value, "attempts": 0,
                 "rerouted_from": n.rerouted_from, "planned_at": now}
                for n in new.values()
            ])
            conn.execute(self._event, [
                {"notice_id": n.notice_id, "at": now, "state": State.planned.value, "reply_code": None,
                 "detail": f"rerouted from {n.rerouted_from}" if n.rerouted_from else "planned"}
                for n in new.values()
            ])
        return len(new)

    def claim(self, notice_id: str, *, worker: str) -> bool:
        """Mark a notice ``sending`` (committed) if it is claimable; False when someone else has it or it is done."""
        return self.step(confirm=None, reply_code=None, claim=notice_id, worker=worker)

    def step(
        self, *, confirm: str | None, reply_code: int | None, claim: str | None, worker: str,
        confirmed: State = State.sent,
    ) -> bool:
        """Mark ``confirm`` ``confirmed`` (sent, or outbox) and claim ``claim`` in ONE transaction; returns whether the claim succeeded.

        Sending's hot path: one commit per message instead of two. Safe because the claim is
        still committed before its message is handed over, and a crash before this commit
        leaves ``confirm`` in ``sending`` (in doubt) exactly as a crash before a separate
        confirmation would.
        """
        now = _now()
        events: list[dict[str, Any]] = []
        with self._writing() as conn:
            if confirm is not None:
                done = conn.execute(self._confirm, {"nid": confirm, "code": reply_code, "now": now,
                                                    "state": confirmed.value})
                if done.rowcount != 1:
                    raise DeliveryError(f"ledger: notice {confirm} is no longer in state sending; refusing to mark it {confirmed}")
                events.append({"notice_id": confirm, "at": now, "state": confirmed.value,
                               "reply_code": reply_code, "detail": None})
            claimed = False
            if claim is not None:
                claimed = conn.execute(self._claim, {"nid": claim, "now": now, "worker": worker}).rowcount == 1
            if claimed:
                events.append({"notice_id": claim, "at": now, "state": State.sending.value,
                               "reply_code": None, "detail": worker})
            if events:
                # One executemany for both events, confirmation first (seq follows the list).
                conn.execute(self._event, events)
        return claimed

    def finish(
        self, notice_id: str, state: State, *, reply_code: int | None = None, detail: str | None = None,
        expect: tuple[State, ...] = (State.sending,), rerouted_to: str | None = None,
    ) -> None:
        """Move a notice from an expected state to ``state``; raises if it was not in an expected state."""
        now = _now()
        # Servers echo recipient addresses in replies; the ledger keeps codes, never addresses.
        detail = scrub_detail(detail) if detail else detail
        values: dict[str, Any] = {"state": state.value, "reply_code": reply_code, "detail": detail}
        if state in (State.sent, State.failed_permanent, State.handed_to_post):
            values["finished_at"] = now
        if rerouted_to:
            values["rerouted_to"] = rerouted_to
        with self._writing() as conn:
            result = conn.execute(
                update(notices_table)
                .where(notices_table.c.notice_id == notice_id, notices_table.c.state.in_([s.value for s in expect]))
                .values(**values)
            )
            if result.rowcount != 1:
                raise DeliveryError(
                    f"ledger: notice {notice_id} is not in state {'/'.join(expect)}; refusing to mark it {state}"
                )
            conn.execute(self._event, {"notice_id": notice_id, "at": now, "state": state.value,
                                       "reply_code": reply_code, "detail": detail})

    def set_rerouted_to(self, notice_id: str, target: str) -> None:
        """Record which notice replaced a failed one."""
        with self._writing() as conn:
            conn.execute(update(notices_table).where(notices_table.c.notice_id == notice_id).values(rerouted_to=target))

    def resolve(self, notice_id: str, *, resend: bool, decided_by: str) -> State:
        """A human's decision on an in-doubt notice: back to planned (resend) or sent (mark-sent)."""
        target = State.planned if resend else State.sent
        detail = f"{'resend' if resend else 'mark-sent'} decided by {decided_by}"[:200]
        self.finish(notice_id, target, detail=detail, expect=UNRESOLVED)
        return target

    def flag_in_doubt(self, notice_ids: list[str] | None = None) -> list[str]:
        """Turn ``sending`` rows (all, or the given ones) into ``in_doubt``; returns their ids."""
        query = select(notices_table.c.notice_id).where(notices_table.c.state == State.sending.value)
        if notice_ids is not None:
            query = query.where(notices_table.c.notice_id.in_(notice_ids))
        with self.engine.connect() as conn:
            ids = list(conn.execute(query).scalars())
        flagged = []
        for nid in ids:
            try:
                self.finish(nid, State.in_doubt, detail="handed over, no confirmation recorded")
                flagged.append(nid)
            except DeliveryError:
                continue  # another worker confirmed it meanwhile
        return flagged

    def row(self, notice_id: str) -> LedgerRow | None:
        """One notice's record."""
        with self.engine.connect() as conn:
            found = conn.execute(select(notices_table).where(notices_table.c.notice_id == notice_id)).mappings().first()
        return LedgerRow.model_validate(dict(found)) if found else None

    def rows(self, *, states: tuple[State, ...] | None = None, channel: str | None = None) -> list[LedgerRow]:
        """Records, optionally filtered by state and channel, ordered by notice id."""
        query = select(notices_table).order_by(notices_table.c.notice_id)
        if states:
            query = query.where(notices_table.c.state.in_([s.value for s in states]))
        if channel:
            query = query.where(notices_table.c.channel == channel)
        with self.engine.connect() as conn:
            return [LedgerRow.model_validate(dict(r)) for r in conn.execute(query).mappings()]

    def states(self, notice_ids: list[str]) -> dict[str, State]:
        """Current state of each given notice."""
        result: dict[str, State] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(notice_ids), 500):
                chunk = notice_ids[start : start + 500]
                for nid, state in conn.execute(
                    select(notices_table.c.notice_id, notices_table.c.state).where(notices_table.c.notice_id.in_(chunk))
                ):
                    result[nid] = State(state)
        return result

    def channels_of(self, person_id: str) -> set[str]:
        """Every channel a person has a notice on."""
        with self.engine.connect() as conn:
            return set(conn.execute(
                select(notices_table.c.channel).where(notices_table.c.person_id == person_id)).scalars())

    def history(self, notice_id: str) -> list[dict[str, Any]]:
        """Every state change of a notice, oldest first: the 'why' for each person."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(
                select(events_table).where(events_table.c.notice_id == notice_id).order_by(events_table.c.seq)
            ).mappings()]

    def counts(self) -> dict[str, dict[str, int]]:
        """Notices per channel and state (aggregates only)."""
        with self.engine.connect() as conn:
            pairs = conn.execute(select(notices_table.c.channel, notices_table.c.state)).all()
        result: dict[str, dict[str, int]] = {}
        for (channel, state), n in Counter(pairs).items():
            result.setdefault(channel, {})[state] = n
        return result
