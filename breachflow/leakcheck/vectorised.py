"""Digit-run detection over a whole text in polars (Rust regex, columnar checksums).

Same results as classifying every run in Python (``detectors._classify_run``): the runs are
found line by line (a run never crosses a newline: it holds only digits and separators),
each distinct run is classified with column expressions (My Number check digit and Luhn
by position), and only runs whose meaning depends on their surroundings (postal codes,
"+81") or that split into space-separated pieces are handed back to Python, with their
position in the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

# What the columnar classification says about a distinct run.
KIND_PYTHON = "python"  # space-separated run that is nothing as a whole: pieces classified in Python
KIND_CONTEXT = "context"  # postal code or "+81...": classified where it stands

_FULL_WIDTH = [chr(0xFF10 + n) for n in range(10)]
_ASCII = [str(n) for n in range(10)]
_MAX_CARD = 19
def classify_runs(
    runs: pl.Series, *, separators: str, postal_shape: str, mobile_prefixes: tuple[str, ...], my_number_weights: tuple[int, ...]
) -> pl.DataFrame:
    """Distinct runs with ``kind`` (a detector name, context, python or null) and ``digits``."""
    import polars as pl

    run = pl.col("run")
    digits = run.str.replace_all(f"[{separators}]", "").str.replace_many(_FULL_WIDTH, _ASCII)
    # Built in steps: one large expression tree costs more to plan than to run on a file's runs.
    frame = pl.DataFrame({"run": runs.unique()}).with_columns(digits=digits)
    d = pl.col("digits")
    frame = frame.with_columns(
        length=d.str.len_chars(),
        separated=d.str.len_chars() != run.str.len_chars(),
        first=d.str.slice(0, 1),
        # At most 19 digits are ever checked, and 19 digits fit in an unsigned 64-bit integer.
        number=d.str.slice(0, _MAX_CARD).cast(pl.UInt64, strict=False),
    )
    length = pl.col("length")
    number = pl.col("number")
    digit = [(number // 10**i) % 10 for i in range(_MAX_CARD)]  # digit[i]: i-th from the end
    # My Number: 12 digits, the weights apply left to right to the first 11, check digit last.
    remainder = pl.sum_horizontal([digit[11 - j] * w for j, w in enumerate(my_number_weights)]) % 11
    # Luhn from the last digit: odd positions (from 0) doubled, minus 9 above 9.
    luhn_terms = [
        digit[i] if i % 2 == 0 else digit[i] * 2 - (digit[i] >= 5).cast(pl.UInt64) * 9 for i in range(_MAX_CARD)
    ]
    frame = frame.with_columns(
        my_number_ok=pl.when(remainder <= 1).then(0).otherwise(11 - remainder) == digit[0],
        luhn_ok=pl.sum_horizontal(luhn_terms) % 10 == 0,
        card_brand=pl.col("first").is_in(["3", "4", "5", "6"]),
        phone=d.str.starts_with("0")
        & ~d.str.starts_with("00")
        & (
            ((length == 11) & pl.any_horizontal([d.str.starts_with(p) for p in (*mobile_prefixes, "0800")]))
            | ((length == 10) & pl.col("separated"))
        ),
        postal=(length == 7) & run.str.contains(f"^(?:{postal_shape})$"),
        spaced=run.str.contains(" ", literal=True),
    )
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
    frame = frame.with_columns(kind=whole)
    kind = pl.when(pl.col("kind").is_null() & pl.col("spaced")).then(pl.lit(KIND_PYTHON)).otherwise(pl.col("kind"))
    return frame.select("run", "digits", "postal", kind=kind).drop_nulls("kind")


def find_runs(text: str, pattern: str, *, gap: str, prefecture: str) -> tuple[list[str], pl.DataFrame]:
    """The text's lines and its runs in text order, with line, rank in the line and a prefecture right after.

    ``after`` is the prefecture that follows the run past at most ``gap`` in the same line
    (null if none): a postal code with it is settled without looking back in Python. Matching
    the gap and prefecture too does not move any run: they hold no digit, so no run starts
    in them, and the run part stays the longest, as the run pattern alone gives it.
    """
    import polars as pl

    lines = text.split("\n")
    with_after = f"(?:{pattern})(?:{gap}(?:{prefecture}))?"
    per_line = pl.DataFrame({"match": pl.Series(lines).str.extract_all(with_after)}).with_row_index("line")
    # The rank of a run in its line: its row minus the row of its line's first run.
    counts = per_line["match"].list.len()
    per_line = per_line.with_columns(first_row=counts.cum_sum() - counts)
    runs = per_line.explode("match").drop_nulls("match").with_row_index("row")
    parts = pl.col("match").str.extract_groups(f"^({pattern})(?:{gap}({prefecture}))?$")
    runs = runs.with_columns(run=parts.struct.field("1"), after=parts.struct.field("2")).drop("match")
    return lines, runs


def positions(lines: list[str], wanted: Iterable[tuple[int, int]], finder: Callable[[str], list[int]]) -> dict[tuple[int, int], int]:
    """Offsets in the joined text of the runs (line, rank in the line) asked for."""
    wanted = list(wanted)
    line_starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
    offsets: dict[tuple[int, int], int] = {}
    starts_in_line: dict[int, list[int]] = {}
    for line, rank in wanted:
        starts = starts_in_line.get(line)
        if starts is None:
            starts = starts_in_line[line] = finder(lines[line])
        offsets[line, rank] = line_starts[line] + starts[rank]
    return offsets


def contains(text: str, pattern: str) -> bool:
    """True when the Rust regex ``pattern`` matches somewhere in ``text`` (no case folding)."""
    import polars as pl

    return bool(pl.Series([text]).str.contains(pattern).item())
