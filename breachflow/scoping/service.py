"""Scope a leaked list: read, classify, normalise, merge persons, and summarise.

``scope_dataset`` is the stage's entry point. ``analyse_dataset`` returns the same plus
what the CLI shows besides the summary (the column mapping with its sources, and notes
such as a skipped title line) and keeps the persons as a frame for callers that only need
aggregates.
"""

from __future__ import annotations

import functools
import hashlib

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from breachflow.scoping import normalize as nz
from breachflow.scoping import summary as sm
from breachflow.scoping.classify import ColumnPlan, classify_columns
from breachflow.scoping.headers import shown_header
from breachflow.scoping.merge import MERGED, ORDINAL, PERSON, assign_persons
from breachflow.scoping.review import MergeReview, merge_review, person_id
from breachflow.scoping.model import Person, PersonList, ScopeSummary
from breachflow.scoping.readers import ROW_COLUMN, RawDataset, read_dataset
from breachflow.vocabulary import FINANCIAL_ITEMS, SENSITIVE_ITEMS, DataItem

_ITEMS: tuple[DataItem, ...] = tuple(DataItem)
_JOINED = {DataItem.name, DataItem.kana}
_SINGLE = {
    DataItem.postal_code: "postal_raw",
    DataItem.prefecture: "prefecture_raw",
    DataItem.birth_date: "birth_raw",
    DataItem.age: "age_raw",
    DataItem.gender: "gender_raw",
    DataItem.occupation: "occupation_raw",
    DataItem.card_number: "card_raw",
}
# What the review lists call each identifier (phone_0, phone_1 … are all 電話番号).
_IDENTIFIER_LABELS = {"phone": "電話番号", "email_cmp": "メールアドレス", "birth_date": "生年月日", "address_key": "住所"}


@dataclass(frozen=True)
class ScopeResult:
    """Everything one scoping run found; ``persons`` is a polars frame (personal data).

    The frame has one row per person, in no particular order: the summary needs none, so
    ordering and numbering (``person_id``) wait for ``person_list``.
    """

    summary: ScopeSummary
    plans: list[ColumnPlan]
    notes: list[str]
    persons: pl.DataFrame
    review: MergeReview = field(repr=False, compare=False)
    content: bytes = field(repr=False, compare=False)

    @functools.cached_property
    def dataset_sha256(self) -> str:
        """SHA-256 of the scoped file (hashed when first asked: the summary does not need it)."""
        return hashlib.sha256(self.content).hexdigest()

    def person_list(self) -> PersonList:
        """The persons as hand-off models, in first-row order."""
        return PersonList(dataset_sha256=self.dataset_sha256, persons=_to_persons(_numbered(self.persons)))


def scope_dataset(
    *,
    path: Path,
    mapping_overrides: dict[str, DataItem] | None = None,
    as_of: date | None = None,
    header: bool | None = None,
    plain_names: bool = False,
) -> tuple[ScopeSummary, PersonList]:
    """Scope the leaked list at ``path``: the aggregate summary and the person list.

    ``mapping_overrides`` maps a column header to an item; the string "ignored" is also
    accepted and marks a column that holds no personal data. ``header`` False reads a
    list without a header row (columns 列1, 列2, …). ``plain_names``: the summary names
    columns as a plain record may (see ``plain_column_name``).
    """
    summary, persons, _ = scope_with_review(
        path=path, mapping_overrides=mapping_overrides, as_of=as_of, header=header, plain_names=plain_names
    )
    return summary, persons


def scope_with_review(
    *,
    path: Path,
    mapping_overrides: dict[str, DataItem] | None = None,
    as_of: date | None = None,
    header: bool | None = None,
    plain_names: bool = False,
) -> tuple[ScopeSummary, PersonList, MergeReview]:
    """``scope_dataset`` plus the merges to review (weak merges, namesakes kept apart)."""
    result = analyse_dataset(
        path=path, mapping_overrides=mapping_overrides, as_of=as_of, header=header, plain_names=plain_names
    )
    summary, sha256, persons, review = result.summary, result.dataset_sha256, result.persons, result.review
    # Only the ordered copy stays alive while the models are built (peak memory).
    del result
    persons = _numbered(persons)
    return summary, PersonList(dataset_sha256=sha256, persons=_to_persons(persons)), review


