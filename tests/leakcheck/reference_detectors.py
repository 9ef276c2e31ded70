"""Reference detectors: the original straightforward implementation, kept to check the fast path.

Copied from breachflow/leakcheck/detectors.py before it was optimised; the differential tests
run both over generated texts and require identical counts, distinct counts and samples.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

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

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()

_DIGITS = "0-9０-９"
_SEPARATORS = r"\-‐－−ー― ()（）"
# No look-behind: it would disable the regex engine's fast first-character scan, and a
# leftmost match already starts at the first digit of a run.
_DIGIT_RUN = re.compile(f"[{_DIGITS}][{_DIGITS}{_SEPARATORS}]{{6,}}[{_DIGITS}]")
_NON_DIGIT = re.compile(r"[^0-9]")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")

_EMAIL_DOMAIN = re.compile(r"@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")

_PREFECTURE = re.compile("|".join(PREFECTURES))
_POSTAL_SHAPE = re.compile(f"[{_DIGITS}]{{3}}[-‐－−ー][{_DIGITS}]{{4}}")
_POSTAL_GAP = re.compile(r"[\s,\"'　、]{0,4}")
_POSTAL_MARK = "〒"

_BIRTH_CONTEXT = re.compile(r"生年月日|誕生日|生年|birth|DOB", re.IGNORECASE)
_SEIREKI = re.compile(
    f"((?:19|20|１９|２０)[{_DIGITS}]{{2}})\\s?[年/\\-.．／]\\s?([{_DIGITS}]{{1,2}})\\s?[月/\\-.．／]\\s?([{_DIGITS}]{{1,2}})"
)
_WAREKI = re.compile(
    f"(明治|大正|昭和|平成|令和|[MTSHR])\\s?(元|[{_DIGITS}]{{1,2}})\\s?[年.．/]\\s?([{_DIGITS}]{{1,2}})\\s?[月.．/]\\s?([{_DIGITS}]{{1,2}})"
)
ERA_START_YEARS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
_ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_MOBILE_PREFIXES = ("070", "080", "090", "050", "020", "060")
_CARD_LENGTHS = range(13, 20)
_MY_NUMBER_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(1, 12))
_LUHN_DOUBLED = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}


def my_number_check_digit(eleven_digits: str) -> int:
    """The My Number check digit for the first 11 digits (総務省令 第五条 algorithm)."""
    # P_n counts from the least significant of the 11 digits; Q_n = n+1 (n<=6), n-5 (n>=7).
    total = sum(map(operator.mul, map(int, reversed(eleven_digits)), _MY_NUMBER_WEIGHTS))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(digits: str) -> bool:
    """True for 12 digits whose last one is the My Number check digit."""
    return len(digits) == 12 and digits.isdigit() and my_number_check_digit(digits[:11]) == int(digits[11])


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) check."""
    total = sum(map(int, digits[-1::-2])) + sum(_LUHN_DOUBLED[char] for char in digits[-2::-2])
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """True for 13-19 digits of a major card brand's range that pass Luhn."""
    return len(digits) in _CARD_LENGTHS and digits[0] in "3456" and luhn_valid(digits)


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


@dataclass
class _Tally:
    count: int = 0
    distinct: set[str] = field(default_factory=set)
    samples: list[str] = field(default_factory=list)

    def add(self, value: str, masked: str) -> None:
        self.count += 1
        if value not in self.distinct:
            self.distinct.add(value)
            if len(self.samples) < MAX_SAMPLES and masked not in self.samples:
                self.samples.append(masked)


@dataclass(frozen=True)
class DetectorHits:
    """What one detector found in one text: counts and masked samples, no values."""

    count: int
    distinct: int
    samples: tuple[str, ...]


