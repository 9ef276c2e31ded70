"""Follow-up audits: overdue flags, the training-coverage and leak checks, unrunnable checks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from breachflow.casestore import Case
from breachflow.errors import CheckUnavailable, InputError
from breachflow.prevention import (
    CheckResult,
    CheckStatus,
    LeakScanOutcome,
    LiveCheckRunner,
    LiveLeakScan,
    RecordingCheckRunner,
    RecordingLeakScan,
    RetryingCheckRunner,
    audit_plan,
    plan_case,
    read_plan,
)
from breachflow.prevention.checks import leakcheck_clean, read_ids, training_coverage
from breachflow.prevention.model import CheckKind, LeakcheckCleanSpec, PlanDefaults, TrainingCoverageSpec
from breachflow.prevention.plan import update_action
from tests.prevention.conftest import DISCOVERED

TODAY = DISCOVERED
EMPLOYEES = [("E0001", "山田太郎"), ("E0002", "髙﨑花子"), ("E0003", "佐藤次郎"), ("E0004", "鈴木三郎")]


def write_roster_cp932(path: Path, employees: list[tuple[str, str]]) -> Path:
    """A CP932 roster as Excel exports it, with a title line above the header."""
    lines = ["従業員名簿（2026年11月）", "社員番号,氏名,部署"] + [f"{eid},{name},営業部" for eid, name in employees]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


def write_completion_xlsx(path: Path, ids: list[str]) -> Path:
    """An xlsx completion list: a header row 社員番号 / 受講日 and one row per completed employee."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "受講記録"
    sheet.append(["社員番号", "受講日"])
    for eid in ids:
        sheet.append([eid, date(2026, 12, 1)])
    workbook.save(path)
    return path


def training_spec(tmp_path: Path, completed: list[str]) -> TrainingCoverageSpec:
    """A training spec over a 4-person CP932 roster and an xlsx list of ``completed`` ids."""
    roster = write_roster_cp932(tmp_path / "roster.csv", EMPLOYEES)
    completion = write_completion_xlsx(tmp_path / "completion.xlsx", completed)
    return TrainingCoverageSpec(roster=str(roster), completion=str(completion))


def test_roster_ids_are_read_below_a_title_line_in_cp932(tmp_path: Path) -> None:
    """The id column is found by its header even under a title line, and ids are read as text."""
    roster = write_roster_cp932(tmp_path / "roster.csv", EMPLOYEES)
    assert read_ids(path=roster, column=None) == {eid for eid, _ in EMPLOYEES}


def test_full_width_ids_match_their_ascii_form(tmp_path: Path) -> None:
    """An id typed with full-width characters in the completion list still counts (NFKC)."""
    spec = training_spec(tmp_path, ["Ｅ０００１", "E0002", "E0003", "E0004"])
    assert training_coverage(spec=spec, today=TODAY).status is CheckStatus.passed


def test_training_coverage_passes_when_everyone_completed(tmp_path: Path) -> None:
    """Every roster id in the completion list: passed, 100 %, none missing."""
    spec = training_spec(tmp_path, [eid for eid, _ in EMPLOYEES] + ["E9999"])
    result = LiveCheckRunner().run(spec, today=TODAY)
    assert (result.status, result.coverage_pct, result.missing_count, result.expected_count) == (
        CheckStatus.passed,
        100.0,
        0,
        len(EMPLOYEES),
    )


def test_training_coverage_fails_with_coverage_and_missing_count_but_no_names(tmp_path: Path) -> None:
    """One of four missing: failed at 75 %, missing 1, and the result names nobody."""
    spec = training_spec(tmp_path, ["E0001", "E0002", "E0003"])
    result = LiveCheckRunner().run(spec, today=TODAY)
    assert (result.status, result.coverage_pct, result.missing_count) == (CheckStatus.failed, 75.0, 1)
    dumped = result.model_dump_json()
    for eid, name in EMPLOYEES:
        assert eid not in dumped and name not in dumped


