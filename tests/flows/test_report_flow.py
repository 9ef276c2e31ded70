"""The report-obligations flow and its approval gate under a real Prefect server."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import date

import pytest

from breachflow.approvals import Gate, approval_of, preapprove
from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES


def _open(name: str = "WE-01") -> CaseStore:
    store = CaseStore(get_settings().cases_dir)
    path = SHARED_CASES / f"{name}.yaml"
    store.open_case(load_intake(path, as_of=date(2026, 12, 31)), path)
    return store


def test_preapproved_run_drafts_and_records(prefect_server: str) -> None:
    """With --approve-as given in advance, the flow decides, drafts 速報 and police draft, and records the approval."""
    from flows.report_obligations import report_obligations

    store = _open()
    case = store.get("WE-01")
    preapprove(case=case, gate=Gate.reports, approver="承認 花子")
    outcome = asyncio.run(report_obligations("WE-01"))
    assert outcome.approved and outcome.reportable and outcome.categories == [3]
    assert any(name.endswith(".pdf") for name in outcome.drafts.report_files)
    assert any(name.startswith("police-") for name in outcome.drafts.police_files)
    record = approval_of(case=case, gate=Gate.reports)
    assert record is not None and record.scripted and record.approver == "承認 花子"
    kinds = [e.kind for e in case.timeline.entries()]
    assert "decision.recorded" in kinds and "approval.approve" in kinds


@pytest.mark.e2e
def test_gate_pauses_rejects_invalid_input_and_resumes(prefect_server: str) -> None:
    """The gate pauses the run; invalid input is refused and leaves it paused; valid input resumes it."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.flow_runs import resume_flow_run

    from flows.report_obligations import report_obligations

    _open("WE-03")
    result: dict[str, object] = {}

    def run() -> None:
        result["outcome"] = asyncio.run(report_obligations("WE-03"))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()

    async def paused_run_id() -> str | None:
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["obligations-WE-03"]))
            )
            paused = [r for r in runs if r.state and r.state.is_paused()]
            return str(paused[0].id) if paused else None

    run_id = None
    deadline = time.monotonic() + 90
    while run_id is None and time.monotonic() < deadline:
        time.sleep(1)
        run_id = asyncio.run(paused_run_id())
    assert run_id is not None, "the flow never paused at the gate"

    with pytest.raises(RuntimeError, match="Cannot resume"):
        resume_flow_run(run_id, run_input={"approver": "", "decision": "maybe"})
    time.sleep(1)
    assert asyncio.run(paused_run_id()) == run_id

    resume_flow_run(run_id, run_input={"approver": "法務 一郎", "decision": "reject", "comment": "要再確認"})
    worker.join(timeout=90)
    outcome = result["outcome"]
    assert outcome.approved is False and outcome.approver == "法務 一郎"
    record = approval_of(case=CaseStore(get_settings().cases_dir).get("WE-03"), gate=Gate.reports)
    assert record is not None and record.verdict.value == "reject" and not record.scripted
