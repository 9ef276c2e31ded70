"""Automated checks behind one-method seams: ``CheckRunner`` and ``LeakScan``.

A check that cannot run *now* (share unreachable, file locked) raises ``CheckUnavailable``;
orchestration retries it with back-off and, if it still cannot run, the audit reports it as
``not_checked`` — never as passed. Results carry counts and percentages only: no employee
ids, names or matched values.
"""

from __future__ import annotations

import csv
import io
import os
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, NonNegativeInt

from breachflow.errors import CheckUnavailable, InputError
from breachflow.prevention.model import (
    CheckKind,
    CheckResult,
    CheckSpec,
    CheckStatus,
    LeakcheckCleanSpec,
    TrainingCoverageSpec,
)

# Header texts recognised as the employee id column when the spec names none (NFKC, casefolded).
ID_HEADERS = (
    "社員番号", "従業員番号", "職員番号", "社員id", "従業員id", "employee_id", "employee id", "employeeid", "id",
)
# How many leading rows are searched for the header (title lines above it are common).
HEADER_SEARCH_ROWS = 30
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_BOM = b"\xef\xbb\xbf"


class CheckRunner(Protocol):
    """Runs one automated check; raises CheckUnavailable when it cannot run now."""

    def run(self, spec: CheckSpec, *, today: date) -> CheckResult:
        """The check's result; never a pass unless the check actually ran and passed."""
        ...


class LeakScanOutcome(BaseModel):
    """What the audit needs from a leak scan: counts only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files_scanned: NonNegativeInt
    findings: NonNegativeInt
    unreadable: NonNegativeInt = 0


class LeakScan(Protocol):
    """Scans folders for unprotected personal-data files outside the allow-listed store."""

    def scan(self, *, paths: Sequence[Path], allowlist: Sequence[str]) -> LeakScanOutcome:
        """Counts of files scanned, active findings and files that could not be read."""
        ...


class LiveLeakScan:
    """``breachflow.leakcheck.scan`` without incremental state; approved folders become allow-list globs."""

    def scan(self, *, paths: Sequence[Path], allowlist: Sequence[str]) -> LeakScanOutcome:
        """Run a full leak check over ``paths``."""
        # Imported here: leakcheck is a heavier, separately developed stage.
        from breachflow.leakcheck import scan
        from breachflow.leakcheck.allowlist import AllowList
        from breachflow.leakcheck.model import IssueKind

        # The scanner matches globs against os.path.abspath of each file, so folders become "<abs>/*".
        globs = tuple(f"{os.path.abspath(entry)}/*" if Path(entry).is_dir() else entry for entry in allowlist)
        report = scan(paths=list(paths), state_path=None, allowlist=AllowList(paths=globs))
        return LeakScanOutcome(
            files_scanned=report.counts.files_scanned,
            findings=len(report.active_findings()),
            unreadable=sum(1 for issue in report.issues if issue.kind is IssueKind.unreadable),
        )


class RecordingLeakScan:
    """In-memory LeakScan built from a plain function; records every call's paths."""

    def __init__(self, respond: Callable[[Sequence[Path], Sequence[str]], LeakScanOutcome]) -> None:
        self.respond = respond
        self.calls: list[tuple[list[Path], list[str]]] = []

    def scan(self, *, paths: Sequence[Path], allowlist: Sequence[str]) -> LeakScanOutcome:
        """Record the call and answer with the function's outcome (or its exception)."""
        self.calls.append((list(paths), list(allowlist)))
        return self.respond(paths, allowlist)


# --- reading id lists -----------------------------------------------------------------


def _norm(text: object) -> str:
    """Ids and headers compared after NFKC (full-width digits) and trimming."""
    return unicodedata.normalize("NFKC", str(text if text is not None else "")).strip()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        # Missing path = share not mounted/reachable; PermissionError/BlockingIOError = locked.
        raise CheckUnavailable(f"{path}: cannot be read now ({type(exc).__name__}); the check will be retried") from None


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _norm(value)


