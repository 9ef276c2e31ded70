"""Decision records in the case folder: every version kept, changes listed in the timeline.

Layout: ``decisions/<nnnn>-<sha12>.json`` (every distinct record, numbered) and
``decision.json`` (the current one). A re-run that yields byte-identical JSON stores nothing
and writes no timeline entry; a different record is stored and its differences (field names,
categories, dates, booleans — never personal data) go into the timeline.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case
from breachflow.obligations.model import Decision

CURRENT_FILE = "decision.json"
HISTORY_DIR = "decisions"

# Top-level fields compared one to one; findings and deadlines are compared per key.
_SCALAR_FIELDS = (
    "rule_set_version",
    "inputs_sha256",
    "reportable",
    "categories",
    "recipient",
    "preliminary_window",
    "final_due",
    "individual_notice_required",
    "processor_exempt",
    "police",
    "my_number",
    "choices",
)


class Change(BaseModel):
    """One field that differs between two decision records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    old: Any
    new: Any


class RecordOutcome(BaseModel):
    """What ``record_decision`` did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    changed: bool
    record: str
    changes: list[Change]


def decision_json(decision: Decision) -> bytes:
    """The canonical bytes of a decision record (identical for identical decisions)."""
    return decision.model_dump_json(indent=2).encode("utf-8")


def decision_payload(decision: Decision) -> dict[str, Any]:
    """The ``assess --json`` object: the intake spec's ``expected`` keys first, then the full record."""
    expected = decision.expected_view()
    record = decision.model_dump(mode="json")
    return {**expected, **{k: v for k, v in record.items() if k not in expected}}


def _keyed(items: list[dict[str, Any]], key: str, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f"{item[key]}.{name}": item.get(name) for item in items for name in fields}


def _flatten(decision: Decision) -> dict[str, Any]:
    data = decision.model_dump(mode="json")
    flat: dict[str, Any] = {name: data[name] for name in _SCALAR_FIELDS}
    for regime, clocks in data["other_regimes"].items():
        for clock, value in clocks.items():
            flat[f"other_regimes.{regime}.{clock}"] = value
    flat.update({f"findings.{k}": v for k, v in _keyed(data["findings"], "key", ("applies",)).items()})
    flat.update({f"deadlines.{k}": v for k, v in _keyed(data["deadlines"], "obligation", ("window_start", "due")).items()})
    flat.update({f"sector_obligations.{k}": v for k, v in _keyed(data["sector_obligations"], "rule_id", ("window_start", "due")).items()})
    return flat


def diff_decisions(old: Decision, new: Decision) -> list[Change]:
    """Fields whose values differ between two records (missing on one side shows as None)."""
    before, after = _flatten(old), _flatten(new)
    names = list(before) + [name for name in after if name not in before]
    return [
        Change(field=name, old=before.get(name), new=after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]


def current_decision(*, case: Case) -> Decision | None:
    """The case's current decision record, or None before the first assessment."""
    if not case.has(CURRENT_FILE):
        return None
    return case.read_model(CURRENT_FILE, Decision)


def record_decision(*, case: Case, decision: Decision) -> RecordOutcome:
    """Store the decision when it differs from the current one; log the differences in the timeline."""
    body = decision_json(decision)
    current = case.path(CURRENT_FILE)
    if current.exists() and current.read_bytes() == body:
        history = sorted((case.dir / HISTORY_DIR).glob("*.json"))
        return RecordOutcome(changed=False, record=f"{HISTORY_DIR}/{history[-1].name}" if history else CURRENT_FILE, changes=[])
    previous = current_decision(case=case)
    changes = diff_decisions(previous, decision) if previous is not None else []
    history_dir = case.dir / HISTORY_DIR
    number = len(list(history_dir.glob("*.json"))) + 1 if history_dir.exists() else 1
    name = f"{HISTORY_DIR}/{number:04d}-{hashlib.sha256(body).hexdigest()[:12]}.json"
    case.write_bytes(name, body)
    case.write_bytes(CURRENT_FILE, body)
    if previous is None:
        case.timeline.append(
            "decision.recorded",
            "報告義務の判定を記録",
            record=name,
            inputs_sha256=decision.inputs_sha256,
            rule_set_version=decision.rule_set_version,
            reportable=decision.reportable,
            categories=decision.categories,
            final_due=decision.final_due.isoformat() if decision.final_due else None,
        )
    else:
        case.timeline.append(
            "decision.changed",
            "報告義務の判定を更新（変更: " + ", ".join(c.field for c in changes) + "）",
            record=name,
            inputs_sha256=decision.inputs_sha256,
            rule_set_version=decision.rule_set_version,
            changes=[c.model_dump(mode="json") for c in changes],
        )
    return RecordOutcome(changed=True, record=name, changes=changes)
