"""`breachflow server` as a service: it takes an intake event, runs the response, and shuts down cleanly."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deployments.server import free_port
from tests.privacy import personal_value_hits

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from cli.main import main; main()"]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.e2e
def test_server_runs_incident_from_event_and_stops_cleanly(tmp_path: Path) -> None:
    """An `intake submit` event starts incident-response on the served deployment; Ctrl-C stops everything."""
    home = tmp_path / "home"
    env = {**os.environ, "BREACHFLOW_HOME": str(home), "PREFECT_HOME": str(tmp_path / "client")}
    env.pop("PREFECT_API_URL", None)
    port = free_port()
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen([*CLI, "server", "--port", str(port)], env=env, cwd=tmp_path, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        def deployment_ready() -> bool:
            try:
                response = httpx.post(f"{api}/deployments/filter", json={}, timeout=5)
            except httpx.HTTPError:
                return False
            return response.status_code == 200 and "incident-response" in {d["name"] for d in response.json()}

        _wait_for(deployment_ready, 180, "the served incident-response deployment")
        example = tmp_path / "stolen-bag"
        shutil.copytree(REPO / "examples" / "stolen-bag", example)
        submit = subprocess.run([*CLI, "intake", "submit", str(example / "incident.yaml"), "--approve-as", "当番 太郎"],
                                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert submit.returncode == 0, submit.stderr
        assert "submitted" in submit.stdout

        def finished_run() -> dict | None:
            runs = httpx.post(f"{api}/flow_runs/filter",
                              json={"flow_runs": {"name": {"any_": ["incident-DEMO-STOLEN-BAG"]}}}, timeout=5).json()
            done = [r for r in runs if r["state_type"] in {"COMPLETED", "FAILED", "CRASHED"}]
            return done[0] if done else None

        run = _wait_for(finished_run, 420, "the incident-response run started by the event")
        assert run["state_type"] == "COMPLETED", run["state"]
        assert run["parameters"] == {"incident_id": "DEMO-STOLEN-BAG"}
    finally:
        os.kill(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=60)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode is not None
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api}/health", timeout=3)
    assert not (home / "prefect" / "api-url").exists()

    # The served run's database, the server's log output and both Prefect homes hold no personal value.
    rows = list(csv.DictReader(io.StringIO((REPO / "examples" / "stolen-bag" / "customers.csv").read_bytes().decode("cp932"))))
    values = [row[column] for row in rows for column in ("お名前", "フリガナ", "ご住所", "電話番号", "メールアドレス") if row[column]]
    values += ["+81" + row["電話番号"].replace("-", "")[1:] for row in rows if row["電話番号"]]
    assert len(values) > 1000
    hits = personal_value_hits(values, db_url=f"sqlite+aiosqlite:///{home / 'prefect' / 'prefect.db'}",
                               extra_roots=[home / "prefect", tmp_path / "client", tmp_path / "server.log"])
    assert hits == []
