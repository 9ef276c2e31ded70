"""Scale-out path for real: Prefect server on PostgreSQL, two process workers, the ledger on PostgreSQL.

Two flow runs of ``notify-affected-persons`` for the same incident are picked up by two
separate process workers at once; every email notice reaches the SMTP server exactly once.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from breachflow.intake import load_intake
from breachflow.notification import service
from breachflow.usecases import notification
from breachflow.wiring import get_wiring
from breachflow.settings import get_settings
from tests.pg import postgres_cluster

REPO = Path(__file__).resolve().parents[2]


class _Counting:
    def __init__(self) -> None:
        self.by_recipient: collections.Counter[str] = collections.Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        for rcpt in envelope.rcpt_tos:
            self.by_recipient[rcpt.lower()] += 1
        return "250 OK"


def _python(code: str, env: dict[str, str], timeout: int = 180) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.e2e
def test_two_workers_on_postgres_send_each_notice_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two process workers share one incident's PostgreSQL ledger; the server counts one message per person."""
    from breachflow.scoping.case_scope import scope_case
    from deployments.server import start_server

    handler = _Counting()
    from deployments.server import free_port

    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    workers: list[subprocess.Popen[bytes]] = []
    with postgres_cluster(["prefect", "ledger"]) as pg:
        ledger_url = pg.url("ledger")
        monkeypatch.setenv("BREACHFLOW_NOTIFICATION_LEDGER_URL", ledger_url)
        monkeypatch.setenv("BREACHFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BREACHFLOW_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", pg.url("prefect", driver="asyncpg"))
        get_settings.cache_clear()

        # The case: scoped, planned and approved in the case store (the gates are not under test here).
        w = get_wiring()
        intake_path = REPO / "examples" / "stolen-bag" / "incident.yaml"
        case = w.store.open_case(load_intake(intake_path), intake_path)
        scope_case(case=case)
        notification.plan(w, case.incident_id)
        service.approve_plan(case=case, approved=True, decided_by="scale-out test", scripted=True)
        emails = [n for n in service.load_plan(case).notices if n.channel.value == "email"]
        assert len(emails) > 100

        server = start_server(home=tmp_path / "prefect-server")
        try:
            env = {**os.environ, "PREFECT_API_URL": server.api_url, "PREFECT_HOME": str(tmp_path / "client-home")}
            env.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL", None)
            subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create", "bf-pool", "--type", "process"],
                           env=env, check=True, capture_output=True, timeout=120)
            _python(
                f"""
                from prefect import flow
                flow.from_source(source={str(REPO)!r}, entrypoint="flows/notify_affected_persons.py:notify_affected_persons"
                ).deploy(name="notify", work_pool_name="bf-pool", build=False, push=False, print_next_steps=False)
                """,
                env,
            )
            for n in range(2):
                workers.append(subprocess.Popen(
                    [sys.executable, "-m", "prefect", "worker", "start", "--pool", "bf-pool", "--type", "process",
                     "--name", f"worker-{n}", "--limit", "1"],
                    env=env, cwd=REPO, stdout=open(tmp_path / f"worker-{n}.log", "wb"), stderr=subprocess.STDOUT,
                    start_new_session=True,
                ))
            ids = json.loads(_python(
                f"""
                import json
                from prefect.deployments import run_deployment
                runs = [run_deployment("notify-affected-persons/notify", parameters={{"incident_id": {case.incident_id!r}}},
                                       timeout=0) for _ in range(2)]
                print(json.dumps([str(r.id) for r in runs]))
                """,
                env,
            ).strip().splitlines()[-1])

            deadline = time.monotonic() + 600
            states: dict[str, str] = {}
            while time.monotonic() < deadline:
                response = httpx.post(f"{server.api_url}/flow_runs/filter",
                                      json={"flow_runs": {"id": {"any_": ids}}}, timeout=10)
                states = {r["id"]: r["state_type"] for r in response.json()}
                if all(s in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} for s in states.values()) and len(states) == 2:
                    break
                time.sleep(2)
            assert sorted(states.values()) == ["COMPLETED", "COMPLETED"], states
            logs = "".join((tmp_path / f"worker-{n}.log").read_text(errors="replace") for n in range(2))
            assert logs.count("Worker 'worker-0'") >= 1 and logs.count("Worker 'worker-1'") >= 1
        finally:
            for worker in workers:
                os.killpg(worker.pid, 15)
                time.sleep(0.5)
                if worker.poll() is None:
                    os.killpg(worker.pid, 15)  # a process worker ignores the first SIGTERM
                worker.wait(timeout=30)
            server.stop()
            smtp.stop()

        counts = w.ledger(case).counts()
        assert counts["email"].get("sent", 0) + counts["email"].get("failed_permanent", 0) == len(emails)
        assert max(handler.by_recipient.values()) == 1
        assert sum(handler.by_recipient.values()) == counts["email"]["sent"]
