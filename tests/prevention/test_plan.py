"""Corrective-action plans: templates per cause, storage, idempotent re-planning, evidence, item 8."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from breachflow.casestore import Case
from breachflow.errors import EvidenceRequired, PreventionError
from breachflow.intake import load_intake
from breachflow.prevention import (
    ActionStatus,
    CheckEvidence,
    CheckResult,
    CheckStatus,
    EvidenceKind,
    FileEvidence,
    SignedRecord,
    close_action,
    item8_facts,
    plan_case,
    propose_plan,
    read_plan,
    report_item8,
    update_action,
)
from breachflow.prevention.catalog import load_catalog
from breachflow.prevention.model import PLAN_FILE, CheckKind
from breachflow.prevention.plan import cancel_action
from breachflow.settings import get_settings
from breachflow.templating import wareki
from breachflow.vocabulary import Cause
from tests.prevention.conftest import DISCOVERED, WE01, intake_file, open_case

UNIVERSAL_KEYS = ["appoint_responsible_person", "risk_assessment", "staff_training", "periodic_leak_check"]

# Words each cause's own measures must mention (from the list of expected measures).
CAUSE_WORDS: dict[Cause, list[str]] = {
    Cause.theft: ["紙の顧客リスト", "暗号化", "持ち出しルール"],
    Cause.lost_item: ["紙の顧客リスト", "暗号化", "持ち出しルール"],
    Cause.misdelivery: ["ダブルチェック"],
    Cause.wrong_recipient_email: ["ダブルチェック", "遅延送信", "BCC"],
    Cause.ransomware: ["パッチ", "バックアップ", "EDR", "多要素認証"],
    Cause.malware: ["パッチ", "バックアップ", "EDR", "多要素認証"],
    Cause.unauthorized_access: ["パッチ", "バックアップ", "EDR", "多要素認証"],
    Cause.web_skimming: ["改ざん検知", "PCI DSS"],
    Cause.misconfiguration: ["設定"],
    Cause.insider_exfiltration: ["アクセス権限", "ログ"],
    Cause.disposal_error: ["消去"],
}


def _plan_for(tmp_path: Path, cause: Cause):
    path = intake_file(tmp_path, cause=cause.value)
    return propose_plan(intake=load_intake(path, as_of=DISCOVERED), today=DISCOVERED)


@pytest.mark.parametrize("cause", list(Cause))
def test_every_cause_gets_the_four_universal_measures_then_its_own(tmp_path: Path, cause: Cause) -> None:
    """A plan starts with the four universal measures (A01-A04) followed by the cause's catalog actions."""
    plan = _plan_for(tmp_path, cause)
    _, by_cause = load_catalog()
    assert [a.key for a in plan.actions[:4]] == UNIVERSAL_KEYS
    assert all(a.universal for a in plan.actions[:4])
    own = plan.actions[4:]
    assert own and not any(a.universal for a in own)
    assert [a.key for a in own] == [t.key for t in by_cause[cause]]
    assert [a.id for a in plan.actions] == [f"A{n:02d}" for n in range(1, len(plan.actions) + 1)]
    text = " ".join(a.title_ja + a.description_ja for a in own)
    for word in CAUSE_WORDS.get(cause, []):
        assert word in text, f"{cause.value}: no measure mentions {word}"


def test_universal_measures_name_the_responsible_person_risk_training_and_checks(tmp_path: Path) -> None:
    """The universal measures cover 管轄者, risk assessment, training incl. contractors, periodic leak checks."""
    plan = _plan_for(tmp_path, Cause.misdelivery)
    responsible, risk, training, checks = plan.actions[:4]
    assert "情報漏洩の管轄者" in responsible.title_ja and "個人情報保護管理者" in responsible.title_ja
    assert "リスク評価" in risk.title_ja
    assert "委託先を含む" in training.description_ja
    assert training.check is not None and training.check.kind is CheckKind.training_coverage
    assert "定期的な漏えい点検" in checks.title_ja
    assert checks.check is not None and checks.check.kind is CheckKind.leakcheck_clean


def test_actions_have_owner_due_date_and_evidence_requirement(tmp_path: Path) -> None:
    """Every action is open, owned by 未定 by default, due after the plan date, and names its evidence."""
    plan = _plan_for(tmp_path, Cause.theft)
    for action in plan.actions:
        assert action.status is ActionStatus.open
        assert action.owner == "未定"
        assert DISCOVERED < action.due <= DISCOVERED + timedelta(days=90)
        assert action.evidence_hint_ja
        assert (action.check is not None) == (action.evidence_required is EvidenceKind.automated_check)


