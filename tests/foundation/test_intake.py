"""The intake model: accepts the spec's format, rejects everything else with located errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from breachflow.errors import IntakeError
from breachflow.intake import load_intake, parse_intake
from tests.conftest import SHARED_CASES

CASE_FILES = sorted(SHARED_CASES.glob("*.yaml"))


def _raw(name: str = "WE-01.yaml") -> dict:
    return yaml.safe_load((SHARED_CASES / name).read_text(encoding="utf-8"))


def test_shared_cases_are_present() -> None:
    """The acceptance cases are found in the repository's copy (tests/cases/legal)."""
    assert len(CASE_FILES) >= 13


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_shared_case_validates(path: Path) -> None:
    """Each shared case file validates as of its own discovery day."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    intake = load_intake(path, as_of=date.fromisoformat(str(raw["discovered_on"])))
    assert intake.incident_id == raw["incident_id"]


def test_every_problem_is_reported_at_once() -> None:
    """Several wrong fields give one error listing each field path."""
    raw = _raw()
    raw["event"]["cause"] = "aliens"
    raw["data"]["items"] = ["name", "shoe_size"]
    raw["incident_id"] = "../etc"
    raw["surprise"] = 1
    with pytest.raises(IntakeError) as info:
        parse_intake(raw, source="x.yaml", as_of=date(2026, 11, 20))
    locations = [loc for loc, _ in info.value.problems]
    assert locations == sorted(locations, key=locations.index)  # stable order
    assert {"event.cause", "data.items[1]", "incident_id", "surprise"} <= set(locations)
    assert str(info.value).startswith("x.yaml: 4 problems")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["business"].update(role="processor", client=None), "business.client"),
        (lambda r: r.update(jurisdictions=["JP", "EU"], eu=None), "eu.aware_at"),
        (lambda r: r["data"].update(affected_persons={"min": 10, "max": 5}), "data.affected_persons"),
        (lambda r: r.update(discovered_on="2026-12-24"), "discovered_on"),
        (lambda r: r["data"].update(items=["name", "blood_type"]), "data.items[1]"),
        (lambda r: r["event"].update(cause="bad_luck"), "event.cause"),
        (
            lambda r: r["business"].update(role="processor", client="委託元株式会社", client_notified_on="2026-11-21"),
            "business.client_notified_on",
        ),
    ],
    ids=["processor-without-client", "eu-without-aware-at", "min-above-max", "future-discovery", "unknown-item", "unknown-cause",
         "future-client-notice"],
)
def test_contradictory_facts_name_the_field(change, field: str) -> None:
    """Contradictory or unknown facts are rejected with the offending field named."""
    raw = _raw()
    change(raw)
    with pytest.raises(IntakeError) as info:
        parse_intake(raw, source="case.yaml", as_of=date(2026, 11, 20))
    assert field in [loc for loc, _ in info.value.problems], info.value.problems


def test_syntax_error_names_line(tmp_path: Path) -> None:
    """A YAML syntax error names the line."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("incident_id: X\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(IntakeError, match=r"(?s)bad.yaml: .*line \d+"):
        load_intake(bad)


def test_json_intake_is_accepted(tmp_path: Path) -> None:
    """The same facts as JSON validate too."""
    import json

    path = tmp_path / "case.json"
    path.write_text(json.dumps(_raw(), ensure_ascii=False), encoding="utf-8")
    assert load_intake(path, as_of=date(2026, 11, 20)).incident_id == "WE-01"
