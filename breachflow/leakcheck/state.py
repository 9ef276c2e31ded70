"""Incremental scan state: what each file looked like (size, mtime, content hash) and held.

The state keeps detector counts and masked samples only, never a matched value nor a hash
of one (a hash of a 12-digit My Number is easy to reverse).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from breachflow.errors import InputError
from breachflow.leakcheck.detectors import Detector
from breachflow.leakcheck.model import DetectorCount, Finding, IssueKind
from breachflow.leakcheck.protection import Protection

STATE_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitRecord(_Model):
    """Detector hits in the file itself (member None) or in one zip member."""

    member: str | None = None
    detectors: dict[Detector, DetectorCount]
    truncated: bool = False


class ProtectedRecord(_Model):
    """Protection found on the file or one of its members."""

    member: str | None = None
    protection: Protection


class IssueRecord(_Model):
    """A problem reading the file or one of its members."""

    member: str | None = None
    kind: IssueKind
    message: str


class FileRecord(_Model):
    """One scanned file: identity (size, mtime, content fingerprint) and what it held."""

    path: str
    size: int
    mtime_ns: int
    fingerprint: str
    units: tuple[UnitRecord, ...] = ()
    protected: tuple[ProtectedRecord, ...] = ()
    issues: tuple[IssueRecord, ...] = ()
    truncated: bool = False
    bytes_read: int = 0


class ScanState(_Model):
    """Everything the next scan needs: file records and the findings last reported."""

    version: int = STATE_VERSION
    files: dict[str, FileRecord] = {}
    findings: dict[str, Finding] = {}


def load_state(path: Path) -> ScanState:
    """Read the state file; a missing file is an empty state."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ScanState()
    except OSError as exc:
        raise InputError(path, f"cannot read the leak-check state file: {exc.strerror}") from None
    try:
        state = ScanState.model_validate_json(raw)
    except ValidationError as exc:
        raise InputError(
            path, f"not a leak-check state file ({exc.error_count()} problems); delete it to start afresh"
        ) from None
    if state.version != STATE_VERSION:
        return ScanState()
    return state


def save_state(path: Path, state: ScanState) -> None:
    """Write the state atomically (a crash mid-write leaves the previous state)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".leakcheck-state-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(state.model_dump_json().encode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
