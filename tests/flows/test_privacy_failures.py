"""Failure paths leave no personal data in Prefect: SMTP faults and retries, a rejected gate, a failed flow.

Prefect stores parameters, log lines, state messages, run inputs, artifacts and — for a failed
flow — the pickled exception in clear text. After each failure path below, the whole
database, the result storage folder and everything printed to the console are searched for
every personal value of the synthetic data.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from breachflow.approvals import Gate, preapprove
from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.scoping.case_scope import scope_case, stored_persons
from breachflow.settings import get_settings
from tests.notification.support import SinkHandler, start_server
from tests.privacy import personal_value_hits

INJECTED = "鬼瓦権左衛門ZZ"


class EchoingSink(SinkHandler):
    """Like many real servers, refusals echo the recipient address back."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def _open(repo: Path, tmp_path: Path, incident_id: str):
    folder = tmp_path / incident_id
    shutil.copytree(repo / "examples" / "stolen-bag", folder)
    intake = folder / "incident.yaml"
    intake.write_text(intake.read_text(encoding="utf-8").replace("DEMO-STOLEN-BAG", incident_id), encoding="utf-8")
    return CaseStore(get_settings().cases_dir).open_case(load_intake(intake), intake)


def _values(case) -> list[str]:
    values = []
    for person in stored_persons(case).persons:
        values += [v for v in (person.name, person.kana, person.address1, person.address2, person.email, person.phone) if v]
        if person.phone:
            values.append("0" + person.phone.removeprefix("+81"))
    return values


@pytest.mark.e2e
def test_failure_paths_leave_no_personal_data(repo: Path, tmp_path: Path, prefect_server: str,
                                              monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> None:
    """Retried SMTP faults, 550 refusals, a rejected approval and a failed flow: zero personal values in Prefect."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.flow_runs import resume_flow_run

    from flows.incident_response import incident_response
    from flows.notify_affected_persons import notify_affected_persons

    handler = EchoingSink(defer_rate=0.1, drop_once_after=25)
    smtp = start_server(handler)
    monkeypatch.setenv("BREACHFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BREACHFLOW_SMTP_PORT", str(smtp.port))
    get_settings.cache_clear()
    try:
        # 1. Faults while sending: 451/452 deferrals, a dropped connection, 550 refusals echoing addresses.
        faulty = _open(repo, tmp_path, "PRIV-FAULTS")
        scope_case(case=faulty)
        emails = [p.email for p in stored_persons(faulty).persons if p.email]
        handler.reject.update(emails[:3])
        for gate in Gate:
            preapprove(case=faulty, gate=gate, approver="試験 承認者")
        outcome = asyncio.run(incident_response(faulty.incident_id))
        assert "notify-affected-persons" in outcome.stages_done
        assert handler.deferred > 0 and handler.dropped == 1

        # 2. A rejected notification gate.
        rejected = _open(repo, tmp_path, "PRIV-REJECT")
        preapprove(case=rejected, gate=Gate.reports, approver="試験 承認者")
        result: dict[str, object] = {}
        worker = threading.Thread(target=lambda: result.update(o=asyncio.run(incident_response(rejected.incident_id))))
        worker.start()

        async def paused() -> str | None:
            async with get_client() as client:
                runs = await client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["notify-PRIV-REJECT"])))
            return next((str(r.id) for r in runs if r.state and r.state.is_paused()), None)

        run_id, deadline = None, time.monotonic() + 180
        while run_id is None and time.monotonic() < deadline:
            time.sleep(1)
            run_id = asyncio.run(paused())
        assert run_id is not None, "the notification gate never paused"
        resume_flow_run(run_id, run_input={"approver": "法務 一郎", "decision": "reject", "comment": "文面を再検討"})
        worker.join(timeout=180)
        assert result["o"].stopped_at == "notify-affected-persons"

        # 3. A failed flow: the stored person list is corrupt, and the validation error quotes the value.
        persons = json.loads(faulty.read_bytes("persons.json"))
        persons["persons"][0]["birth_date"] = INJECTED
        faulty.write_bytes("persons.json", json.dumps(persons, ensure_ascii=False).encode("utf-8"))
        with pytest.raises(Exception) as failure:
            asyncio.run(notify_affected_persons(faulty.incident_id))
        assert INJECTED not in str(failure.value)
        assert "PRIV-FAULTS" in str(failure.value)
    finally:
        smtp.stop()

    persons["persons"][0].pop("birth_date")
    values = _values(rejected) + [INJECTED] + [
        v for p in persons["persons"] for v in (p.get("name"), p.get("email"), p.get("address1")) if v
    ]
    hits = personal_value_hits(values, db_url=prefect_server, extra_roots=[Path(os.environ["PREFECT_HOME"])])
    assert hits == []
    printed = capfd.readouterr()
    console = printed.out + printed.err
    assert [v for v in values if v in console] == []
