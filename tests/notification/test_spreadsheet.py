"""Spreadsheet safety: formula injection neutralised, CP932 problems reported."""

from __future__ import annotations

import csv
import io

import openpyxl

from breachflow.notification.spreadsheet import neutralise, write_csv, write_xlsx

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "普通の値"]


def test_every_formula_prefix_is_neutralised():
    """Values starting with = + - @ tab CR get a leading apostrophe; others stay as they are."""
    assert [neutralise(v)[0] for v in HOSTILE[:-1]] == ["'"] * 6
    assert neutralise("普通の値") == "普通の値"


def test_csv_variants_are_neutralised_and_cp932_reports_unencodable(tmp_path):
    """UTF-8 BOM keeps 𠮷; CP932 reports it by row, column and code point instead of dropping it silently."""
    rows = [[v, "𠮷野家" if i == 2 else "髙﨑"] for i, v in enumerate(HOSTILE)]
    assert write_csv(tmp_path / "u.csv", ["value", "name"], rows, encoding="utf-8-sig") == []
    problems = write_csv(tmp_path / "s.csv", ["value", "name"], rows, encoding="cp932")
    assert [(p.row, p.column, p.codepoint) for p in problems] == [(4, "name", "U+20BB7")]
    utf8 = (tmp_path / "u.csv").read_bytes()
    assert utf8.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(utf8.decode("utf-8-sig"), newline="")))
    assert all(row[0].startswith("'") for row in parsed[1:-1]) and parsed[3][1] == "𠮷野家"
    sjis = list(csv.reader(io.StringIO((tmp_path / "s.csv").read_bytes().decode("cp932"), newline="")))
    assert sjis[3][1] == "〓野家" and sjis[1][1] == "髙﨑"


def test_xlsx_cells_are_strings_never_formulas(tmp_path):
    """Every xlsx cell is a neutralised string, so no spreadsheet evaluates it."""
    write_xlsx(tmp_path / "x.xlsx", ["value"], [[v] for v in HOSTILE])
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    # xlsx stores CR as the escape _x000D_, which openpyxl does not decode on reading.
    values = [row[0].replace("_x000D_", "\r") for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [neutralise(v) for v in HOSTILE]
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row)
