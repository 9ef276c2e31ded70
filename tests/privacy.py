"""Search Prefect's stores for personal values: the database, result storage, log files."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path


def _forms(value: str) -> set[str]:
    """A value as it may appear at rest: plain, JSON-escaped (\\uXXXX), and digits-only for phones."""
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    return {f for f in forms if len(f) >= 2}


def sqlite_path(db_url: str) -> Path:
    """The file behind a sqlite+aiosqlite URL."""
    return Path(db_url.split(":///", 1)[1])


def sqlite_text(db_file: Path) -> str:
    """Every row of every table, as text (the WAL is checkpointed into the dump by sqlite)."""
    connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def files_text(roots: Iterable[Path]) -> dict[Path, bytes]:
    """Raw bytes of every file below the given roots."""
    found: dict[Path, bytes] = {}
    for root in roots:
        if not root.exists():
            continue
        if root.is_file():
            found[root] = root.read_bytes()
            continue
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    found[path] = path.read_bytes()
                except OSError:
                    continue
    return found


def personal_value_hits(values: Iterable[str], *, db_url: str, extra_roots: Iterable[Path] = ()) -> list[str]:
    """Where any personal value appears in Prefect's DB (all tables, raw file too) or files."""
    db_file = sqlite_path(db_url)
    haystacks: dict[str, bytes] = {"db-dump": sqlite_text(db_file).encode("utf-8")}
    for path, data in files_text([db_file.parent, *extra_roots]).items():
        haystacks[str(path)] = data
    hits: list[str] = []
    for value in values:
        for form in _forms(value):
            needle = form.encode("utf-8")
            hits.extend(f"{where} contains a form of {value!r}" for where, data in haystacks.items() if needle in data)
    return sorted(set(hits))
