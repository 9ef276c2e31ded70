"""Helpers for scoping tests: small lists written into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from breachflow.scoping.synthetic import csv_bytes

WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write rows (dicts header -> text) as a CSV file and return its path."""

    def write(
        headers: list[str],
        rows: list[dict[str, str]],
        *,
        name: str = "list.csv",
        encoding: str = "cp932",
        title: str | None = None,
    ) -> Path:
        path = tmp_path / name
        path.write_bytes(csv_bytes(headers, rows, encoding=encoding, title=title))
        return path

    return write
