"""The tasks called as plain functions (``.fn``): ids in, aggregates out, no Prefect server needed."""

from __future__ import annotations

import json

import pytest

from breachflow.approvals import Gate
from breachflow.errors import BreachflowError
from breachflow.notification.casework import case_persons
from breachflow.usecases import gates, response
from breachflow.wiring import get_wiring
from tasks.notification import (
    export_call_list_task,
    plan_notices,
    preview_notices,
    record_email_round,
    record_notice_status,
    send_email_batch_task,
)
from tasks.obligations import assess_obligations, describe_reports_gate, draft_reports
from tasks.prevention import list_checks, plan_prevention
from tasks.response import inspect_case
from tasks.scoping import scope_dataset_task
from tests.conftest import REPO

INCIDENT = REPO / "examples" / "stolen-bag" / "incident.yaml"


def _dump(value: object) -> str:
    if hasattr(value, "model_dump_json"):
        return value.model_dump_json()
    return json.dumps(value, ensure_ascii=False, default=lambda v: v.model_dump(mode="json"))


def test_the_response_runs_task_by_task_and_returns_only_aggregates():
    """Scope, decide, draft, plan, gate text, send, call list, item 6 and prevention, as plain calls; no result holds a person's data."""
    w = get_wiring()
    incident_id = response.open_or_update(w, INCIDENT).incident_id
    assert inspect_case.fn(incident_id).has_dataset and not inspect_case.fn(incident_id).has_persons
    results: list[object] = [scope_dataset_task.fn(incident_id)]
    assert inspect_case.fn(incident_id).has_persons
    decision = assess_obligations.fn(incident_id)
    drafts = draft_reports.fn(incident_id, decision)
    results += [decision, drafts, describe_reports_gate.fn(incident_id, decision, drafts)]
    counts = plan_notices.fn(incident_id)
    preview = preview_notices.fn(incident_id)
    gates.preapprove_all(w, incident_id, approver="試験 承認者")
    assert gates.resume_or_ask(w, incident_id, gate=Gate.notification, subject_sha256=preview.plan_sha256) is not None
    batches = [send_email_batch_task.fn(incident_id, b) for b in range(preview.email_batches)]
    totals = record_email_round.fn(incident_id, batches)
    # No relay is configured: every email is kept in the outbox, and none is counted as sent.
    assert totals["sent"] == 0
    assert totals["outbox"] + totals["failed_permanent"] == counts.by_channel.get("email", 0)
    results += [counts, preview, *batches, totals, export_call_list_task.fn(incident_id),
                record_notice_status.fn(incident_id, 0), plan_prevention.fn(incident_id), list_checks.fn(incident_id)]
    text = "\n".join(_dump(r) for r in results)
    persons = list(case_persons(w.case(incident_id)).values())
    assert len(persons) > 100
    for person in persons:
        for value in (person.name, person.email, person.phone, person.address1):
            assert not value or value not in text, "a task result holds a person's value"


def test_a_task_on_an_unknown_case_fails_with_the_id_only():
    """An unknown incident id fails the task with a user error that names the id, nothing else."""
    with pytest.raises(BreachflowError, match="NO-SUCH-CASE"):
        plan_notices.fn("NO-SUCH-CASE")


def test_the_scope_artifact_shows_the_merges_to_review_as_counts():
    """The scope artifact counts the weak merges and the namesakes kept apart, and names the sealed lists, never a row."""
    from tasks.scoping import scope_markdown

    w = get_wiring()
    incident_id = response.open_or_update(w, INCIDENT).incident_id
    summary = scope_dataset_task.fn(incident_id)
    text = scope_markdown(incident_id, summary)
    assert "| to review: merged on birth date + address only (scope/weak_merges.csv) | 5 |" in text
    assert "| to review: namesakes kept apart, one birth date or address shared (scope/near_merges.csv) | 0 |" in text
    assert "P000039" not in text
