"""Decide what each column holds: from its header, else from a sample of its values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from breachflow.errors import DatasetError
from breachflow.scoping import normalize
from breachflow.scoping.headers import column_ref, item_from_header
from breachflow.scoping.readers import RawDataset
from breachflow.vocabulary import DataItem

IGNORED = "ignored"
SNIFF_SAMPLE = 500
SNIFF_SHARE = 0.8


class Source(StrEnum):
    """Where a column's classification came from."""

    header = "header"
    values = "values"
    override = "override"


@dataclass(frozen=True)
class ColumnPlan:
    """One column: the key users see, its table and frame column, and what it holds."""

    key: str
    table: int
    column: str
    item: DataItem | None
    source: Source

    @property
    def label(self) -> str:
        """The item name, or 'ignored'."""
        return self.item.value if self.item is not None else IGNORED


def item_from_values(values: pl.Series) -> DataItem | None:
    """Guess an item from a sample of non-empty values; None when the column is empty."""
    sample = values.drop_nulls().head(SNIFF_SAMPLE)
    if sample.len() == 0:
        return None
    frame = sample.to_frame("v").select(normalize.nfkc(pl.col("v")).alias("v"))
    frame = normalize.phone_e164(frame, "v", "phone")
    shares = frame.select(
        email=normalize.email_normal(pl.col("v")).str.contains(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$").mean(),
        card=normalize.luhn_valid(pl.col("v")).mean(),
        phone=pl.col("phone").is_not_null().mean(),
        postal=pl.col("v").str.contains(r"^〒?\s*\d{3}-\d{4}$").mean(),
        date=normalize.birth_date(pl.col("v")).is_not_null().mean(),
        gender=normalize.gender(pl.col("v")).is_not_null().mean(),
        address=normalize.prefecture(pl.col("v")).is_not_null().mean(),
    ).row(0, named=True)
    for name, item in (
        ("email", DataItem.email),
        ("card", DataItem.card_number),
        ("phone", DataItem.phone),
        ("postal", DataItem.postal_code),
        ("date", DataItem.birth_date),
        ("gender", DataItem.gender),
        ("address", DataItem.address),
    ):
        if (shares[name] or 0) >= SNIFF_SHARE:
            return item
    return DataItem.other


def _card_item(values: pl.Series) -> DataItem:
    """A カード番号 column whose values fail Luhn is treated as masked (last 4 digits)."""
    sample = values.drop_nulls().head(SNIFF_SAMPLE).to_frame("v").select(normalize.nfkc(pl.col("v")).alias("v"))
    if sample.height == 0:
        return DataItem.card_number
    valid_share = sample.select(normalize.luhn_valid(pl.col("v")).mean()).item()
    return DataItem.card_number if valid_share > 0 else DataItem.card_last4


def classify_columns(
    *, raw: RawDataset, overrides: Mapping[str, DataItem | str] | None = None
) -> list[ColumnPlan]:
    """Classify every column of every table; ``overrides`` (key -> item or 'ignored') win."""
    qualify = len(raw.tables) > 1
    plans: list[ColumnPlan] = []
    for t_index, table in enumerate(raw.tables):
        for c_index, header in enumerate(table.headers):
            column = f"c{c_index}"
            values = table.frame.get_column(column)
            matched, item = item_from_header(header)
            source = Source.header
            if not matched:
                item, source = item_from_values(values), Source.values
            elif item is DataItem.card_number:
                item = _card_item(values)
            plans.append(ColumnPlan(table.column_key(c_index, qualify=qualify), t_index, column, item, source))
    return _apply_overrides(raw, plans, overrides or {})


def _apply_overrides(
    raw: RawDataset, plans: list[ColumnPlan], overrides: Mapping[str, DataItem | str]
) -> list[ColumnPlan]:
    by_key: dict[str, list[int]] = {}
    for i, plan in enumerate(plans):
        by_key.setdefault(plan.key, []).append(i)
        # Also accept the bare header for a column of a multi-sheet workbook.
        by_key.setdefault(plan.key.split("!", 1)[-1], []).append(i)
    for key, wanted in overrides.items():
        if key not in by_key:
            # Only header words are listed: a header cell may be a person's data.
            known = ", ".join(
                column_ref(header, i).removeprefix("column ")
                for table in raw.tables
                for i, header in enumerate(table.headers)
            )
            raise DatasetError(
                raw.path,
                f"--map names column '{key}', which is not in the dataset; columns are: {known} "
                "('breachflow scope' without --map shows every column name)",
            )
        item = _parse_item(raw, key, wanted)
        for i in sorted(set(by_key[key])):
            old = plans[i]
            plans[i] = ColumnPlan(old.key, old.table, old.column, item, Source.override)
    return plans


def _parse_item(raw: RawDataset, key: str, wanted: DataItem | str) -> DataItem | None:
    if isinstance(wanted, DataItem):
        return wanted
    if wanted == IGNORED:
        return None
    try:
        return DataItem(wanted)
    except ValueError:
        choices = ", ".join([IGNORED, *(i.value for i in DataItem)])
        raise DatasetError(raw.path, f"--map '{key}={wanted}': unknown item; use one of: {choices}") from None
