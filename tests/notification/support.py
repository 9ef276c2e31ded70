"""Shared test support: synthetic persons, a real aiosmtpd server with fault injection."""

from __future__ import annotations

import random
import re
import socket
import threading
from collections import Counter
from datetime import date
from pathlib import Path

from aiosmtpd.controller import Controller

from breachflow.profile import Business
from breachflow.notification.ledger import Ledger
from breachflow.notification.plan import IncidentFacts, build_plan, template_versions
from breachflow.notification.policy import ChannelPolicy
from breachflow.scoping.model import Person
from breachflow.settings import REPO_ROOT
from breachflow.vocabulary import Cause, DataItem

TEMPLATES = REPO_ROOT / "templates"
INCIDENT = "INC-TEST-1"
SENDER = "privacy@example.com"
TODAY = date(2026, 11, 27)
NOTICE_HEADER = re.compile(rb"^X-Breachflow-Notice: (\S+)\r?$", re.MULTILINE)


def email_person(i: int, **overrides: object) -> Person:
    """A synthetic person with a valid email address, postal address and phone."""
    values: dict[object, object] = {
        "person_id": f"P{i:06d}", "source_rows": [i + 1],
        "items": [DataItem.name, DataItem.email, DataItem.address],
        "name": f"試験 太郎{i}", "kana": "シケン タロウ", "postal_code": "1000001",
        "address1": "東京都千代田区千代田1-1", "address2": f"試験ビル{i}号", "phone": "+819012345678",
        "email": f"user{i}@example.com",
    }
    values.update(overrides)
    return Person.model_validate(values)


def facts() -> IncidentFacts:
    """Incident facts for tests."""
    return IncidentFacts.build(
        incident_id=INCIDENT, title="試験事案", discovered_on=date(2026, 11, 10), cause=Cause.unauthorized_access,
        public_summary="当社ECサイトへの不正アクセスが確認されました。",
    )


def business() -> Business:
    """The sending business for tests."""
    return Business(
        name="株式会社試験商事", address="東京都千代田区丸の内1-1-1", representative="代表取締役 試験 一郎",
        desk_name="お問合せ窓口", desk_phone="0120-000-000", desk_email="privacy@example.com",
    )


def email_plan(persons: list[Person], ledger: Ledger):
    """Plan email notices for persons and add them to the ledger."""
    versions = template_versions(TEMPLATES)
    plan = build_plan(incident_id=INCIDENT, persons=persons, decision=None, policy=ChannelPolicy(), versions=versions)
    ledger.add(plan.notices, incident_id=INCIDENT)
    return plan, versions


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SinkHandler:
    """aiosmtpd handler that counts delivered notices and injects faults on request."""

    def __init__(
        self, *, defer_rate: float = 0.0, reject: set[str] | None = None, drop_once_after: int | None = None,
        seed: int = 7,
    ) -> None:
        self.received: Counter[str] = Counter()
        self.messages: dict[str, bytes] = {}
        self.envelopes: list[tuple[str, list[str]]] = []
        self.defer_rate = defer_rate
        self.reject = reject or set()
        self.drop_once_after = drop_once_after
        self.dropped = 0
        self.deferred = 0
        self.random = random.Random(seed)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        """Refuse listed addresses (550), defer some (452), drop the connection once."""
        if self.drop_once_after is not None and not self.dropped and len(self.received) >= self.drop_once_after:
            self.dropped += 1
            server.transport.abort()
            return "421 closing"
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        if self.defer_rate and self.random.random() < self.defer_rate / 2:
            self.deferred += 1
            return "452 4.2.2 mailbox full, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        """Count the message by its notice header, or defer it (451)."""
        if self.defer_rate and self.random.random() < self.defer_rate / 2:
            self.deferred += 1
            return "451 4.3.0 temporary failure"
        match = NOTICE_HEADER.search(envelope.content)
        key = match.group(1).decode() if match else "?"
        with self.lock:
            self.received[key] += 1
            self.messages[key] = envelope.content
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def start_server(handler: SinkHandler) -> Controller:
    """A real SMTP server on 127.0.0.1 (free port)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def write_persons(path: Path, count: int) -> None:
    """Store synthetic persons as JSON lines for a subprocess sender."""
    path.write_text("\n".join(email_person(i).model_dump_json() for i in range(count)), encoding="utf-8")
