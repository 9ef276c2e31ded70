"""Personal-data detectors: regular expressions over whole texts, confirmed by checksums.

One pass finds every run of digits and separators (phone numbers, My Number, card numbers,
postal codes) and classifies it in Python; emails are found from their ``@``; birth dates
only count in a text that says it holds birth dates (生年月日, 誕生日, birth, DOB), because
dates alone are everywhere. Matched values stay in memory: callers get counts, distinct
counts and masked samples, never a value.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, chain, repeat
from operator import itemgetter
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
VECTORISE_FROM_CHARS = 64 * 1024

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
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
_RUN_TO_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789", _SEPARATORS.replace("\\", ""))

_EMAIL_DOMAIN = re.compile(r"@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")

_PREFECTURE = re.compile("|".join(PREFECTURES))
_POSTAL_SHAPE = re.compile(f"[{_DIGITS}]{{3}}[-‐－−ー][{_DIGITS}]{{4}}")
_POSTAL_GAP = re.compile(r"[\s,\"'　、]{0,4}")
_POSTAL_MARK = "〒"

_SEIREKI = re.compile(
    f"((?:19|20|１９|２０)[{_DIGITS}]{{2}})\\s?[年/\\-.．／]\\s?([{_DIGITS}]{{1,2}})\\s?[月/\\-.．／]\\s?([{_DIGITS}]{{1,2}})"
)
_WAREKI = re.compile(
    # M|T|S|H|R, not [MTSHR]: with every branch a literal the engine skips to candidate characters.
    f"(明治|大正|昭和|平成|令和|M|T|S|H|R)\\s?(元|[{_DIGITS}]{{1,2}})\\s?[年.．/]\\s?([{_DIGITS}]{{1,2}})\\s?[月.．/]\\s?([{_DIGITS}]{{1,2}})"
)
ERA_START_YEARS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
_ERA_LETTERS = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_MOBILE_PREFIXES = ("070", "080", "090", "050", "020", "060")
_CARD_LENGTHS = range(13, 20)
_MY_NUMBER_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(1, 12))
_LUHN_DOUBLED = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}
_MY_NUMBER_WEIGHTS_LEFT_TO_RIGHT = _MY_NUMBER_WEIGHTS[::-1]
_MY_NUMBER_ZEROS = 48 * sum(_MY_NUMBER_WEIGHTS)
_LUHN_DOUBLED_BYTES = bytes.maketrans(b"0123456789", bytes(48 + _LUHN_DOUBLED[str(d)] for d in range(10)))


def my_number_check_digit(eleven_digits: str) -> int:
    """The My Number check digit for the first 11 digits (総務省令 第五条 algorithm)."""
    # P_n counts from the least significant of the 11 digits; Q_n = n+1 (n<=6), n-5 (n>=7).
    if eleven_digits.isascii():
        # Weighted sum of the ASCII codes minus the weighted "0"s: no int() per digit.
        total = sum(map(operator.mul, eleven_digits.encode(), _MY_NUMBER_WEIGHTS_LEFT_TO_RIGHT)) - _MY_NUMBER_ZEROS
    else:
        total = sum(map(operator.mul, map(int, reversed(eleven_digits)), _MY_NUMBER_WEIGHTS))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(digits: str) -> bool:
    """True for 12 digits whose last one is the My Number check digit."""
    return len(digits) == 12 and digits.isdigit() and my_number_check_digit(digits[:11]) == int(digits[11])


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) check."""
    if digits.isascii():
        # On the ASCII bytes: the doubled digits by one translate, every sum in C.
        raw = digits.encode()
        total = sum(raw[-1::-2]) + sum(raw[-2::-2].translate(_LUHN_DOUBLED_BYTES)) - 48 * len(raw)
    else:
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


# What each detector's samples are masked from: the value alone, or the value and one detail
# of its first occurrence (the email's first letter, the postal code's prefecture, the era).
def _masked(detector: Detector, value: str, detail: str | None) -> str:
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