def analyse_dataset(
    *,
    path: Path,
    mapping_overrides: Mapping[str, DataItem | str] | None = None,
    as_of: date | None = None,
    header: bool | None = None,
    plain_names: bool = False,
) -> ScopeResult:
    """Scope the list at ``path``, keeping the column plans, notes and the person frame."""
    raw = read_dataset(path=path, header=header)
    plans = classify_columns(raw=raw, overrides=mapping_overrides)
    rows = _standard_rows(raw, plans)
    phone_count = sum(1 for c in rows.columns if c.startswith("phone_raw"))
    email_count = sum(1 for c in rows.columns if c.startswith("email_raw"))
    rows = _normalise(rows, phone_count, email_count)
    # A phone or an e-mail identifies a person; a birth date or an address only together.
    strong = [f"phone_{k}" for k in range(phone_count)] + [f"email_cmp_{k}" for k in range(email_count)]
    weak = [c for c in ("birth_date", "address_key") if c in rows.columns]
    rows = assign_persons(rows, name="name_key", strong=strong, weak=weak)
    labels = {c: _IDENTIFIER_LABELS[c.rsplit("_", 1)[0] if c[-1].isdigit() else c] for c in (*strong, *weak)}
    review = merge_review(rows, name="name_key", row=ROW_COLUMN, strong=strong, weak=weak, labels=labels)
    persons = _aggregate(rows)
    summary = ScopeSummary(
        rows=rows.height,
        persons=persons.height,
        duplicates_merged=rows.height - persons.height,
        weak_merges=review.weak_merges.height,
        near_merges=review.near_merges.height,
        columns={(plain_column_name(raw, plan) if plain_names else plan.key): plan.label for plan in plans},
        items=sorted((i for i in _ITEMS if persons.get_column(f"has_{i.value}").any()), key=str),
        sensitive=bool(persons.get_column("sensitive").any()),
        financial=bool(persons.get_column("financial").any()),
        by_prefecture=sm.by_prefecture(persons),
        by_age_band=sm.by_age_band(persons, as_of or date.today()),
        by_gender=sm.by_gender(persons),
        by_occupation=sm.by_occupation(persons),
        contactable=sm.contactable(persons),
    )
    return ScopeResult(summary, plans, list(raw.notes), persons, review, raw.content)


def plain_column_name(raw: RawDataset, plan: ColumnPlan) -> str:
    """A column's name as an unencrypted record keeps it: its header if a recognised header word, else 列N.

    scope.json stays plain and outlives the purge; a header cell may be a person's data
    (a list without a header row whose first row was not caught as data).
    """
    table = raw.tables[plan.table]
    index = int(plan.column[1:])
    name = shown_header(table.headers[index]) or f"列{index + 1}"
    return f"{table.sheet}!{name}" if len(raw.tables) > 1 and table.sheet else name


def _standard_rows(raw: RawDataset, plans: list[ColumnPlan]) -> pl.DataFrame:
    """One frame of standard columns (name, address1, phone_raw_0 …, has_<item>) for all tables."""
    frames = []
    for t_index, table in enumerate(raw.tables):
        mine = [p for p in plans if p.table == t_index and p.item is not None]
        by_item: dict[DataItem, list[str]] = {}
        for plan in mine:
            by_item.setdefault(plan.item, []).append(plan.column)
        exprs: list[pl.Expr] = [pl.col(ROW_COLUMN).cast(pl.UInt32), pl.lit(t_index, pl.UInt16).alias("__table")]
        for item in _JOINED & by_item.keys():
            exprs.append(pl.concat_str(by_item[item], separator=" ", ignore_nulls=True).alias(item.value))
        address = by_item.get(DataItem.address, [])
        if address:
            exprs.append(pl.col(address[0]).alias("address1"))
            if len(address) > 1:
                exprs.append(pl.concat_str(address[1:], separator=" ", ignore_nulls=True).alias("address2"))
        for k, column in enumerate(by_item.get(DataItem.phone, [])):
            exprs.append(pl.col(column).alias(f"phone_raw_{k}"))
        for k, column in enumerate(by_item.get(DataItem.email, [])):
            exprs.append(pl.col(column).alias(f"email_raw_{k}"))
        for item, name in _SINGLE.items():
            if item in by_item:
                exprs.append(pl.coalesce(by_item[item]).alias(name))
        for item, columns in by_item.items():
            exprs.append(pl.any_horizontal(pl.col(columns).is_not_null()).alias(f"has_{item.value}"))
        frames.append(table.frame.select(exprs))
    rows = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    missing = [
        pl.lit(None, pl.String).alias(c)
        for c in ("name", "kana", "address1", "address2", *_SINGLE.values())
        if c not in rows.columns
    ]
    missing += [pl.lit(False).alias(f"has_{i.value}") for i in _ITEMS if f"has_{i.value}" not in rows.columns]
    rows = rows.with_columns(missing)
    has = [f"has_{i.value}" for i in _ITEMS]
    return rows.with_columns(pl.col(has).fill_null(False)).with_row_index(ORDINAL)


