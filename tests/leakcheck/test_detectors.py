"""Detectors: each kind of personal data, its checksum, and masking."""

from __future__ import annotations

import random

from breachflow.leakcheck.detectors import Detection, Detector, detect, is_card_number, is_my_number
from breachflow.leakcheck.samples import card_number, my_number


def test_my_number_check_digit_matches_the_official_algorithm_on_a_worked_example():
    """The check digit is 11 - (sum P_n*Q_n mod 11), 0 when the remainder is 0 or 1."""
    body = "12345678901"
    # Weights for P_1..P_11 (from the right): 2,3,4,5,6,7,2,3,4,5,6.
    total = sum(int(d) * w for d, w in zip(reversed(body), [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6]))
    expected = 0 if total % 11 <= 1 else 11 - total % 11
    assert is_my_number(body + str(expected))
    assert not is_my_number(body + str((expected + 1) % 10))


def test_my_number_detector_counts_valid_numbers_and_ignores_wrong_check_digits():
    """Only 12-digit numbers with a correct check digit count, with or without 4-4-4 separators."""
    rng = random.Random(3)
    valid = [my_number(rng) for _ in range(5)]
    invalid = [v[:11] + str((int(v[11]) + 1) % 10) for v in valid]
    text = "\n".join(f"個人番号 {v[:4]}-{v[4:8]}-{v[8:]}" for v in valid[:2]) + "\n" + "\n".join(valid[2:] + invalid)
    hits = detect(text)
    assert hits[Detector.my_number].count == 5
    assert hits[Detector.my_number].samples == ("****-****-****",)


def test_luhn_accepts_valid_and_rejects_altered_card_numbers():
    """A Luhn-valid 16-digit number counts; changing one digit breaks it."""
    rng = random.Random(4)
    good = card_number(rng)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert is_card_number("4111111111111111") and is_card_number(good)
    assert not is_card_number(bad)
    hits = detect(f"カード {good[:4]} {good[4:8]} {good[8:12]} {good[12:]} / {bad} / 3530111333300000")
    assert hits[Detector.card_number].count == 2
    assert hits[Detector.card_number].samples[0] == f"****-****-****-{good[-4:]}"


def test_card_lengths_outside_13_to_19_do_not_count():
    """A Luhn-valid 12- or 20-digit run is not a card number."""
    assert not is_card_number("411111111113")
    assert not is_card_number("41111111111111111113")


def test_phone_forms_are_found_and_masked():
    """Mobile, landline, toll-free, +81 and full-width forms count; the middle digits are masked."""
    text = "携帯 090-1234-5678、固定 (03)1234-5678、0120-123-456、＋81-80-2345-6789、０９０－１１１１－２２２２"
    hits = detect(text)[Detector.phone]
    assert hits.count == 5
    assert "090-****-5678" in hits.samples
    assert all("1234-5678" not in s for s in hits.samples)


def test_bare_ten_digit_runs_are_not_phones():
    """An order number like 0312345678 without separators is not counted as a landline."""
    assert Detector.phone not in detect("受注 0312345678")


def test_email_is_masked_to_first_letter_and_domain():
    """An email counts once per distinct address and shows as t***@domain."""
    hits = detect("連絡: taro.yamada@example.co.jp, TARO.YAMADA@example.co.jp; x@y")[Detector.email]
    assert (hits.count, hits.distinct) == (2, 1)
    assert hits.samples == ("t***@example.co.jp",)


def test_postal_code_counts_only_next_to_an_address():
    """NNN-NNNN counts after 〒 or beside a prefecture name, not on its own."""
    hits = detect("〒100-0001 千代田区\n530-0001,大阪府大阪市\n東京都港区芝公園4-2-8,105-0011\n部品番号 123-4567")
    assert hits[Detector.postal_address].count == 3
    assert "〒530-**** 大阪府" in hits[Detector.postal_address].samples


def test_birth_dates_in_seireki_and_wareki_count_only_in_birth_context():
    """西暦 and 和暦 dates count where the text speaks of birth dates; invalid dates do not."""
    text = "生年月日: 1985年3月4日, 昭和60年3月4日, 平成元年1月8日, S55.7.1, 2001/02/30, 令和30年1月1日"
    hits = detect(text)[Detector.birth_date]
    assert hits.count == 4
    assert hits.distinct == 3  # 1985-03-04 written twice
    assert Detector.birth_date not in detect("会議日 2024年3月4日 昭和60年3月4日")


def test_clean_business_text_has_no_hits():
    """Dates, amounts and order numbers in prose are not personal data."""
    from breachflow.leakcheck.samples import clean_text

    assert detect(clean_text(random.Random(5), 20_000)) == {}


def test_a_files_texts_add_up_and_a_value_in_two_texts_is_one_person():
    """Counts add over the texts of one file; distinct counts and samples are over the whole file."""
    detection = Detection()
    detection.feed("連絡先 090-1234-5678 / 090-2222-3333")
    detection.feed("再掲 090-1234-5678、新規 080-4444-5555")
    hits = detection.hits()[Detector.phone]
    assert (hits.count, hits.distinct) == (4, 3)
    assert hits.samples == ("090-****-5678", "090-****-3333", "080-****-5555")
