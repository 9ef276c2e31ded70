"""`breachflow server` notices its Prefect child dying, exits non-zero, and leaves another server's address alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.e2e
def test_the_server_command_exits_when_its_prefect_child_dies(tmp_path: Path) -> None:
    """Kill the Prefect server child: the command says so and exits 1 within seconds; a newer api-url is kept."""
    from deployments.server import free_port

    home = tmp_path / "home"
    env = {**os.environ, "BREACHFLOW_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    command = subprocess.Popen([sys.executable, "-m", "cli", "server", "--port", str(free_port())], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        api_url = home / "prefect" / "api-url"
        deadline = time.monotonic() + 180
        while not api_url.exists() and time.monotonic() < deadline and command.poll() is None:
            time.sleep(0.5)
        assert api_url.exists(), command.stderr.read() if command.poll() is not None else "server did not start"
        api_url.write_text("http://127.0.0.1:1/api", encoding="utf-8")  # as a newer server would
        prefect = [pid for pid in _children(command.pid)
                   if b"prefect" in Path(f"/proc/{pid}/cmdline").read_bytes() and b"server" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert prefect, "no Prefect server child found"
        os.killpg(prefect[0], signal.SIGKILL)
        _, err = command.communicate(timeout=60)
        assert command.returncode == 1
        assert "the Prefect server process exited unexpectedly" in err
        assert "Traceback" not in err
        assert api_url.read_text(encoding="utf-8") == "http://127.0.0.1:1/api"
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
