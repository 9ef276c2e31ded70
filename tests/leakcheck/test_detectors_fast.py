"""The polars path (``detectors_fast``) finds exactly what the plain detectors find, text by text."""

from __future__ import annotations

import random
import re

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.jp import in_ as individual_number

from breachflow.leakcheck import detectors_fast as fast
from breachflow.leakcheck.detectors import Detector, detect
from breachflow.leakcheck.samples import Planted, card_number, clean_text, csv_text, customer_rows, my_number

# Pieces that exercise every branch: separators, full-width digits, +81, postal contexts,
# birth-date words in several cases, emails glued to other text, and plain noise.
FRAGMENTS = [
    "090-1234-5678", "０９０－１１１１－２２２２", "(03)1234-5678", "03-1234-5678", "0312345678", "0120-123-456",
    "+81-80-2345-6789", "＋81 90 1234 5678", "+8190", "81-90-1234-5678", "〒", "〒100-0001", "100-0001", "１００－０００１",
    "東京都", "大阪府大阪市", "京都府", "北海道", ",", "、", "　", " ", "\n", "\t", "-", "ー", "(", "）",
    "生年月日", "誕生日", "Birth", "bİrth", "dob", "DOB:", "昭和", "平成元年", "S", "H", "R", "令和",
    "1985年3月4日", "１９８５年３月４日", "2001/02/30", "S55.7.1", "昭和60年3月4日", "H1.1.8", "R 5.2.29",
    "taro.yamada@example.co.jp", "@", ".", "a@b.com.x@c.com", "x@y", "TARO@Example.COM", "%+-_",
    "4111 1111 1111 1111", "3530111333300000", "4111111111111111", "1234 5678 9012",
    "0800-123-4567", "08001234567", "+81 800 123 4567", "+818001234567", "0012345678", "050-1234-5678",
]
DIGITS = "0123456789０１２３４５６７８９"
NOISE = st.text(alphabet=DIGITS + "-‐－−ー― ()（）+＋@.abcXYZ〒都府県\n,年月日/", max_size=16)


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """A valid My Number or card number, sometimes split by separators."""
    rng = draw(st.randoms(use_true_random=False))
    value = my_number(rng) if draw(st.booleans()) else card_number(rng, prefix=draw(st.sampled_from("3456")))
    separator = draw(st.sampled_from(["", " ", "-", "－"]))
    return separator.join(value[i : i + 4] for i in range(0, len(value), 4))


TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), NOISE, valid_numbers()), max_size=40).map("".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_a_generated_text_gets_the_plain_detectors_results(text: str) -> None:
    """Counts, distinct counts and masked samples equal the plain detectors' for any generated text."""
    assert fast.detect_many([text]) == [detect(text)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, max_size=8))
def test_many_texts_at_once_get_the_plain_detectors_results_per_text(texts: list[str]) -> None:
    """One batch of texts gives each text what the plain detectors give it alone."""
    assert fast.detect_many(texts) == [detect(text) for text in texts]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=1, max_size=12).map("\n".join))
def test_generated_lines_get_the_plain_detectors_results(text: str) -> None:
    """Longer texts of many lines (postal codes looking back along their line, runs across lines)."""
    assert fast.detect_many([text]) == [detect(text)]


def test_dense_lists_logs_and_prose_get_the_plain_detectors_results() -> None:
    """Customer lists (UTF-8, CP932 TSV), a log and prose, alone and in one batch."""
    rng = random.Random(12)
    rows = customer_rows(rng, 3000, Planted())
    log = "2026-11-20T10:00:00 INFO 〒100-0001 served +81-90-1234-5678 in 12 ms\n東京都港区 1234567\n" * 500
    memo = "\n".join(" ".join(row) for row in rows[:200])  # spaced runs: a phone and a postal code in one
    texts = [csv_text(rows), csv_text(rows, delimiter="\t"), clean_text(rng, 200_000), log, memo]
    expected = [detect(text) for text in texts]
    assert all(expected[:2]) and expected[4]
    assert fast.detect_many(texts) == expected
    assert [fast.detect_many([text])[0] for text in texts] == expected


def test_every_phone_and_number_shape_gets_the_plain_detectors_results() -> None:
    """Each prefix rule of the column classification, on both sides of its edge."""
    shapes = [
        "0800-123-4567", "08001234567", "08011234567", "0801-123-4567", "0120-123-456", "0120123456",
        "070-1234-5678", "07012345678", "06012345678", "01012345678", "0012345678", "00-1234-5678",
        "+81 800 123 4567", "+818001234567", "+818011234567", "+81 70 1234 5678", "+817012345678",
        "+81 3 1234 5678", "+81312345678", "+810312345678", "+81-1-2345-6789", "81-90-1234-5678",
        "817012345678", "819012345678", "４１１１－１１１１－１１１１－１１１１", "4111 1111 1111 1112",
        "1234-5678-9012", "100-0001", "100 0001", "1000001", "100―0001", "〒100-0001", "100－0001 東京都千代田区", "100-00-01 東京都",
        "+819012345678 4111111111111111", "090-1234-5678 100-0001 東京都", "東京都 090-1234-5678 100-0001",
    ]  # fmt: skip
    text = "\n".join(f"連絡先 {shape} 以上" for shape in shapes)
    found = detect(text)
    assert fast.detect_many([text]) == [found]
    assert {Detector.phone, Detector.card_number, Detector.postal_address} <= found.keys()


