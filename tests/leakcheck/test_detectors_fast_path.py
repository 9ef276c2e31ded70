"""The optimised detectors find exactly what the straightforward reference implementation finds."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachflow.leakcheck import detectors
from breachflow.leakcheck.samples import Planted, card_number, clean_text, csv_text, customer_rows, my_number
from tests.leakcheck import reference_detectors as reference

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


def as_plain(hits: dict) -> dict[str, tuple[int, int, tuple[str, ...]]]:
    """Detector name -> (count, distinct, samples), comparable across both implementations."""
    return {str(detector): (h.count, h.distinct, h.samples) for detector, h in hits.items()}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_fast_detectors_match_the_reference_on_generated_texts(text: str) -> None:
    """Counts, distinct counts and masked samples are identical to the reference for any generated text."""
    assert as_plain(detectors.detect(text)) == as_plain(reference.detect(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=4))
def test_feeding_several_texts_matches_the_reference(texts: list[str]) -> None:
    """Hits accumulated over several texts of one file equal the reference's accumulation."""
    fast, slow = detectors.Detection(), reference.Detection()
    for text in texts:
        fast.feed(text)
        slow.feed(text)
    assert as_plain(fast.hits()) == as_plain(slow.hits())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, max_size=8))
def test_detecting_many_texts_at_once_matches_the_reference_per_text(texts: list[str]) -> None:
    """The batched polars path gives each text the reference's counts, distinct counts and samples."""
    assert [as_plain(hits) for hits in detectors.detect_many(texts)] == [as_plain(reference.detect(t)) for t in texts]


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=4))
def test_feeding_texts_through_both_paths_matches_the_reference(texts: list[str]) -> None:
    """Texts of one file that go some through polars and some through Python accumulate as the reference does."""
    # Texts of 60 characters or more take the polars path, shorter ones the Python path.
    fast, slow = detectors.Detection(vectorise_from=60), reference.Detection()
    for text in texts:
        fast.feed(text)
        slow.feed(text)
    assert as_plain(fast.hits()) == as_plain(slow.hits())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=1, max_size=12).map("\n".join))
def test_vectorised_digit_runs_match_the_reference_on_generated_texts(text: str) -> None:
    """The polars path (forced on short texts) gives the reference's counts, distinct counts and samples."""
    assert as_plain(detectors.detect(text, vectorise_from=0)) == as_plain(reference.detect(text))


def test_vectorised_path_matches_the_reference_on_dense_lists_logs_and_prose() -> None:
    """Customer lists (UTF-8, CP932 TSV), a log and prose give the reference's results through the polars path."""
    rng = random.Random(12)
    rows = customer_rows(rng, 3000, Planted())
    log = "2026-11-20T10:00:00 INFO 〒100-0001 served +81-90-1234-5678 in 12 ms\n東京都港区 1234567\n" * 500
    for text in (csv_text(rows), csv_text(rows, delimiter="\t"), clean_text(rng, 200_000), log):
        assert as_plain(detectors.detect(text, vectorise_from=0)) == as_plain(reference.detect(text))


def test_vectorised_path_matches_the_reference_on_every_phone_and_number_shape() -> None:
    """Each prefix rule of the column classification, on both sides of its edge, as the reference reads it."""
    shapes = [
        "0800-123-4567", "08001234567", "08011234567", "0801-123-4567", "0120-123-456", "0120123456",
        "070-1234-5678", "07012345678", "06012345678", "01012345678", "0012345678", "00-1234-5678",
        "+81 800 123 4567", "+818001234567", "+818011234567", "+81 70 1234 5678", "+817012345678",
        "+81 3 1234 5678", "+81312345678", "+810312345678", "+81-1-2345-6789", "81-90-1234-5678",
        "817012345678", "819012345678", "４１１１－１１１１－１１１１－１１１１", "4111 1111 1111 1112",
        "1234-5678-9012", "100-0001", "100 0001", "1000001", "100―0001", "〒100-0001", "100－0001 東京都千代田区", "100-00-01 東京都",
    ]
    text = "\n".join(f"連絡先 {shape} 以上" for shape in shapes)
    found = as_plain(detectors.detect(text, vectorise_from=0))
    assert found == as_plain(reference.detect(text))
    assert {"phone", "card_number", "postal_address"} <= found.keys()


