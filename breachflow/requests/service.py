"""Track contacts from affected persons: add or import, due dates by type, list, close, count.

Due dates are implementation choices where the law gives no day count (documented in
``DUE_RULES`` and ``docs/requests.md``):

- APPI Art. 33–35 requests (disclosure, correction, deletion, stop of use) must be answered
  遅滞なく (without delay): breachflow uses 14 calendar days, rolled forward to an open day.
- An inquiry or an "is my data affected?" check: 3 business days.
- A complaint (Art. 40: handle appropriately and promptly): 7 calendar days, rolled forward.
- A compensation claim: a first written reply within 30 calendar days, rolled forward; the
  substance is for counsel.

Closing a deletion request records where the data was deleted (the company's own systems
are outside breachflow, so the confirmation is recorded, not performed) and adds the person
to ``requests/suppressed.json``; exports read it through ``suppressed_person_ids``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationError

from breachflow.casestore import Case
from breachflow.errors import CaseStoreError, DatasetError, InputError
from breachflow.obligations.deadlines import closed_reason, roll_forward
from breachflow.reporting.facts import RequestSummary, RequestTally, update_report_facts
from breachflow.requests.model import (
    REQUEST_TYPE_LABELS_JA,
    Channel,
    Closure,
    ContactRequest,
    DueRule,
    ImportOutcome,
    ListedStatus,
    RequestCounts,
    RequestLog,
    RequestStatus,
    RequestType,
    SuppressionList,
    TypeCount,
)
from breachflow.security.files import regular_file_problem

REQUESTS_FILE = "requests/requests.json"
SUPPRESSED_FILE = "requests/suppressed.json"
PERSONS_FILE = "persons.json"
MAX_IMPORT_BYTES = 20_000_000
MAX_LISTED_PROBLEMS = 20

_APPI_REQUEST = DueRule(
    days=14,
    business_days=False,
    basis="遅滞なく → 14 calendar days from receipt, rolled forward to an open day (choice)",
    source="APPI Art. 33(2), 34(3), 35(7)",
)
DUE_RULES: dict[RequestType, DueRule] = {
    RequestType.inquiry: DueRule(
        days=3, business_days=True, basis="3 business days from receipt (choice)", source="desk service level"
    ),
    RequestType.lookup: DueRule(
        days=3, business_days=True, basis="3 business days from receipt (choice)", source="desk service level"
    ),
    RequestType.disclosure: _APPI_REQUEST,
    RequestType.correction: _APPI_REQUEST,
    RequestType.deletion: _APPI_REQUEST,
    RequestType.stop_use: _APPI_REQUEST,
    RequestType.complaint: DueRule(
        days=7,
        business_days=False,
        basis="7 calendar days from receipt, rolled forward to an open day (choice)",
        source="APPI Art. 40 (appropriate and prompt handling of complaints)",
    ),
    RequestType.compensation: DueRule(
        days=30,
        business_days=False,
        basis="first written reply within 30 calendar days, rolled forward (choice); substance with counsel",
        source="Civil Code Art. 709/415 (claim); reply period is a desk choice",
    ),
}

# Column names accepted in the desk's CSV (English or Japanese header).
_COLUMNS: dict[str, str] = {
    "type": "type", "種別": "type",
    "received_on": "received_on", "受付日": "received_on",
    "channel": "channel", "経路": "channel", "受付経路": "channel",
    "person_ref": "person_ref", "対象者id": "person_ref", "対象者ID": "person_ref",
    "desk_ref": "desk_ref", "受付番号": "desk_ref",
    "note": "note", "内容": "note", "備考": "note",
}
_TYPE_WORDS: dict[str, RequestType] = {
    **{t.value: t for t in RequestType},
    **{label: t for t, label in REQUEST_TYPE_LABELS_JA.items()},
    "照会": RequestType.lookup, "開示": RequestType.disclosure, "訂正": RequestType.correction,
    "削除": RequestType.deletion, "消去": RequestType.deletion, "利用停止": RequestType.stop_use,
    "損害賠償": RequestType.compensation,
}
_CHANNEL_WORDS: dict[str, Channel] = {
    **{c.value: c for c in Channel},
    "電話": Channel.phone, "メール": Channel.email, "書面": Channel.letter, "郵送": Channel.letter,
    "ウェブ": Channel.web, "ウェブフォーム": Channel.web, "来訪": Channel.visit, "その他": Channel.other,
}


def due_date(*, type: RequestType, received_on: date) -> tuple[date, str]:
    """The reply due date of a request type received on a day, and how it was computed."""
    rule = DUE_RULES[type]
    if rule.business_days:
        day, counted = received_on, 0
        while counted < rule.days:
            day += timedelta(days=1)
            if closed_reason(day) is None:
                counted += 1
        return day, f"{rule.basis} [{rule.source}]"
    rolled = roll_forward(received_on + timedelta(days=rule.days))
    return rolled.due, f"{rule.basis}: {rolled.explain()} [{rule.source}]"


def read_requests(*, case: Case) -> RequestLog:
    """The case's request log (empty before the first request)."""
    return case.read_model(REQUESTS_FILE, RequestLog) if case.has(REQUESTS_FILE) else RequestLog()