def test_required_percentage_lowers_the_bar(tmp_path: Path) -> None:
    """With required_pct 75, three of four completed passes."""
    spec = training_spec(tmp_path, ["E0001", "E0002", "E0003"]).model_copy(update={"required_pct": 75.0})
    assert training_coverage(spec=spec, today=TODAY).status is CheckStatus.passed


def test_roster_without_an_id_column_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    """A roster lacking any id header raises InputError naming the file and the expected headers."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes("氏名,部署\r\n山田太郎,営業部\r\n".encode("cp932"))
    with pytest.raises(InputError, match=r"roster\.csv: no id column found.*社員番号") as error:
        read_ids(path=roster, column=None)
    assert "山田太郎" not in str(error.value)


def test_unreachable_roster_raises_check_unavailable(tmp_path: Path) -> None:
    """A roster on a share that is not mounted (path missing) cannot be checked now: CheckUnavailable."""
    spec = TrainingCoverageSpec(roster=str(tmp_path / "share" / "roster.csv"), completion=str(tmp_path / "c.xlsx"))
    with pytest.raises(CheckUnavailable, match="roster.csv: cannot be read now"):
        training_coverage(spec=spec, today=TODAY)


def test_leak_check_passes_only_when_the_scan_finds_nothing(tmp_path: Path) -> None:
    """Zero findings passes; findings fail with their count; the scanner gets the spec's paths and allow-list."""
    spec = LeakcheckCleanSpec(paths=[str(tmp_path)], allowlist=[str(tmp_path / "approved")])
    clean = RecordingLeakScan(lambda paths, allow: LeakScanOutcome(files_scanned=5, findings=0))
    dirty = RecordingLeakScan(lambda paths, allow: LeakScanOutcome(files_scanned=5, findings=2))
    assert leakcheck_clean(spec=spec, scanner=clean, today=TODAY).status is CheckStatus.passed
    failed = leakcheck_clean(spec=spec, scanner=dirty, today=TODAY)
    assert (failed.status, failed.findings_count) == (CheckStatus.failed, 2)
    assert clean.calls == [([tmp_path], [str(tmp_path / "approved")])]


def test_leak_check_with_unreadable_files_is_not_a_pass(tmp_path: Path) -> None:
    """A scan that could not read some file (locked) raises CheckUnavailable instead of passing."""
    spec = LeakcheckCleanSpec(paths=[str(tmp_path)])
    scanner = RecordingLeakScan(lambda paths, allow: LeakScanOutcome(files_scanned=4, findings=0, unreadable=1))
    with pytest.raises(CheckUnavailable, match="1 file"):
        leakcheck_clean(spec=spec, scanner=scanner, today=TODAY)


def test_leak_check_of_an_unreachable_share_does_not_scan(tmp_path: Path) -> None:
    """A scan path that does not exist raises CheckUnavailable before the scanner is called."""
    spec = LeakcheckCleanSpec(paths=[str(tmp_path / "unmounted")])
    scanner = RecordingLeakScan(lambda paths, allow: LeakScanOutcome(files_scanned=0, findings=0))
    with pytest.raises(CheckUnavailable, match="unmounted"):
        leakcheck_clean(spec=spec, scanner=scanner, today=TODAY)
    assert scanner.calls == []


def test_live_leak_scan_respects_the_approved_store(tmp_path: Path) -> None:
    """The real scanner finds a customer list outside the approved folder and ignores the one inside."""
    approved = tmp_path / "share" / "approved"
    approved.mkdir(parents=True)
    rows = "氏名,メール,電話\r\n顧客A,taro@example.com,090-1234-5678\r\n顧客B,hanako@example.jp,080-2222-3333\r\n"
    (approved / "customers.csv").write_text(rows, encoding="utf-8")
    spec = LeakcheckCleanSpec(paths=[str(tmp_path / "share")], allowlist=[str(approved)])
    runner = LiveCheckRunner(leak_scan=LiveLeakScan())
    assert runner.run(spec, today=TODAY).status is CheckStatus.passed
    (tmp_path / "share" / "copy.csv").write_text(rows, encoding="utf-8")
    result = runner.run(spec, today=TODAY)
    assert (result.status, result.findings_count) == (CheckStatus.failed, 1)