def test_vectorised_path_matches_the_reference_on_every_birth_date_shape() -> None:
    """西暦 and 和暦 dates (元年, era letters, full-width digits, spaces, impossible and future days) as the reference reads them."""
    shapes = [
        "1985年3月4日", "１９８５年３月４日", "1985 / 03 / 04", "2001/02/30", "2000/02/29", "1900.1.1", "1899.12.31",
        "2099-01-01", "平成元年1月8日", "令和元年5月1日", "昭和 元年 12月 25日", "S55.7.1", "H1.1.8", "R 5.2.29",
        "明治45年7月30日", "大正15年12月25日", "平成0年1月1日", "Ｈ２年３月４日", "昭和６４年１月７日",
    ]
    text = "生年月日\n" + "\n".join(f"{index}: {shape}" for index, shape in enumerate(shapes))
    found = as_plain(detectors.detect(text, vectorise_from=0))
    assert found == as_plain(reference.detect(text))
    assert found["birth_date"][:2] == (13, 9)  # 2001/02/30, R5.2.29, 平成0年, 1899 and 2099 are no dates


def test_fast_detectors_match_the_reference_on_a_dense_customer_list_and_prose() -> None:
    """A generated 3,000-row customer list (UTF-8 and CP932 forms) and prose give the reference's results."""
    rng = random.Random(11)
    rows = customer_rows(rng, 3000, Planted())
    for text in (csv_text(rows), csv_text(rows, delimiter="\t"), clean_text(rng, 200_000)):
        assert as_plain(detectors.detect(text)) == as_plain(reference.detect(text))


@given(st.text(alphabet=DIGITS, min_size=11, max_size=11))
def test_my_number_check_digit_matches_the_reference_for_ascii_and_full_width(body: str) -> None:
    """The byte-level check digit equals the int()-per-digit one for any 11 digits."""
    assert detectors.my_number_check_digit(body) == reference.my_number_check_digit(body)


@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_luhn_matches_the_reference(digits: str) -> None:
    """The byte-level Luhn check equals the per-digit one for any ASCII digit string."""
    assert detectors.luhn_valid(digits) == reference.luhn_valid(digits)


def test_birth_context_classes_are_exactly_what_ignorecase_matched() -> None:
    """Every character the reference's IGNORECASE pattern accepted for b/i/r/t/h/d/o is in the explicit classes, and no other."""
    import re

    for letter, pattern in (("b", "[bB]"), ("i", "[iIİı]"), ("r", "[rR]"), ("t", "[tT]"), ("h", "[hH]"), ("d", "[dD]"), ("o", "[oO]")):
        folded = re.compile(letter, re.IGNORECASE)
        explicit = re.compile(pattern)
        assert all(
            bool(folded.fullmatch(chr(code))) == bool(explicit.fullmatch(chr(code))) for code in range(0x110000)
        ), letter


def test_the_spaces_given_to_the_rust_engine_are_exactly_pythons_whitespace_class() -> None:
    """The stored list of what Python's \\s matches equals the regex's own answer over every code point."""
    import re

    computed = "".join(chr(code) for code in range(0x110000) if re.fullmatch(r"\s", chr(code)))
    assert detectors._python_spaces() == computed


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_every_text_with_a_digit_run_hit_passes_the_candidate_filter(text: str) -> None:
    """The filter that spares texts without candidates never drops a text the reference finds a number in."""
    import polars as pl

    found = set(reference.detect(text))
    numbers = {detectors.Detector.phone, detectors.Detector.postal_address, detectors.Detector.my_number, detectors.Detector.card_number}
    if found & numbers:
        assert pl.Series([text]).str.contains(detectors._DIGIT_HIT_CANDIDATE).item()


def test_a_log_of_dates_and_times_is_not_a_candidate_and_has_no_hits() -> None:
    """Dates (8 digits) and times in every line: no run holds a hit, and the filter says so."""
    import polars as pl

    log = "2026-11-20T10:00:00 INFO served in 12 ms status=200 order=12345678\n" * 500
    assert not pl.Series([log]).str.contains(detectors._DIGIT_HIT_CANDIDATE).item()
    assert detectors.detect_many([log]) == [{}] and reference.detect(log) == {}