# A hit: detector, value (in memory only), detail for the mask.
_Hit = tuple[Detector, str, str | None]
# Marks a digit run whose meaning depends on the text around it (a postal code needs an
# address nearby; "+81" turns on the character before the run): classified where it stands.
_NEEDS_CONTEXT: tuple[_Hit, ...] = ((Detector.phone, "", "context"),)


class Detection:
    """Accumulates detector hits over the texts of one file (values kept in memory only).

    Fast path, same results as classifying every match where it stands: regexes collect all
    matches in C (``findall``/``split``), each distinct match is classified once, and hits
    are counted with C-level dict operations; only digit runs that need their surroundings (postal
    codes, "+81") are classified at their position. Hits are counted in text order, so
    the masked samples are the first distinct values, as before. Texts of at least
    ``vectorise_from`` characters have their digit runs found and classified in polars
    (``vectorised``), with the same results.
    """

    def __init__(self, *, vectorise_from: int = VECTORISE_FROM_CHARS) -> None:
        self._counts: dict[Detector, int] = {}
        self._first: dict[Detector, dict[str, str | None]] = {}
        # Texts this long have their digit runs found and classified in polars; below it the
        # per-call overhead of a DataFrame outweighs the gain.
        self._vectorise_from = vectorise_from

    def feed(self, text: str) -> None:
        """Run every detector over one text."""
        if "@" in text:
            self._tally(self._emails(text))
        if len(text) >= self._vectorise_from:
            from breachflow.leakcheck import vectorised

            self._tally(self._digit_runs_vectorised(text))
            # Explicit classes, no case folding: the same characters has_birth_context accepts.
            birth_context = vectorised.contains(text, _BIRTH_CONTEXT_PATTERN)
        else:
            self._tally(self._digit_runs(text))
            birth_context = has_birth_context(text)
        if birth_context:
            self._tally(self._birth_dates(text))

    def hits(self) -> dict[Detector, DetectorHits]:
        """Per-detector counts, distinct counts and masked samples."""
        result: dict[Detector, DetectorHits] = {}
        for detector in sorted(self._counts):
            first = self._first[detector]
            samples: list[str] = []
            # Masks that depend on the detail only are taken from the distinct details.
            if detector is Detector.my_number:
                candidates = ((value, None) for value in list(first)[:1])
            elif detector is Detector.birth_date:
                candidates = (("", detail) for detail in dict.fromkeys(first.values()))
            else:
                candidates = iter(first.items())
            for value, detail in candidates:
                masked = _masked(detector, value, detail)
                if masked not in samples:
                    samples.append(masked)
                    if len(samples) == MAX_SAMPLES:
                        break
            result[detector] = DetectorHits(self._counts[detector], len(first), tuple(samples))
        return result

    def _tally(self, hits: Iterable[_Hit]) -> None:
        hits = list(hits)
        detectors = set(map(itemgetter(0), hits))
        for detector in sorted(detectors):
            mine = hits if len(detectors) == 1 else [hit for hit in hits if hit[0] is detector]
            values = list(map(itemgetter(1), mine))
            # Keys in first-occurrence order; update() from the end leaves each key's first detail.
            found = dict.fromkeys(values)
            found.update(zip(reversed(values), reversed(list(map(itemgetter(2), mine)))))
            self._counts[detector] = self._counts.get(detector, 0) + len(mine)
            first = self._first.get(detector)
            if first is None:
                self._first[detector] = found
            else:
                for value, detail in found.items():
                    first.setdefault(value, detail)

    def _emails(self, text: str) -> list[_Hit]:
        hits: list[_Hit] = []
        for match in _EMAIL_DOMAIN.finditer(text):
            start = match.start()
            # The local part is the run of local-part characters before "@", at most 64.
            window = text[max(0, start - 64) : start]
            local_part = window[len(window.rstrip(_EMAIL_LOCAL_STRING)) :].lstrip(".")
            if local_part:
                domain = match.group(1)
                hits.append((Detector.email, f"{local_part}@{domain}".lower(), local_part[0]))
        return hits

    def _digit_runs(self, text: str) -> Iterable[_Hit]:
        # split() with a group returns [between, run, between, run, ..., between] in one C call.
        parts = _DIGIT_RUN_SPLIT.split(text)
        runs = parts[1::2]
        if not runs:
            return ()
        classified = {run: _classify_run(run) for run in dict.fromkeys(runs)}
        per_run = list(map(classified.__getitem__, runs))
        if _NEEDS_CONTEXT in classified.values():
            ends = list(accumulate(map(len, parts)))
            index = -1
            with suppress(ValueError):  # list.index scans in C; ValueError once none is left
                while True:
                    index = per_run.index(_NEEDS_CONTEXT, index + 1)
                    run = runs[index]
                    start = ends[2 * index + 1] - len(run)
                    per_run[index] = tuple(_classify_in_place(text, start, run))
        return chain.from_iterable(per_run)

    def _digit_runs_vectorised(self, text: str) -> list[_Hit]:
        import polars as pl

        from breachflow.leakcheck import vectorised

        lines, runs = vectorised.find_runs(text, _DIGIT_RUN.pattern, gap=_postal_gap_rust(), prefecture=_PREFECTURE.pattern)
        if not runs.height:
            return []
        classes = vectorised.classify_runs(
            runs["run"],
            separators=_SEPARATORS,
            postal_shape=_POSTAL_SHAPE.pattern,
            mobile_prefixes=_MOBILE_PREFIXES,
            my_number_weights=_MY_NUMBER_WEIGHTS_LEFT_TO_RIGHT,
        )
        if not classes.height:
            return []
        found = runs.join(classes, on="run", how="inner", maintain_order="left")
        # A postal code followed by a prefecture is a hit whatever precedes it (_postal_hit).
        settled_postal = pl.col("postal") & pl.col("after").is_not_null()
        found = found.with_columns(
            kind=pl.when(settled_postal).then(pl.lit(Detector.postal_address.value)).otherwise(pl.col("kind")),
            detail=pl.when(settled_postal).then(pl.col("after")),
        )
        kinds = found["kind"].to_list()
        hits: list[_Hit] = list(zip(map(_DETECTOR_OF.get, kinds), found["digits"].to_list(), found["detail"].to_list()))  # type: ignore[arg-type]
        special = [i for i, kind in enumerate(kinds) if kind in _SPECIAL_KINDS]
        if not special:
            return hits
        # Runs the columns could not settle, classified in Python where they stand.
        run_list = found["run"].to_list()
        line_of = found["line"].to_list()
        rank_of = (found["row"] - found["first_row"]).to_list()
        settled: dict[int, Iterable[_Hit]] = {}
        needs_place: list[int] = []
        for i in special:
            if kinds[i] == vectorised.KIND_PYTHON:
                whole = _classify_run(run_list[i])
                if whole is not _NEEDS_CONTEXT:
                    settled[i] = whole
                    continue
            needs_place.append(i)
        offsets = vectorised.positions(
            lines, ((line_of[i], rank_of[i]) for i in needs_place), lambda line: [m.start() for m in _DIGIT_RUN.finditer(line)]
        )
        for i in needs_place:
            settled[i] = _classify_in_place(text, offsets[line_of[i], rank_of[i]], run_list[i])
        result: list[_Hit] = []
        previous = 0
        for i in special:
            result.extend(hits[previous:i])
            result.extend(settled[i])
            previous = i + 1
        result.extend(hits[previous:])
        return result

    def _birth_dates(self, text: str) -> list[_Hit]:
        today = date.today()
        hits: list[_Hit] = []
        for groups, in_order in ((_SEIREKI.findall(text), True), (_WAREKI.findall(text), False)):
            known: dict[tuple[str, ...], _Hit | None] = {}
            for found in groups:
                hit = known.get(found, _UNSEEN)
                if hit is _UNSEEN:
                    hit = known[found] = _seireki_hit(found, today) if in_order else _wareki_hit(found, today)
                if hit is not None:
                    hits.append(hit)
        return hits


