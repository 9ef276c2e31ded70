"""Personal-data detectors: regular expressions over whole texts, confirmed by checksums.

Every run of digits and separators is classified where it stands (phone numbers, My Number,
card numbers, postal codes); emails are found from their ``@``; birth dates only count in a
text that says it holds birth dates (生年月日, 誕生日, birth, DOB), because dates alone are
everywhere. Matched values stay in memory: callers get counts, distinct counts and masked
samples, never a value.

This is the plain path, one match at a time, and the definition of what the detectors find.
The leak check's scanner takes it for batches of short texts; larger batches go through the
same rules in polars, many texts at once (``detectors_fast``), which must give exactly these
results: the equivalence tests are in ``tests/leakcheck/test_detectors_fast.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from stdnum import luhn
from stdnum.jp import in_ as my_number

from breachflow.japan import ERAS, PREFECTURES
from breachflow.vocabulary import DataItem


class Detector(StrEnum):
    """What kind of personal data a detector finds."""

    email = "email"
    phone = "phone"
    postal_address = "postal_address"
    my_number = "my_number"
    card_number = "card_number"
    birth_date = "birth_date"


DETECTOR_ITEMS: dict[Detector, tuple[DataItem, ...]] = {
    Detector.email: (DataItem.email,),
    Detector.phone: (DataItem.phone,),
    Detector.postal_address: (DataItem.postal_code, DataItem.address),
    Detector.my_number: (DataItem.my_number,),
    Detector.card_number: (DataItem.card_number,),
    Detector.birth_date: (DataItem.birth_date,),
}

MAX_SAMPLES = 3

_DIGITS = "0-9０-９"
_SEPARATORS = r"\-‐－−ー― ()（）"
# No look-behind: it would disable the regex engine's fast first-character scan, and a
# leftmost match already starts at the first digit of a run.
_DIGIT_RUN = re.compile(f"[{_DIGITS}][{_DIGITS}{_SEPARATORS}]{{6,}}[{_DIGITS}]")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
# A run holds only digits and separators: this leaves its digits, in ASCII.
_RUN_TO_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789", _SEPARATORS.replace("\\", ""))

_EMAIL_DOMAIN_BODY = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_EMAIL_DOMAIN = re.compile(f"@({_EMAIL_DOMAIN_BODY})")
_EMAIL_LOCAL_CLASS = "[A-Za-z0-9._%+-]"
_EMAIL_LOCAL_CHARS = frozenset(chr(code) for code in range(128) if re.fullmatch(_EMAIL_LOCAL_CLASS, chr(code)))

_PREFECTURE = re.compile("|".join(PREFECTURES))
_POSTAL_DASHES = "-‐－−ー"
_POSTAL_SHAPE = re.compile(f"[{_DIGITS}]{{3}}[{_POSTAL_DASHES}][{_DIGITS}]{{4}}")
_POSTAL_GAP_PUNCTUATION = ",\"'　、"  # with whitespace, what may stand between a postal code and its address
_POSTAL_GAP = re.compile(f"[\\s{_POSTAL_GAP_PUNCTUATION}]{{0,4}}")
_POSTAL_MARK = "〒"

_BIRTH_CONTEXT = re.compile(r"生年月日|誕生日|生年|birth|DOB", re.IGNORECASE)
_SEIREKI = re.compile(
    f"((?:19|20|１９|２０)[{_DIGITS}]{{2}})\\s?[年/\\-.．／]\\s?([{_DIGITS}]{{1,2}})\\s?[月/\\-.．／]\\s?([{_DIGITS}]{{1,2}})"
)
# The era by name or letter (明治|...|令和|M|...|R). Every branch a literal, not [MTSHR]: the
# engine then skips to candidate characters.
_ERA_WORDS = [era.name for era in ERAS] + [era.letter for era in ERAS]
_WAREKI = re.compile(
    f"({'|'.join(_ERA_WORDS)})\\s?(元|[{_DIGITS}]{{1,2}})\\s?[年.．/]\\s?([{_DIGITS}]{{1,2}})\\s?[月.．/]\\s?([{_DIGITS}]{{1,2}})"
)
_ERA_BY_WORD = {**{era.name: era for era in ERAS}, **{era.letter: era for era in ERAS}}

_MOBILE_PREFIXES = ("070", "080", "090", "050", "020", "060")
_CARD_LENGTHS = range(13, 20)


def is_my_number(digits: str) -> bool:
    """True for 12 digits whose last one is the My Number check digit (総務省令 第五条)."""
    return len(digits) == 12 and my_number.is_valid(digits)


def is_card_number(digits: str) -> bool:
    """True for 13-19 digits of a major card brand's range that pass Luhn."""
    return len(digits) in _CARD_LENGTHS and digits[0] in "3456" and luhn.is_valid(digits)


