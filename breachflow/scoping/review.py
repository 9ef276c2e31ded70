"""Merges for an officer to check: persons merged on weak identifiers, namesakes kept apart.

A merge on a birth date and an address alone (no phone or e-mail in common) is probably
right but not certain, and a namesake sharing just one weak identifier was kept apart
though it may be the same person. Both are listed by person id and row number (no names,
no values): the lists are stored sealed in the case, only their counts leave it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from breachflow.processes import usable_cpus
from breachflow.scoping.merge import ORDINAL, PERSON, WEAK, _repeated, assign_persons

WEAK_MERGES_FILE = "scope/weak_merges.csv"
NEAR_MERGES_FILE = "scope/near_merges.csv"
# Officers read these lists: Japanese headers, like the call list's.
WEAK_MERGES_HEADER = ("person_id", "行番号", "生年月日と住所だけで結んだ行のまとまり", "人物内で一致した項目")
NEAR_MERGES_HEADER = ("person_ids", "一致した項目", "行番号")


@dataclass(frozen=True)
class MergeReview:
    """The two review lists as frames: ``weak_merges`` (one row per person) and ``near_merges`` (one row per group)."""

    weak_merges: pl.DataFrame
    near_merges: pl.DataFrame

    def weak_merges_csv(self) -> bytes:
        """The weak merges as CSV (UTF-8 with BOM for Excel): person id, rows, the row groups joined, what agreed."""
        return _csv(WEAK_MERGES_HEADER, self.weak_merges.iter_rows())

    def near_merges_csv(self) -> bytes:
        """The near merges as CSV: the persons kept apart, the one weak identifier they share, their rows."""
        return _csv(NEAR_MERGES_HEADER, self.near_merges.iter_rows())


def person_id(number: pl.Expr) -> pl.Expr:
    """The person id (P000001 …) of a 0-based person number."""
    return pl.format("P{}", (number + 1).cast(pl.String).str.zfill(6))


def merge_review(
    rows: pl.DataFrame, *, name: str, row: str, strong: Sequence[str], weak: Sequence[str], labels: Mapping[str, str]
) -> MergeReview:
    """The review lists of a merged row frame (``__person``, ``__weak``); ``labels`` names each identifier column."""
    return MergeReview(
        weak_merges=_weak_merges(rows, name=name, row=row, strong=strong, weak=weak, labels=labels),
        near_merges=_near_merges(rows, name=name, row=row, weak=weak, labels=labels),
    )


def _weak_merges(
    rows: pl.DataFrame, *, name: str, row: str, strong: Sequence[str], weak: Sequence[str], labels: Mapping[str, str]
) -> pl.DataFrame:
    """One row per person brought together by a birth date and an address, in person order."""
    # Columns first: filtering the whole working frame would copy every column of it.
    mine = rows.select(PERSON, row, name, *strong, *weak).filter(rows.get_column(WEAK))
    # The groups the weak pairs joined are the person's strong groups: the merge again,
    # strong identifiers only, over these persons' rows (a strong key never spans persons).
    mine = _strong_groups(mine, name=name, strong=strong)
    identifiers = [*strong, *weak]
    # A value agrees within a person when two of its rows hold it (a window, not a
    # per-person expression: those run once per group).
    mine = mine.with_columns((pl.col(c).is_not_null() & (pl.len().over(PERSON, c) > 1)).alias(c) for c in identifiers)
    agreed = mine.group_by(PERSON).agg(
        pl.col(row).alias("rows"),
        *(pl.col(c).any() for c in identifiers),
    )
    groups = (
        mine.group_by(PERSON, "group")
        .agg(pl.col(row).sort())
        .group_by(PERSON)
        .agg(pl.col(row).sort_by(pl.col(row).list.first()).alias("groups"))
    )
    found = agreed.join(groups, on=PERSON).sort(PERSON)
    return found.select(
        person_id(pl.col(PERSON)).alias("person_id"),
        _joined(pl.col("rows").list.sort()).alias("rows"),
        pl.col("groups").list.eval(_joined(pl.element())).list.join(" / ").alias("groups"),
        _agreed(identifiers, labels).alias("agreed"),
    )


def _strong_groups(rows: pl.DataFrame, *, name: str, strong: Sequence[str]) -> pl.DataFrame:
    """``rows`` with ``group``: the rows' strong group (rows linked by a phone or an e-mail), as a number."""
    merged = assign_persons(rows.drop(PERSON).with_row_index(ORDINAL), name=name, strong=strong)
    return rows.with_columns(merged.get_column(PERSON).alias("group"))


def _near_merges(
    rows: pl.DataFrame, *, name: str, row: str, weak: Sequence[str], labels: Mapping[str, str]
) -> pl.DataFrame:
    """One row per (name, weak identifier value) that several persons share, in order of their first person."""
    name_hash = rows.get_column(name).hash(seed=1)
    named = rows.get_column(name).is_not_null()

    def maybe_shared(column: str) -> pl.Series:
        values = rows.get_column(column)
        return named & values.is_not_null() & _repeated(name_hash ^ values.hash(seed=2))

    # One thread per column, as in the merge (polars releases the GIL).
    with ThreadPoolExecutor(max_workers=max(1, min(len(weak), usable_cpus()))) as pool:
        shared = list(pool.map(maybe_shared, weak))
    found = []
    for column, candidates in zip(weak, shared, strict=True):
        groups = (
            rows.select(PERSON, row, name, column)
            .filter(candidates)
            .group_by(name, column)
            .agg(pl.col(PERSON).unique().sort(), pl.col(row).sort())
            .filter(pl.col(PERSON).list.len() > 1)
        )
        found.append(groups.select(PERSON, pl.lit(labels[column]).alias("agreed"), row))
    schema = {PERSON: pl.List(pl.UInt32), "agreed": pl.String, row: pl.List(rows.schema[row])}
    near = pl.concat(found) if found else pl.DataFrame(schema=schema)
    near = near.sort(pl.col(PERSON).list.first(), "agreed", pl.col(row).list.first())
    return near.select(
        pl.col(PERSON).list.eval(person_id(pl.element())).list.join(" ").alias("person_ids"),
        pl.col("agreed"),
        _joined(pl.col(row)).alias("rows"),
    )


def _joined(numbers: pl.Expr) -> pl.Expr:
    """A list of row numbers as one cell: '2 5 9'."""
    return numbers.list.eval(pl.element().cast(pl.String)).list.join(" ")


def _agreed(identifiers: Sequence[str], labels: Mapping[str, str]) -> pl.Expr:
    """The names of the identifiers (each once, in order) that a person's rows share."""
    names = list(dict.fromkeys(labels[c] for c in identifiers))
    flags = [pl.any_horizontal(pl.col(c) for c in identifiers if labels[c] == label) for label in names]
    return pl.concat_list(pl.when(flag).then(pl.lit(label)) for flag, label in zip(flags, names, strict=True)).list.drop_nulls().list.join("・")


def _csv(header: Sequence[str], rows: object) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