def _via_unique(rows: pl.DataFrame, columns: dict[str, tuple[str, Callable[[pl.Expr], pl.Expr]]]) -> pl.DataFrame:
    """For each ``source: (out, fn)``, ``fn`` computed once per distinct value: genders, occupations and prefectures repeat a lot.

    The columns' distinct values are found side by side, and their lookups run side by side.
    """
    uniques = rows.select(pl.col(source).unique().implode() for source in columns).row(0)
    lookups = []
    for (source, (out, fn)), values in zip(columns.items(), uniques, strict=True):
        distinct = pl.DataFrame({source: values}, schema={source: rows.schema[source]})
        distinct = distinct.with_columns(fn(pl.col(source)).alias(out))
        known = distinct.filter(pl.col(source).is_not_null())
        at_null = distinct.filter(pl.col(source).is_null()).get_column(out)
        # A hash lookup per row; an order-keeping left join of a million rows costs ~3x more.
        looked_up = pl.col(source).replace_strict(known.get_column(source), known.get_column(out), default=None)
        if at_null.len() and at_null[0] is not None:
            looked_up = pl.when(pl.col(source).is_null()).then(pl.lit(at_null[0], at_null.dtype)).otherwise(looked_up)
        lookups.append(looked_up.cast(distinct.schema[out]).alias(out))
    return rows.with_columns(lookups)


def _normalise(rows: pl.DataFrame, phone_count: int, email_count: int) -> pl.DataFrame:
    emails = [f"email_raw_{k}" for k in range(email_count)]
    # NFKC once per column that is compared; display columns keep the original text.
    # Joining the address lines copies every address: skipped when there is no second line.
    if rows.get_column("address2").null_count() == rows.height:
        address = pl.col("address1")
    else:
        address = pl.concat_str(["address1", "address2"], separator="", ignore_nulls=True)
    rows = rows.with_columns(
        # Phone numbers are normalised inside phone_fast, only where they need it.
        nz.nfkc(pl.col([*emails, "postal_raw", "age_raw", "card_raw"])),
        nz.address_forms(address).alias("address_forms"),
        name=pl.col("name").str.strip_chars(),
    )
    rows = _via_unique(
        rows,
        {
            "gender_raw": ("gender", lambda e: nz.gender(nz.nfkc(e))),
            "occupation_raw": ("occupation", lambda e: nz.text(nz.nfkc(e))),
            "prefecture_raw": ("prefecture_col", lambda e: nz.prefecture(nz.nfkc(e))),
        },
    )
    # Names are mostly unique and birth dates have a per-row fast path, so a join on the
    # distinct values costs more than computing every row; one with_columns lets polars
    # run the independent columns (phones included) side by side.
    rows = rows.with_columns(
        *(nz.phone_fast(pl.col(f"phone_raw_{k}")).alias(f"phone_{k}__fast") for k in range(phone_count)),
        name_key=nz.name_key(pl.col("name")),
        birth_date=nz.birth_date(pl.col("birth_raw")),
        *(nz.email_normal(pl.col(f"email_raw_{k}")).alias(f"email_cmp_{k}") for k in range(email_count)),
        address_key=pl.col("address_forms").struct.field("key"),
        postal_code=nz.postal_code(pl.col("postal_raw")),
        prefecture=pl.coalesce("prefecture_col", nz.prefecture(pl.col("address_forms").struct.field("nfkc"))),
        age=nz.digits(pl.col("age_raw")).cast(pl.Int32, strict=False),
        card_ok=nz.luhn_valid(pl.col("card_raw")),
    )
    for k in range(phone_count):
        rows = nz.phone_settle(rows, f"phone_{k}__fast", f"phone_{k}")
    for k in range(email_count):
        rows = nz.email_valid(rows, f"email_cmp_{k}", f"email_ok_{k}")
    first_phone = [pl.col(f"phone_{k}") for k in range(phone_count)]
    first_email = [
        pl.when(pl.col(f"email_ok_{k}")).then(nz.email_display(pl.col(f"email_raw_{k}"))) for k in range(email_count)
    ]
    sensitive = [f"has_{i.value}" for i in SENSITIVE_ITEMS]
    financial = [f"has_{i.value}" for i in FINANCIAL_ITEMS - {DataItem.card_number}]
    return rows.with_columns(
        phone=pl.coalesce(first_phone) if first_phone else pl.lit(None, pl.String),
        email=pl.coalesce(first_email) if first_email else pl.lit(None, pl.String),
        sensitive=pl.any_horizontal(sensitive),
        financial=pl.any_horizontal(*financial, pl.col("card_ok")),
    )


