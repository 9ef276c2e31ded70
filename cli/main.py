"""The ``breachflow`` app: every sub-app and command added here, explicitly, in one place."""

from __future__ import annotations

import os
import sys

import typer

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer
    from click import ClickException

from breachflow.casestore.permissions import warn_loose_permissions
from breachflow.errors import BreachflowError
from cli import assess, leakcheck, orchestration, scope
from cli.case import case_app
from cli.common import wiring
from cli.intake import intake_app
from cli.notify import notify_app
from cli.prevention import prevention_app
from cli.report import police_app, report_app
from cli.requests import requests_app

app = typer.Typer(
    name="breachflow",
    help="Incident response for personal-data leaks under Japan's APPI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
intake_app.command("submit")(orchestration.intake_submit)
app.add_typer(intake_app, name="intake")
app.add_typer(case_app, name="case")
app.command("scope")(scope.scope)
app.command("assess")(assess.assess_command)
app.add_typer(report_app, name="report")
app.add_typer(police_app, name="police")
app.add_typer(notify_app, name="notify")
app.add_typer(prevention_app, name="prevention")
app.add_typer(requests_app, name="requests")
app.command("leakcheck")(leakcheck.leakcheck)
app.command("run")(orchestration.run)
app.command("server")(orchestration.server)


def _warn_loose_permissions() -> None:
    """Warn (stderr, paths and modes only) about case folders or key files open to others."""
    store = wiring().store
    try:
        ids = store.ids()
    except OSError:
        return
    warn_loose_permissions(store.get(i) for i in ids)


def main() -> None:
    """Entry point: run the app; user errors become one paragraph on stderr and exit 2."""
    # Every file breachflow creates is readable by its user only (ledger -wal/-shm, Prefect's database, logs).
    os.umask(0o077)
    try:
        _warn_loose_permissions()
        code = app(standalone_mode=False)  # click returns (not raises) a typer.Exit's code here
        if isinstance(code, int) and code:
            sys.exit(code)
    except BreachflowError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except ClickException as exc:
        exc.show()
        sys.exit(2)
