"""Spreadsheet writers for vendors and call centres, safe against formula injection.

Every cell is neutralised: a value starting with = + - @ tab or CR gets a leading
apostrophe, so Excel and LibreOffice show it as text instead of evaluating it. CP932
output reports each character CP932 cannot encode (e.g. 𠮷) by row, column and code point,
and writes 〓 (geta, the customary mark for a missing glyph) in its place.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
GETA = "〓"


class Unencodable(BaseModel):
    """A character the target encoding cannot hold (row is 1-based, counting the header as row 1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row: int
    column: str
    codepoint: str


def neutralise(value: object) -> str:
    """A cell value that no spreadsheet will evaluate as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _encode_cell(text: str, encoding: str, row: int, column: str, problems: list[Unencodable]) -> str:
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        kept = []
        for ch in text:
            try:
                ch.encode(encoding)
                kept.append(ch)
            except UnicodeEncodeError:
                problems.append(Unencodable(row=row, column=column, codepoint=f"U+{ord(ch):04X}"))
                kept.append(GETA)
        return "".join(kept)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, encoding: str) -> list[Unencodable]:
    """Write a neutralised CSV ('utf-8-sig' or 'cp932', CRLF); returns the characters that could not be encoded."""
    problems: list[Unencodable] = []
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_encode_cell(neutralise(h), encoding, 1, str(h), problems) for h in header])
    for number, row in enumerate(rows, start=2):
        writer.writerow([
            _encode_cell(neutralise(value), encoding, number, str(column), problems)
            for column, value in zip(header, row, strict=True)
        ])
    data = buffer.getvalue().encode(encoding)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return problems


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1") -> None:
    """Write a neutralised .xlsx with every cell as a string (never a formula)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False})
    try:
        worksheet = workbook.add_worksheet(sheet)
        for col, value in enumerate(header):
            worksheet.write_string(0, col, neutralise(value))
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                worksheet.write_string(r, col, neutralise(value))
    finally:
        workbook.close()
    os.chmod(path, 0o600)
