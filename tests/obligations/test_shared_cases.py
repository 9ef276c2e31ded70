"""Every shared legal case produces exactly its ``expected`` block, in Python and through the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from breachflow.intake import load_intake
from breachflow.obligations import assess
from tests.conftest import REPO, SHARED_CASES
from tests.obligations.helpers import assess_json, printed_view, read_case

CASES = sorted(SHARED_CASES.glob("*.yaml"))
# Where the shared originals live when the clone sits in the team's work folder; absent elsewhere.
ORIGINALS = REPO.parent / "shared" / "cases" / "legal"


def test_the_case_folder_is_there() -> None:
    """The repository's copy of the shared legal cases holds all 13, so the parametrised tests are not empty."""
    assert len(CASES) == 13


@pytest.mark.skipif(not ORIGINALS.is_dir(), reason="the shared folder is not beside this clone")
def test_the_copy_matches_the_shared_originals() -> None:
    """tests/cases/legal is a byte-identical copy of the shared cases, so an update there is noticed here."""
    originals = sorted(ORIGINALS.glob("*.yaml"))
    assert [p.name for p in CASES] == [p.name for p in originals]
    assert all(copy.read_bytes() == original.read_bytes() for copy, original in zip(CASES, originals, strict=True))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_assess_matches_expected(path: Path) -> None:
    """assess() on the case, judged as of its discovery day, equals the case's expected block."""
    case = read_case(path)
    intake = load_intake(path, as_of=intake_day(case))
    assert assess(intake=intake).expected_view() == case["expected"]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cli_json_matches_expected(path: Path) -> None:
    """`breachflow assess FILE --json --as-of DAY` prints the expected keys with the same values and shapes."""
    case = read_case(path)
    printed = assess_json(path, as_of=intake_day(case))
    assert printed_view(printed, case["expected"]) == case["expected"]
    assert printed["rule_set_version"] and len(printed["inputs_sha256"]) == 64
    assert all(f["source"] for f in printed["findings"])


def intake_day(case: dict) -> date:
    """The case's discovery day, the day it is judged as of."""
    return date.fromisoformat(str(case["discovered_on"]))