def test_default_owner_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BREACHFLOW_PREVENTION_OWNER becomes the owner of every proposed action."""
    monkeypatch.setenv("BREACHFLOW_PREVENTION_OWNER", "情報セキュリティ委員会")
    get_settings.cache_clear()
    plan = _plan_for(tmp_path, Cause.theft)
    assert {a.owner for a in plan.actions} == {"情報セキュリティ委員会"}


def test_plan_is_stored_in_the_case_folder_with_a_timeline_entry(case: Case) -> None:
    """plan_case writes prevention/plan.json and records the action ids in the timeline."""
    plan = plan_case(case=case, today=DISCOVERED)
    assert case.has(PLAN_FILE)
    assert read_plan(case=case) == plan
    last = case.timeline.entries()[-1]
    assert last.kind == "prevention.planned"
    assert last.data["action_ids"] == [a.id for a in plan.actions]
    assert case.timeline.verify() == len(case.timeline.entries())


def test_replanning_keeps_statuses_and_adds_nothing(case: Case) -> None:
    """Re-running the plan neither duplicates actions nor resets a closed one, and records no change."""
    plan_case(case=case, today=DISCOVERED)
    close_action(
        case=case,
        action_id="A01",
        evidence=SignedRecord(signer="代表取締役", signed_on=DISCOVERED, statement="選任した"),
        today=DISCOVERED,
    )
    before = read_plan(case=case)
    entries = len(case.timeline.entries())
    again = plan_case(case=case, today=DISCOVERED + timedelta(days=5))
    assert again == before
    assert again.action("A01").status is ActionStatus.done
    assert len(case.timeline.entries()) == entries


def test_replanning_after_a_cause_change_appends_the_new_causes_actions(case: Case, tmp_path: Path) -> None:
    """When the intake's cause changes, new template actions get the next ids and old ones stay."""
    first = plan_case(case=case, today=DISCOVERED)
    open_case(intake_file(tmp_path, cause="ransomware"), update=True)
    second = plan_case(case=case, today=DISCOVERED)
    assert second.actions[: len(first.actions)] == first.actions
    added = second.actions[len(first.actions) :]
    _, by_cause = load_catalog()
    assert [a.key for a in added] == [t.key for t in by_cause[Cause.ransomware]]
    assert [a.id for a in added] == [f"A{n:02d}" for n in range(len(first.actions) + 1, len(second.actions) + 1)]
    assert case.timeline.entries()[-1].data["action_ids"] == [a.id for a in added]


def test_close_without_evidence_names_the_action_and_the_evidence_required(case: Case) -> None:
    """Closing with no evidence raises EvidenceRequired naming the action id and the required kind."""
    plan_case(case=case, today=DISCOVERED)
    with pytest.raises(EvidenceRequired, match=r"action A02 closes only with evidence of kind file"):
        close_action(case=case, action_id="A02", evidence=None, today=DISCOVERED)
    assert read_plan(case=case).action("A02").status is ActionStatus.open


def test_close_with_the_wrong_kind_of_evidence_is_refused(case: Case) -> None:
    """A signed record does not close an action that requires a file."""
    plan_case(case=case, today=DISCOVERED)
    record = SignedRecord(signer="担当", signed_on=DISCOVERED, statement="実施した")
    with pytest.raises(EvidenceRequired, match="A02.*got signed_record"):
        close_action(case=case, action_id="A02", evidence=record, today=DISCOVERED)


def test_file_evidence_must_exist_and_is_stored_with_its_sha256(case: Case, tmp_path: Path) -> None:
    """A missing evidence file is refused; an existing one closes the action with its path and sha256."""
    plan_case(case=case, today=DISCOVERED)
    missing = tmp_path / "nope.pdf"
    with pytest.raises(EvidenceRequired, match="does not exist"):
        close_action(case=case, action_id="A02", evidence=FileEvidence(path=str(missing)), today=DISCOVERED)
    document = tmp_path / "risk-assessment.pdf"
    document.write_bytes(b"%PDF-1.7 risk assessment")
    plan = close_action(case=case, action_id="A02", evidence=FileEvidence(path=str(document)), today=DISCOVERED)
    action = plan.action("A02")
    assert action.status is ActionStatus.done and action.closed_on == DISCOVERED
    assert action.evidence == FileEvidence(
        path=str(document.resolve()), sha256=hashlib.sha256(document.read_bytes()).hexdigest()
    )
    last = case.timeline.entries()[-1]
    assert last.kind == "prevention.action_closed"
    assert last.data["sha256"] == action.evidence.sha256


def test_signed_record_closes_and_stays_out_of_the_timeline(case: Case) -> None:
    """A signed record closes its action; signer and statement are kept in the plan, not the timeline."""
    plan_case(case=case, today=DISCOVERED)
    record = SignedRecord(signer="山田太郎", signed_on=DISCOVERED, statement="持ち出し禁止を規程に定めた")
    plan = close_action(case=case, action_id="A05", evidence=record, today=DISCOVERED + timedelta(days=1))
    assert plan.action("A05").evidence == record
    timeline_text = case.timeline.path.read_text(encoding="utf-8")
    assert "山田太郎" not in timeline_text and "持ち出し禁止を規程に定めた" not in timeline_text


def test_signed_record_dated_in_the_future_is_refused(case: Case) -> None:
    """A record signed after today cannot prove the action done today."""
    plan_case(case=case, today=DISCOVERED)
    record = SignedRecord(signer="担当", signed_on=DISCOVERED + timedelta(days=3), statement="実施した")
    with pytest.raises(EvidenceRequired, match="after today"):
        close_action(case=case, action_id="A01", evidence=record, today=DISCOVERED)


