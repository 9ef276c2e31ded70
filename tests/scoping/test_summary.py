"""Breakdowns: each sums to the number of persons; unknowns counted; age bands as of a day."""

from __future__ import annotations

from datetime import date

from breachflow.scoping import scope_dataset
from breachflow.scoping.synthetic import generate_customers, write_csv


def test_breakdowns_sum_to_persons(tmp_path):
    """by_prefecture, by_age_band, by_gender and by_occupation each sum to persons."""
    data = generate_customers(n=400, seed=5)
    summary, persons = scope_dataset(path=write_csv(tmp_path / "c.csv", data), as_of=date(2026, 11, 10))
    assert summary.persons == len(persons.persons)
    for breakdown in (summary.by_prefecture, summary.by_age_band, summary.by_gender, summary.by_occupation):
        assert sum(breakdown.values()) == summary.persons
    assert summary.by_occupation.get("unknown", 0) > 0
    assert len(summary.by_occupation) <= 22


def test_age_bands_as_of(write_csv):
    """Ages count whole years to the as-of day: one day before the 30th birthday is 20-29."""
    rows = [{"氏名": "A", "生年月日": "1996/11/11"}, {"氏名": "B", "生年月日": "1996/11/10"},
            {"氏名": "C", "生年月日": ""}, {"氏名": "D", "生年月日": "1930/01/01"}]  # fmt: skip
    summary, _ = scope_dataset(path=write_csv(["氏名", "生年月日"], rows), as_of=date(2026, 11, 10))
    assert summary.by_age_band == {"20-29": 1, "30-39": 1, "90+": 1, "unknown": 1}


def test_contactable_channels(write_csv):
    """Valid e-mail, postal code with address, and valid phone each reach persons; none the rest."""
    headers = ["氏名", "メール", "郵便番号", "住所", "電話番号"]
    rows = [
        {"氏名": "A", "メール": "a@example.com", "郵便番号": "100-0001", "住所": "東京都千代田区千代田1-1", "電話番号": "090-1234-5678"},
        {"氏名": "B", "メール": "not-an-email", "郵便番号": "", "住所": "東京都千代田区千代田1-2", "電話番号": "03-0000-0000"},
        {"氏名": "C", "メール": "", "郵便番号": "100-0001", "住所": "", "電話番号": ""},
    ]  # fmt: skip
    summary, _ = scope_dataset(path=write_csv(headers, rows))
    assert summary.contactable.model_dump() == {"email": 1, "postal": 1, "phone": 1, "none": 2}
    assert summary.by_prefecture == {"東京都": 2, "unknown": 1}
