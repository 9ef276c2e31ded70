"""Decision records in the case folder: stored once per distinct record, changes in the timeline."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.obligations import assess, current_decision, diff_decisions, record_decision
from tests.obligations.helpers import raw_intake

FACTS = {"event.cause": "wrong_recipient_email", "data.items": ["name", "email"],
         "data.affected_persons": {"min": 800, "max": 800}}


def _intake_file(tmp_path: Path, name: str, **changes) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw_intake(**{**FACTS, **changes}), allow_unicode=True), encoding="utf-8")
    return path


def _open(tmp_path: Path):
    path = _intake_file(tmp_path, "v1.yaml")
    intake = load_intake(path, check_future=False)
    return CaseStore(tmp_path / "cases").open_case(intake, path), intake


def test_first_record_is_stored_and_logged(tmp_path: Path) -> None:
    """The first decision is written as decisions/0001-<hash>.json and decision.json, with one timeline entry."""
    case, intake = _open(tmp_path)
    outcome = record_decision(case=case, decision=assess(intake=intake))
    assert outcome.changed and outcome.record.startswith("decisions/0001-")
    assert current_decision(case=case) == assess(intake=intake)
    assert case.timeline.entries()[-1].kind == "decision.recorded"


def test_rerun_on_same_facts_records_nothing(tmp_path: Path) -> None:
    """Recording an identical decision again adds no file and no timeline entry."""
    case, intake = _open(tmp_path)
    record_decision(case=case, decision=assess(intake=intake))
    entries = len(case.timeline.entries())
    again = record_decision(case=case, decision=assess(intake=intake))
    assert again.changed is False and again.changes == []
    assert len(case.timeline.entries()) == entries
    assert len(list((case.dir / "decisions").glob("*.json"))) == 1


def test_fact_changes_produce_new_records_with_listed_differences(tmp_path: Path) -> None:
    """Count passing 1,000, then theft confirmed: two new records; the timeline lists categories and moved dates."""
    case, intake = _open(tmp_path)
    first = assess(intake=intake)
    record_decision(case=case, decision=first)

    bigger = load_intake(_intake_file(tmp_path, "v2.yaml", **{"data.affected_persons": {"min": 800, "max": 1200}}),
                         check_future=False)
    second = assess(intake=bigger)
    outcome = record_decision(case=case, decision=second)
    fields = {c.field: c for c in outcome.changes}
    assert fields["reportable"].old is False and fields["reportable"].new is True
    assert fields["categories"].new == [4]
    assert fields["final_due"].old is None and fields["final_due"].new == second.final_due.isoformat()

    theft = load_intake(_intake_file(tmp_path, "v3.yaml", **{"data.affected_persons": {"min": 800, "max": 1200},
                                                             "event.cause": "theft"}), check_future=False)
    third = assess(intake=theft)
    moved = record_decision(case=case, decision=third)
    assert moved.record.startswith("decisions/0003-")
    entry = case.timeline.entries()[-1]
    assert entry.kind == "decision.changed"
    logged = {c["field"]: c for c in entry.data["changes"]}
    assert logged["categories"] == {"field": "categories", "old": [4], "new": [3, 4]}
    assert logged["final_due"]["old"] == second.final_due.isoformat()
    assert logged["final_due"]["new"] == third.final_due.isoformat()
    assert logged["police"]["new"] == "recommended"
    assert case.timeline.verify() == len(case.timeline.entries())


def test_timeline_carries_no_free_text_or_names(tmp_path: Path) -> None:
    """The timeline entries for decisions hold ids, dates and flags — not the business name or summaries."""
    case, intake = _open(tmp_path)
    record_decision(case=case, decision=assess(intake=intake))
    changed = load_intake(_intake_file(tmp_path, "v2.yaml", **{"data.items": ["name", "health"]}), check_future=False)
    record_decision(case=case, decision=assess(intake=changed))
    text = json.dumps([e.data for e in case.timeline.entries() if e.kind.startswith("decision.")], ensure_ascii=False)
    assert intake.business.name not in text and intake.title not in text


def test_diff_of_identical_decisions_is_empty() -> None:
    """Two equal records have no differences; a changed count lists category 4 and the inputs hash."""
    from tests.obligations.helpers import make_intake

    a = assess(intake=make_intake())
    assert diff_decisions(a, a) == []
    b = assess(intake=make_intake(**{"data.affected_persons": {"min": 10, "max": 2000}}))
    fields = {c.field for c in diff_decisions(a, b)}
    assert {"inputs_sha256", "categories", "findings.category.4.applies", "deadlines.final_report.due"} <= fields
