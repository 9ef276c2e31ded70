"""Reading CSV (UTF-8, BOM, CP932) and XLSX lists as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachflow.scoping import analyse_dataset, scope_dataset
from breachflow.scoping.readers import read_dataset
from breachflow.scoping.synthetic import generate_customers, write_csv, write_xlsx

HEADERS = ["お名前", "ご住所", "電話番号", "購入商品"]
ROW = {"お名前": "髙﨑 花子", "ご住所": "東京都千代田区丸の内1-1-1", "電話番号": "090-1234-5678", "購入商品": "①㈱サンプル商事の羽毛布団"}


def test_cp932_keeps_extended_characters(write_csv):
    """A CP932 file with 髙﨑①㈱ is decoded strictly as CP932 and the characters survive."""
    path = write_csv(HEADERS, [ROW], encoding="cp932")
    raw = read_dataset(path=path)
    _, persons = scope_dataset(path=path)
    assert raw.encoding == "cp932"
    assert persons.persons[0].name == ROW["お名前"]
    assert raw.tables[0].frame.get_column("c3").to_list() == [ROW["購入商品"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom_read_alike(write_csv, encoding):
    """UTF-8 and UTF-8-with-BOM files give the same headers and values as the CP932 file."""
    cp932 = read_dataset(path=write_csv(HEADERS, [ROW], name="a.csv", encoding="cp932"))
    other = read_dataset(path=write_csv(HEADERS, [ROW], name="b.csv", encoding=encoding))
    assert other.encoding == encoding
    assert other.tables[0].headers == HEADERS
    assert other.tables[0].frame.equals(cp932.tables[0].frame)


def test_leading_zeros_kept(write_csv):
    """Values are read as text, so a postal code's leading zero survives."""
    path = write_csv(["氏名", "郵便番号"], [{"氏名": "佐藤 一郎", "郵便番号": "060-0001"}])
    _, persons = scope_dataset(path=path)
    assert persons.persons[0].postal_code == "0600001"


def test_xlsx_with_two_sheets(tmp_path: Path):
    """Every sheet that looks like a list is read; column keys name their sheet."""
    first = generate_customers(n=20, seed=1, duplicate_share=0)
    second = generate_customers(n=15, seed=2, duplicate_share=0)
    path = write_xlsx(tmp_path / "list.xlsx", {"東京店": first, "大阪店": second})
    summary, persons = scope_dataset(path=path)
    assert summary.rows == len(first.rows) + len(second.rows)
    assert summary.columns["東京店!お名前"] == "name"
    assert summary.columns["大阪店!電話番号"] == "phone"
    assert {p.postal_code for p in persons.persons} >= {r["〒"].replace("-", "") for r in second.rows}


def test_xlsx_sheet_that_is_not_a_list_is_skipped(tmp_path: Path):
    """A notes sheet with one cell is skipped with a note; the list sheet is read."""
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("メモ").write_string(0, 0, "社外秘")
    sheet = book.add_worksheet("顧客")
    sheet.write_row(0, 0, ["氏名", "電話番号"])
    sheet.write_row(1, 0, ["山田 太郎", "090-1111-2222"])
    book.close()
    result = analyse_dataset(path=path)
    assert result.summary.rows == 1
    assert any("メモ" in note for note in result.notes)


def test_title_line_above_header_is_detected(write_csv):
    """An Excel export with a title line and a blank line finds the header on line 3 and says so."""
    data = generate_customers(n=5, seed=3, duplicate_share=0)
    path = write_csv(list(data.headers), data.rows, title="顧客一覧（2026年11月）")
    result = analyse_dataset(path=path)
    assert result.summary.rows == 5
    assert result.summary.columns["お名前"] == "name"
    assert any("line 3" in note for note in result.notes)
    assert result.persons.get_column("source_rows").to_list()[0] == [4]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_person_list_names_the_sha256_of_the_file_read(tmp_path, suffix):
    """The person list carries the SHA-256 of the exact bytes scoped (what the case store's manifest records)."""
    import hashlib

    data = generate_customers(n=20, seed=3)
    path = tmp_path / f"list.{suffix}"
    write_csv(path, data) if suffix == "csv" else write_xlsx(path, {"顧客": data})
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    _, persons = scope_dataset(path=path)
    assert persons.dataset_sha256 == expected
    assert analyse_dataset(path=path).dataset_sha256 == read_dataset(path=path).sha256 == expected
