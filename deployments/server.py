"""Start and stop a local Prefect server for breachflow (SQLite under BREACHFLOW_HOME)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from breachflow.errors import ConfigError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def server_environment(*, home: Path, host: str, port: int) -> dict[str, str]:
    """Environment of the server process: private PREFECT_HOME, settings measured to matter."""
    prefect_home = home / "prefect"
    prefect_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "PREFECT_HOME": str(prefect_home),
            "PREFECT_SERVER_API_HOST": host,
            "PREFECT_SERVER_API_PORT": str(port),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # With the default batch size of 1 the SQLite server needed 66 s to record a
            # 1,000-task flow; 200 brought it to 1.4 s (measured).
            "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
            "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "200",
            "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
            "PREFECT_API_URL": f"http://{'127.0.0.1' if host in LOOPBACK else host}:{port}/api",
        }
    )
    if host not in LOOPBACK and not env.get("PREFECT_SERVER_API_AUTH_STRING"):
        raise ConfigError(
            f"binding the Prefect server to {host} exposes incident data to the network; "
            "set PREFECT_SERVER_API_AUTH_STRING (user:password) first, or keep the default 127.0.0.1"
        )
    return env


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    """A Prefect server process started by breachflow."""

    process: subprocess.Popen[bytes]
    api_url: str
    env: dict[str, str]
    log_path: Path

    @property
    def ui_url(self) -> str:
        """The browser address of the UI."""
        return self.api_url.removesuffix("/api")

    def stop(self, timeout: float = 20) -> None:
        """Stop the server and everything it started."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_server(*, home: Path, host: str = "127.0.0.1", port: int | None = None, timeout: float = 90) -> RunningServer:
    """Start ``prefect server start`` in its own process group and wait until the API is ready."""
    port = port or free_port()
    env = server_environment(home=home, host=host, port=port)
    log_path = home / "prefect" / "server.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port), "--analytics-off"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = RunningServer(process=process, api_url=env["PREFECT_API_URL"], env=env, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(f"the Prefect server exited with code {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{server.api_url}/ready", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.stop()
    raise ConfigError(f"the Prefect server did not become ready within {timeout:.0f} s; see {log_path}")


def start_temporary_server():
    """Prefect's temporary server for one `breachflow run`, started in a session of its own; stopped at exit.

    Prefect starts it in the caller's process group, so a Ctrl-C in the terminal reached it too:
    it died before the interrupted run could record its flow runs as crashed, and the client
    then retried for minutes. In its own session only `run` gets the signal; the server outlives
    the few seconds in which the flow runs are marked, and is stopped at exit (or killed with
    the rest of `run`'s child processes if `run` has to exit at once).
    """
    from prefect.server.api.server import SubprocessASGIServer

    class OwnSessionServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen:
            import prefect
            from prefect.settings import get_current_settings

            # As Prefect 3.9's SubprocessASGIServer starts it, plus start_new_session.
            return subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--log-level", "error", "--lifespan", "on"],
                env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                     "PREFECT__SERVER_FINAL": "1",
                     **get_current_settings().to_environment_variables(exclude_unset=True)},
                start_new_session=True,
            )

    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    server = OwnSessionServer(port=free_port())
    # A fresh database takes 12 s to set up on two idle cores (measured), past 20 s on busy ones.
    server.start(timeout=max(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value(), 60))  # registers stop() at exit
    return server
