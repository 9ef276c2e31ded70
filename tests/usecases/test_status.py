"""The officer's one view of a case: deadlines in JST days, gates, notices by honest state, the next action."""

from __future__ import annotations

from breachflow.approvals import Gate, Verdict
from breachflow.reporting.facts import ReportKind, record_submission
from breachflow.usecases import gates, notification, obligations, status
from tests.usecases.conftest import TODAY


def test_before_the_decision_the_next_action_is_to_decide(wiring, scoped):
    """A scoped case without a decision: no deadlines yet, both gates wait, and the view says to decide first."""
    view = status.case_status(wiring, scoped)
    assert view.deadlines == [] and set(view.gates.values()) == {"承認待ち"}
    assert view.next_action.startswith("報告義務を判定する")


def test_deadlines_count_days_left_in_japan_and_the_next_action_follows_the_case(wiring, scoped):
    """速報 and 確報 with their due day and days left; after approval the 速報 is next, then unsent emails."""
    from datetime import UTC, datetime

    decision = obligations.assess_case(wiring, scoped)
    view = status.case_status(wiring, scoped)
    names = {d.name_ja: d for d in view.deadlines}
    final = names["確報"]
    assert final.due.startswith(decision.final_due.isoformat())
    assert final.days_left == (decision.final_due - TODAY).days
    assert view.next_action.startswith("報告義務の判定と報告書下書きを承認する")
    gates.record_answer(wiring, scoped, gate=Gate.reports, approver="試験", verdict=Verdict.approve,
                        comment="", subject_sha256=decision.inputs_sha256)
    assert status.case_status(wiring, scoped).next_action.startswith("速報")
    case = wiring.case(scoped)
    record_submission(case=case, kind=ReportKind.preliminary, at=datetime(2026, 11, 12, 1, tzinfo=UTC), ref="P-1")
    record_submission(case=case, kind=ReportKind.final, at=datetime(2026, 11, 12, 2, tzinfo=UTC), ref="F-1")
    notification.plan(wiring, scoped)
    view = status.case_status(wiring, scoped)
    assert view.notices["電子メール"]["未送付"] > 0
    assert view.next_action == f"未送信の電子メールを送る: breachflow notify send {scoped}"
    assert "次に行うこと" in view.markdown_ja() and "確報" in view.markdown_ja()


def test_open_prevention_actions_are_shown_with_their_japanese_titles(wiring, scoped):
    """Every open corrective action appears in the officer's view with its title, owner and due day."""
    from breachflow.prevention import read_plan
    from breachflow.usecases import prevention

    obligations.assess_case(wiring, scoped)
    prevention.plan_prevention(wiring, scoped)
    view = status.case_status(wiring, scoped)
    plan = read_plan(case=wiring.case(scoped))
    assert view.prevention_open == len(plan.actions) >= 7
    text = view.markdown_ja()
    for action in plan.actions:
        assert f"| {action.id} | {action.title_ja} |" in text


def test_gate_answers_are_dated_in_japan(wiring, scoped):
    """An approval given at 20:00 UTC on 11 Nov was given on 12 Nov in Japan, and the view says 12 Nov."""
    from datetime import UTC, datetime

    from breachflow.approvals import ApprovalRecord, record_approval

    record_approval(case=wiring.case(scoped), record=ApprovalRecord(
        gate=Gate.notification, approver="試験", verdict=Verdict.approve, comment="",
        at=datetime(2026, 11, 11, 20, 0, tzinfo=UTC), scripted=False, subject_sha256=None))
    assert status.case_status(wiring, scoped).gates["本人通知計画の承認"] == "承認（2026-11-12）"
