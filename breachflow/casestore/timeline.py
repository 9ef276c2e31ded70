"""Append-only, hash-chained timeline (事実経過) of everything breachflow does to a case.

Entries hold ids, counts and decisions only, never personal data. Each entry carries the
SHA-256 of the previous entry, so an edited or removed line breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from breachflow.errors import CaseStoreError

GENESIS = "0" * 64


class TimelineEntry(BaseModel):
    """One recorded step."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    at: datetime
    kind: str
    message: str
    data: dict[str, Any] = {}
    prev: str
    hash: str


def _digest(payload: dict[str, Any]) -> str:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class Timeline:
    """A case's timeline file, appended one JSON line at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self) -> list[TimelineEntry]:
        """Every entry, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [TimelineEntry.model_validate_json(line) for line in handle if line.strip()]

    def append(self, kind: str, message: str, *, at: datetime | None = None, **data: Any) -> TimelineEntry:
        """Record one step; ``data`` must hold ids and aggregates only."""
        existing = self.entries()
        prev = existing[-1].hash if existing else GENESIS
        payload = {
            "seq": len(existing) + 1,
            "at": (at or datetime.now(UTC)).isoformat(),
            "kind": kind,
            "message": message,
            "data": data,
            "prev": prev,
        }
        record = {**payload, "hash": _digest(payload)}
        entry = TimelineEntry.model_validate(record)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def verify(self) -> int:
        """Check the hash chain; return the entry count or raise naming the first broken entry."""
        prev = GENESIS
        count = 0
        if not self.path.exists():
            return 0
        with self.path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    stored = raw.pop("hash")
                except (json.JSONDecodeError, KeyError):
                    raise CaseStoreError(f"{self.path}: line {lineno} is not a timeline entry") from None
                if raw.get("prev") != prev or _digest(raw) != stored or raw.get("seq") != count + 1:
                    raise CaseStoreError(f"{self.path}: timeline chain broken at entry {lineno}")
                prev = stored
                count += 1
        return count