# _POSTAL_GAP for the Rust regex engine: its \s is Unicode White_Space, Python's is str.isspace(),
# so the characters Python's \s matches are listed.
@cache
def _postal_gap_rust() -> str:
    spaces = "".join(chr(code) for code in range(0x110000) if _SPACE.fullmatch(chr(code)))
    return "[" + "".join(f"\\x{{{ord(char):x}}}" for char in spaces + ",\"'　、") + "]{0,4}"


_SPACE = re.compile(r"\s")
_DETECTOR_OF = {detector.value: detector for detector in Detector}
_SPECIAL_KINDS = frozenset({"context", "python"})
_UNSEEN: _Hit = (Detector.birth_date, "", "unseen")
_EMAIL_LOCAL_STRING = "".join(sorted(_EMAIL_LOCAL_CHARS))
_DIGIT_RUN_SPLIT = re.compile(f"({_DIGIT_RUN.pattern})")
# The reference pattern r"生年月日|誕生日|生年|birth|DOB" with re.IGNORECASE was the slowest
# step on prose (~25 MB/s). Under IGNORECASE Python matches exactly these characters for
# each letter (İ and ı fold to i); separate literal searches run at memchr speed.
_BIRTH_WORD = re.compile("[bB][iIİı][rR][tT][hH]")
_DOB_WORD = re.compile("[dD][oO][bB]")
_BIRTH_CONTEXT_PATTERN = f"生年|誕生日|{_BIRTH_WORD.pattern}|{_DOB_WORD.pattern}"


