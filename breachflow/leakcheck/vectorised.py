"""Detection over many texts at once in polars (Rust regex, columnar checksums and dates).

Same results as the Python path of ``detectors.Detection`` (itself checked against the
straightforward reference): each detector's matches are found in one Rust regex pass over
a Series of texts, distinct digit runs are classified with column expressions (My Number
check digit and Luhn by position), birth dates are converted and checked as columns, and
only digit runs whose meaning depends on more than the match captures (a postal code with
no prefecture right after it, a spaced run whose pieces must be tried one by one) are handed
back to ``detectors``, with their rank among their text's runs. Nothing here turns a hit
into a Python object: callers get frames of values, which stay in memory.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

# What the columnar classification says about a distinct run.
KIND_PYTHON = "python"  # space-separated run that is nothing as a whole: pieces classified in Python
KIND_CONTEXT = "context"  # postal code or "81...": settled with what stands around it

_FULL_WIDTH = [chr(0xFF10 + n) for n in range(10)]
_ASCII = [str(n) for n in range(10)]
_MAX_CARD = 19


def matches(texts: pl.Series, pattern: str) -> pl.DataFrame:
    """Every non-overlapping match of the Rust regex ``pattern``: ``text`` (its index) and ``match``, in text order."""
    import polars as pl

    found = pl.DataFrame({"match": texts.str.extract_all(pattern)}).with_row_index("text")
    return found.explode("match").drop_nulls("match")


def contains(texts: pl.Series, pattern: str) -> pl.Series:
    """Per text: does the Rust regex ``pattern`` match somewhere in it (no case folding)?"""
    return texts.str.contains(pattern)


def find_runs(texts: pl.Series, pattern: str, *, gap: str, gap_chars: str, prefecture: str, prefecture_chars: str) -> pl.DataFrame:
    """The texts' digit runs in text order (``text``, ``rank``, ``run``) with what stands around them.

    ``plus`` says the run follows "+" or "＋" (a "+81..." number); ``after`` is the
    prefecture that follows the run past at most ``gap`` (null if none): a postal code with it
    is settled without looking around in Python. Matching these too does not move any run:
    they hold no digit, so no run starts in them, the run part stays the longest, as the run
    pattern alone gives it, and no match ends on a "+". ``rank`` ``i`` is the text's ``i``-th
    run of ``pattern``. The parts are cut with character sets, not a second regex: a run
    starts and ends with a digit, and neither the gap's characters (``gap_chars``) nor the
    prefectures' (``prefecture_chars``) hold one.
    """
    import polars as pl

    found = matches(texts, f"[+＋]?(?:{pattern})(?:{gap}(?:{prefecture}))?")
    match, body, run, tail = pl.col("match"), pl.col("body"), pl.col("run"), pl.col("tail")
    # In steps: an eager select evaluates a shared sub-expression once per use.
    found = found.with_columns(body=match.str.strip_chars_start("+＋"))
    found = found.with_columns(run=body.str.strip_chars_end(gap_chars + prefecture_chars))
    found = found.with_columns(tail=body.str.strip_prefix(run))
    return found.select(
        "text",
        rank=pl.int_range(pl.len(), dtype=pl.UInt32).over("text"),
        run=run,
        after=pl.when(tail != "").then(tail.str.strip_chars_start(gap_chars)),
        plus=body.str.len_bytes() != match.str.len_bytes(),
    )


def classify_runs(
    runs: pl.Series, *, separators: str, postal_shape: str, mobile_prefixes: tuple[str, ...], my_number_weights: tuple[int, ...]
) -> pl.DataFrame:
    """Distinct runs with ``kind`` (a detector name, context or python; unclassified runs dropped) and ``digits``."""
    import polars as pl

    frame = pl.DataFrame({"run": runs.unique()})
    digits, shape, features, checks, kind, spaced_kind = _classification(separators, postal_shape, mobile_prefixes, my_number_weights)
    # Built in steps: one large expression tree costs more to plan than to run on a file's runs.
    frame = frame.with_columns(**digits).with_columns(**shape).with_columns(**features)
    # The checksums only for the runs long enough to be a My Number or a card number.
    long = pl.col("length") >= 12
    frame = pl.concat(
        [frame.filter(long).with_columns(**checks), frame.filter(~long).with_columns(my_number_ok=False, luhn_ok=False)],
        how="diagonal",
    )
    frame = frame.with_columns(**kind).with_columns(**spaced_kind)
    return frame.select("run", "digits", "postal", "spaced", "my_number_ok", "phone_81", "kind").drop_nulls("kind")


@cache
def _classification(
    separators: str, postal_shape: str, mobile_prefixes: tuple[str, ...], my_number_weights: tuple[int, ...]
) -> tuple[dict[str, pl.Expr], ...]:
    """The column steps of classify_runs, built once (building them cost as much as running them)."""
    import polars as pl

    run = pl.col("run")
    d = pl.col("digits")
    length = pl.col("length")
    number = pl.col("number")
    digit = [(number // 10**i) % 10 for i in range(_MAX_CARD)]  # digit[i]: i-th from the end
    # My Number: 12 digits, the weights apply left to right to the first 11, check digit last.
    remainder = pl.sum_horizontal([digit[11 - j] * w for j, w in enumerate(my_number_weights)]) % 11
    # Luhn from the last digit: odd positions (from 0) doubled, minus 9 above 9.
    luhn_terms = [
        digit[i] if i % 2 == 0 else digit[i] * 2 - (digit[i] >= 5).cast(pl.UInt64) * 9 for i in range(_MAX_CARD)
    ]
    whole = (
        pl.when(length < 10)
        .then(pl.when(pl.col("postal")).then(pl.lit(KIND_CONTEXT)))
        .when(length.is_in([11, 12]) & d.str.starts_with("81"))
        .then(pl.lit(KIND_CONTEXT))
        .when(length == 12)
        .then(pl.when(pl.col("my_number_ok")).then(pl.lit("my_number")))
        .when((length == 16) & pl.col("card_brand"))
        .then(pl.when(pl.col("luhn_ok")).then(pl.lit("card_number")))
        .when(pl.col("phone"))
        .then(pl.lit("phone"))
        .when(length.is_between(13, _MAX_CARD) & pl.col("card_brand") & pl.col("luhn_ok"))
        .then(pl.lit("card_number"))
    )
    kind = pl.col("kind")
    # One pass that drops the separators and turns full-width digits into ASCII.
    separator_chars = [char for char in separators.replace("\\", "")]
    return (
        {"digits": run.str.replace_many(separator_chars + _FULL_WIDTH, [""] * len(separator_chars) + _ASCII)},
        {
            "length": d.str.len_chars(),
            "separated": d.str.len_chars() != run.str.len_chars(),
            "card_brand": d.str.slice(0, 1).is_in(["3", "4", "5", "6"]),
            # At most 19 digits are ever checked, and 19 digits fit in an unsigned 64-bit integer.
            "number": d.str.slice(0, _MAX_CARD).cast(pl.UInt64, strict=False),
        },
        {
            "phone": d.str.starts_with("0")
            & ~d.str.starts_with("00")
            & (
                ((length == 11) & pl.any_horizontal([d.str.starts_with(p) for p in (*mobile_prefixes, "0800")]))
                | ((length == 10) & pl.col("separated"))
            ),
            # After a "+", "81..." reads as the domestic "0..." (one digit shorter): a phone?
            "phone_81": d.str.starts_with("81")
            & ~d.str.starts_with("810")
            & (
                ((length == 12) & pl.any_horizontal([d.str.starts_with("81" + p[1:]) for p in (*mobile_prefixes, "0800")]))
                | ((length == 11) & pl.col("separated"))
            ),
            "postal": (length == 7) & run.str.contains(f"^(?:{postal_shape})$"),
            "spaced": run.str.contains(" ", literal=True),
        },
        {
            "my_number_ok": pl.when(remainder <= 1).then(0).otherwise(11 - remainder) == digit[0],
            "luhn_ok": pl.sum_horizontal(luhn_terms) % 10 == 0,
        },
        {"kind": whole},
        {"kind": pl.when(kind.is_null() & pl.col("spaced")).then(pl.lit(KIND_PYTHON)).otherwise(kind)},
    )


def emails(texts: pl.Series, *, local: str, domain: str) -> pl.DataFrame:
    """Addresses in text order: ``text``, ``value`` (lower-cased) and ``detail`` (the local part's first character).

    The local part is the run of ``local`` characters right before "@" (at most 64, leading
    dots dropped), never reaching back into the previous match; an "@domain" with no local
    part is no hit but still consumed, as the Python path's domain search does.
    """
    import polars as pl

    found = matches(texts, f"{local}{{0,64}}@(?:{domain})")
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


def birth_dates(
    texts: pl.Series, *, seireki: str, wareki: str, era_letters: dict[str, str], era_start_years: dict[str, int], today: date
) -> pl.DataFrame:
    """Plausible birth dates: ``text``, ``value`` (YYYYMMDD), ``detail`` (the era); all 西暦 ones first, then all 和暦."""
    import polars as pl

    def number(column: str) -> pl.Expr:
        # Not strict: "元" (year one) becomes null here and is replaced by 1 below.
        return pl.col(column).str.replace_many(_FULL_WIDTH, _ASCII).cast(pl.Int32, strict=False)

    def groups(pattern: str) -> pl.LazyFrame:
        found = matches(texts, pattern)
        parts = found["match"].str.extract_groups(f"^(?:{pattern})$").struct.unnest()
        return pl.concat([found.select("text"), parts], how="horizontal").lazy()

    def plausible(frame: pl.LazyFrame) -> pl.LazyFrame:
        # YYYYMMDD as one number (the year has four digits here), then as text.
        value = (pl.col("y") * 10_000 + pl.col("m") * 100 + pl.col("d")).cast(pl.String)
        frame = frame.filter(pl.col("y").is_between(1900, today.year), pl.col("m") <= 12, pl.col("d") <= 31)
        frame = frame.with_columns(value=value)
        return frame.filter(pl.col("value").str.to_date("%Y%m%d", strict=False) <= today)

    western = groups(seireki).select("text", y=number("1"), m=number("2"), d=number("3"))
    western = plausible(western).select("text", "value", detail=pl.lit(None, dtype=pl.String))
    era_year = pl.when(pl.col("2") == "元").then(1).otherwise(number("2"))
    japanese = (
        groups(wareki)
        .select("text", era=pl.col("1").replace(era_letters), era_year=era_year, m=number("3"), d=number("4"))
        .filter(pl.col("era_year") >= 1)
        .with_columns(y=pl.col("era").replace_strict(era_start_years, return_dtype=pl.Int32) + pl.col("era_year") - 1)
    )
    japanese = plausible(japanese).select("text", "value", detail=pl.col("era"))
    # Not sorted by text: each text's 西暦 hits come before its 和暦 hits, each in text order,
    # which is the order per text that callers group by.
    return pl.concat([western, japanese]).collect()
