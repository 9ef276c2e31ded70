"""Merge rows that are the same person: same normalised name AND a shared identifier.

Rows are linked through (name, identifier kind, identifier value) keys; the persons are the
connected components of that row–key graph, so the rule is transitive (A~B by phone and
B~C by email puts A, B and C together). Components are found by iterative min-label
propagation in polars; namesakes that share no identifier never meet a common key.

Most rows share no key with any other row. A 64-bit hash of (name, value) finds the rows
that might (equal keys always have equal hashes; a collision only adds a candidate), and
the exact grouping by the strings themselves runs on those candidates only.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from breachflow.processes import usable_cpus

ORDINAL = "__i"
PERSON = "__person"
MERGED = "__merged"


def assign_persons(frame: pl.DataFrame, *, name: str, identifiers: list[str]) -> pl.DataFrame:
    """Add ``__person``: a 0-based person number in first-row order (frame ordered by ``__i`` = 0, 1, …).

    Also adds ``__merged``: true on the rows of persons with more than one row.
    """
    # The name is hashed once; each identifier's (name, value) hash is checked for repeats
    # on its own thread (polars releases the GIL, so two identifiers run side by side).
    name_hash = frame.get_column(name).hash(seed=1)
    named = frame.get_column(name).is_not_null()

    def maybe_shared(column: str) -> pl.Series:
        values = frame.get_column(column)
        return named & values.is_not_null() & _repeated(name_hash ^ values.hash(seed=2))

    with ThreadPoolExecutor(max_workers=max(1, min(len(identifiers), usable_cpus()))) as pool:
        shared = list(pool.map(maybe_shared, identifiers))
    parts = []
    for kind, column in enumerate(identifiers):
        candidates = frame.select(ORDINAL, name, column).filter(shared[kind])
        parts.append(
            candidates.select(
                pl.col(ORDINAL),
                pl.col(name).alias("name"),
                pl.lit(kind, dtype=pl.UInt8).alias("kind"),
                pl.col(column).cast(pl.String).alias("value"),
            )
        )
    labels = frame.get_column(ORDINAL).cast(pl.UInt32)
    merged = pl.select(pl.repeat(False, frame.height, dtype=pl.Boolean).alias(MERGED)).to_series()
    if parts:
        # Keys seen on a single row connect nothing; only shared keys become edges.
        edges = (
            pl.concat(parts)
            .group_by(["name", "kind", "value"])
            .agg(pl.col(ORDINAL).unique())
            .filter(pl.col(ORDINAL).list.len() > 1)
            .select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("key"), pl.col(ORDINAL))
            .explode(ORDINAL)
        )
        if edges.height:
            linked = _components(edges)
            labels = labels.scatter(linked.get_column(ORDINAL), linked.get_column("component").cast(pl.UInt32))
            # Every linked row shares a key with another row, so its person has several rows.
            merged = merged.scatter(linked.get_column(ORDINAL), True)
    # A component's label is its first row, so persons numbered in first-row order are
    # the running count of rows that are their own label (no sort needed).
    first = labels == frame.get_column(ORDINAL).cast(pl.UInt32)
    number = first.cast(pl.UInt32).cum_sum() - 1
    return frame.with_columns(number.gather(labels).alias(PERSON), merged)


def _repeated(keys: pl.Series) -> pl.Series:
    """True where the key (never null: these are hashes) occurs more than once.

    What ``is_duplicated`` gives, about three times cheaper for a million 64-bit keys: a
    radix sort puts equal keys side by side, and the few repeated ones are looked up
    with a small hash set, instead of building a hash table of every key.
    """
    ordered = keys.sort()
    repeated = ordered.filter(ordered == ordered.shift(1))
    return keys.is_in(repeated.implode())


def _components(edges: pl.DataFrame) -> pl.DataFrame:
    """Smallest row ordinal reachable from each linked row (min-label propagation).

    A row's new label is the smallest label among the rows of its keys, its own included,
    so labels only ever fall, and every linked row gets one: the labels stopped changing
    exactly when their sum stopped falling.
    """
    labels = edges.select(pl.col(ORDINAL).unique()).with_columns(pl.col(ORDINAL).alias("component"))
    total = labels.get_column("component").cast(pl.UInt64).sum()
    while True:
        per_key = edges.join(labels, on=ORDINAL).group_by("key").agg(pl.col("component").min())
        labels = edges.join(per_key, on="key").group_by(ORDINAL).agg(pl.col("component").min())
        total, before = labels.get_column("component").cast(pl.UInt64).sum(), total
        if total == before:
            return labels