def _tables(path: Path, data: bytes) -> list[list[list[str]]]:
    """The rows of a CSV (UTF-8 / CP932), or of each sheet of a workbook."""
    if data.startswith(_OLE_MAGIC):
        raise InputError(path, "is a password-protected or legacy (.xls) workbook; save it as .xlsx without a password")
    if data.startswith(_ZIP_MAGIC):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheets = [workbook.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in workbook.sheet_names]
        except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
            raise InputError(path, f"is not a readable .xlsx workbook ({type(exc).__name__})") from None
        return [[[_cell(v) for v in row] for row in sheet] for sheet in sheets]
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError as exc:
            raise InputError(
                path, f"is neither UTF-8 nor CP932 text (fails at byte {exc.start}); save it as CSV UTF-8"
            ) from None
    return [[[_norm(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]]


def read_ids(*, path: Path, column: str | None) -> set[str]:
    """The distinct non-blank ids in a list's id column; raises CheckUnavailable if unreadable now."""
    wanted = (_norm(column).casefold(),) if column else ID_HEADERS
    for rows in _tables(path, _read_bytes(path)):
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            headers = [cell.casefold() for cell in row]
            for name in wanted:
                if name in headers:
                    at = headers.index(name)
                    return {row[at] for row in rows[index + 1 :] if len(row) > at and row[at]}
    expected = f"'{column}'" if column else "one of " + ", ".join(ID_HEADERS)
    raise InputError(path, f"no id column found in the first {HEADER_SEARCH_ROWS} rows; expected a header {expected}")


# --- the checks ------------------------------------------------------------------------


def training_coverage(*, spec: TrainingCoverageSpec, today: date) -> CheckResult:
    """Share of roster employees with a completion record; passes at ``required_pct``."""
    if not spec.configured():
        return not_configured(spec, today)
    roster_path, completion_path = Path(spec.roster or ""), Path(spec.completion or "")
    roster = read_ids(path=roster_path, column=spec.roster_id_column)
    if not roster:
        raise InputError(roster_path, "the roster lists no employee ids below its header")
    completed = read_ids(path=completion_path, column=spec.completion_id_column)
    covered = len(roster & completed)
    missing = len(roster) - covered
    passed = covered * 100 >= spec.required_pct * len(roster)
    return CheckResult(
        kind=CheckKind.training_coverage,
        status=CheckStatus.passed if passed else CheckStatus.failed,
        checked_on=today,
        coverage_pct=round(covered * 100 / len(roster), 1),
        expected_count=len(roster),
        missing_count=missing,
        reason="" if passed else f"{missing} of {len(roster)} roster employees have no completion record",
    )


def leakcheck_clean(*, spec: LeakcheckCleanSpec, scanner: LeakScan, today: date) -> CheckResult:
    """Passes when a scan of ``paths`` finds no personal-data file outside the allow-list."""
    if not spec.configured():
        return not_configured(spec, today)
    paths = [Path(p) for p in spec.paths]
    unreachable = [str(p) for p in paths if not p.exists()]
    if unreachable:
        raise CheckUnavailable(f"scan path(s) not reachable now: {', '.join(unreachable)}; the check will be retried")
    outcome = scanner.scan(paths=paths, allowlist=spec.allowlist)
    if outcome.findings:
        status, reason = CheckStatus.failed, f"{outcome.findings} file(s) with personal data outside the approved store"
    elif outcome.unreadable:
        # A file we could not read may hold a list: that is not a clean result.
        raise CheckUnavailable(f"{outcome.unreadable} file(s) could not be read (locked?); the check will be retried")
    else:
        status, reason = CheckStatus.passed, ""
    return CheckResult(
        kind=CheckKind.leakcheck_clean,
        status=status,
        checked_on=today,
        findings_count=outcome.findings,
        files_scanned=outcome.files_scanned,
        reason=reason,
    )


def not_configured(spec: CheckSpec, today: date) -> CheckResult:
    """The not_checked result of a check whose inputs were never given."""
    options = "--roster and --completion" if spec.kind is CheckKind.training_coverage else "--scan-path"
    return CheckResult(
        kind=spec.kind,
        status=CheckStatus.not_checked,
        checked_on=today,
        reason=f"not configured; set {options} with 'breachflow prevention update'",
    )


class LiveCheckRunner:
    """Runs checks against the real files and the real leak scanner."""

    def __init__(self, *, leak_scan: LeakScan | None = None) -> None:
        self.leak_scan = leak_scan or LiveLeakScan()

    def run(self, spec: CheckSpec, *, today: date) -> CheckResult:
        """Dispatch on the check kind."""
        if isinstance(spec, TrainingCoverageSpec):
            return training_coverage(spec=spec, today=today)
        return leakcheck_clean(spec=spec, scanner=self.leak_scan, today=today)


class RecordingCheckRunner:
    """In-memory CheckRunner built from a plain function; records every spec it was asked to run."""

    def __init__(self, respond: Callable[[CheckSpec, date], CheckResult]) -> None:
        self.respond = respond
        self.calls: list[CheckSpec] = []

    def run(self, spec: CheckSpec, *, today: date) -> CheckResult:
        """Record the spec and answer with the function's result (or its exception)."""
        self.calls.append(spec)
        return self.respond(spec, today)


class RetryingCheckRunner:
    """Retries CheckUnavailable with back-off (for the CLI; Prefect tasks use their own retries)."""

    def __init__(
        self, inner: CheckRunner, *, delays: Iterable[float] = (2.0, 5.0), sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.inner = inner
        self.delays = tuple(delays)
        self.sleep = sleep

    def run(self, spec: CheckSpec, *, today: date) -> CheckResult:
        """The inner result; re-raises CheckUnavailable once every delay is used up."""
        for delay in self.delays:
            try:
                return self.inner.run(spec, today=today)
            except CheckUnavailable:
                self.sleep(delay)
        return self.inner.run(spec, today=today)
