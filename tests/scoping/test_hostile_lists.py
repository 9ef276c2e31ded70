"""Hostile lists: error messages name the file, line and column but never a cell's value."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachflow.errors import DatasetError
from breachflow.scoping import analyse_dataset, scope_dataset
from breachflow.scoping.readers import MAX_CELL_CHARS, read_dataset

PLANTED = ["鬼瓦", "権左衛門", "090-7777-1234", "7777", "gonzaemon", "千代田九丁目", "1970-04-01"]
ROWS = [
    "鬼瓦 権左衛門,090-7777-1234,gonzaemon@example.org,東京都千代田区千代田九丁目9番9号,1970-04-01",
    "勘解由小路 雅楽,080-6666-4321,uta@example.org,大阪府大阪市北区梅田八丁目8番8号,1981-02-03",
    "東海林 蘭丸,070-5555-9876,ranmaru@example.org,北海道札幌市中央区北一条西七丁目7番7号,1990-12-24",
]


def _refused(path: Path, **options: object) -> str:
    with pytest.raises(DatasetError) as info:
        scope_dataset(path=path, **options)
    message = str(info.value)
    assert str(path) in message
    for value in PLANTED:
        assert value not in message, (value, message)
    return message


def _write(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("first", [
    "090-7777-1234,090-7777-1234,鬼瓦 権左衛門",  # a repeated phone (once: "duplicate headers '090-…'")
    "gonzaemon@example.org,鬼瓦 権左衛門,x",
    "鬼瓦 権左衛門,1970-04-01,100-0001",
    "鬼瓦 権左衛門,東京都千代田区千代田九丁目9番9号,x",
])
def test_headerless_list_is_refused_without_its_values(tmp_path: Path, first: str):
    """A first row shaped like data is refused as 'no header row', naming line 1 and the way out, not the values."""
    path = _write(tmp_path, first + "\n" + "山田 花子,080-1111-2222,y\n" * 3)
    message = _refused(path)
    assert "line 1" in message and "no header row" in message and "--no-header" in message
    assert "data.header: false" in message


def test_hundred_thousand_columns(tmp_path: Path):
    """A 100,000-column first row is refused by the column limit, naming line 1 and no value."""
    path = _write(tmp_path, ",".join(["鬼瓦 権左衛門"] * 100_000) + "\n" + ",".join(["x"] * 100_000) + "\n")
    message = _refused(path)
    assert "line 1" in message and "16,384" in message


def test_duplicate_headers_holding_personal_values(tmp_path: Path):
    """Duplicated header cells that are a person's name are named by column number only."""
    path = _write(tmp_path, "鬼瓦 権左衛門,鬼瓦 権左衛門,備考\n" + "a,b,c\n" * 2)
    message = _refused(path)
    assert "line 1" in message and "columns 1, 2" in message


def test_duplicate_recognised_headers_keep_their_name(tmp_path: Path):
    """A duplicated recognised header word is still named, so the user knows which to rename."""
    path = _write(tmp_path, "氏名,電話番号,電話番号\nA,1,2\n")
    assert "'電話番号' in columns 2, 3" in _refused(path)


def test_ragged_row_names_its_line_only(tmp_path: Path):
    """A ragged row is named by its line and field count, never by its cells."""
    path = _write(tmp_path, "氏名,電話番号,メール,住所,生年月日\n" + ROWS[1] + "\n" + ROWS[0] + ",extra\n")
    assert "line 3 has 6 fields but the header has 5" in _refused(path)


def test_oversized_cell_under_a_personal_header_names_the_position(tmp_path: Path):
    """A too-long cell under a header that is no header word is located by column number."""
    path = _write(tmp_path, "備考,鬼瓦 権左衛門\nA,x\nB," + "あ" * (MAX_CELL_CHARS + 1) + "\n")
    message = _refused(path)
    assert "row 3, column 2" in message


def test_map_error_does_not_list_the_headers(tmp_path: Path):
    """--map with an unknown column does not list the headers (they may be a person's data)."""
    path = _write(tmp_path, "備考,鬼瓦 権左衛門\nA,x\n")
    with pytest.raises(DatasetError) as info:
        analyse_dataset(path=path, mapping_overrides={"nope": "ignored"})
    assert "鬼瓦" not in str(info.value) and "'nope'" in str(info.value)


def test_headerless_xlsx_is_refused(tmp_path: Path):
    """A workbook sheet whose first row is a person is refused as having no header row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in ROWS:
        sheet.append(row.split(","))
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    message = _refused(path)
    assert "row 1" in message and "no header row" in message


def test_no_header_reads_every_row(tmp_path: Path):
    """header=False keeps the first person (3 of 3) and names the columns by position."""
    path = _write(tmp_path, "\n".join(ROWS) + "\n")
    raw = read_dataset(path=path, header=False)
    assert raw.tables[0].headers == ["列1", "列2", "列3", "列4", "列5"]
    assert raw.tables[0].frame.height == 3 and raw.tables[0].frame["__row"].to_list() == [1, 2, 3]
    summary, _ = scope_dataset(path=path, header=False)
    assert summary.rows == 3 and summary.persons == 3
    assert summary.columns["列2"] == "phone" and summary.columns["列3"] == "email"


def test_no_header_xlsx_reads_every_row(tmp_path: Path):
    """header=False on a workbook keeps the first row as data."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in ROWS:
        workbook.active.append(row.split(","))
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    summary, _ = scope_dataset(path=path, header=False)
    assert summary.rows == 3


def test_no_header_ragged_row_is_located(tmp_path: Path):
    """Without a header row the ragged check measures against the first row and names the line."""
    path = _write(tmp_path, ROWS[0] + "\n" + ROWS[1] + ",extra\n" + ROWS[2] + "\n")
    assert "line 2 has 6 fields" in _refused(path, header=False)


def test_names_only_first_row_is_refused_unless_the_user_says_which_it_is(tmp_path: Path):
    """A first row with no known header word (a names-only list) is never dropped quietly as a header.

    Without a flag it is refused naming both flags (and no cell); --no-header reads it as a
    person; --header reads it as the header, with a note.
    """
    path = _write(tmp_path, "鬼瓦 権左衛門,オニガワラ\n山田 花子,ヤマダ\n")
    with pytest.raises(DatasetError) as refused:
        analyse_dataset(path=path)
    message = str(refused.value)
    assert "line 1" in message and "--no-header" in message and "--header" in message
    assert "data.header: false" in message and not any(value in message for value in PLANTED)
    assert analyse_dataset(path=path, header=False).summary.persons == 2
    confirmed = analyse_dataset(path=path, header=True)
    assert confirmed.summary.persons == 1
    assert any("as told" in note for note in confirmed.notes)
    assert not any(value in note for note in confirmed.notes for value in PLANTED)


def test_names_only_first_sheet_row_is_refused_too(tmp_path: Path):
    """The same rule for a workbook sheet."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["鬼瓦 権左衛門", "オニガワラ"])
    book.active.append(["山田 花子", "ヤマダ"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    with pytest.raises(DatasetError, match="row 1: none of its 2 cell"):
        analyse_dataset(path=path)
    assert analyse_dataset(path=path, header=False).summary.persons == 2


def test_plain_names_never_keep_a_personal_header(tmp_path: Path):
    """With plain_names the summary names an unrecognised header by position and keeps header words."""
    path = _write(tmp_path, "氏名,鬼瓦 権左衛門,備考\nA,x,y\nB,z,w\n")
    summary, _ = scope_dataset(path=path, plain_names=True)
    assert list(summary.columns) == ["氏名", "列2", "備考"]
