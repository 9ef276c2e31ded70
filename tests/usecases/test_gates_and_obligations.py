"""Gate, obligations and reporting use cases: one rule for resuming a gate, one path to a decision."""

from __future__ import annotations

from datetime import UTC, datetime

from breachflow.approvals import Gate, Verdict, approval_of
from breachflow.reporting.facts import ReportKind, record_submission
from breachflow.usecases import gates, obligations, reporting


def test_a_gate_without_an_answer_asks_a_person(wiring, scoped):
    """No approval and no scripted pre-approval: the gate must ask (None)."""
    assert gates.resume_or_ask(wiring, scoped, gate=Gate.reports, subject_sha256="abc") is None


def test_a_scripted_preapproval_answers_one_gate_once(wiring, scoped):
    """--approve-as answers the next gate, is recorded with the subject, and is then used up."""
    gates.preapprove_all(wiring, scoped, approver="試験 承認者")
    record = gates.resume_or_ask(wiring, scoped, gate=Gate.reports, subject_sha256="abc")
    assert record is not None and record.scripted and record.subject_sha256 == "abc"
    assert approval_of(case=wiring.case(scoped), gate=Gate.reports) == record
    # the same subject now resumes from the recorded approval; another subject asks again
    assert gates.resume_or_ask(wiring, scoped, gate=Gate.reports, subject_sha256="abc") == record
    assert gates.resume_or_ask(wiring, scoped, gate=Gate.reports, subject_sha256="changed") is None


def test_a_rejection_is_never_resumed(wiring, scoped):
    """A person's rejection of a subject does not count as an approval on the next run."""
    gates.record_answer(wiring, scoped, gate=Gate.notification, approver="試験", verdict=Verdict.reject,
                        comment="", subject_sha256="plan")
    assert gates.resume_or_ask(wiring, scoped, gate=Gate.notification, subject_sha256="plan") is None


def test_the_file_and_the_case_give_the_same_decision(wiring, scoped):
    """`assess FILE` and the flow's assess_case reach the same decision for the same facts."""
    from tests.usecases.conftest import INCIDENT, TODAY

    from_case = obligations.assess_case(wiring, scoped)
    from_file, outcome = obligations.assess_file(wiring, INCIDENT, as_of=TODAY)
    assert outcome is None
    assert from_file.inputs_sha256 == from_case.inputs_sha256
    assert from_file.categories == from_case.categories and from_file.deadlines == from_case.deadlines


def test_an_intake_that_overrides_the_scope_is_logged_once_per_assessment(wiring, scoped, tmp_path):
    """An intake count that differs from the scoped list is kept, and the timeline says why."""
    import yaml

    from breachflow.usecases import response
    from tests.usecases.conftest import INCIDENT, TODAY

    raw = yaml.safe_load(INCIDENT.read_text(encoding="utf-8"))
    raw["data"]["affected_persons"] = {"min": 5, "max": 5}
    raw["data"]["override_reason"] = "試験のため"
    (tmp_path / "incident.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    (tmp_path / raw["data"]["dataset"]).write_bytes((INCIDENT.parent / raw["data"]["dataset"]).read_bytes())
    response.open_or_update(wiring, tmp_path / "incident.yaml", as_of=TODAY)
    obligations.assess_case(wiring, scoped)
    overrides = [e for e in wiring.case(scoped).timeline.entries() if e.kind == "facts.override"]
    assert [e.data["field"] for e in overrides] == ["data.affected_persons"]


def test_the_next_report_is_the_preliminary_then_the_final(wiring, scoped):
    """速報 drafts first; once a 速報 is recorded as submitted, the 確報 is next."""
    decision = obligations.assess_case(wiring, scoped)
    assert decision.reportable
    first = reporting.draft_next_reports(wiring, scoped, decision)
    assert first.report_kind == "preliminary" and any(f.endswith(".pdf") for f in first.report_files)
    record_submission(case=wiring.case(scoped), kind=ReportKind.preliminary, at=datetime(2026, 11, 12, 1, tzinfo=UTC),
                      ref="PPC-1")
    assert reporting.next_report_kind(wiring, scoped) is ReportKind.final


def test_the_reports_gate_text_states_the_decision(wiring, scoped, tmp_path):
    """The gate text carries the decision's key facts in Japanese and the command to read the draft."""
    decision = obligations.assess_case(wiring, scoped)
    drafts = reporting.draft_next_reports(wiring, scoped, decision)
    text = reporting.reports_gate_markdown(wiring, scoped, decision, drafts)
    assert "報告義務: **あり**" in text
    assert f"確報の期限: {decision.final_due.isoformat()}" in text
    # The drafts are sealed: the form gives the command that writes a readable copy, and that command works.
    import re

    names = re.findall(rf"breachflow case export {scoped} (drafts/\S+) --to", text)
    assert names and "file://" not in text
    for name in names:
        assert wiring.case(scoped).export(name, tmp_path / name.split("/")[-1]).read_bytes().startswith(b"%PDF")