@pytest.mark.parametrize("status", [CheckStatus.failed, CheckStatus.not_checked])
def test_a_check_result_that_did_not_pass_does_not_close(case: Case, status: CheckStatus) -> None:
    """A failed or not-checked training check is not evidence."""
    plan_case(case=case, today=DISCOVERED)
    result = CheckResult(kind=CheckKind.training_coverage, status=status, checked_on=DISCOVERED)
    with pytest.raises(EvidenceRequired, match=f"A03.*{status.value}, not passed"):
        close_action(case=case, action_id="A03", evidence=CheckEvidence(result=result), today=DISCOVERED)


def test_a_passing_check_of_the_other_kind_does_not_close(case: Case) -> None:
    """A passing leak check is not evidence for the training action."""
    plan_case(case=case, today=DISCOVERED)
    result = CheckResult(kind=CheckKind.leakcheck_clean, status=CheckStatus.passed, checked_on=DISCOVERED)
    with pytest.raises(EvidenceRequired, match="got a leakcheck_clean result"):
        close_action(case=case, action_id="A03", evidence=CheckEvidence(result=result), today=DISCOVERED)


def test_a_passing_check_closes_and_a_closed_action_cannot_close_again(case: Case) -> None:
    """A passing training check closes A03; closing it a second time is refused."""
    plan_case(case=case, today=DISCOVERED)
    result = CheckResult(
        kind=CheckKind.training_coverage, status=CheckStatus.passed, checked_on=DISCOVERED, coverage_pct=100.0
    )
    plan = close_action(case=case, action_id="A03", evidence=CheckEvidence(result=result), today=DISCOVERED)
    assert plan.action("A03").status is ActionStatus.done
    with pytest.raises(PreventionError, match="A03 is already done"):
        close_action(case=case, action_id="A03", evidence=CheckEvidence(result=result), today=DISCOVERED)


def test_unknown_action_is_named_with_the_known_ids(case: Case) -> None:
    """Updating an action that does not exist says which ids the plan has."""
    plan_case(case=case, today=DISCOVERED)
    with pytest.raises(PreventionError, match="no prevention action 'A99'; the plan has A01, A02"):
        update_action(case=case, action_id="A99", owner="誰か")


def test_update_changes_owner_and_due_and_logs_field_names_only(case: Case) -> None:
    """update_action stores the new owner and due date; the timeline names the fields, not the owner."""
    plan_case(case=case, today=DISCOVERED)
    new_due = DISCOVERED + timedelta(days=45)
    plan = update_action(case=case, action_id="A02", owner="佐藤花子", due=new_due)
    assert (plan.action("A02").owner, plan.action("A02").due) == ("佐藤花子", new_due)
    last = case.timeline.entries()[-1]
    assert last.kind == "prevention.action_updated"
    assert last.data["fields"] == ["due", "owner"] and last.data["action_id"] == "A02"
    assert "佐藤花子" not in case.timeline.path.read_text(encoding="utf-8")


def test_update_without_changes_is_refused(case: Case) -> None:
    """Calling update with nothing to change is a user error, not a silent no-op."""
    plan_case(case=case, today=DISCOVERED)
    with pytest.raises(PreventionError, match="nothing to update"):
        update_action(case=case, action_id="A02")


def test_operations_before_planning_say_how_to_plan(case: Case) -> None:
    """Without a stored plan, reading it names the command that creates one."""
    with pytest.raises(PreventionError, match="breachflow prevention plan WE-01"):
        read_plan(case=case)


def test_item8_lists_done_with_dates_and_planned_with_due_dates(case: Case, tmp_path: Path) -> None:
    """Report item 8 shows done measures with their dates and open ones with due dates; cancelled ones vanish."""
    plan_case(case=case, today=DISCOVERED)
    closed_on = date(2026, 11, 20)
    record = SignedRecord(signer="代表", signed_on=closed_on, statement="選任")
    close_action(case=case, action_id="A01", evidence=record, today=closed_on)
    cancel_action(case=case, action_id="A07", reason="A05で代替", today=closed_on)
    plan = read_plan(case=case)

    facts = item8_facts(plan)
    assert [(m.action_id, m.on) for m in facts.done] == [("A01", closed_on)]
    open_actions = [a for a in plan.actions if a.status is ActionStatus.open]
    assert sorted((m.action_id, m.on) for m in facts.planned) == sorted((a.id, a.due) for a in open_actions)

    text = report_item8(plan)
    done_part, planned_part = text.split("【今後実施予定の措置】")
    assert f"{plan.action('A01').title_ja}（{wareki(closed_on)}実施）" in done_part
    for action in open_actions:
        assert f"{action.title_ja}（{wareki(action.due)}までに実施予定）" in planned_part
    assert plan.action("A07").title_ja not in text


def test_item8_of_a_fresh_plan_has_no_done_measures(tmp_path: Path) -> None:
    """With nothing done yet, the done section says なし."""
    plan = propose_plan(intake=load_intake(WE01, as_of=DISCOVERED), today=DISCOVERED)
    assert report_item8(plan).startswith("【実施済みの措置】\n・なし\n")
