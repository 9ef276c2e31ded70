"""The repository's own acceptance cases (tests/obligations/cases) produce their ``expected`` through the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.obligations.helpers import assess_json, printed_view, read_case

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(CASES_DIR.glob("*.yaml"))


def judged_on(case: dict) -> date:
    """The latest day the case states (discovery, notice to the client): the `--as-of` it is judged on."""
    days = [case["discovered_on"], case["business"].get("client_notified_on")]
    return max(date.fromisoformat(str(day)) for day in days if day)


def test_the_cases_are_there() -> None:
    """The six cases of the "every document tells the truth" legal points are found."""
    assert {p.stem for p in CASES} >= {
        "PROC-late-notice", "PROC-exempt-categories", "FORM-pseudonymised", "FORM-statistical",
        "OVERRIDE-card-financial", "GDPR-local-time",
    }


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cli_json_matches_expected(path: Path) -> None:
    """`breachflow assess FILE --json` prints every key the case expects, with the same values and shapes."""
    case = read_case(path)
    printed = assess_json(path, as_of=judged_on(case))
    assert printed_view(printed, case["expected"]) == case["expected"]
    assert all(f["source"] for f in printed["findings"])