def suppressed_person_ids(case: Case) -> set[str]:
    """Person ids that later exports (notices, letters, call lists) must leave out."""
    if not case.has(SUPPRESSED_FILE):
        return set()
    return set(case.read_model(SUPPRESSED_FILE, SuppressionList).person_ids)


def _known_person_ids(case: Case) -> set[str] | None:
    if not case.has(PERSONS_FILE):
        return None  # not scoped yet: person refs cannot be checked
    from breachflow.scoping.case_scope import stored_persons

    return {p.person_id for p in stored_persons(case).persons}


def _next_id(log: RequestLog, offset: int = 0) -> str:
    return f"R{len(log.requests) + offset + 1:04d}"


def _build(
    *, request_id: str, type: RequestType, received_on: date, channel: Channel, person_ref: str | None,
    desk_ref: str | None, note: str,
) -> ContactRequest:
    due, basis = due_date(type=type, received_on=received_on)
    return ContactRequest(
        request_id=request_id, type=type, channel=channel, received_on=received_on, due_on=due, due_basis=basis,
        person_ref=person_ref, desk_ref=desk_ref, note=note,
    )


def _person_problem(type: RequestType, person_ref: str | None, known: set[str] | None) -> str | None:
    if type is RequestType.deletion and not person_ref:
        return "a deletion request needs the person's id (person_ref), so the person can be left out of exports"
    if person_ref and known is not None and person_ref not in known:
        return "person_ref is not a person id of this case's person list (see `breachflow requests lookup`)"
    return None


def add_request(
    *, case: Case, type: RequestType, received_on: date, channel: Channel = Channel.other,
    person_ref: str | None = None, desk_ref: str | None = None, note: str = "",
) -> ContactRequest:
    """Record one contact, with its due date by type; logged in the timeline by id and type only."""
    problem = _person_problem(type, person_ref, _known_person_ids(case))
    if problem:
        raise InputError(None, f"case {case.incident_id}: --person-ref: {problem}")
    log = read_requests(case=case)
    if desk_ref and any(r.desk_ref == desk_ref for r in log.requests):
        raise InputError(None, f"case {case.incident_id}: --desk-ref is already recorded; each desk ticket once")
    try:
        request = _build(request_id=_next_id(log), type=type, received_on=received_on, channel=channel,
                         person_ref=person_ref, desk_ref=desk_ref, note=note)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors()}))
        raise InputError(None, f"case {case.incident_id}: invalid {fields}; ids may hold A-Z a-z 0-9 _ . : # / -") from None
    case.write_model(REQUESTS_FILE, RequestLog(requests=[*log.requests, request]))
    case.timeline.append(
        "requests.received",
        f"本人からの{REQUEST_TYPE_LABELS_JA[type]}を受付（{request.request_id}、回答期限 {request.due_on.isoformat()}）",
        request_id=request.request_id, type=type.value, channel=channel.value, due_on=request.due_on,
    )
    return request