_PERSON_FIELDS = (
    "name", "kana", "postal_code", "address1", "address2", "prefecture", "phone", "email",
    "birth_date", "age", "gender", "occupation",
)  # fmt: skip


def _aggregate(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per person in first-row order: first known value of each field, any-of flags."""
    # Most of the 40-odd item flags are false on every row; they are carried through the
    # merge and sort only when some row has them, and come back as constants afterwards.
    flags = rows.select(pl.col(f"has_{i.value}").any() for i in _ITEMS).row(0, named=True)
    has = [name for name, seen in flags.items() if seen]
    shared = pl.col(MERGED)
    # Lazy: the filters then copy only the columns the persons keep, not every working column.
    rows_lazy = rows.lazy()
    single = rows_lazy.filter(~shared).select(
        PERSON,
        pl.concat_list(ROW_COLUMN).alias("source_rows"),
        *_PERSON_FIELDS,
        *has,
        "sensitive",
        "financial",
    )
    merged = (
        rows_lazy.filter(shared)
        .group_by(PERSON)
        .agg(
            pl.col(ROW_COLUMN).alias("source_rows"),
            *(pl.col(f).drop_nulls().first() for f in _PERSON_FIELDS),
            *(pl.col(c).any() for c in (*has, "sensitive", "financial")),
        )
    )
    persons = pl.concat([single, merged.select(single.collect_schema().names())]).collect()
    return persons.with_columns(pl.lit(False).alias(name) for name, seen in flags.items() if not seen)


def _numbered(persons: pl.DataFrame) -> pl.DataFrame:
    """The persons in first-row order with ``person_id`` and the item bit mask ``items_mask``."""
    bits = [
        pl.col(f"has_{item.value}").cast(pl.UInt64) * (1 << bit)
        for bit, item in enumerate(_ITEMS)
        if persons.get_column(f"has_{item.value}").any()
    ]
    mask = pl.sum_horizontal(pl.lit(0, pl.UInt64), *bits)
    return persons.sort(PERSON).with_columns(
        person_id=person_id(pl.col(PERSON)),
        items_mask=mask,
    )


_PERSON_CHUNK = 50_000
_FEW_DISTINCT = ("prefecture", "gender", "occupation")


def _to_persons(persons: pl.DataFrame, *, chunk_rows: int = _PERSON_CHUNK) -> list[Person]:
    """Person models from the frame, a slice of rows at a time, with ``model_construct``.

    The frame's columns already have the models' types, so the models are not validated
    again (tests/scoping check that the result equals validated models). Validating them
    (a TypeAdapter over the rows) measured 2.5 GB peak for a million persons, over the
    2 GB target, since each model gets its own set of the 16 field names; here every
    person sets every field, and one set of their names serves them all (Person is
    frozen, and ``model_copy`` copies the set).
    """
    fields = ["person_id", "source_rows", *(f for f in _PERSON_FIELDS if f != "age"), "sensitive", "financial"]
    fields_set = set(Person.model_fields)
    items_by_mask: dict[int, list[DataItem]] = {}
    interned: dict[object, object] = {}
    out: list[Person] = []
    # A slice at a time: Python values of the whole frame at once would double the peak
    # memory of a million-person list.
    for chunk in persons.select(*fields, "items_mask").iter_slices(chunk_rows):
        columns = chunk.to_dict(as_series=False)
        masks = columns.pop("items_mask")
        # Each value converted is a new str; a million copies of "female" or "会社員" are ~200 MB,
        # so the few distinct values of these columns are shared.
        for name in _FEW_DISTINCT:
            columns[name] = list(map(interned.setdefault, columns[name], columns[name]))
        for mask in set(masks) - items_by_mask.keys():
            items_by_mask[mask] = sorted((i for b, i in enumerate(_ITEMS) if mask >> b & 1), key=str)
        for values, mask in zip(zip(*columns.values(), strict=True), masks, strict=True):
            row = dict(zip(columns, values, strict=True))
            out.append(Person.model_construct(fields_set, items=list(items_by_mask[mask]), **row))
    return out