def test_retrying_runner_backs_off_and_then_succeeds() -> None:
    """CheckUnavailable twice, then a result: the runner sleeps the configured delays and returns it."""
    outcomes: list[object] = [CheckUnavailable("locked"), CheckUnavailable("locked")]
    passed = CheckResult(kind=CheckKind.training_coverage, status=CheckStatus.passed, checked_on=TODAY)

    def respond(spec: object, today: date) -> CheckResult:
        if outcomes:
            raise outcomes.pop(0)  # type: ignore[misc]
        return passed

    slept: list[float] = []
    runner = RetryingCheckRunner(RecordingCheckRunner(respond), delays=(1.0, 3.0), sleep=slept.append)
    assert runner.run(TrainingCoverageSpec(roster="r", completion="c"), today=TODAY) == passed
    assert slept == [1.0, 3.0]


def test_retrying_runner_gives_up_with_check_unavailable() -> None:
    """When every attempt fails, the last CheckUnavailable propagates (never a pass)."""

    def respond(spec: object, today: date) -> CheckResult:
        raise CheckUnavailable("share unreachable")

    inner = RecordingCheckRunner(respond)
    runner = RetryingCheckRunner(inner, delays=(0.5,), sleep=lambda _s: None)
    with pytest.raises(CheckUnavailable):
        runner.run(LeakcheckCleanSpec(paths=["/x"]), today=TODAY)
    assert len(inner.calls) == 2


# --- audit_plan -------------------------------------------------------------------------


def _planned(case: Case, tmp_path: Path, completed: list[str]) -> None:
    defaults = PlanDefaults(
        training=training_spec(tmp_path, completed), leakcheck=LeakcheckCleanSpec(paths=[str(tmp_path)])
    )
    plan_case(case=case, today=TODAY, defaults=defaults)


def test_overdue_open_actions_are_flagged_with_days_late(case: Case, tmp_path: Path) -> None:
    """Open actions past their due date are flagged; actions not yet due are not."""
    _planned(case, tmp_path, ["E0001"])
    plan = read_plan(case=case)
    audit_day = TODAY + timedelta(days=20)
    runner = RecordingCheckRunner(
        lambda spec, today: CheckResult(kind=spec.kind, status=CheckStatus.failed, checked_on=today)
    )
    result = audit_plan(case=case, today=audit_day, checks=runner)
    expected_overdue = [a.id for a in plan.actions if a.due < audit_day]
    assert expected_overdue and result.overdue_ids == expected_overdue
    late = {a.action_id: a.days_overdue for a in result.actions if a.overdue}
    assert late == {a.id: (audit_day - a.due).days for a in plan.actions if a.due < audit_day}
    assert result.open_count == len(plan.actions)


def test_audit_runs_the_training_check_and_reports_coverage(case: Case, tmp_path: Path) -> None:
    """The audit runs A03's training check live: 3 of 4 completed is failed at 75 % with 1 missing."""
    _planned(case, tmp_path, ["E0001", "E0002", "E0003"])
    scanner = RecordingLeakScan(lambda paths, allow: LeakScanOutcome(files_scanned=3, findings=0))
    result = audit_plan(case=case, today=TODAY, checks=LiveCheckRunner(leak_scan=scanner))
    a03 = next(a for a in result.actions if a.action_id == "A03")
    assert (a03.check.status, a03.check.coverage_pct, a03.check.missing_count) == (CheckStatus.failed, 75.0, 1)
    assert result.failed_ids == ["A03"] and result.passed_ids == ["A04"]
    dumped = result.model_dump_json() + case.timeline.path.read_text(encoding="utf-8")
    for eid, name in EMPLOYEES:
        assert eid not in dumped and name not in dumped


