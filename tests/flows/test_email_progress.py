"""A long email round stays observable: live counts and log lines as batches finish, not only at the end."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from breachflow.notification.plan import Channel
from breachflow.usecases import gates, notification, obligations, response, scoping
from breachflow.wiring import get_wiring
from tests.conftest import REPO

INCIDENT = REPO / "examples" / "stolen-bag" / "incident.yaml"


@pytest.mark.e2e
def test_the_email_round_updates_counts_and_logs_as_batches_finish(prefect_server: str, monkeypatch) -> None:
    """Three batches: the live-count table gets a version per batch (remaining falling to 0) and the log a line each."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterName,
        LogFilter,
        LogFilterFlowRunId,
    )

    from flows.notify_affected_persons import notify_affected_persons

    w = get_wiring()
    incident_id = response.open_or_update(w, INCIDENT).incident_id
    scoping.scope(w, incident_id)
    obligations.assess_case(w, incident_id)
    emails = notification.plan(w, incident_id).by_channel[Channel.email]
    monkeypatch.setattr(notification, "EMAIL_BATCH_SIZE", -(-emails // 3))
    gates.preapprove_all(w, incident_id, approver="試験 承認者")
    outcome = asyncio.run(notify_affected_persons(incident_id))
    assert outcome.email_outbox == emails  # no relay configured: kept in the outbox

    async def observed() -> tuple[list[dict], float, list[str]]:
        key = f"email-counts-{incident_id}".lower()
        async with get_client() as client:
            tables = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            progress = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"email-progress-{incident_id}".lower()])))
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[f"notify-{incident_id}"])))
            logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[runs[0].id])))
        rows = [(json.loads(a.data) if isinstance(a.data, str) else a.data)[0]
                for a in sorted(tables, key=lambda a: a.created)]
        return rows, float(progress[0].data), [log.message for log in logs if log.message.startswith("email: ")]

    deadline = time.monotonic() + 30
    rows, share, lines = asyncio.run(observed())
    while len(lines) < 4 and time.monotonic() < deadline:  # logs reach the server in batches
        time.sleep(1)
        rows, share, lines = asyncio.run(observed())
    assert [row["remaining"] for row in rows] == sorted((row["remaining"] for row in rows), reverse=True)
    assert len(rows) == 3 and rows[0]["remaining"] > 0 and rows[-1]["remaining"] == 0
    assert rows[-1]["outbox"] == emails and rows[-1]["batches_finished"] == 3
    assert share == 100.0
    assert lines[0].startswith(f"email: 0 / {emails:,} (0%)")
    assert len(lines) == 4 and "(100%)" in lines[3] and "(100%)" not in lines[2]
    assert f"outbox {emails:,}" in lines[3] and "remaining 0" in lines[3]