class Detection:
    """Accumulates detector hits over the texts of one file (values kept in memory only)."""

    def __init__(self) -> None:
        self._tallies: dict[Detector, _Tally] = {}

    def _tally(self, detector: Detector) -> _Tally:
        tally = self._tallies.get(detector)
        if tally is None:
            tally = self._tallies[detector] = _Tally()
        return tally

    def feed(self, text: str) -> None:
        """Run every detector over one text."""
        self._find_emails(text)
        self._find_digit_runs(text)
        if _BIRTH_CONTEXT.search(text):
            self._find_birth_dates(text)

    def hits(self) -> dict[Detector, DetectorHits]:
        """Per-detector counts, distinct counts and masked samples."""
        return {
            detector: DetectorHits(tally.count, len(tally.distinct), tuple(tally.samples))
            for detector, tally in sorted(self._tallies.items())
            if tally.count
        }

    def _find_emails(self, text: str) -> None:
        if "@" not in text:
            return
        previous_end = 0
        for match in _EMAIL_DOMAIN.finditer(text):
            start = match.start()
            # Walk back over the local part (at most 64 characters, never into the previous
            # match); a regex search here would retry every offset.
            begin, floor = start, max(previous_end, start - 64)
            previous_end = match.end()
            while begin > floor and text[begin - 1] in _EMAIL_LOCAL_CHARS:
                begin -= 1
            local_part = text[begin:start].lstrip(".")
            if not local_part:
                continue
            domain = match.group(1)
            self._tally(Detector.email).add(f"{local_part}@{domain}".lower(), mask_email(local_part, domain.lower()))

    def _find_digit_runs(self, text: str) -> None:
        for match in _DIGIT_RUN.finditer(text):
            token = match.group()
            if not self._classify(text, match.start(), token):
                # Runs joined by single spaces ("03-1234-5678 4111...") are tried piece by piece.
                offset = match.start()
                for piece in token.split(" "):
                    if len(piece) >= 7:
                        self._classify(text, offset, piece)
                    offset += len(piece) + 1

    def _classify(self, text: str, start: int, token: str) -> bool:
        ascii_token = token if token.isascii() else token.translate(_TO_ASCII)
        digits = ascii_token if ascii_token.isdigit() else _NON_DIGIT.sub("", ascii_token)
        length = len(digits)
        separated = length != len(token)
        if length == 7 and _POSTAL_SHAPE.fullmatch(token):
            return self._postal(text, start, token, digits)
        if start and text[start - 1] in "+＋" and digits.startswith("81") and length in (11, 12):
            digits = "0" + digits[2:]
            length = len(digits)
        if length in (10, 11) and is_japanese_phone(digits, separated=separated):
            self._tally(Detector.phone).add(digits, mask_phone(digits))
            return True
        if length == 12 and is_my_number(digits):
            self._tally(Detector.my_number).add(digits, mask_my_number(digits))
            return True
        if length in _CARD_LENGTHS and is_card_number(digits):
            self._tally(Detector.card_number).add(digits, mask_card(digits))
            return True
        return False

    def _postal(self, text: str, start: int, token: str, digits: str) -> bool:
        end = start + len(token)
        before = text[max(0, start - 2) : start]
        gap = _POSTAL_GAP.match(text, end)
        after = _PREFECTURE.match(text, gap.end() if gap else end)
        if after is None and _POSTAL_MARK not in before:
            # Address first, code after it on the same line ("東京都千代田区…,100-0001").
            line_start = max(text.rfind("\n", max(0, start - 80), start) + 1, start - 80)
            earlier = _PREFECTURE.search(text, line_start, start)
            if earlier is None:
                return False
            after = earlier
        prefecture = after.group() if after else None
        self._tally(Detector.postal_address).add(digits, mask_postal(digits, prefecture))
        return True

    def _find_birth_dates(self, text: str) -> None:
        today = date.today()
        for match in _SEIREKI.finditer(text):
            year, month, day = (int(group.translate(_TO_ASCII)) for group in match.groups())
            if _plausible_birth_date(year, month, day, today):
                self._tally(Detector.birth_date).add(f"{year:04d}{month:02d}{day:02d}", mask_birth_date(None))
        for match in _WAREKI.finditer(text):
            era_raw, year_raw, month_raw, day_raw = match.groups()
            era = _ERA_LETTERS.get(era_raw, era_raw)
            era_year = 1 if year_raw == "元" else int(year_raw.translate(_TO_ASCII))
            year = ERA_START_YEARS[era] + era_year - 1
            month, day = int(month_raw.translate(_TO_ASCII)), int(day_raw.translate(_TO_ASCII))
            if era_year >= 1 and _plausible_birth_date(year, month, day, today):
                self._tally(Detector.birth_date).add(f"{year:04d}{month:02d}{day:02d}", mask_birth_date(era))


def _plausible_birth_date(year: int, month: int, day: int, today: date) -> bool:
    if not 1900 <= year <= today.year:
        return False
    try:
        return date(year, month, day) <= today
    except ValueError:
        return False


def detect(text: str) -> dict[Detector, DetectorHits]:
    """Counts and masked samples of every detector over one text."""
    detection = Detection()
    detection.feed(text)
    return detection.hits()
