"""Bounded-time fuzz run of the CSV/XLSX readers and the intake parser (hypothesis).

    .venv/bin/python scripts/fuzz.py --seconds 60

Prints every input that raised anything other than a BreachflowError (its repr and the
traceback's last line) and exits 1 if there was one; turn each into a regression test in
tests/security/test_hostile_input.py.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import traceback
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachflow.errors import BreachflowError
from breachflow.intake.loader import parse_intake
from breachflow.scoping.service import scope_dataset

HEADER = "氏名,フリガナ,郵便番号,住所,電話番号,メールアドレス,生年月日\n"
cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=25)
csv_text = st.lists(st.lists(cell, min_size=7, max_size=7), max_size=10).map(
    lambda rows: HEADER + "".join(",".join('"' + c.replace('"', '""') + '"' for c in r) + "\n" for r in rows))


def _scope(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        scope_dataset(path=path)


def _xlsx(rows: list[list[str]]) -> bytes:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate([HEADER.strip().split(","), *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


TARGETS = {
    "csv-bytes": (st.binary(max_size=600), lambda d: _scope(d, ".csv")),
    "csv-text": (st.tuples(csv_text, st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"])),
                 lambda t: _scope(t[0].encode(t[1], errors="replace"), ".csv")),
    "xlsx-cells": (st.lists(st.lists(cell, min_size=7, max_size=7), max_size=6), lambda rows: _scope(_xlsx(rows), ".xlsx")),
    "xlsx-bytes": (st.binary(max_size=600), lambda d: _scope(b"PK\x03\x04" + d, ".xlsx")),
    "intake-yaml": (st.text(max_size=300), lambda t: parse_intake(yaml.safe_load(t))),
}


def fuzz(name: str, seconds: float) -> list[tuple[object, str]]:
    """Run one target until its time is up; returns (input, error line) for every non-breachflow crash."""
    strategy, target = TARGETS[name]
    crashes: list[tuple[object, str]] = []
    deadline = time.monotonic() + seconds

    @settings(max_examples=10**9, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(value: object) -> None:
        if time.monotonic() > deadline:
            raise _TimeUp
        try:
            target(value)
        except (BreachflowError, yaml.YAMLError):
            pass  # yaml errors are the intake loader's to wrap; parse_intake takes parsed data
        except Exception as exc:  # noqa: BLE001 - the point is to see every other exception
            crashes.append((value, "".join(traceback.format_exception_only(type(exc), exc)).strip()))

    try:
        run()
    except _TimeUp:
        pass
    return crashes


class _TimeUp(Exception):
    """Raised inside the hypothesis loop when the time budget is spent."""


def main() -> int:
    """Fuzz every target for its share of --seconds; print crashes; exit 1 if any."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--target", choices=sorted(TARGETS), action="append")
    args = parser.parse_args()
    names = args.target or list(TARGETS)
    found = 0
    for name in names:
        crashes = fuzz(name, args.seconds / len(names))
        print(f"{name}: {len(crashes)} crash(es)")
        for value, error in crashes[:5]:
            print(f"  input={value!r:.200}\n  error={error}")
        found += len(crashes)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