def is_japanese_phone(digits: str, *, separated: bool) -> bool:
    """True for a plausible Japanese phone number (domestic form, leading 0)."""
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 11:
        return digits.startswith(_MOBILE_PREFIXES) or digits.startswith("0800")
    if len(digits) == 10:
        # Ten bare digits are as often an account or order number as a landline.
        return separated
    return False


def has_birth_context(text: str) -> bool:
    """True when the text speaks of birth dates (生年月日, 誕生日, birth, DOB; any case)."""
    return _BIRTH_CONTEXT.search(text) is not None


def mask_phone(digits: str) -> str:
    """``090-****-5678``: the prefix and the last four digits."""
    head = 4 if digits.startswith(("0120", "0800")) else 3 if len(digits) == 11 else 2
    return f"{digits[:head]}-****-{digits[-4:]}"


def mask_email(local: str, domain: str) -> str:
    """``t***@example.com``: the first character and the domain."""
    return f"{local[0]}***@{domain}"


def mask_card(digits: str) -> str:
    """``****-****-****-1111``: only the last four digits, as printed on receipts."""
    return "****-" * ((len(digits) - 4) // 4) + "*" * ((len(digits) - 4) % 4) + digits[-4:]


def mask_my_number(_digits: str) -> str:
    """My Number shows no digit at all."""
    return "****-****-****"


def mask_postal(digits: str, prefecture: str | None) -> str:
    """``〒100-**** 東京都``: the area part of the code and the prefecture."""
    return f"〒{digits[:3]}-****" + (f" {prefecture}" if prefecture else "")


def mask_birth_date(era: str | None) -> str:
    """``昭和**年**月**日`` or ``****年**月**日``: the era at most."""
    return f"{era or '****'}**年**月**日" if era else "****年**月**日"


# A hit: detector, value (in memory only), and the one detail of this occurrence its mask
# shows besides the value (the email's first letter, the postal code's prefecture, the era).
Hit = tuple[Detector, str, str | None]


def masked(detector: Detector, value: str, detail: str | None) -> str:
    """The sample shown for a hit."""
    if detector is Detector.email:
        return mask_email(detail or "?", value.rpartition("@")[2])
    if detector is Detector.phone:
        return mask_phone(value)
    if detector is Detector.postal_address:
        return mask_postal(value, detail)
    if detector is Detector.my_number:
        return mask_my_number(value)
    if detector is Detector.card_number:
        return mask_card(value)
    return mask_birth_date(detail)


@dataclass(frozen=True)
class DetectorHits:
    """What one detector found in one text: counts and masked samples, no values."""

    count: int
    distinct: int
    samples: tuple[str, ...]


@dataclass
class _Tally:
    count: int = 0
    distinct: set[str] = field(default_factory=set)
    samples: list[str] = field(default_factory=list)

    def add(self, detector: Detector, value: str, detail: str | None) -> None:
        # A value's sample is the mask of its first occurrence; the first distinct masks are kept.
        self.count += 1
        if value not in self.distinct:
            self.distinct.add(value)
            if len(self.samples) < MAX_SAMPLES and (sample := masked(detector, value, detail)) not in self.samples:
                self.samples.append(sample)


class Detection:
    """Accumulates detector hits over the texts of one file (values kept in memory only)."""

    def __init__(self) -> None:
        self._tallies: dict[Detector, _Tally] = {}

    def feed(self, text: str) -> None:
        """Run every detector over one text."""
        for detector, value, detail in hits_of(text):
            self._tallies.setdefault(detector, _Tally()).add(detector, value, detail)

    def hits(self) -> dict[Detector, DetectorHits]:
        """Per-detector counts, distinct counts and masked samples."""
        return {
            detector: DetectorHits(tally.count, len(tally.distinct), tuple(tally.samples))
            for detector, tally in sorted(self._tallies.items())
        }


def detect(text: str) -> dict[Detector, DetectorHits]:
    """Counts and masked samples of every detector over one text."""
    detection = Detection()
    detection.feed(text)
    return detection.hits()


def hits_of(text: str) -> Iterator[Hit]:
    """Every hit in ``text``: emails, then digit runs, then birth dates (西暦, then 和暦), each in text order."""
    if "@" in text:
        yield from _emails(text)
    for match in _DIGIT_RUN.finditer(text):
        yield from classify_run(text, match.start(), match.group())
    if has_birth_context(text):
        yield from _birth_dates(text)


def _emails(text: str) -> Iterator[Hit]:
    previous_end = 0
    for match in _EMAIL_DOMAIN.finditer(text):
        start = match.start()
        # The local part: the local-part characters right before "@", at most 64 and never
        # reaching back into the previous match, leading dots dropped.
        begin, floor = start, max(previous_end, start - 64)
        previous_end = match.end()
        while begin > floor and text[begin - 1] in _EMAIL_LOCAL_CHARS:
            begin -= 1
        local_part = text[begin:start].lstrip(".")
        if local_part:
            yield (Detector.email, f"{local_part}@{match.group(1)}".lower(), local_part[0])


def classify_run(text: str, start: int, run: str) -> list[Hit]:
    """Hits of the digit run at ``text[start:]``: the whole run, or else its pieces between single spaces.

    Runs joined by single spaces ("03-1234-5678 4111...") are nothing as a whole and are
    tried piece by piece.
    """
    hit = _classify_token(text, start, run)
    if hit is not None:
        return [hit]
    hits: list[Hit] = []
    offset = start
    for piece in run.split(" ") if " " in run else ():
        if len(piece) >= 7 and (hit := _classify_token(text, offset, piece)) is not None:
            hits.append(hit)
        offset += len(piece) + 1
    return hits


def _classify_token(text: str, start: int, token: str) -> Hit | None:
    digits = token.translate(_RUN_TO_DIGITS)
    separated = len(digits) != len(token)
    if len(digits) == 7 and _POSTAL_SHAPE.fullmatch(token):
        return _postal_hit(text, start, token, digits)
    if start and text[start - 1] in "+＋" and digits.startswith("81") and len(digits) in (11, 12):
        digits = "0" + digits[2:]  # "+81 90..." is the domestic "090..."
    if len(digits) in (10, 11) and is_japanese_phone(digits, separated=separated):
        return (Detector.phone, digits, None)
    if is_my_number(digits):
        return (Detector.my_number, digits, None)
    if is_card_number(digits):
        return (Detector.card_number, digits, None)
    return None


def _postal_hit(text: str, start: int, token: str, digits: str) -> Hit | None:
    """A postal code after 〒, or next to a prefecture (right after it, or earlier on its line)."""
    end = start + len(token)
    before = text[max(0, start - 2) : start]
    gap = _POSTAL_GAP.match(text, end)
    after = _PREFECTURE.match(text, gap.end() if gap else end)
    if after is None and _POSTAL_MARK not in before:
        # Address first, code after it on the same line ("東京都千代田区…,100-0001").
        line_start = max(text.rfind("\n", max(0, start - 80), start) + 1, start - 80)
        after = _PREFECTURE.search(text, line_start, start)
        if after is None:
            return None
    return (Detector.postal_address, digits, after.group() if after else None)


def _birth_dates(text: str) -> Iterator[Hit]:
    today = date.today()
    for match in _SEIREKI.finditer(text):
        year, month, day = (int(group.translate(_TO_ASCII)) for group in match.groups())
        if _plausible_birth_date(year, month, day, today):
            yield (Detector.birth_date, f"{year:04d}{month:02d}{day:02d}", None)
    for match in _WAREKI.finditer(text):
        word, year_raw, month_raw, day_raw = match.groups()
        era = _ERA_BY_WORD[word]
        era_year = 1 if year_raw == "元" else int(year_raw.translate(_TO_ASCII))
        year = era.offset + era_year
        month, day = int(month_raw.translate(_TO_ASCII)), int(day_raw.translate(_TO_ASCII))
        if era_year >= 1 and _plausible_birth_date(year, month, day, today):
            yield (Detector.birth_date, f"{year:04d}{month:02d}{day:02d}", era.name)


def _plausible_birth_date(year: int, month: int, day: int, today: date) -> bool:
    if not 1900 <= year <= today.year:
        return False
    try:
        return date(year, month, day) <= today
    except ValueError:
        return False
