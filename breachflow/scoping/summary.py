"""Aggregate breakdowns of the person frame; each breakdown sums to the number of persons.

Age bands are 10 years wide ("0-9", "10-19", … "80-89") with "90+" on top, computed as of
the given day from the birth date, or from an age column when there is no birth date.
Unknown values are counted as "unknown", never dropped. ``contactable`` counts, for each
channel, the persons it can reach (a person may count for several); ``none`` counts those
reachable by no channel.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from breachflow.scoping.model import Contactable
from breachflow.scoping.normalize import PREFECTURES, age_years

UNKNOWN = "unknown"
OTHER = "other"
TOP_OCCUPATIONS = 20
TOP_AGE_BAND = 90


def _counts(persons: pl.DataFrame, column: str) -> list[tuple[str | None, int]]:
    counted = persons.group_by(column).agg(pl.len().alias("n"))
    return [(value, n) for value, n in counted.iter_rows()]


def _with_unknown(ordered: list[tuple[str, int]], unknown: int) -> dict[str, int]:
    result = {key: n for key, n in ordered if n}
    if unknown:
        result[UNKNOWN] = unknown
    return result


def by_prefecture(persons: pl.DataFrame) -> dict[str, int]:
    """Persons per prefecture in JIS order (北海道 … 沖縄県), then unknown."""
    counts = dict(_counts(persons, "prefecture"))
    unknown = counts.pop(None, 0)
    return _with_unknown([(p, counts.get(p, 0)) for p in PREFECTURES], unknown)


def age_band_expr(as_of: date) -> pl.Expr:
    """The age band label of each person (null when neither birth date nor age is known)."""
    age = pl.coalesce(age_years(pl.col("birth_date"), as_of), pl.col("age"))
    age = pl.when(age.is_between(0, 130)).then(age)
    low = (age // 10) * 10
    return (
        pl.when(age >= TOP_AGE_BAND)
        .then(pl.lit(f"{TOP_AGE_BAND}+"))
        .otherwise(pl.format("{}-{}", low, low + 9))
    )


def by_age_band(persons: pl.DataFrame, as_of: date) -> dict[str, int]:
    """Persons per 10-year age band as of ``as_of``, youngest first, then unknown."""
    # Counted by the band's lower bound and labelled afterwards: formatting a label for
    # every person costs more than the whole count.
    age = pl.coalesce(age_years(pl.col("birth_date"), as_of), pl.col("age"))
    age = pl.when(age.is_between(0, 130)).then(age)
    low = pl.when(age >= TOP_AGE_BAND).then(pl.lit(TOP_AGE_BAND)).otherwise((age // 10) * 10)
    # Birth dates repeat (a few tens of thousands of days span all ages), so the age is
    # computed once per distinct (birth date, age) pair and the pairs' counts are summed.
    pairs = persons.group_by("birth_date", "age").agg(pl.len().alias("n"))
    per_band = pairs.group_by(low.alias("low")).agg(pl.col("n").sum())
    counts = {band: int(n) for band, n in per_band.iter_rows()}
    unknown = counts.pop(None, 0)
    ordered = [(f"{TOP_AGE_BAND}+" if low == TOP_AGE_BAND else f"{low}-{low + 9}", n) for low, n in sorted(counts.items())]
    return _with_unknown(ordered, unknown)


def by_gender(persons: pl.DataFrame) -> dict[str, int]:
    """Persons per gender (male, female, other), then unknown."""
    counts = dict(_counts(persons, "gender"))
    unknown = counts.pop(None, 0)
    return _with_unknown([(g, counts.get(g, 0)) for g in ("male", "female", "other")], unknown)


def by_occupation(persons: pl.DataFrame) -> dict[str, int]:
    """The 20 most frequent occupations, the rest as 'other', then unknown."""
    counts = dict(_counts(persons, "occupation"))
    unknown = counts.pop(None, 0)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[:TOP_OCCUPATIONS]
    rest = sum(n for _, n in ranked[TOP_OCCUPATIONS:])
    result = _with_unknown(top, 0)
    if rest:
        result[OTHER] = result.get(OTHER, 0) + rest
    if unknown:
        result[UNKNOWN] = unknown
    return result


def contactable(persons: pl.DataFrame) -> Contactable:
    """Persons reachable by valid e-mail, by post (postal code + address), by valid phone."""
    email = pl.col("email").is_not_null()
    postal = pl.col("postal_code").is_not_null() & pl.col("address1").is_not_null()
    phone = pl.col("phone").is_not_null()
    row = persons.select(
        email=email.sum(),
        postal=postal.sum(),
        phone=phone.sum(),
        none=(~(email | postal | phone)).sum(),
    ).row(0, named=True)
    return Contactable(**{k: int(v) for k, v in row.items()})