def test_a_check_that_cannot_run_is_not_checked_never_passed(case: Case, tmp_path: Path) -> None:
    """When the runner keeps raising CheckUnavailable, both checks are not_checked and none passed."""
    _planned(case, tmp_path, ["E0001"])

    def unreachable(spec: object, today: date) -> CheckResult:
        raise CheckUnavailable("//fileserver/share: not reachable")

    runner = RecordingCheckRunner(unreachable)
    result = audit_plan(case=case, today=TODAY, checks=runner)
    assert result.not_checked_ids == ["A03", "A04"]
    assert result.passed_ids == [] and result.failed_ids == []
    assert len(runner.calls) == 2
    a04 = next(a for a in result.actions if a.action_id == "A04")
    assert "not reachable" in a04.check.reason


def test_a_missing_roster_file_in_a_live_audit_is_not_checked(case: Case, tmp_path: Path) -> None:
    """A roster that disappeared (share unmounted) yields not_checked from the live runner."""
    _planned(case, tmp_path, ["E0001"])
    (tmp_path / "roster.csv").unlink()
    scanner = RecordingLeakScan(lambda paths, allow: LeakScanOutcome(files_scanned=1, findings=0))
    result = audit_plan(case=case, today=TODAY, checks=LiveCheckRunner(leak_scan=scanner))
    assert "A03" in result.not_checked_ids and "A03" not in result.passed_ids


def test_unconfigured_checks_are_not_checked_without_calling_the_runner(case: Case) -> None:
    """A plan made without roster or scan paths reports both checks not_checked and runs nothing."""
    plan_case(case=case, today=TODAY, defaults=PlanDefaults())
    runner = RecordingCheckRunner(lambda spec, today: pytest.fail("runner must not be called"))
    result = audit_plan(case=case, today=TODAY, checks=runner)
    assert result.not_checked_ids == ["A03", "A04"] and runner.calls == []


def test_checks_configured_later_are_used(case: Case, tmp_path: Path) -> None:
    """Inputs set with update_action are what the next audit checks."""
    plan_case(case=case, today=TODAY, defaults=PlanDefaults())
    update_action(case=case, action_id="A03", check=training_spec(tmp_path, [e for e, _ in EMPLOYEES]))
    result = audit_plan(case=case, today=TODAY, checks=LiveCheckRunner())
    assert "A03" in result.passed_ids


def test_audit_appends_an_aggregate_timeline_entry(case: Case, tmp_path: Path) -> None:
    """The audit's timeline entry holds counts and id lists matching the result."""
    _planned(case, tmp_path, ["E0001"])
    runner = RecordingCheckRunner(
        lambda spec, today: CheckResult(kind=spec.kind, status=CheckStatus.passed, checked_on=today)
    )
    result = audit_plan(case=case, today=TODAY + timedelta(days=31), checks=runner)
    entry = case.timeline.entries()[-1]
    assert entry.kind == "prevention.audited"
    assert entry.data["overdue_ids"] == result.overdue_ids
    assert entry.data["passed_ids"] == result.passed_ids == ["A03", "A04"]
    assert entry.data["open"] == result.open_count
    assert case.timeline.verify() == len(case.timeline.entries())


def test_table_rows_have_one_row_per_open_action(case: Case, tmp_path: Path) -> None:
    """The artifact table lists each open action once, with its check status where it has one."""
    _planned(case, tmp_path, ["E0001"])
    runner = RecordingCheckRunner(
        lambda spec, today: CheckResult(kind=spec.kind, status=CheckStatus.failed, checked_on=today)
    )
    result = audit_plan(case=case, today=TODAY, checks=runner)
    rows = result.table_rows()
    assert [r["action"] for r in rows] == [a.id for a in read_plan(case=case).actions]
    assert {r["action"]: r["check_status"] for r in rows if r["check"]} == {"A03": "failed", "A04": "failed"}
