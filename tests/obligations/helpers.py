"""Builders for intake facts used by the obligations tests."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from breachflow.intake import Intake, parse_intake

BASE: dict[str, Any] = {
    "incident_id": "T-1",
    "title": "テスト事案",
    "business": {"name": "株式会社テスト", "sector": "general", "role": "controller"},
    "discovered_on": "2026-06-01",
    "event": {"kind": "leak", "certainty": "occurred", "cause": "misdelivery", "medium": "paper"},
    "protection": {"encryption": "none", "key_compromised": False},
    "data": {"subjects": ["customer"], "affected_persons": {"min": 10, "max": 10}, "items": ["name", "address"]},
    "jurisdictions": ["JP"],
}


def raw_intake(**changes: Any) -> dict[str, Any]:
    """The base intake with dotted-path changes applied, e.g. ``**{"event.cause": "theft"}``."""
    raw = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = raw
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return raw


def make_intake(**changes: Any) -> Intake:
    """A validated intake built from the base plus changes (dates not checked against today)."""
    return parse_intake(raw_intake(**changes), check_future=False)


def read_case(path: Path) -> dict[str, Any]:
    """An acceptance case file as plain data (with its ``expected`` block)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def assess_json(path: Path, *, as_of: date) -> dict[str, Any]:
    """Run `breachflow assess FILE --json --as-of DAY` as a user does; the printed object."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "assess", str(path), "--json", "--as-of", as_of.isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# Lists in the record compared by their id: only the entries and fields an ``expected`` block names.
_KEYED = {"findings": "key", "deadlines": "obligation"}


def printed_view(printed: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The printed values of the keys ``expected`` names; findings/deadlines cut to the named ids and fields."""
    view: dict[str, Any] = {}
    for key, want in expected.items():
        if key in _KEYED:
            entries = {entry[_KEYED[key]]: entry for entry in printed[key]}
            view[key] = {
                name: {field: entries[name].get(field) for field in fields} if name in entries else None
                for name, fields in want.items()
            }
        else:
            view[key] = printed[key]
    return view
