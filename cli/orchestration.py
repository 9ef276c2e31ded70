"""Orchestration commands (`run`, `server`, and the server half of `intake submit`).

Prefect is imported inside the commands, so the rest of the command line starts fast.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from breachflow.casestore import Case
from breachflow.errors import BreachflowError
from breachflow.usecases import gates, response
from cli.common import ApproveAs, AsOf, JsonFlag, emit_json, parse_as_of, wiring
from cli.interrupts import stop_on_signals


def run(file: Path, approve_as: ApproveAs = None, as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """Open (or update) the case from an intake file and run the whole incident response.

    Ctrl-C or SIGTERM stops it within seconds with one line saying where and how to resume (cli/interrupts.py).
    """
    with stop_on_signals(file) as stopper:
        # Shown in the UI of a running `breachflow server`; else a temporary server, which must not phone home.
        _use_local_server()
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        from flows.incident_response import incident_response

        w = wiring()
        case = response.open_or_update(w, file, as_of=parse_as_of(as_of))
        stopper.incident_id = case.incident_id
        if approve_as:
            gates.preapprove_all(w, case.incident_id, approver=approve_as)
        _quiet_user_errors()
        with _prefect_api():
            outcome = asyncio.run(incident_response(case.incident_id))
    if as_json:
        emit_json(outcome.model_dump(mode="json"))
    else:
        typer.echo(
            f"incident {outcome.incident_id}: stages done: {', '.join(outcome.stages_done) or '-'}"
            + (f"; waiting/stopped at {outcome.stopped_at}" if outcome.stopped_at else "")
        )
    code = report_unsent(outcome)
    if code:
        raise typer.Exit(code)


def report_unsent(outcome) -> int:
    """Say on stderr what the run left unsent; the exit code is non-zero when notices failed to go out."""
    if outcome.email_outbox:
        typer.echo(f"warning: {outcome.email_outbox} email notice(s) are only in the outbox and were NOT sent "
                   "(no SMTP relay configured); set BREACHFLOW_SMTP_HOST and run again to send them", err=True)
    if outcome.email_unsent:
        typer.echo(f"error: {outcome.email_unsent} email notice(s) were NOT sent (relay unreachable, deferred or in "
                   f"doubt); see 'breachflow notify status {outcome.incident_id}', then retry with "
                   f"'breachflow notify send {outcome.incident_id}'", err=True)
        return UNSENT_EXIT_CODE
    return 0


UNSENT_EXIT_CODE = 3  # the run finished, but some notices were not sent


class _NoTracebackForUserErrors(logging.Filter):
    """Drop the traceback Prefect logs with a BreachflowError: the one-line message says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], BreachflowError):
            record.exc_info = None
            record.exc_text = None
        return True


def _quiet_user_errors() -> None:
    """A bad list or intake ends `run` with its message, not with a traceback per flow level."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTracebackForUserErrors) for f in logger.filters):
            logger.addFilter(_NoTracebackForUserErrors())


@contextmanager
def _prefect_api() -> Iterator[None]:
    """The configured Prefect API, or a temporary server in a session of its own (see start_temporary_server)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_ALLOW_EPHEMERAL_MODE, PREFECT_UI_URL, temporary_settings

    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
        yield
        return
    from deployments.server import start_temporary_server

    server = start_temporary_server()
    # It serves no UI: no "View at" links to it.
    with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_UI_URL: ""}):
        yield


def _api_url_file() -> Path:
    return wiring().settings.home / "prefect" / "api-url"


def _use_local_server() -> None:
    """Point this process at the server `breachflow server` started, unless PREFECT_API_URL is set."""
    if not os.environ.get("PREFECT_API_URL") and _api_url_file().exists():
        os.environ["PREFECT_API_URL"] = _api_url_file().read_text(encoding="utf-8").strip()


def intake_submit(
    file: Path,
    wait: Annotated[bool, typer.Option("--wait", help="Run the deployment and wait for it to finish.")] = False,
    approve_as: ApproveAs = None,
    as_of: AsOf = None,
) -> None:
    """Validate and store the case, then start the response through the server (event or run_deployment)."""
    w = wiring()
    case = response.open_or_update(w, file, as_of=parse_as_of(as_of))
    if approve_as:
        gates.preapprove_all(w, case.incident_id, approver=approve_as)
    typer.echo(_submit(case, wait=wait))


def _submit(case: Case, *, wait: bool) -> str:
    """Start the response of a stored case through the server: an event, or run_deployment and wait."""
    _use_local_server()
    from prefect.settings import PREFECT_UI_URL

    if wait:
        from prefect.deployments import run_deployment

        run = run_deployment("incident-response/incident-response", parameters={"incident_id": case.incident_id})
        return f"flow run {run.name}: {run.state.name if run.state else '?'}  {PREFECT_UI_URL.value()}/runs/flow-run/{run.id}"
    from prefect.events import emit_event

    from deployments.definitions import INCIDENT_EVENT, INCIDENT_RESOURCE_PREFIX

    event = emit_event(
        event=INCIDENT_EVENT,
        resource={"prefect.resource.id": f"{INCIDENT_RESOURCE_PREFIX}{case.incident_id}",
                  "breachflow.incident-id": case.incident_id},
    )
    case.timeline.append("intake.submitted", "対応フローの起動を要求", event_id=str(event.id) if event else None)
    return f"incident {case.incident_id} submitted; watch it at {PREFECT_UI_URL.value() or 'the Prefect UI'}/runs"


def server(
    host: Annotated[str, typer.Option(help="Bind address; anything but loopback needs PREFECT_SERVER_API_AUTH_STRING.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and UI.")] = 4200,
) -> None:
    """Start a local Prefect server (SQLite under BREACHFLOW_HOME) and serve breachflow's deployments."""
    from deployments.server import start_server

    running = start_server(home=wiring().settings.home.resolve(), host=host, port=port)
    typer.echo(f"Prefect UI: {running.ui_url}  (API {running.api_url}); Ctrl-C stops everything", err=False)
    os.environ["PREFECT_API_URL"] = running.api_url
    _api_url_file().write_text(running.api_url, encoding="utf-8")
    died = threading.Event()
    threading.Thread(target=_watch, args=(running, died), daemon=True, name="prefect-server-watch").start()
    try:
        from prefect import serve

        from deployments.definitions import build_deployments

        serve(*build_deployments(), print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        # A newer `breachflow server` may have written its own address meanwhile: leave that one alone.
        if _api_url_file().exists() and _api_url_file().read_text(encoding="utf-8").strip() == running.api_url:
            _api_url_file().unlink()
        running.stop()
        typer.echo("server stopped")
    if died.is_set():
        typer.echo(f"error: the Prefect server process exited unexpectedly; see {running.log_path}", err=True)
        raise typer.Exit(1)


def _watch(running, died: threading.Event, interval: float = 1.0) -> None:
    """Interrupt this process (as Ctrl-C would) when the Prefect server child exits on its own."""
    while running.process.poll() is None:
        time.sleep(interval)
    died.set()
    os.kill(os.getpid(), signal.SIGINT)
