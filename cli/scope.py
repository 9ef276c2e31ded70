"""``breachflow scope DATASET``: the column mapping, the notes and the scope summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachflow.errors import InputError
from breachflow.scoping.classify import IGNORED
from breachflow.scoping.review import MergeReview
from breachflow.scoping.service import analyse_dataset
from breachflow.vocabulary import DataItem
from cli.common import AsOf, JsonFlag, emit_json, parse_as_of

MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="Correct a column's item, e.g. --map '備考=health' or --map 'No.=ignored' (repeatable).",
    ),
]


def parse_mapping(values: list[str] | None) -> dict[str, str]:
    """Parse repeated ``col=item`` options; the item must be a data item or 'ignored'."""
    mapping: dict[str, str] = {}
    for value in values or []:
        column, sep, item = value.rpartition("=")
        if not sep or not column.strip():
            raise InputError(None, f"--map {value!r}: expected 'column=item', e.g. '備考=health'")
        if item.strip() != IGNORED and item.strip() not in DataItem.__members__:
            choices = ", ".join([IGNORED, *DataItem.__members__])
            raise InputError(None, f"--map {value!r}: unknown item '{item.strip()}'; use one of: {choices}")
        mapping[column.strip()] = item.strip()
    return mapping


def scope(
    dataset: Path,
    as_json: JsonFlag = False,
    mapping: MapOption = None,
    as_of: AsOf = None,
    header: Annotated[
        bool | None,
        typer.Option(
            "--header/--no-header",
            help="--no-header: the list has no header row: every row is a person and the columns are named 列1, "
            "列2, … (map them with --map '列3=phone'); intake: data.header: false. --header: the first row is the "
            "header even though none of its cells is a known header word; intake: data.header: true. Without "
            "either, a first row that looks like data (a phone, an email, a date, a postal code) or holds no "
            "known header word is refused.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scope a leaked list (CSV or XLSX): who is affected and which items leaked."""
    result = analyse_dataset(
        path=dataset, mapping_overrides=parse_mapping(mapping), as_of=parse_as_of(as_of), header=header
    )
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    if as_json:
        emit_json(result.summary.model_dump(mode="json"))
        return
    s = result.summary
    typer.echo(f"{dataset}: {s.rows} rows, {s.persons} persons ({s.duplicates_merged} duplicate rows merged)")
    _echo_review(result.review, s.weak_merges, s.near_merges)
    typer.echo("columns (correct with --map 'column=item'):")
    for plan in result.plans:
        typer.echo(f"  {plan.key} -> {plan.label}  [{plan.source.value}]")
    typer.echo(f"items: {', '.join(s.items)}")
    typer.echo(f"sensitive: {'yes' if s.sensitive else 'no'}   financial: {'yes' if s.financial else 'no'}")
    for title, counts in (
        ("by prefecture", s.by_prefecture),
        ("by age band", s.by_age_band),
        ("by gender", s.by_gender),
        ("by occupation", s.by_occupation),
    ):
        typer.echo(f"{title}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    c = s.contactable
    typer.echo(f"contactable: email {c.email}, postal {c.postal}, phone {c.phone}, none {c.none}")


_REVIEW_SHOWN = 20


def _echo_review(review: MergeReview, weak: int, near: int) -> None:
    """The merges to check, by person id and row number (a case keeps the full lists in scope/)."""
    typer.echo(
        f"to review: {weak} persons merged on birth date + address only (no phone or email in common), "
        f"{near} groups of namesakes kept apart sharing only a birth date or an address"
    )
    for frame, title in ((review.weak_merges, "merged on birth date + address"), (review.near_merges, "kept apart")):
        for row in frame.head(_REVIEW_SHOWN).iter_rows(named=True):
            # A weak merge shows the row groups it joined ("2 5 / 9"): each group is rows
            # linked by a phone or an e-mail, or one row.
            ids, rows = row.get("person_id") or row["person_ids"], row.get("groups") or row["rows"]
            typer.echo(f"  {title}: {ids}  rows {rows}  ({row['agreed']})")
        if frame.height > _REVIEW_SHOWN:
            typer.echo(f"  {title}: … {frame.height - _REVIEW_SHOWN} more")
