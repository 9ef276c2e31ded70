"""Column classification from headers, from values, and user overrides."""

from __future__ import annotations

import pytest

from breachflow.errors import DatasetError
from breachflow.scoping import analyse_dataset, scope_dataset
from breachflow.scoping.classify import item_from_header
from breachflow.vocabulary import DataItem


@pytest.mark.parametrize(
    ("header", "item"),
    [
        ("お名前", DataItem.name), ("氏名", DataItem.name), ("名前", DataItem.name), ("Name", DataItem.name),
        ("フリガナ", DataItem.kana), ("氏名（カナ）", DataItem.kana), ("ご住所", DataItem.address),
        ("住所1", DataItem.address), ("住所２", DataItem.address), ("TEL", DataItem.phone),
        ("電話番号", DataItem.phone), ("携帯", DataItem.phone), ("Eメール", DataItem.email),
        ("メールアドレス", DataItem.email), ("mail", DataItem.email), ("E-mail address", DataItem.email),
        ("〒", DataItem.postal_code), ("郵便番号", DataItem.postal_code), ("生年月日", DataItem.birth_date),
        ("年齢", DataItem.age), ("性別", DataItem.gender), ("職業", DataItem.occupation),
        ("ご職業", DataItem.occupation), ("取引内容", DataItem.transaction), ("購入商品", DataItem.transaction),
        ("金額", DataItem.transaction), ("顧客番号", DataItem.customer_id), ("勤務先", DataItem.employer),
        ("カード番号", DataItem.card_number), ("病歴", DataItem.medical_history),
        ("既往歴", DataItem.medical_history), ("健康状態", DataItem.health), ("都道府県", DataItem.prefecture),
    ],
)  # fmt: skip
def test_header_variants(header, item):
    """Japanese and English header variants map to their data item."""
    assert item_from_header(header) == (True, item)


def test_row_number_header_is_ignored():
    """A 'No.' column is recognised as holding no personal data."""
    assert item_from_header("No.") == (True, None)


def test_values_classify_unnamed_columns(write_csv):
    """Columns whose headers say nothing are classified from their values."""
    rows = [
        {"氏名": f"山田 {i}", "連絡1": f"user{i}@example.com", "連絡2": f"090-1234-{i:04d}",
         "A": f"100-{i:04d}", "B": f"1980/01/{i + 1:02d}", "C": "4111 1111 1111 1111", "D": "メモ"}
        for i in range(5)
    ]  # fmt: skip
    summary = analyse_dataset(path=write_csv(list(rows[0]), rows)).summary
    assert summary.columns == {
        "氏名": "name", "連絡1": "email", "連絡2": "phone", "A": "postal_code",
        "B": "birth_date", "C": "card_number", "D": "other",
    }  # fmt: skip
    assert summary.financial is True


def test_card_column_without_luhn_numbers_is_last4(write_csv):
    """A カード番号 column of masked numbers is card_last4 and not financial."""
    rows = [{"氏名": "山田 太郎", "カード番号": "****-****-****-1234"}]
    summary, _ = scope_dataset(path=write_csv(["氏名", "カード番号"], rows))
    assert summary.columns["カード番号"] == "card_last4"
    assert summary.financial is False


def test_invalid_card_numbers_are_not_financial(write_csv):
    """Card numbers failing the Luhn check do not make a person financial."""
    rows = [{"氏名": "A", "カード番号": "4111111111111111"}, {"氏名": "B", "カード番号": "4111111111111112"}]
    _, persons = scope_dataset(path=write_csv(["氏名", "カード番号"], rows))
    assert [p.financial for p in persons.persons] == [True, False]


def test_sensitive_column_flags_persons_with_a_value(write_csv):
    """A 病歴 column makes the list sensitive, and only persons with a value there."""
    rows = [{"氏名": "A", "病歴": "糖尿病"}, {"氏名": "B", "病歴": ""}]
    summary, persons = scope_dataset(path=write_csv(["氏名", "病歴"], rows))
    assert summary.sensitive is True
    assert [p.sensitive for p in persons.persons] == [True, False]


def test_mapping_override_and_ignored(write_csv):
    """--map corrects a column's item, and 'ignored' drops it from the items."""
    rows = [{"氏名": "A", "備考": "腰痛で通院中", "No.": "1", "会員ランク": "ゴールド"}]
    path = write_csv(list(rows[0]), rows)
    summary, _ = scope_dataset(path=path, mapping_overrides={"備考": DataItem.health, "会員ランク": "ignored"})
    assert summary.columns["備考"] == "health"
    assert summary.columns["会員ランク"] == "ignored"
    assert summary.items == [DataItem.health, DataItem.name]
    assert summary.sensitive is True


def test_mapping_override_unknown_column(write_csv):
    """An override naming a column that does not exist is a DatasetError listing the columns."""
    path = write_csv(["氏名"], [{"氏名": "A"}])
    with pytest.raises(DatasetError, match="'氏名'"):
        scope_dataset(path=path, mapping_overrides={"名前": DataItem.name})
