"""The review lists: merges made on birth date + address, namesakes kept apart sharing one weak identifier."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from breachflow.scoping.merge import ORDINAL, PERSON, assign_persons
from breachflow.scoping.review import merge_review

_LABELS = {"phone": "電話番号", "birth": "生年月日", "address": "住所"}


def _frame(names, phones, births, addresses) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"name": names, "phone": phones, "birth": births, "address": addresses},
        schema={"name": pl.String, "phone": pl.String, "birth": pl.Date, "address": pl.String},
    )
    frame = frame.with_row_index(ORDINAL).with_columns((pl.col(ORDINAL) + 2).alias("row"))
    return assign_persons(frame, name="name", strong=["phone"], weak=["birth", "address"])


def _reference_near(frame: pl.DataFrame) -> list[tuple[str, str, str]]:
    """Every (name, weak kind, value) that rows of two or more persons share, as the list shows it."""
    groups: dict[tuple[str, str, object], list[dict]] = {}
    for row in frame.iter_rows(named=True):
        for column in ("birth", "address"):
            if row["name"] is not None and row[column] is not None:
                groups.setdefault((row["name"], column, row[column]), []).append(row)
    found = []
    for (_, column, _), rows in groups.items():
        persons = sorted({r[PERSON] for r in rows})
        if len(persons) > 1:
            ids = " ".join(f"P{p + 1:06d}" for p in persons)
            found.append(((persons[0], _LABELS[column], rows[0]["row"]), ids, " ".join(str(r["row"]) for r in rows)))
    return [(ids, key[1], rows) for key, ids, rows in sorted(found)]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=30).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from([None, "山田太郎", "A"]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, "1", "2", "3"]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, date(1970, 1, 1), date(1980, 2, 2)]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, "東京1-2-3", "大阪4-5-6"]), min_size=n, max_size=n),
        )
    )
)
def test_review_lists_equal_a_direct_count(data):
    """The near merges are every namesake group sharing a weak value across persons; weak merges are the persons flagged weak."""
    frame = _frame(*data)
    review = merge_review(frame, name="name", row="row", strong=["phone"], weak=["birth", "address"], labels=_LABELS)
    assert review.near_merges.rows() == _reference_near(frame)
    weak_persons = sorted(set(frame.filter(pl.col("__weak")).get_column(PERSON).to_list()))
    assert review.weak_merges.get_column("person_id").to_list() == [f"P{p + 1:06d}" for p in weak_persons]


def test_weak_merge_lists_the_groups_it_joined_and_what_agreed():
    """A person of two phone-linked rows and one row joined by birth date + address: groups '2 4 / 3', what agreed."""
    born = date(1970, 1, 1)
    frame = _frame(["A", "A", "A", "B"], ["1", None, "1", "1"], [born, born, None, born], ["x", "x", None, "x"])
    review = merge_review(frame, name="name", row="row", strong=["phone"], weak=["birth", "address"], labels=_LABELS)
    assert review.weak_merges.rows() == [("P000001", "2 3 4", "2 4 / 3", "電話番号・生年月日・住所")]
    assert review.near_merges.height == 0


def test_empty_lists_are_csv_headers_only():
    """With nothing to review, both CSV files hold their header line only."""
    frame = _frame(["A", "B"], ["1", "2"], [None, None], [None, None])
    review = merge_review(frame, name="name", row="row", strong=["phone"], weak=["birth", "address"], labels=_LABELS)
    assert review.weak_merges_csv().decode("utf-8-sig") == "person_id,行番号,生年月日と住所だけで結んだ行のまとまり,人物内で一致した項目\r\n"
    assert review.near_merges_csv().decode("utf-8-sig") == "person_ids,一致した項目,行番号\r\n"
