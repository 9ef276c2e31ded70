"""The detectors over many texts at once, in polars: the leak check's scanner runs this path.

It must give exactly what the plain detectors (``detectors.detect``, one text at a time)
give: the same counts, distinct counts and masked samples per text. The equivalence tests
are ``tests/leakcheck/test_detectors_fast.py`` (generated texts, customer lists, logs,
prose, every phone, number and date shape; the checksum columns against python-stdnum).

How: each detector's matches are found in one Rust regex pass over a Series of texts, the
digit runs are classified with column expressions (My Number check digit and Luhn by
position), birth dates are converted and checked as columns, and only digit runs whose
meaning depends on more than the match captures (a postal code with no prefecture right
after it, a spaced run whose pieces must be tried one by one) are handed to the plain
``detectors.classify_run`` at their place. The patterns are the plain detectors' own (the
Rust engine reads them alike, ``\\s`` spelled out). Nothing here turns a hit into a Python
object but those runs and the masked samples: values stay in columns, in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from breachflow.japan import ERAS, PREFECTURES
from breachflow.leakcheck.detectors import (
    _DIGIT_RUN,
    _DIGITS,
    _EMAIL_DOMAIN_BODY,
    _EMAIL_LOCAL_CLASS,
    _MOBILE_PREFIXES,
    _POSTAL_DASHES,
    _POSTAL_GAP_PUNCTUATION,
    _POSTAL_MARK,
    _POSTAL_SHAPE,
    _PREFECTURE,
    _SEIREKI,
    _SEPARATORS,
    _WAREKI,
    MAX_SAMPLES,
    Detector,
    DetectorHits,
    Hit,
    classify_run,
    masked,
)

if TYPE_CHECKING:
    import polars as pl


def detect_many(texts: list[str | bytes]) -> list[dict[Detector, DetectorHits]]:
    """``detectors.detect`` for each of many texts (str or UTF-8 bytes) at once (the per-call overhead is paid once)."""
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
            sample = masked(_DETECTOR_OF[kind], value, detail)
            if sample not in found:
                found.append(sample)
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
                    sample = masked(detector, value, detail)
                    if sample not in found:
                        found.append(sample)
    for text, kind, count, distinct in stats.iter_rows():
        results[text][_DETECTOR_OF[kind]] = DetectorHits(count, distinct, tuple(samples[text, kind]))
    return results


_SHORTLIST = 16
_DETECTOR_OF = {detector.value: detector for detector in Detector}

# For the Rust regex engine, whose \s is Unicode White_Space: what Python's \s matches in str
# patterns (str.isspace()), listed. A test checks the list against the regex over every code
# point, which takes a third of a second to compute in each worker.
PYTHON_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
# Every digit-run hit holds ten digits within one run (phones have 10-11, My Number 12, cards
# 13-19, "+81" numbers 11-12) or is a postal code (the whole run or one of its pieces): a text
# where neither shape occurs has no digit-run hit at all.
DIGIT_HIT_CANDIDATE = f"[{_DIGITS}](?:[{_SEPARATORS}]*[{_DIGITS}]){{9}}|{_POSTAL_SHAPE.pattern}"
# The plain detectors' r"生年月日|誕生日|生年|birth|DOB" under re.IGNORECASE, with no case
# folding: for each letter, exactly the characters Python's IGNORECASE matches (İ and ı fold
# to i; a test checks every code point).
BIRTH_CONTEXT = "生年|誕生日|[bB][iIİı][rR][tT][hH]|[dD][oO][bB]"
# My Number check digit weights, left to right over the first 11 digits (総務省令 第五条).
MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_MAX_CARD = 19
_FULL_WIDTH = [chr(0xFF10 + n) for n in range(10)]
_ASCII = [str(n) for n in range(10)]


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(char):x}}}" for char in chars) + "]"


@cache
def _rust(pattern: str) -> str:
    """A Python pattern whose only engine-dependent class is \\s, for the Rust engine."""
    return pattern.replace("\\s", _char_class(PYTHON_SPACES))


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


def _hit_frame(texts: list[str | bytes]) -> pl.DataFrame:
    """Every hit in ``texts`` (str or valid UTF-8 bytes) as columns ``text`` (index), ``kind``, ``value``, ``detail``.

    Per text and detector, hits are in the order ``detectors.hits_of`` gives them: emails
    and digit runs in text order, birth dates 西暦 first then 和暦.
    """
    import polars as pl

    if any(isinstance(text, bytes) for text in texts):
        # UTF-8 bytes go in as they are (a copy, no conversion); the cast checks them.
        binary = [text if isinstance(text, bytes) else text.encode("utf-8") for text in texts]
        series = pl.Series(binary, dtype=pl.Binary).cast(pl.String)
    else:
        series = pl.Series(texts, dtype=pl.String)
    frames = [_digit_run_hits(texts, series)]
    # Emails only where there is an "@" (Python's search: memchr, ten times polars' literal
    # search on a large text), birth dates only in texts that speak of them.
    with_at = pl.Series([("@" if isinstance(text, str) else b"@") in text for text in texts], dtype=pl.Boolean)
    found_emails = _in_texts(series, with_at, emails)
    births = _in_texts(series, contains(series, BIRTH_CONTEXT), lambda subset: birth_dates(subset, today=date.today()))
    for detector, found in ((Detector.email, found_emails), (Detector.birth_date, births)):
        if found is not None:
            frames.append(found.select("text", kind=pl.lit(detector.value), value="value", detail="detail"))
    # Detector names as an enum: grouping by text and detector then hashes integers, not strings.
    schema = {"text": pl.UInt32, "kind": pl.Enum([d.value for d in Detector]), "value": pl.String, "detail": pl.String}
    return pl.concat([frame.cast(schema) for frame in frames])  # type: ignore[arg-type]


def _in_texts(
    series: pl.Series, wanted: pl.Series, search: Callable[[pl.Series], pl.DataFrame]
) -> pl.DataFrame | None:
    """``search`` over the ``wanted`` texts only, its ``text`` column mapped back to indices of ``series``; None if none."""
    if not wanted.any():
        return None
    if wanted.all():
        return search(column(series))
    found = search(column(series.filter(wanted)))
    return found.with_columns(text=wanted.arg_true().gather(found["text"]))


def _digit_run_hits(texts: list[str | bytes], series: pl.Series) -> pl.DataFrame:
    import polars as pl

    # Runs are extracted only from texts that could hold a hit: one scan that stops at the
    # first candidate, instead of pulling out every date of a log.
    runs = _in_texts(series, contains(series, DIGIT_HIT_CANDIDATE), find_runs)
    if runs is None:
        return pl.DataFrame(schema={"text": pl.UInt32, "kind": pl.String, "value": pl.String, "detail": pl.String})
    found = classify_runs(runs)
    special = pl.col("kind").is_in([KIND_PYTHON, KIND_CONTEXT])
    unsettled = found.filter(special)
    found = found.filter(~special).select("text", "rank", "kind", "value", "detail", piece=pl.lit(0, pl.UInt32))
    if unsettled.height:
        found = pl.concat([found, _settle_in_python(texts, unsettled)]).sort("text", "rank", "piece", maintain_order=True)
    return found.select("text", "kind", "value", "detail")


def _settle_in_python(texts: list[str | bytes], unsettled: pl.DataFrame) -> pl.DataFrame:
    """Hits of the runs the columns could not settle, classified by ``detectors.classify_run`` where they stand."""
    import polars as pl

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
    # Postal codes with no prefecture right after them: a hit after a 〒, or with a prefecture
    # earlier on their line (within 80 characters, as detectors._postal_hit), searched in one batch.
    looking_back: list[tuple[int, int, str]] = []
    windows: list[str] = []
    columns = unsettled.select("text", "rank", "run", "value", "postal", "plus")
    for text, rank, run, value, is_postal, plus in columns.iter_rows():
        if is_postal:
            source, start = text_of(text), start_of(text, rank)
            if _POSTAL_MARK in source[max(0, start - 2) : start]:
                rows.append((text, rank, postal, value, None, 0))
            else:
                line_start = max(source.rfind("\n", max(0, start - 80), start) + 1, start - 80)
                windows.append(source[line_start:start])
                looking_back.append((text, rank, value))
            continue
        if any(_POSTAL_SHAPE.fullmatch(piece) for piece in run.split(" ")):
            hits: list[Hit] = classify_run(text_of(text), start_of(text, rank), run)
        else:
            # With no postal code among its pieces, a run's hits depend on nothing around it but
            # a "+" right before it: the run alone, after its "+", is context enough.
            before = "+" if plus else ""
            hits = classify_run(before + run, len(before), run)
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


# What the columnar classification says about a distinct run.
KIND_PYTHON = "python"  # space-separated run that is nothing as a whole: pieces classified in Python
KIND_CONTEXT = "context"  # postal code or "81...": settled with what stands around it


def column(texts: pl.Series) -> pl.Series:
    """``texts``, with an empty text after it if it holds one text (the empty text has no hit).

    Polars takes a one-row column for a scalar and copies its value at every step: on a
    32 MB text, 27 ms a step where two rows take 0.1 ms.
    """
    import polars as pl

    return pl.concat([texts, pl.Series([""], dtype=pl.String)]) if texts.len() == 1 else texts


def matches(texts: pl.Series, pattern: str) -> pl.DataFrame:
    """Every non-overlapping match of the Rust regex ``pattern``: ``text`` (its index) and ``match``, in text order."""
    import polars as pl

    found = pl.DataFrame({"match": texts.str.extract_all(pattern)}).with_row_index("text")
    return found.explode("match").drop_nulls("match")


def contains(texts: pl.Series, pattern: str) -> pl.Series:
    """Per text: does the Rust regex ``pattern`` match somewhere in it (no case folding)?"""
    return column(texts).str.contains(pattern).head(texts.len())


def find_runs(texts: pl.Series) -> pl.DataFrame:
    """The texts' digit runs in text order (``text``, ``rank``, ``run``) with what stands around them.

    ``plus`` says the run follows "+" or "＋" (a "+81..." number); ``after`` is the
    prefecture that follows the run past at most a postal gap (null if none): a postal code
    with it is settled without looking around in Python. Matching these too does not move
    any run: they hold no digit, so no run starts in them, the run part stays the longest,
    as the run pattern alone gives it, and no match ends on a "+". ``rank`` ``i`` is the
    text's ``i``-th run. The parts are cut with character sets, not a second regex: a run
    starts and ends with a digit, and neither the gap's characters nor the prefectures' hold one.
    """
    import polars as pl

    gap_chars = PYTHON_SPACES + _POSTAL_GAP_PUNCTUATION
    prefecture_chars = "".join(sorted(set("".join(PREFECTURES))))
    gap = _char_class(gap_chars) + "{0,4}"
    match, body, run, tail = pl.col("match"), pl.col("body"), pl.col("run"), pl.col("tail")
    found = pl.DataFrame({"match": texts.str.extract_all(f"[+＋]?(?:{_DIGIT_RUN.pattern})(?:{gap}(?:{_PREFECTURE.pattern}))?")})
    # Each text's matches numbered as they come (a window over the texts costs several times more).
    found = found.with_row_index("text").with_columns(rank=pl.int_ranges(match.list.len(), dtype=pl.UInt32))
    found = found.explode("match", "rank").drop_nulls("match")
    # In steps: an eager select evaluates a shared sub-expression once per use.
    found = found.with_columns(body=match.str.strip_chars_start("+＋"))
    found = found.with_columns(run=body.str.strip_chars_end(gap_chars + prefecture_chars))
    found = found.with_columns(tail=body.str.strip_prefix(run))
    return found.select(
        "text",
        "rank",
        "run",
        after=pl.when(tail != "").then(tail.str.strip_chars_start(gap_chars)),
        plus=body.str.len_bytes() != match.str.len_bytes(),
    )


# Kinds of a run that its own frame settles: by a checksum, a "+" or the shape of a postal code.
_CHECK_MY_NUMBER = "check my_number"
_CHECK_CARD = "check card_number"
_CHECK_81 = "check 81"
_CHECK_SHORT = "check short"


def classify_runs(runs: pl.DataFrame) -> pl.DataFrame:
    """What each run of ``find_runs`` is, in their order: ``text``, ``rank``, ``run``, ``kind``, ``value``, ``detail``, ``postal``, ``plus``.

    ``kind`` is a detector name (phone, postal_address, my_number, card_number), KIND_CONTEXT
    (settled in Python with what stands around the run: a postal code with no prefecture
    right after it, ``postal`` true, or an "81..." number that is nothing after a "+" or
    alone) or KIND_PYTHON (a spaced run that is nothing as a whole: its pieces are classified
    in Python). Runs that are nothing are dropped. The rules are those of
    ``detectors.classify_run``. Each run is sorted once by its digit count and first five
    digits (as an integer: a prefix is a range of it); only the runs that need a checksum, a
    look at their "+" or at where their dash stands get that, each kind in its own frame.
    """
    import polars as pl

    run, digits, length, head, kind = pl.col("run"), pl.col("digits"), pl.col("length"), pl.col("head"), pl.col("kind")
    separator_chars = [char for char in _SEPARATORS.replace("\\", "")]
    # One pass drops the separators and turns full-width digits into ASCII: digits then count in bytes.
    frame = runs.with_row_index("row").with_columns(
        digits=run.str.replace_many(separator_chars + _FULL_WIDTH, [""] * len(separator_chars) + _ASCII),
        chars=run.str.len_chars(),
    )
    # head: the first five digits, "09012" as 9012; the rules below look at it for ten digits or more.
    frame = frame.with_columns(length=digits.str.len_bytes(), head=digits.str.slice(0, 5).cast(pl.UInt32))
    separated = pl.col("chars") != length
    domestic = head.is_between(1_000, 9_999)  # starts with "0", not "00"
    mobile = (head // 100).is_in([int(prefix) for prefix in _MOBILE_PREFIXES]) | (head // 10 == 800)  # 0X0 or 0800
    frame = frame.with_columns(
        kind=pl.when(length < 10)
        .then(pl.lit(_CHECK_SHORT))
        .when(length.is_in([11, 12]) & (head // 1_000 == 81))
        .then(pl.lit(_CHECK_81))
        .when(length == 12)
        .then(pl.lit(_CHECK_MY_NUMBER))
        .when(length.is_between(13, _MAX_CARD) & head.is_between(30_000, 69_999))  # a card brand's first digit: 3-6
        .then(pl.lit(_CHECK_CARD))
        .when(((length == 11) & mobile) | ((length == 10) & separated & domestic))
        .then(pl.lit("phone")),
        detail=pl.lit(None, dtype=pl.String),
        postal=pl.lit(False),
    )
    checks = [_CHECK_SHORT, _CHECK_81, _CHECK_MY_NUMBER, _CHECK_CARD]
    settled = [frame.filter(~kind.is_in(checks) & kind.is_not_null())]
    # A spaced run that is nothing as a whole may hold hits: its pieces go to Python.
    or_pieces = pl.when(run.str.contains(" ", literal=True)).then(pl.lit(KIND_PYTHON))
    nothing = frame.filter(kind.is_null())
    if nothing.height:
        settled.append(nothing.with_columns(kind=or_pieces))
    short = frame.filter(kind == _CHECK_SHORT)
    if short.height:
        # Seven digits and one separator, a dash after the third digit: a postal code, settled
        # when a prefecture follows it, else by what stands before it.
        postal = (length == 7) & (pl.col("chars") == 8) & run.str.slice(3, 1).is_in(list(_POSTAL_DASHES))
        has_prefecture = pl.col("after").is_not_null()
        short = short.with_columns(postal=postal)
        short = short.with_columns(
            kind=pl.when(pl.col("postal"))
            .then(pl.when(has_prefecture).then(pl.lit("postal_address")).otherwise(pl.lit(KIND_CONTEXT)))
            .otherwise(or_pieces),
            detail=pl.when(pl.col("postal")).then(pl.col("after")),
            postal=pl.col("postal") & ~has_prefecture,
        )
        settled.append(short)
    my_number_ok, luhn_ok = checksums(pl.col("number"))
    number = digits.str.slice(0, _MAX_CARD).cast(pl.UInt64)
    for check, ok, detector in ((_CHECK_CARD, luhn_ok, "card_number"), (_CHECK_MY_NUMBER, my_number_ok, "my_number")):
        checked = frame.filter(kind == check)
        if checked.height:
            checked = checked.with_columns(number=number)
            settled.append(checked.with_columns(kind=pl.when(ok).then(pl.lit(detector)).otherwise(or_pieces)).drop("number"))
    eighty_one = frame.filter(kind == _CHECK_81)
    if eighty_one.height:
        eighty_one = eighty_one.with_columns(number=number)
        # After "+", "81..." reads as the domestic "0..." (one digit shorter): a phone? Alone, a My Number?
        mobile_81 = [int("81" + prefix[1:]) for prefix in _MOBILE_PREFIXES]
        phone_81 = (head // 100 != 810) & (
            ((length == 12) & ((head // 10).is_in(mobile_81) | (head == 81_800))) | ((length == 11) & separated)
        )
        as_81 = pl.when(pl.col("plus")).then(pl.when(phone_81).then(pl.lit("phone"))).otherwise(
            pl.when((length == 12) & my_number_ok).then(pl.lit("my_number"))
        )
        settled.append(
            eighty_one.with_columns(
                kind=pl.coalesce(as_81, pl.when(run.str.contains(" ", literal=True)).then(pl.lit(KIND_CONTEXT))),
                digits=pl.when(pl.col("plus") & phone_81).then("0" + digits.str.slice(2)).otherwise(digits),
            ).drop("number")
        )
    return (
        pl.concat(settled)
        .drop_nulls("kind")
        .sort("row")
        .select("text", "rank", "run", "kind", value="digits", detail="detail", postal="postal", plus="plus")
    )


def checksums(number: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Is ``number`` a My Number (by its check digit), does it pass Luhn: the digits of a run as an unsigned integer.

    ``number`` holds the run's first 19 digits; the My Number check reads its last 12 (only
    12-digit runs are asked), Luhn all of them. Column arithmetic, no string per digit:
    python-stdnum's ``jp.in_`` and ``luhn`` say the same (tested).
    """
    import polars as pl

    digit = [(number // 10**i) % 10 for i in range(_MAX_CARD)]  # digit[i]: i-th from the end
    # My Number: 12 digits, the weights apply left to right to the first 11, check digit last.
    remainder = pl.sum_horizontal([digit[11 - j] * w for j, w in enumerate(MY_NUMBER_WEIGHTS)]) % 11
    my_number_ok = pl.when(remainder <= 1).then(0).otherwise(11 - remainder) == digit[0]
    # Luhn from the last digit: odd positions (from 0) doubled, minus 9 above 9.
    luhn_terms = [digit[i] if i % 2 == 0 else digit[i] * 2 - (digit[i] >= 5).cast(pl.UInt64) * 9 for i in range(_MAX_CARD)]
    return my_number_ok, pl.sum_horizontal(luhn_terms) % 10 == 0


def emails(texts: pl.Series) -> pl.DataFrame:
    """Addresses in text order: ``text``, ``value`` (lower-cased) and ``detail`` (the local part's first character).

    The local part is the run of local-part characters right before "@" (at most 64, leading
    dots dropped), never reaching back into the previous match; an "@domain" with no local
    part is no hit but still consumed, as the plain detectors' domain search does.
    """
    import polars as pl

    found = matches(texts, f"{_EMAIL_LOCAL_CLASS}{{0,64}}@(?:{_EMAIL_DOMAIN_BODY})")
    parts = found["match"].str.split_exact("@", 1).struct.unnest()
    head = pl.col("field_0").str.strip_chars_start(".")
    return (
        pl.concat([found.select("text"), parts], how="horizontal")
        .lazy()
        .select("text", head=head, domain=pl.col("field_1"))
        .filter(pl.col("head") != "")
        .select(
            "text",
            value=pl.concat_str("head", pl.lit("@"), "domain").str.to_lowercase(),
            detail=pl.col("head").str.slice(0, 1),
        )
        .collect()
    )


def birth_dates(texts: pl.Series, *, today: date) -> pl.DataFrame:
    """Plausible birth dates: ``text``, ``value`` (YYYYMMDD), ``detail`` (the era); all 西暦 ones first, then all 和暦."""
    import polars as pl

    def groups(found: pl.DataFrame, era: dict[str, str] | None = None) -> pl.LazyFrame:
        # The groups without a capturing search (a backtracker, the slowest step here): a match's
        # digit runs, "元" included, are exactly its number groups, since nothing else in it holds
        # a digit and a separator stands between any two of them. Not strict: "元" (year one)
        # becomes null here and is replaced by 1 below. An era is told by its first character.
        numbers = pl.col("match").str.replace_many(_FULL_WIDTH, _ASCII).str.extract_all("元|[0-9]+")
        eras = {} if era is None else {"era": pl.col("match").str.slice(0, 1).replace_strict(era)}
        return (
            found.lazy()
            .with_columns(numbers=numbers)
            .select("text", **eras, **{str(i): pl.col("numbers").list.get(i).cast(pl.Int32, strict=False) for i in range(3)})
        )

    def plausible(frame: pl.LazyFrame) -> pl.LazyFrame:
        # YYYYMMDD as one number (the year has four digits here), then as text.
        value = (pl.col("y") * 10_000 + pl.col("m") * 100 + pl.col("d")).cast(pl.String)
        frame = frame.filter(pl.col("y").is_between(1900, today.year), pl.col("m") <= 12, pl.col("d") <= 31)
        frame = frame.with_columns(value=value)
        return frame.filter(pl.col("value").str.to_date("%Y%m%d", strict=False) <= today)

    frames = []
    western = matches(texts, _rust(_SEIREKI.pattern))
    if western.height:
        western = groups(western).select("text", y="0", m="1", d="2")
        frames.append(plausible(western).select("text", "value", detail=pl.lit(None, dtype=pl.String)))
    japanese = matches(texts, _rust(_WAREKI.pattern))
    if japanese.height:
        by_first = {**{era.name[0]: era.name for era in ERAS}, **{era.letter: era.name for era in ERAS}}
        assert len(by_first) == 2 * len(ERAS), "each era is told by its first character"
        offsets = {era.name: era.offset for era in ERAS}
        japanese = (
            groups(japanese, by_first)
            .select("text", "era", era_year=pl.col("0").fill_null(1), m="1", d="2")
            .filter(pl.col("era_year") >= 1)
            .with_columns(y=pl.col("era").replace_strict(offsets, return_dtype=pl.Int32) + pl.col("era_year"))
        )
        frames.append(plausible(japanese).select("text", "value", detail=pl.col("era")))
    if not frames:
        return pl.DataFrame(schema={"text": pl.UInt32, "value": pl.String, "detail": pl.String})
    # Not sorted by text: each text's 西暦 hits come before its 和暦 hits, each in text order,
    # which is the order per text that callers group by.
    return pl.concat(frames).collect()

