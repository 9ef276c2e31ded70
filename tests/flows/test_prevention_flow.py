"""Prevention flows under Prefect: the plan feeds report item 8; checks that cannot run are not passed."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.prevention import read_plan, update_action
from breachflow.reporting.facts import read_report_facts
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES


def _open() -> CaseStore:
    store = CaseStore(get_settings().cases_dir)
    path = SHARED_CASES / "WE-01.yaml"
    store.open_case(load_intake(path, as_of=date(2026, 11, 10)), path)
    return store


def test_prevention_plan_flow_fills_item8(prefect_server: str) -> None:
    """The plan flow stores the plan, feeds report item 8, and audits every open action."""
    from flows.prevention import prevention_plan

    store = _open()
    audit = asyncio.run(prevention_plan("WE-01"))
    case = store.get("WE-01")
    plan = read_plan(case=case)
    assert len(audit.actions) == len(plan.actions) >= 5
    assert len(read_report_facts(case=case).prevention) == len(plan.actions)


@pytest.mark.e2e
def test_unreachable_check_is_retried_and_reported_not_checked(prefect_server: str, tmp_path) -> None:
    """A training check whose roster share is missing is retried, then reported not_checked, never passed."""
    from flows.prevention import prevention_audit

    store = _open()
    from flows.prevention import prevention_plan

    asyncio.run(prevention_plan("WE-01"))
    case = store.get("WE-01")
    plan = read_plan(case=case)
    training = next(a for a in plan.actions if a.check is not None and a.check.kind.value == "training_coverage")
    spec = training.check.model_copy(update={"roster": str(tmp_path / "offline-share" / "roster.csv"),
                                             "completion": str(tmp_path / "offline-share" / "done.csv")})
    update_action(case=case, action_id=training.id, check=spec)
    summary = asyncio.run(prevention_audit())
    assert summary["WE-01"] >= 1

    from prefect.client.orchestration import get_client

    async def retention_rows() -> str:
        async with get_client() as client:
            artifacts = await client.read_artifacts()
        return next(a.data for a in artifacts if a.key == "retention-due")

    rows = asyncio.run(retention_rows())
    assert "WE-01" not in rows and "no case older than 365 days" in rows  # opened today: not yet due
    audited = [e for e in case.timeline.entries() if e.kind.startswith("prevention.audit")]
    assert audited, "the audit left no timeline entry"
    last = audited[-1].data
    assert training.id not in str(last.get("passed", []))