def _decode(path: Path, data: bytes) -> str:
    """Strict BOM → UTF-8 → CP932, as Excel saves a desk's list; the error names the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DatasetError(path, f"line {line}: neither UTF-8 nor CP932 text; save the list as 'CSV UTF-8'") from None


def _parse_date(value: str) -> date | None:
    text = unicodedata.normalize("NFKC", value).strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    problem = regular_file_problem(path)  # a FIFO would hang the read, a device never end
    if problem and problem != "file not found":
        raise DatasetError(path, problem)
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise DatasetError(path, f"larger than {MAX_IMPORT_BYTES} bytes; is this the desk's request list?")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(path, "file not found") from None
    reader = csv.reader(io.StringIO(_decode(path, data), newline=""))
    header = next(reader, None)
    if header is None:
        raise DatasetError(path, "is empty; expected a header row with type, received_on, …")
    columns = [_COLUMNS.get(unicodedata.normalize("NFKC", h).strip().lower(), _COLUMNS.get(h.strip())) for h in header]
    missing = [c for c in ("type", "received_on") if c not in columns]
    if missing:
        raise DatasetError(
            path, f"line 1: missing column(s) {', '.join(missing)}; expected type/種別 and received_on/受付日 "
            "(optional: channel, person_ref, desk_ref, note)"
        )
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            row = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name}
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        # The csv module's messages name the problem (quoting, field size), never a cell.
        raise DatasetError(path, f"line {reader.line_num}: not valid CSV ({exc}); check the quoting") from None
    return rows


def import_requests(*, case: Case, path: Path) -> ImportOutcome:
    """Import the desk's CSV (UTF-8, BOM or CP932); every bad row is listed by line and column, nothing is stored then."""
    known = _known_person_ids(case)
    log = read_requests(case=case)
    seen = {r.desk_ref for r in log.requests if r.desk_ref}
    problems: list[str] = []
    new: list[ContactRequest] = []
    skipped = 0
    for line, row in _rows(path):
        type_ = _TYPE_WORDS.get(unicodedata.normalize("NFKC", row.get("type", "")).strip().lower()) or _TYPE_WORDS.get(
            row.get("type", "")
        )
        received = _parse_date(row.get("received_on", ""))
        channel = _CHANNEL_WORDS.get(row.get("channel", "").lower() or "other")
        errors = []
        if type_ is None:
            errors.append(f"column type: expected one of {', '.join(t.value for t in RequestType)} (or 問合せ, 削除 …)")
        if received is None:
            errors.append("column received_on: expected a date YYYY-MM-DD")
        if channel is None:
            errors.append(f"column channel: expected one of {', '.join(c.value for c in Channel)} (or 電話, メール …)")
        person_ref = row.get("person_ref") or None
        desk_ref = row.get("desk_ref") or None
        if type_ is not None:
            problem = _person_problem(type_, person_ref, known)
            if problem:
                errors.append(f"column person_ref: {problem}")
        if errors:
            problems.extend(f"line {line}: {e}" for e in errors)
            continue
        if desk_ref and desk_ref in seen:
            skipped += 1
            continue
        try:
            request = _build(request_id=_next_id(log, len(new)), type=type_, received_on=received, channel=channel,
                             person_ref=person_ref, desk_ref=desk_ref, note=row.get("note", ""))
        except ValidationError as exc:
            fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors()}))
            problems.append(f"line {line}: column {fields}: expected an id of A-Z a-z 0-9 _ . : # / - (max 40)")
            continue
        if desk_ref:
            seen.add(desk_ref)
        new.append(request)
    if problems:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise DatasetError(
            path, f"{len(problems)} problem(s); nothing was imported:\n" + "\n".join(f"  - {p}" for p in shown) + more
        )
    if new:
        case.write_model(REQUESTS_FILE, RequestLog(requests=[*log.requests, *new]))
    case.timeline.append(
        "requests.imported",
        f"問合せ窓口の受付一覧を取込（{len(new)}件、重複{skipped}件を除外）",
        added=len(new), skipped_duplicates=skipped, by_type=dict(Counter(r.type.value for r in new)),
        first_id=new[0].request_id if new else None, last_id=new[-1].request_id if new else None,
    )
    return ImportOutcome(added=[r.request_id for r in new], skipped_duplicates=skipped)


