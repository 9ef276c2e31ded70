"""Phone: the call list for a call centre, and importing its outcomes."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.errors import InputError
from breachflow.notification.content import notice_context
from breachflow.notification.plan import IncidentFacts, Notice
from breachflow.notification.spreadsheet import Unencodable, write_csv, write_xlsx
from breachflow.profile import Business
from breachflow.progress import Progress
from breachflow.scoping.model import Person
from breachflow.templating import render

CALL_LIST_HEADER = [
    "notice_id", "person_id", "電話番号", "氏名", "フリガナ", "本人確認", "お伝えする項目", "通話スクリプト",
    "outcome", "attempts", "called_at", "memo",
]
OUTCOME_COLUMNS = ("notice_id", "outcome", "attempts")


class CallOutcome(StrEnum):
    """What the call centre reports for one notice."""

    reached = "reached"
    no_answer = "no_answer"
    wrong_number = "wrong_number"
    refused = "refused"


class CallResult(BaseModel):
    """One imported outcome row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notice_id: str
    outcome: CallOutcome
    attempts: int


def call_list_rows(
    *, notices: list[Notice], persons: Mapping[str, Person], facts: IncidentFacts, business: Business, today: date,
    templates_dir: Path | None = None, progress: Progress | None = None,
) -> list[list[str]]:
    """One row per phone notice: number, name, kana, the identity check, items, script, empty outcome columns."""
    rows = []
    for done, notice in enumerate(notices, start=1):
        context = notice_context(notice=notice, person=persons[notice.person_id], facts=facts, business=business, today=today)
        script = render("phone/script.txt", context, templates_dir=templates_dir).strip()
        rows.append([
            notice.notice_id, notice.person_id, context.recipient.phone_national, context.recipient.name,
            context.recipient.kana, _identity_check(context), "、".join(context.items), script, "", "", "", "",
        ])
        if progress:
            progress("rows", done, len(notices))
    return rows


def _identity_check(context) -> str:
    """What the caller compares before saying anything about the incident: the postal code on file, else the address."""
    if context.recipient.postal_code:
        return f"郵便番号 {context.recipient.postal_code}"
    return f"住所 {context.recipient.address1}" if context.recipient.address1 else "確認情報なし（責任者に確認）"


def write_call_list(*, rows: list[list[str]], out_dir: Path) -> dict[str, list[Unencodable]]:
    """Write call_list.csv (UTF-8 BOM), call_list_cp932.csv and call_list.xlsx; returns CP932 problems."""
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_csv(out_dir / "call_list.csv", CALL_LIST_HEADER, rows, encoding="utf-8-sig")
    problems = write_csv(out_dir / "call_list_cp932.csv", CALL_LIST_HEADER, rows, encoding="cp932")
    write_xlsx(out_dir / "call_list.xlsx", CALL_LIST_HEADER, rows, sheet="架電リスト")
    return {"call_list_cp932.csv": problems}


def read_call_outcomes(path: Path) -> list[CallResult]:
    """Read a filled-in call list (CSV, UTF-8 with or without BOM, or CP932); rows without an outcome are skipped."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(path, "not UTF-8 or CP932 text; save the call list as CSV")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("notice_id", "outcome") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}; expected the call list's header")
    results = []
    for line, row in enumerate(reader, start=2):
        outcome = (row.get("outcome") or "").strip()
        if not outcome:
            continue
        try:
            kind = CallOutcome(outcome)
        except ValueError:
            raise InputError(path, f"row {line}, column outcome: expected one of {', '.join(CallOutcome)}") from None
        attempts_text = (row.get("attempts") or "1").strip() or "1"
        if not attempts_text.isdigit():
            raise InputError(path, f"row {line}, column attempts: expected a whole number")
        results.append(CallResult(notice_id=row["notice_id"].strip().lstrip("'"), outcome=kind, attempts=int(attempts_text)))
    return results
