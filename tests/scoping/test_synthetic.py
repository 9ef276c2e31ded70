"""The synthetic list generator: deterministic, realistic, with duplicates and namesakes."""

from __future__ import annotations

import unicodedata

import phonenumbers

from breachflow.scoping.synthetic import generate_customers


def test_same_seed_same_list():
    """The same seed gives the same rows; another seed gives other rows."""
    assert generate_customers(n=50, seed=3).rows == generate_customers(n=50, seed=3).rows
    assert generate_customers(n=50, seed=3).rows != generate_customers(n=50, seed=4).rows


def test_duplicates_and_namesakes_present():
    """Some names repeat (re-entries and namesakes) and some phones use full-width digits."""
    data = generate_customers(n=500, seed=1, duplicate_share=0.1, namesake_share=0.05)
    names = [r["お名前"].replace(" ", "").replace("\u3000", "") for r in data.rows]
    assert len(set(names)) < len(names)
    assert any("０" in r["電話番号"] or "１" in r["電話番号"] for r in data.rows)


def test_most_phones_are_valid():
    """Mobile numbers are valid by construction; the share of invalid numbers stays small."""
    data = generate_customers(n=300, seed=9, duplicate_share=0)
    valid = sum(phonenumbers.is_valid_number(phonenumbers.parse(r["電話番号"].split(" 内線")[0], "JP")) for r in data.rows)
    assert valid >= 0.95 * len(data.rows)


def test_reentries_share_what_a_real_reentry_shares_and_persons_share_no_phone_or_email():
    """Every re-entry keeps the phone, the e-mail, or the birth date and address together; no two persons share a phone or e-mail."""
    data = generate_customers(n=2000, seed=5, duplicate_share=0.1, namesake_share=0.1)
    by_number: dict[str, list[dict[str, str]]] = {}
    for row in data.rows:
        by_number.setdefault(row["顧客番号"], []).append(row)
    assert len(by_number) == data.persons

    def phone(row: dict[str, str]) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", row["電話番号"]).split(" 内線")[0] if c.isdigit())

    owners: dict[str, set[str]] = {}
    for number, rows in by_number.items():
        def linked(a: dict[str, str], b: dict[str, str]) -> bool:
            same_mail = bool(a["メールアドレス"]) and a["メールアドレス"].lower() == b["メールアドレス"].lower()
            both_weak = all(r["生年月日"] and r["ご住所"] for r in (a, b))
            return phone(a) == phone(b) or same_mail or both_weak

        for i, row in enumerate(rows):
            assert len(rows) == 1 or any(linked(row, other) for j, other in enumerate(rows) if j != i), row
        for row in rows:
            owners.setdefault(phone(row), set()).add(number)
            if row["メールアドレス"]:
                owners.setdefault(row["メールアドレス"].lower(), set()).add(number)
    assert all(len(numbers) == 1 for numbers in owners.values())
    assert data.weak_reentries > 0 and data.weak_namesakes > 0
