"""The allow-list: approved locations (path globs) and known files (sha256) whose findings are expected.

File format (YAML or JSON)::

    paths:                      # fnmatch globs on the absolute path; ``*`` also crosses ``/``
      - /srv/share/approved/*
      - "*/人事/承認済み/*.xlsx"
    sha256:                     # exact files, wherever they are (sha256sum output)
      - 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from breachflow.errors import InputError

Sha256 = str
_SHA256 = r"^[0-9a-f]{64}$"


class AllowList(BaseModel):
    """Globs and hashes whose findings are suppressed (counted, not listed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: tuple[str, ...] = ()
    sha256: tuple[Sha256, ...] = Field(default=())

    def wants_hashes(self) -> bool:
        """True when matching needs the file's sha256."""
        return bool(self.sha256)

    def allows(self, *, path: str, sha256: Callable[[], str | None]) -> bool:
        """True when the path matches a glob or the file's sha256 is listed (hash computed only if needed)."""
        if any(fnmatchcase(path, pattern) for pattern in self.paths):
            return True
        if self.sha256:
            digest = sha256()
            return digest is not None and digest in self.sha256
        return False


def load_allowlist(path: Path) -> AllowList:
    """Read an allow-list file; errors name the file and the entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(path, "allow-list file not found") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(path, f"cannot read the allow-list ({type(exc).__name__}); expected UTF-8 YAML or JSON") from None
    if not isinstance(raw, dict):
        raise InputError(path, "expected a mapping with 'paths' and/or 'sha256' lists")
    hashes = raw.get("sha256") or []
    if isinstance(hashes, list):
        raw["sha256"] = [str(h).strip().lower() for h in hashes]
        for index, digest in enumerate(raw["sha256"]):
            if not re.match(_SHA256, digest):
                raise InputError(path, f"sha256[{index}]: expected 64 hex digits")
    try:
        return AllowList.model_validate(raw)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise InputError(path, f"{where}: {exc.errors()[0]['msg']}; expected lists 'paths' (globs) and 'sha256'") from None
