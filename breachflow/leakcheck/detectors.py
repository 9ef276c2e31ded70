"""Personal-data detectors: regular expressions over whole texts, confirmed by checksums.

One pass finds every run of digits and separators (phone numbers, My Number, card numbers,
postal codes) and classifies it; emails are found from their ``@``; birth dates only count
in a text that says it holds birth dates (生年月日, 誕生日, birth, DOB), because dates alone
are everywhere. Matched values stay in memory: callers get counts, distinct counts and
masked samples, never a value.

Two paths with the same results (both tested against the straightforward reference in
``tests/leakcheck/reference_detectors.py``): short texts in Python (``Detection``), and
many or long texts at once in polars (``detect_many``, the leak check's path, and
``Detection`` for texts of ``vectorise_from`` characters or more).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, chain, islice
from operator import itemgetter
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from breachflow.vocabulary import DataItem

if TYPE_CHECKING:
    import polars as pl


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

_EMAIL_DOMAIN_BODY = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_EMAIL_DOMAIN = re.compile(f"@({_EMAIL_DOMAIN_BODY})")
_EMAIL_LOCAL_CLASS = "[A-Za-z0-9._%+-]"
_EMAIL_LOCAL_CHARS = frozenset(chr(code) for code in range(128) if re.fullmatch(_EMAIL_LOCAL_CLASS, chr(code)))

_PREFECTURE = re.compile("|".join(PREFECTURES))
_POSTAL_DASHES = "-‐－−ー"
_POSTAL_SHAPE = re.compile(f"[{_DIGITS}]{{3}}[{_POSTAL_DASHES}][{_DIGITS}]{{4}}")
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
    ``vectorise_from`` characters are searched in polars (``vectorised``) and their hits stay
    in columns (values in first-occurrence order), with the same results.
    """

    def __init__(self, *, vectorise_from: int = VECTORISE_FROM_CHARS) -> None:
        self._counts: dict[Detector, int] = {}
        # Distinct values -> detail of their first occurrence, in first-occurrence order: a
        # dict while only Python-path texts were fed, frames once a polars-path text was.
        self._first: dict[Detector, dict[str, str | None]] = {}
        self._frames: dict[Detector, list[pl.DataFrame]] = {}
        # Texts this long are searched in polars; below it the per-call overhead of a
        # DataFrame outweighs the gain.
        self._vectorise_from = vectorise_from

    def feed(self, text: str) -> None:
        """Run every detector over one text."""
        if len(text) >= self._vectorise_from:
            self._feed_columns(text)
            return
        if "@" in text:
            self._tally(self._emails(text))
        self._tally(self._digit_runs(text))
        if has_birth_context(text):
            self._tally(self._birth_dates(text))

    def hits(self) -> dict[Detector, DetectorHits]:
        """Per-detector counts, distinct counts and masked samples."""
        result: dict[Detector, DetectorHits] = {}
        for detector in sorted(self._counts):
            frames = self._frames.get(detector)
            if frames is None:
                first = self._first[detector]
                distinct = len(first)
                pairs: Iterable[tuple[str, str | None]] = first.items()
                details: Iterable[str | None] = first.values()
            else:
                merged = _first_occurrences(frames)
                distinct = merged.height
                pairs = _mask_candidates(detector, merged).iter_rows()
                details = merged["detail"]
            samples: list[str] = []
            # Masks that depend on the detail only are taken from the distinct details.
            if detector is Detector.my_number:
                candidates = ((value, None) for value, _ in islice(pairs, 1))
            elif detector is Detector.birth_date:
                candidates = (("", detail) for detail in dict.fromkeys(details))
            else:
                candidates = iter(pairs)
            for value, detail in candidates:
                masked = _masked(detector, value, detail)
                if masked not in samples:
                    samples.append(masked)
                    if len(samples) == MAX_SAMPLES:
                        break
            result[detector] = DetectorHits(self._counts[detector], distinct, tuple(samples))
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
            if detector in self._frames:
                self._frames[detector].append(_frame_of(found))
                continue
            first = self._first.get(detector)
            if first is None:
                self._first[detector] = found
            else:
                for value, detail in found.items():
                    first.setdefault(value, detail)

    def _add_frame(self, detector: Detector, frame: pl.DataFrame) -> None:
        """Hits of one text as a frame (``value``, ``detail``) in text order."""
        if not frame.height:
            return
        self._counts[detector] = self._counts.get(detector, 0) + frame.height
        frames = self._frames.setdefault(detector, [])
        first = self._first.pop(detector, None)
        if first is not None:
            frames.append(_frame_of(first))
        frames.append(frame.unique("value", keep="first", maintain_order=True))

    def _feed_columns(self, text: str) -> None:
        found = _hit_frame([text])
        for (kind,), frame in found.partition_by("kind", as_dict=True, maintain_order=True).items():
            self._add_frame(_DETECTOR_OF[kind], frame.select("value", "detail"))

    def _emails(self, text: str) -> list[_Hit]:
        hits: list[_Hit] = []
        previous_end = 0
        for match in _EMAIL_DOMAIN.finditer(text):
            start = match.start()
            # The local part is the run of local-part characters before "@", at most 64, and
            # never reaches back into the previous match.
            window = text[max(previous_end, start - 64) : start]
            previous_end = match.end()
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


