"""The whole incident response under a real Prefect server: stages, resumability, zero personal data."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from breachflow.approvals import Gate, preapprove
from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.scoping.case_scope import stored_persons
from breachflow.settings import get_settings
from tests.privacy import personal_value_hits


def _personal_values(case) -> list[str]:
    values: list[str] = []
    for person in stored_persons(case).persons:
        for field in ("name", "kana", "address1", "address2", "phone", "email"):
            value = getattr(person, field)
            if value:
                values.append(value)
        if person.phone:
            values.append("0" + person.phone.removeprefix("+81"))
    return values


@pytest.mark.e2e
def test_incident_response_end_to_end_is_resumable_and_private(repo: Path, tmp_path: Path, prefect_server: str) -> None:
    """The stolen-bag case runs every stage; a re-run redoes nothing; Prefect holds no personal value."""
    from prefect.client.orchestration import get_client

    from flows.incident_response import incident_response

    example = tmp_path / "stolen-bag"
    shutil.copytree(repo / "examples" / "stolen-bag", example)
    store = CaseStore(get_settings().cases_dir)
    case = store.open_case(load_intake(example / "incident.yaml"), example / "incident.yaml")
    for gate in Gate:
        preapprove(case=case, gate=gate, approver="テスト 承認者")

    first = asyncio.run(incident_response(case.incident_id))
    assert first.stopped_at is None
    assert first.stages_done == ["scope", "report-obligations", "notify-affected-persons", "prevention-plan"]
    # No relay is configured here: emails wait in the outbox and nothing is counted as sent.
    assert first.notices_sent == 0
    assert first.notices_prepared is not None and first.notices_prepared >= 300
    assert first.persons == 300 and first.categories == [3]

    kinds_before = [e.kind for e in case.timeline.entries()]
    second = asyncio.run(incident_response(case.incident_id))
    assert second.stages_done == first.stages_done
    new_kinds = [e.kind for e in case.timeline.entries()][len(kinds_before):]
    # Nothing decided, approved, drafted-for-new-facts or planned again; only audits and drafts may repeat.
    assert not {"scope.done", "decision.recorded", "decision.changed", "approval.approve"} & set(new_kinds), new_kinds
    assert second.notices_prepared == 0 and second.notices_sent == 0, "a re-run must not send or prepare any notice again"

    async def keys() -> set[str]:
        async with get_client() as client:
            return {a.key for a in await client.read_artifacts() if a.key}

    assert {"incident-demo-stolen-bag", "scope-demo-stolen-bag", "deadlines-demo-stolen-bag",
            "prevention-demo-stolen-bag", "notification-demo-stolen-bag", "requests-demo-stolen-bag",
            "status-demo-stolen-bag"} <= asyncio.run(keys())

    async def status_markdown() -> str:
        async with get_client() as client:
            # The artifact is updated at every stage: read its newest version.
            versions = [a for a in await client.read_artifacts() if a.key == "status-demo-stolen-bag"]
            return max(versions, key=lambda a: a.created).data

    officer = asyncio.run(status_markdown())
    assert "次に行うこと" in officer and "確報" in officer and "電子メール" in officer

    values = _personal_values(case)
    assert len(values) > 600
    hits = personal_value_hits(values, db_url=prefect_server, extra_roots=[Path(os.environ["PREFECT_HOME"])])
    assert hits == []
