"""The synthetic list generator: deterministic, realistic, with duplicates and namesakes."""

from __future__ import annotations

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
