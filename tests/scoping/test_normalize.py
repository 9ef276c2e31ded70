"""Vectorised normalisation agrees with the per-value libraries it stands in for."""

from __future__ import annotations

import random
from datetime import date

import phonenumbers
import polars as pl
import pytest
from email_validator import EmailNotValidError, validate_email

from breachflow.scoping import normalize as nz
from breachflow.scoping.synthetic import _phone


def _reference_phone(value: str) -> str | None:
    cleaned = value.split("内線")[0]
    try:
        parsed = phonenumbers.parse(cleaned, "JP")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_phone_fast_path_matches_phonenumbers():
    """E.164 results equal phonenumbers' for generated and hand-picked Japanese forms."""
    rng = random.Random(7)
    values = [_phone(rng) for _ in range(2000)]
    values += [f"0{rng.randint(1, 9)}{rng.randrange(10**9):09d}"[:rng.choice((10, 11))] for _ in range(2000)]
    values += ["０９０－１２３４－５６７８", "03(3123)4567", "+81 90 1234 5678", "0120-123-456", "050-1234-5678",
               "0570-000-111", "090-0123-4567", "9012345678", "03-1234-5678 内線 12", "+1 650 253 0000", "abc"]  # fmt: skip
    frame = pl.DataFrame({"p": values}).select(nz.nfkc(pl.col("p")).alias("p"))
    got = nz.phone_e164(frame, "p", "e").get_column("e").to_list()
    expected = [_reference_phone(v) for v in frame.get_column("p").to_list()]
    assert got == expected
    assert sum(e is not None for e in expected) > 2000


def _reference_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def test_email_validity_matches_email_validator():
    """Syntax validity equals email-validator's (no DNS) on valid and tricky addresses."""
    values = ["taro@example.com", "a.b+c@example.co.jp", "x@localhost", "x@foo.test", "a..b@example.com",
              "no-at-sign", "@example.com", "山田@example.jp", "a@b", "a@-b.com", "a@example.c0m", ".a@example.com",
              "a" * 65 + "@example.com", "o'neil@example.org", "user@sub.example.ne.jp"]  # fmt: skip
    frame = pl.DataFrame({"e": values}).select(nz.email_normal(pl.col("e")).alias("e"))
    got = nz.email_valid(frame, "e", "ok").get_column("ok").to_list()
    assert got == [_reference_email(v) for v in frame.get_column("e").to_list()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980/03/01", date(1980, 3, 1)), ("1980-3-1", date(1980, 3, 1)), ("1980年3月1日", date(1980, 3, 1)),
        ("19800301", date(1980, 3, 1)), ("１９８０／０３／０１", date(1980, 3, 1)), ("昭和55年3月1日", date(1980, 3, 1)),
        ("S55.3.1", date(1980, 3, 1)), ("平成元年1月8日", date(1989, 1, 8)), ("R2/5/1", date(2020, 5, 1)),
        ("1980/02/30", None), ("不明", None),
    ],
)  # fmt: skip
def test_birth_date_forms(text, expected):
    """Western and 和暦 birth dates parse; impossible dates and text give null."""
    frame = pl.DataFrame({"b": [text]})
    assert frame.select(nz.birth_date(pl.col("b"))).item() == expected


def test_address_key_ignores_spelling():
    """1丁目2番3号, 1-2-3 with other dashes, full-width digits and spaces give one key."""
    spellings = ["東京都港区芝公園1丁目2番3号", "東京都港区芝公園１－２－３", "東京都 港区 芝公園 1−2−3", "東京都港区芝公園1-2-3"]
    frame = pl.DataFrame({"a": spellings})
    keys = frame.select(nz.address_key(nz.nfkc(pl.col("a")))).to_series().to_list()
    assert len(set(keys)) == 1


def test_prefecture_from_address():
    """The prefecture is the 47-name prefix of the address; none gives null."""
    frame = pl.DataFrame({"a": ["北海道札幌市", "京都府京都市", "神奈川県横浜市", "港区芝公園"]})
    assert frame.select(nz.prefecture(pl.col("a"))).to_series().to_list() == ["北海道", "京都府", "神奈川県", None]


def test_postal_code_forms():
    """〒100-0001, full-width digits and a 6-digit code that lost its zero give 7 digits."""
    frame = pl.DataFrame({"p": ["〒100-0001", "１００－０００１", "600001", "12"]})
    got = frame.select(nz.postal_code(nz.digits(nz.nfkc(pl.col("p"))))).to_series().to_list()
    assert got == ["1000001", "1000001", "0600001", None]