def list_requests(
    *, case: Case, today: date, open_only: bool = False, overdue_only: bool = False
) -> list[ContactRequest]:
    """Requests in the order received; ``open_only`` keeps open ones (overdue included), ``overdue_only`` the late ones."""
    chosen = []
    for request in read_requests(case=case).requests:
        status = request.listed_status(today)
        if overdue_only and status is not ListedStatus.overdue:
            continue
        if open_only and status is ListedStatus.closed:
            continue
        chosen.append(request)
    return chosen


def close_request(
    *, case: Case, request_id: str, note: str, closed_on: date, deleted_from: list[str] | None = None,
    confirmation: str | None = None,
) -> ContactRequest:
    """Close a request with what was done; a deletion also records where and suppresses the person in exports."""
    log = read_requests(case=case)
    index = next((i for i, r in enumerate(log.requests) if r.request_id == request_id), None)
    if index is None:
        raise CaseStoreError(f"case {case.incident_id}: no request {request_id}; see 'breachflow requests list'")
    request = log.requests[index]
    if request.status is RequestStatus.closed:
        raise CaseStoreError(f"case {case.incident_id}: request {request_id} is already closed")
    if not note.strip():
        raise InputError(None, f"case {case.incident_id}: request {request_id}: --note must say what was done")
    if closed_on < request.received_on:
        raise InputError(None, f"case {case.incident_id}: request {request_id}: closed before it was received")
    systems = [s.strip() for s in deleted_from or [] if s.strip()]
    deletion = request.type is RequestType.deletion
    if deletion and (not systems or not (confirmation or "").strip()):
        raise InputError(
            None,
            f"case {case.incident_id}: request {request_id} is a deletion request: give --deleted-from for each "
            "system the data was deleted from and --confirmation with the reference of the confirmation record",
        )
    if deletion and request.person_ref:
        suppressed = suppressed_person_ids(case) | {request.person_ref}
        case.write_model(SUPPRESSED_FILE, SuppressionList(person_ids=sorted(suppressed)))
    closure = Closure(closed_on=closed_on, note=note.strip(), deleted_from=systems,
                      confirmation=(confirmation or "").strip() or None, suppressed=deletion)
    closed = request.model_copy(update={"status": RequestStatus.closed, "closure": closure})
    requests = list(log.requests)
    requests[index] = closed
    case.write_model(REQUESTS_FILE, RequestLog(requests=requests))
    case.timeline.append(
        "requests.closed",
        f"{REQUEST_TYPE_LABELS_JA[request.type]}（{request_id}）に対応完了"
        + ("、以後の送付対象から除外" if deletion else ""),
        request_id=request_id, type=request.type.value, closed_on=closed_on,
        deleted_from_systems=len(systems), suppressed=deletion,
    )
    return closed


def request_counts(*, case: Case, today: date) -> RequestCounts:
    """Counts by type and status (open, overdue, closed) as of a day; aggregates only."""
    requests = read_requests(case=case).requests
    by_type = []
    for type_ in RequestType:
        statuses = Counter(r.listed_status(today) for r in requests if r.type is type_)
        received = sum(statuses.values())
        if received:
            by_type.append(TypeCount(
                type=type_, label_ja=REQUEST_TYPE_LABELS_JA[type_], received=received,
                open=statuses[ListedStatus.open], overdue=statuses[ListedStatus.overdue],
                closed=statuses[ListedStatus.closed],
            ))
    return RequestCounts(
        incident_id=case.incident_id, as_of=today, by_type=by_type, total=len(requests),
        open=sum(t.open for t in by_type), overdue=sum(t.overdue for t in by_type),
        closed=sum(t.closed for t in by_type),
    )


def publish_request_summary(*, case: Case, today: date) -> RequestSummary:
    """Store the counts in the report facts, where report item 6 of the 確報/追完 reads them."""
    counts = request_counts(case=case, today=today)
    summary = RequestSummary(
        as_of=today,
        by_type=[RequestTally(label_ja=t.label_ja, received=t.received, closed=t.closed) for t in counts.by_type],
        overdue=counts.overdue,
    )
    update_report_facts(case=case, requests=summary)
    return summary
