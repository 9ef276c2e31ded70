"""Every bad input gives a DatasetError naming the file, the row or column, and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachflow.errors import DatasetError
from breachflow.scoping import scope_dataset
from breachflow.scoping.readers import MAX_CELL_CHARS
from breachflow.scoping.synthetic import generate_customers, write_xlsx


def _error(path: Path) -> str:
    with pytest.raises(DatasetError) as info:
        scope_dataset(path=path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_unknown_encoding(tmp_path: Path):
    """Bytes that are neither UTF-8 nor CP932 are refused with the byte offset and line."""
    path = tmp_path / "x.csv"
    good = "氏名,電話番号\r\n山田 太郎,090-1111-2222\r\n".encode("cp932")
    path.write_bytes(good + b"\x81\x20bad,1\r\n")
    message = _error(path)
    assert f"byte {len(good)}" in message and "line 3" in message


def test_binary_file(tmp_path: Path):
    """A file with NUL bytes is called binary."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02\x03" * 100)
    assert "binary" in _error(path)


def test_empty_file(tmp_path: Path):
    """An empty file is called empty."""
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    assert "empty" in _error(path)


def test_only_headers(write_csv):
    """A header row without data rows is refused."""
    message = _error(write_csv(["氏名", "電話番号"], []))
    assert "no data rows" in message


def test_ragged_row_too_long(tmp_path: Path):
    """A row with more fields than the header is named by its line."""
    path = tmp_path / "x.csv"
    path.write_bytes("氏名,電話番号\r\nA,1\r\nB,2,3\r\n".encode("cp932"))
    assert "line 3 has 3 fields but the header has 2" in _error(path)


def test_ragged_row_too_short_with_quotes(tmp_path: Path):
    """A short row is named by its line, also when quoted cells are present."""
    path = tmp_path / "x.csv"
    path.write_bytes('氏名,電話番号,備考\r\n"A, B",1,x\r\nC,2,y\r\nD,3\r\n'.encode("cp932"))
    assert "line 4 has 2 fields but the header has 3" in _error(path)


def test_duplicate_headers(write_csv, tmp_path: Path):
    """Duplicate headers are named with their column numbers."""
    path = tmp_path / "x.csv"
    path.write_bytes("氏名,電話番号,電話番号\r\nA,1,2\r\n".encode("cp932"))
    assert "'電話番号' in columns 2, 3" in _error(path)


def test_oversized_cell(tmp_path: Path):
    """A 10 MB cell is refused naming its row and column."""
    path = tmp_path / "x.csv"
    path.write_text("氏名,備考\r\nA,x\r\nB," + "あ" * (10 * 1024 * 1024 // 3) + "\r\n", encoding="utf-8")
    message = _error(path)
    assert "row 3, column '備考'" in message and f"{MAX_CELL_CHARS:,}" in message


def test_password_protected_xlsx(tmp_path: Path):
    """An encrypted workbook is recognised and the user is told to remove the password."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", {"顧客": generate_customers(n=3, seed=1)})
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    assert "password" in _error(locked)


def test_zip_that_is_not_a_workbook(tmp_path: Path):
    """A zip archive that is not a workbook is refused as unreadable."""
    import zipfile

    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not a readable .xlsx" in _error(path)


def test_error_messages_carry_no_cell_values(tmp_path: Path):
    """The ragged-row message names the line but not the person's data on it."""
    path = tmp_path / "x.csv"
    path.write_bytes("氏名,電話番号\r\n山田 太郎,090-1111-2222,extra\r\n".encode("cp932"))
    message = _error(path)
    assert "山田" not in message and "090" not in message


def test_missing_file(tmp_path: Path):
    """A path that does not exist is reported as not found."""
    assert "not found" in _error(tmp_path / "nope.csv")




def test_quoted_cell_with_newline_is_not_ragged(tmp_path: Path):
    """A quoted cell spanning two lines is one field, not a ragged row."""
    path = tmp_path / "x.csv"
    path.write_bytes('氏名,備考\r\n"山田 太郎","一行目\r\n二行目"\r\n佐藤 花子,x\r\n'.encode("cp932"))
    summary, _ = scope_dataset(path=path)
    assert summary.rows == 2


def test_impossible_birth_dates_count_as_unknown(tmp_path) -> None:
    """Year 0000 (which no Python date can hold) and pre-1880 dates become unknown, not a crash."""
    from breachflow.scoping import scope_dataset

    path = tmp_path / "years.csv"
    path.write_text("氏名,生年月日,電話番号\n山田 太郎,0000/01/01,090-1234-5678\n"
                    "佐藤 花子,0000-01-01,090-1234-5679\n鈴木 一郎,1850/01/01,090-1234-5670\n"
                    "田中 次郎,1980/03/01,090-1234-5671\n", encoding="utf-8")
    summary, persons = scope_dataset(path=path)
    assert [p.birth_date for p in persons.persons][:3] == [None, None, None]
    assert summary.by_age_band.get("unknown") == 3
