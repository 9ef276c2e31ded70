"""Builders for intake facts used by the obligations tests."""

from __future__ import annotations

import copy
from typing import Any

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