# For the Rust regex engine, whose \s is Unicode White_Space: what Python's \s matches in str
# patterns (str.isspace()), listed. A test checks the list against the regex over every code
# point, which takes a third of a second to compute in each worker.
_PYTHON_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def _python_spaces() -> str:
    return _PYTHON_SPACES


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(char):x}}}" for char in chars) + "]"


_POSTAL_GAP_EXTRA = ",\"'　、"  # with the spaces, what _POSTAL_GAP allows between a code and its address


@cache
def _postal_gap_rust() -> str:
    return _char_class(_python_spaces() + _POSTAL_GAP_EXTRA) + "{0,4}"


@cache
def _rust(pattern: str) -> str:
    """A Python pattern whose only engine-dependent class is \\s, for the Rust engine."""
    return pattern.replace("\\s", _char_class(_python_spaces()))


def _frame_of(first: dict[str, str | None]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame({"value": list(first), "detail": list(first.values())}, schema={"value": pl.String, "detail": pl.String})


def _mask_key(detector: Detector) -> pl.Expr:
    """What the mask of a ``detector`` hit depends on (columns ``value``, ``detail``): equal keys, equal masks.

    A list of 100,000 addresses at one domain whose local parts start with one letter has one
    mask; looking for three distinct masks among them would otherwise visit every value.
    """
    import polars as pl

    value, detail = pl.col("value"), pl.col("detail").fill_null("")
    length = value.str.len_chars().cast(pl.String)
    if detector is Detector.email:
        return pl.concat_str(detail, value.str.replace(r"^[^@]*@", "@"))  # mask_email: first letter, domain
    if detector is Detector.phone:
        return pl.concat_str(value.str.slice(0, 4), value.str.slice(-4), length)  # mask_phone
    if detector is Detector.postal_address:
        return pl.concat_str(value.str.slice(0, 3), detail)  # mask_postal
    if detector is Detector.card_number:
        return pl.concat_str(value.str.slice(-4), length)  # mask_card
    if detector is Detector.birth_date:
        return detail  # mask_birth_date: the era
    return pl.lit("")  # mask_my_number: constant


def _mask_candidates(detector: Detector, first: pl.DataFrame) -> pl.DataFrame:
    """The first value of each distinct mask key, in order."""
    keyed = first.with_columns(key=_mask_key(detector))
    return keyed.unique("key", keep="first", maintain_order=True).select("value", "detail")


def _first_occurrences(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Distinct values of several texts' frames with the detail of their first occurrence, in order."""
    import polars as pl

    merged = frames[0] if len(frames) == 1 else pl.concat(frames)
    return merged.unique("value", keep="first", maintain_order=True)


def _hit_frame(texts: list[str | bytes]) -> pl.DataFrame:
    """Every hit in ``texts`` (str or valid UTF-8 bytes) as columns ``text`` (index), ``kind``, ``value``, ``detail``.

    Per text and detector, hits are in the order the Python path tallies them: emails and
    digit runs in text order, birth dates 西暦 first then 和暦.
    """
    import polars as pl

    from breachflow.leakcheck import vectorised

    if any(isinstance(text, bytes) for text in texts):
        # UTF-8 bytes go in as they are (a copy, no conversion); the cast checks them.
        binary = [text if isinstance(text, bytes) else text.encode("utf-8") for text in texts]
        series = pl.Series(binary, dtype=pl.Binary).cast(pl.String)
    else:
        series = pl.Series(texts, dtype=pl.String)
    frames = [_digit_run_hits(texts, series)]
    # Emails only where there is an "@" (Python's search: memchr, ten times polars' literal
    # search on a large text), birth dates only in texts that speak of them (explicit
    # classes, no case folding: the characters has_birth_context accepts).
    with_at = pl.Series([("@" if isinstance(text, str) else b"@") in text for text in texts], dtype=pl.Boolean)
    emails = _in_texts(
        series,
        with_at,
        lambda subset: vectorised.emails(subset, local=_EMAIL_LOCAL_CLASS, domain=_EMAIL_DOMAIN_BODY),
    )
    births = _in_texts(
        series,
        vectorised.contains(series, _BIRTH_CONTEXT_PATTERN),
        lambda subset: vectorised.birth_dates(
            subset,
            seireki=_rust(_SEIREKI.pattern),
            wareki=_rust(_WAREKI.pattern),
            era_letters=_ERA_LETTERS,
            era_start_years=ERA_START_YEARS,
            today=date.today(),
        ),
    )
    for detector, found in ((Detector.email, emails), (Detector.birth_date, births)):
        if found is not None:
            frames.append(found.select("text", kind=pl.lit(detector.value), value="value", detail="detail"))
    # Detector names as an enum: grouping by text and detector then hashes integers, not strings.
    schema = {"text": pl.UInt32, "kind": pl.Enum([d.value for d in Detector]), "value": pl.String, "detail": pl.String}
    return pl.concat([frame.cast(schema) for frame in frames])  # type: ignore[arg-type]


def _in_texts(
    series: pl.Series, wanted: pl.Series, search: Callable[[pl.Series], pl.DataFrame]
) -> pl.DataFrame | None:
    """``search`` over the ``wanted`` texts only, its ``text`` column mapped back to indices of ``series``; None if none."""
    from breachflow.leakcheck import vectorised

    if not wanted.any():
        return None
    if wanted.all():
        return search(vectorised.column(series))
    found = search(vectorised.column(series.filter(wanted)))
    return found.with_columns(text=wanted.arg_true().gather(found["text"]))


def _digit_run_hits(texts: list[str | bytes], series: pl.Series) -> pl.DataFrame:
    import polars as pl

    from breachflow.leakcheck import vectorised

    # Runs are extracted only from texts that could hold a hit: one scan that stops at the
    # first candidate, instead of pulling out every date of a log.
    runs = _in_texts(
        series,
        vectorised.contains(series, _DIGIT_HIT_CANDIDATE),
        lambda subset: vectorised.find_runs(
            subset,
            _DIGIT_RUN.pattern,
            gap=_postal_gap_rust(),
            gap_chars=_python_spaces() + _POSTAL_GAP_EXTRA,
            prefecture=_PREFECTURE.pattern,
            prefecture_chars="".join(sorted(set("".join(PREFECTURES)))),
        ),
    )
    if runs is None:
        return pl.DataFrame(schema={"text": pl.UInt32, "kind": pl.String, "value": pl.String, "detail": pl.String})
    found = vectorised.classify_runs(
        runs,
        separators=_SEPARATORS,
        postal_dashes=_POSTAL_DASHES,
        mobile_prefixes=_MOBILE_PREFIXES,
        my_number_weights=_MY_NUMBER_WEIGHTS_LEFT_TO_RIGHT,
    )
    special = pl.col("kind").is_in(list(_SPECIAL_KINDS))
    unsettled = found.filter(special)
    found = found.filter(~special).select("text", "rank", "kind", "value", "detail", piece=pl.lit(0, pl.UInt32))
    if unsettled.height:
        found = pl.concat([found, _settle_in_python(texts, unsettled)]).sort("text", "rank", "piece", maintain_order=True)
    return found.select("text", "kind", "value", "detail")


def _settle_in_python(texts: list[str | bytes], unsettled: pl.DataFrame) -> pl.DataFrame:
    """Hits of the runs the columns could not settle, classified in Python (where they stand if need be)."""
    import polars as pl

    from breachflow.leakcheck import vectorised

    decoded: dict[int, str] = {}

    def text_of(index: int) -> str:
        text = texts[index]
        if isinstance(text, bytes):
            if index not in decoded:
                decoded[index] = text.decode("utf-8")
            return decoded[index]
        return text

    starts: dict[int, list[int]] = {}

    def start_of(text: int, rank: int) -> int:
        if text not in starts:
            # Rank i of find_runs is the i-th match of _DIGIT_RUN in its text.
            starts[text] = [match.start() for match in _DIGIT_RUN.finditer(text_of(text))]
        return starts[text][rank]

    postal = Detector.postal_address.value
    rows: list[tuple[int, int, str, str, str | None, int]] = []
    # Postal codes with no prefecture right after them (_postal_hit): a hit after a 〒, or with
    # a prefecture earlier on their line (within 80 characters), searched in one batch.
    looking_back: list[tuple[int, int, str]] = []
    windows: list[str] = []
    columns = unsettled.select("text", "rank", "run", "kind", "value", "postal")
    for text, rank, run, kind, value, is_postal in columns.iter_rows():
        if is_postal:
            source, start = text_of(text), start_of(text, rank)
            if _POSTAL_MARK in source[max(0, start - 2) : start]:
                rows.append((text, rank, postal, value, None, 0))
            else:
                line_start = max(source.rfind("\n", max(0, start - 80), start) + 1, start - 80)
                windows.append(source[line_start:start])
                looking_back.append((text, rank, value))
            continue
        hits: Iterable[_Hit] | None = None
        if kind == vectorised.KIND_PYTHON:
            whole = _classify_run(run)
            if whole is not _NEEDS_CONTEXT:
                hits = whole
        if hits is None:
            hits = _classify_in_place(text_of(text), start_of(text, rank), run)
        rows.extend((text, rank, detector.value, value, detail, piece) for piece, (detector, value, detail) in enumerate(hits))
    if windows:
        # Leftmost match, first alternative there: what _PREFECTURE.search gives.
        earlier = pl.Series(windows, dtype=pl.String).str.extract(f"({_PREFECTURE.pattern})", 1)
        rows.extend(
            (text, rank, postal, value, prefecture, 0)
            for (text, rank, value), prefecture in zip(looking_back, earlier, strict=True)
            if prefecture is not None
        )
    schema = {"text": pl.UInt32, "rank": pl.UInt32, "kind": pl.String, "value": pl.String, "detail": pl.String, "piece": pl.UInt32}
    return pl.DataFrame(rows, schema=schema, orient="row")


def detect_many(texts: list[str | bytes]) -> list[dict[Detector, DetectorHits]]:
    """``detect`` for each of many texts (str or UTF-8 bytes) at once, in polars (the per-call overhead is paid once)."""
    import polars as pl

    results: list[dict[Detector, DetectorHits]] = [{} for _ in texts]
    if not texts:
        return results
    hits = _hit_frame(texts)
    if not hits.height:
        return results
    group = ["text", "kind"]
    stats = hits.group_by(group).agg(count=pl.len(), distinct=pl.col("value").n_unique()).sort(group)
    # Masks of the first distinct values of each text and detector, taken from a prefix of its
    # hits (a value's first occurrence there is its first occurrence). A group that gave fewer
    # than three masks but has more values has them visited by mask key.
    samples: dict[tuple[int, str], list[str]] = {}
    seen: dict[tuple[int, str], int] = {}
    head = hits.group_by(group, maintain_order=True).head(_SHORTLIST)
    shortlist = head.unique(["text", "kind", "value"], keep="first", maintain_order=True)
    for text, kind, value, detail in shortlist.select("text", "kind", "value", "detail").iter_rows():
        found = samples.setdefault((text, kind), [])
        seen[text, kind] = seen.get((text, kind), 0) + 1
        if len(found) < MAX_SAMPLES:
            masked = _masked(_DETECTOR_OF[kind], value, detail)
            if masked not in found:
                found.append(masked)
    # A My Number's mask shows no digit: its one mask is found, and its other values need no visit.
    short = [
        (text, kind)
        for text, kind, _, distinct in stats.iter_rows()
        if len(samples[text, kind]) < MAX_SAMPLES and distinct > seen[text, kind] and kind != Detector.my_number.value
    ]
    if short:
        wanted = pl.DataFrame(short, schema={"text": pl.UInt32, "kind": hits.schema["kind"]}, orient="row")
        rest = hits.join(wanted, on=group, how="semi", maintain_order="left")
        for (kind,), part in rest.partition_by("kind", as_dict=True, maintain_order=True).items():
            detector = _DETECTOR_OF[kind]
            # First occurrences (the detail a value's mask takes), then the first of each mask key.
            part = part.unique(["text", "value"], keep="first", maintain_order=True)
            part = part.with_columns(key=_mask_key(detector)).unique(["text", "key"], keep="first", maintain_order=True)
            for text, value, detail in part.select("text", "value", "detail").iter_rows():
                found = samples[text, kind]
                if len(found) < MAX_SAMPLES:
                    masked = _masked(detector, value, detail)
                    if masked not in found:
                        found.append(masked)
    for text, kind, count, distinct in stats.iter_rows():
        results[text][_DETECTOR_OF[kind]] = DetectorHits(count, distinct, tuple(samples[text, kind]))
    return results


_SHORTLIST = 16


_DETECTOR_OF = {detector.value: detector for detector in Detector}
_SPECIAL_KINDS = frozenset({"context", "python"})
_UNSEEN: _Hit = (Detector.birth_date, "", "unseen")
_EMAIL_LOCAL_STRING = "".join(sorted(_EMAIL_LOCAL_CHARS))
_DIGIT_RUN_SPLIT = re.compile(f"({_DIGIT_RUN.pattern})")
# Every digit-run hit holds ten digits within one run (phones have 10-11, My Number 12, cards
# 13-19, "+81" numbers 11-12) or is a postal code (the whole run or one of its pieces): a text
# where neither shape occurs has no digit-run hit at all.
_DIGIT_HIT_CANDIDATE = f"[{_DIGITS}](?:[{_SEPARATORS}]*[{_DIGITS}]){{9}}|{_POSTAL_SHAPE.pattern}"
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
    if " " not in run:
        return []  # its only piece is the run itself, just tried
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
