"""Orchestration commands (`run`, `server`, `intake submit`) added to the breachflow CLI.

They live here, not in ``breachflow/``, so that the domain package never imports Prefect.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from breachflow.approvals import Gate, preapprove
from breachflow.cli import AsOf, JsonFlag, app, case_store, emit_json, intake_app, parse_as_of
from breachflow.cli import main as _main
from breachflow.intake import load_intake
from breachflow.settings import get_settings

ApproveAs = Annotated[
    str | None,
    typer.Option("--approve-as", help="Pre-approve every gate as this person (scripted runs); recorded as such."),
]


def _open_or_update(file: Path, as_of: str | None):
    intake = load_intake(file, as_of=parse_as_of(as_of))
    store = case_store()
    return store.open_case(intake, file, update=store.exists(intake.incident_id))


@app.command("run")
def run(file: Path, approve_as: ApproveAs = None, as_json: JsonFlag = False, as_of: AsOf = None) -> None:
    """Open (or update) the case from an intake file and run the whole incident response."""
    from flows.incident_response import incident_response

    case = _open_or_update(file, as_of)
    if approve_as:
        for gate in Gate:
            preapprove(case=case, gate=gate, approver=approve_as)
    outcome = asyncio.run(incident_response(case.incident_id))
    if as_json:
        emit_json(outcome.model_dump(mode="json"))
    else:
        typer.echo(
            f"incident {outcome.incident_id}: stages done: {', '.join(outcome.stages_done) or '-'}"
            + (f"; waiting/stopped at {outcome.stopped_at}" if outcome.stopped_at else "")
        )


def _api_url_file() -> Path:
    return get_settings().home / "prefect" / "api-url"


def _use_local_server() -> None:
    """Point this process at the server `breachflow server` started, unless PREFECT_API_URL is set."""
    import os

    if not os.environ.get("PREFECT_API_URL") and _api_url_file().exists():
        os.environ["PREFECT_API_URL"] = _api_url_file().read_text(encoding="utf-8").strip()


@intake_app.command("submit")
def intake_submit(
    file: Path,
    wait: Annotated[bool, typer.Option("--wait", help="Run the deployment and wait for it to finish.")] = False,
    approve_as: ApproveAs = None,
    as_of: AsOf = None,
) -> None:
    """Validate and store the case, then start the response through the server (event or run_deployment)."""
    _use_local_server()
    from prefect.settings import PREFECT_UI_URL

    case = _open_or_update(file, as_of)
    if approve_as:
        for gate in Gate:
            preapprove(case=case, gate=gate, approver=approve_as)
    if wait:
        from prefect.deployments import run_deployment

        run = run_deployment("incident-response/incident-response", parameters={"incident_id": case.incident_id})
        typer.echo(f"flow run {run.name}: {run.state.name if run.state else '?'}  {PREFECT_UI_URL.value()}/runs/flow-run/{run.id}")
        return
    from prefect.events import emit_event

    from deployments.definitions import INCIDENT_EVENT, INCIDENT_RESOURCE_PREFIX

    event = emit_event(
        event=INCIDENT_EVENT,
        resource={"prefect.resource.id": f"{INCIDENT_RESOURCE_PREFIX}{case.incident_id}",
                  "breachflow.incident-id": case.incident_id},
    )
    case.timeline.append("intake.submitted", "対応フローの起動を要求", event_id=str(event.id) if event else None)
    typer.echo(f"incident {case.incident_id} submitted; watch it at {PREFECT_UI_URL.value() or 'the Prefect UI'}/runs")


@app.command("server")
def server(
    host: Annotated[str, typer.Option(help="Bind address; anything but loopback needs PREFECT_SERVER_API_AUTH_STRING.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and UI.")] = 4200,
) -> None:
    """Start a local Prefect server (SQLite under BREACHFLOW_HOME) and serve breachflow's deployments."""
    import os

    from deployments.server import start_server

    running = start_server(home=get_settings().home.resolve(), host=host, port=port)
    typer.echo(f"Prefect UI: {running.ui_url}  (API {running.api_url}); Ctrl-C stops everything", err=False)
    os.environ["PREFECT_API_URL"] = running.api_url
    _api_url_file().write_text(running.api_url, encoding="utf-8")
    try:
        from prefect import serve

        from deployments.definitions import build_deployments

        serve(*build_deployments(), print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        _api_url_file().unlink(missing_ok=True)
        running.stop()
        typer.echo("server stopped")


def main() -> None:
    """Entry point of the ``breachflow`` command with orchestration commands included."""
    _main()