def has_birth_context(text: str) -> bool:
    """True when the text speaks of birth dates (生年月日, 誕生日, birth, DOB; any case)."""
    if "生年" in text or "誕生日" in text:
        return True
    if "İ" in text or "ı" in text:
        return _BIRTH_WORD.search(text) is not None or _DOB_WORD.search(text) is not None
    # Only İ (to "i" + U+0307) and the Kelvin sign lower() to ASCII letters; without İ and ı,
    # "birth"/"dob" in the lowered text is exactly what IGNORECASE matched, at memchr speed.
    lowered = text.lower()
    return "birth" in lowered or "dob" in lowered


def _ascii_digits(token: str) -> str:
    # A run holds only digits and separators: one translate turns full-width digits into
    # ASCII and drops the separators (what the reference did with translate + re.sub).
    return token.translate(_RUN_TO_DIGITS)


def _classify_piece(piece: str, *, first: bool) -> tuple[_Hit, ...] | None:
    """Hits of one run (or space-separated piece) alone; _NEEDS_CONTEXT when its surroundings decide."""
    digits = piece.translate(_RUN_TO_DIGITS)
    length = len(digits)
    if length < 10:
        # Phones have 10-11 digits, My Number 12, cards 13-19: shorter runs can only be postal codes.
        return _NEEDS_CONTEXT if length == 7 and _POSTAL_SHAPE.fullmatch(piece) else None
    if first and length in (11, 12) and digits.startswith("81"):
        return _NEEDS_CONTEXT  # "+81..." reads as a domestic number: depends on the character before
    # The common shapes inline (the same tests as _number_hit), one call per run matters here.
    if length == 12:
        if my_number_check_digit(digits[:11]) == ord(digits[11]) - 48:
            return ((Detector.my_number, digits, None),)
        return None
    if length == 16 and digits[0] in "3456":
        return ((Detector.card_number, digits, None),) if luhn_valid(digits) else None
    hit = _number_hit(digits, separated=length != len(piece))
    return (hit,) if hit else None


