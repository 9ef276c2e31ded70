"""Permission checks: case folders 0700, files and key files 0600; warnings carry paths and modes only."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from breachflow.casestore.store import Case, loose_permissions


def check_permissions(case: Case) -> list[str]:
    """Every path of the case (and its key file) that is open to group or others."""
    return loose_permissions(case)


def warn_loose_permissions(cases: Iterable[Case], *, stream=None) -> int:
    """Print one warning per loose path to stderr; returns how many were found."""
    out = stream or sys.stderr
    count = 0
    for case in cases:
        for problem in check_permissions(case):
            print(f"warning: {problem}", file=out)
            count += 1
    return count