def test_every_birth_date_shape_gets_the_plain_detectors_results() -> None:
    """西暦 and 和暦 dates (元年, era letters, full-width digits, spaces, impossible and future days)."""
    shapes = [
        "1985年3月4日", "１９８５年３月４日", "1985 / 03 / 04", "2001/02/30", "2000/02/29", "1900.1.1", "1899.12.31",
        "2099-01-01", "平成元年1月8日", "令和元年5月1日", "昭和 元年 12月 25日", "S55.7.1", "H1.1.8", "R 5.2.29",
        "明治45年7月30日", "大正15年12月25日", "平成0年1月1日", "Ｈ２年３月４日", "昭和６４年１月７日",
    ]  # fmt: skip
    text = "生年月日\n" + "\n".join(f"{index}: {shape}" for index, shape in enumerate(shapes))
    found = detect(text)
    assert fast.detect_many([text]) == [found]
    hits = found[Detector.birth_date]
    assert (hits.count, hits.distinct) == (13, 9)  # 2001/02/30, R5.2.29, 平成0年, 1899 and 2099 are no dates


def _checked(digits: list[str]) -> pl.DataFrame:
    """The fast path's two checksum columns over ``digits`` (as it reads a run: its first 19 digits as an integer)."""
    my_number_ok, luhn_ok = fast.checksums(pl.col("number"))
    numbers = pl.DataFrame({"number": digits}).select(pl.col("number").str.slice(0, 19).cast(pl.UInt64))
    return numbers.select(my_number=my_number_ok, luhn=luhn_ok)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=12, max_size=12), min_size=1, max_size=50))
def test_the_my_number_column_check_is_python_stdnums(numbers: list[str]) -> None:
    """For 12 digits, the column check digit test equals stdnum.jp.in_ (half the numbers made valid)."""
    numbers = [n if i % 2 else n[:11] + individual_number.calc_check_digit(n[:11]) for i, n in enumerate(numbers)]
    assert _checked(numbers)["my_number"].to_list() == [individual_number.is_valid(n) for n in numbers]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=19), min_size=1, max_size=50))
def test_the_luhn_column_check_is_python_stdnums(numbers: list[str]) -> None:
    """For 1 to 19 digits, the column Luhn test equals stdnum.luhn (half the numbers made valid)."""
    numbers = [n if i % 2 else n[:-1] + luhn.calc_check_digit(n[:-1]) for i, n in enumerate(numbers)]
    assert _checked(numbers)["luhn"].to_list() == [luhn.is_valid(n) for n in numbers]


def test_the_birth_context_classes_are_exactly_what_ignorecase_matches() -> None:
    """Each letter class of the fast path's birth-context pattern holds every character the plain
    detectors' IGNORECASE pattern accepts for that letter, and no other."""
    classes = re.findall(r"\[[^]]+\]", fast.BIRTH_CONTEXT)
    assert "".join(c[1].lower() for c in classes) == "birthdob"
    for letter_class in classes:
        folded, explicit = re.compile(letter_class[1], re.IGNORECASE), re.compile(letter_class)
        assert all(
            bool(folded.fullmatch(chr(code))) == bool(explicit.fullmatch(chr(code))) for code in range(0x110000)
        ), letter_class


def test_the_spaces_given_to_the_rust_engine_are_exactly_pythons_whitespace_class() -> None:
    """The stored list of what Python's \\s matches equals the regex's own answer over every code point."""
    computed = "".join(chr(code) for code in range(0x110000) if re.fullmatch(r"\s", chr(code)))
    assert fast.PYTHON_SPACES == computed


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_every_text_with_a_digit_run_hit_passes_the_candidate_filter(text: str) -> None:
    """The filter that spares texts without candidates never drops a text the plain detectors find a number in."""
    numbers = {Detector.phone, Detector.postal_address, Detector.my_number, Detector.card_number}
    if set(detect(text)) & numbers:
        assert pl.Series([text]).str.contains(fast.DIGIT_HIT_CANDIDATE).item()


def test_a_log_of_dates_and_times_is_not_a_candidate_and_has_no_hits() -> None:
    """Dates (8 digits) and times in every line: no run holds a hit, and the filter says so."""
    log = "2026-11-20T10:00:00 INFO served in 12 ms status=200 order=12345678\n" * 500
    assert not pl.Series([log]).str.contains(fast.DIGIT_HIT_CANDIDATE).item()
    assert fast.detect_many([log]) == [{}] and detect(log) == {}