def _number_hit(digits: str, *, separated: bool) -> _Hit | None:
    length = len(digits)
    if length in (10, 11) and is_japanese_phone(digits, separated=separated):
        return (Detector.phone, digits, None)
    if length == 12 and is_my_number(digits):
        return (Detector.my_number, digits, None)
    if length in _CARD_LENGTHS and is_card_number(digits):
        return (Detector.card_number, digits, None)
    return None


def _classify_run(run: str) -> tuple[_Hit, ...]:
    """Hits of a whole digit run, or of its space-separated pieces when the whole is nothing."""
    whole = _classify_piece(run, first=True)
    if whole is not None:
        return whole
    hits: list[_Hit] = []
    for index, piece in enumerate(run.split(" ")):
        if len(piece) >= 7:
            found = _classify_piece(piece, first=index == 0)
            if found is _NEEDS_CONTEXT:
                return _NEEDS_CONTEXT
            if found:
                hits.extend(found)
    return tuple(hits)


def _classify_in_place(text: str, start: int, run: str) -> list[_Hit]:
    """Hits of a run that depends on its surroundings, classified at its position in ``text``."""
    hit = _classify_at(text, start, run)
    if hit is not None:
        return [hit]
    hits: list[_Hit] = []
    offset = start
    for piece in run.split(" "):
        if len(piece) >= 7:
            found = _classify_at(text, offset, piece)
            if found is not None:
                hits.append(found)
        offset += len(piece) + 1
    return hits


def _classify_at(text: str, start: int, token: str) -> _Hit | None:
    digits = _ascii_digits(token)
    length = len(digits)
    separated = length != len(token)
    if length == 7 and _POSTAL_SHAPE.fullmatch(token):
        return _postal_hit(text, start, token, digits)
    if start and text[start - 1] in "+＋" and digits.startswith("81") and length in (11, 12):
        digits = "0" + digits[2:]
    return _number_hit(digits, separated=separated)


def _postal_hit(text: str, start: int, token: str, digits: str) -> _Hit | None:
    end = start + len(token)
    before = text[max(0, start - 2) : start]
    gap = _POSTAL_GAP.match(text, end)
    after = _PREFECTURE.match(text, gap.end() if gap else end)
    if after is None and _POSTAL_MARK not in before:
        # Address first, code after it on the same line ("東京都千代田区…,100-0001").
        line_start = max(text.rfind("\n", max(0, start - 80), start) + 1, start - 80)
        earlier = _PREFECTURE.search(text, line_start, start)
        if earlier is None:
            return None
        after = earlier
    return (Detector.postal_address, digits, after.group() if after else None)


def _seireki_hit(groups: tuple[str, ...], today: date) -> _Hit | None:
    year, month, day = (int(group.translate(_TO_ASCII)) for group in groups)
    if _plausible_birth_date(year, month, day, today):
        return (Detector.birth_date, f"{year:04d}{month:02d}{day:02d}", None)
    return None


def _wareki_hit(groups: tuple[str, ...], today: date) -> _Hit | None:
    era_raw, year_raw, month_raw, day_raw = groups
    era = _ERA_LETTERS.get(era_raw, era_raw)
    era_year = 1 if year_raw == "元" else int(year_raw.translate(_TO_ASCII))
    year = ERA_START_YEARS[era] + era_year - 1
    month, day = int(month_raw.translate(_TO_ASCII)), int(day_raw.translate(_TO_ASCII))
    if era_year >= 1 and _plausible_birth_date(year, month, day, today):
        return (Detector.birth_date, f"{year:04d}{month:02d}{day:02d}", era)
    return None


def _plausible_birth_date(year: int, month: int, day: int, today: date) -> bool:
    if not 1900 <= year <= today.year:
        return False
    try:
        return date(year, month, day) <= today
    except ValueError:
        return False


def detect(text: str, *, vectorise_from: int = VECTORISE_FROM_CHARS) -> dict[Detector, DetectorHits]:
    """Counts and masked samples of every detector over one text."""
    detection = Detection(vectorise_from=vectorise_from)
    detection.feed(text)
    return detection.hits()
