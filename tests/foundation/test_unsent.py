"""Unsent notices never end as success: the run says so and exits non-zero; `notify status` gives the retry command."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_a_run_that_left_emails_unsent_exits_non_zero_and_says_how_to_retry(capsys):
    """Deferred or in-doubt emails: one error line naming the retry command, exit code 3; outbox alone is a warning."""
    from cli.orchestration import UNSENT_EXIT_CODE, report_unsent
    from flows.incident_response import IncidentOutcome

    base = dict(incident_id="INC-1", persons=10, reportable=True, categories=[1], reports_approved=True,
                notices_sent=0, notices_prepared=0, stages_done=["scope"], stopped_at=None)
    assert report_unsent(IncidentOutcome(**base, email_unsent=7)) == UNSENT_EXIT_CODE == 3
    assert "7 email notice(s) were NOT sent" in capsys.readouterr().err
    assert report_unsent(IncidentOutcome(**base, email_outbox=5)) == 0
    assert "only in the outbox and were NOT sent" in capsys.readouterr().err
    assert report_unsent(IncidentOutcome(**base)) == 0


def test_notify_status_lists_what_is_not_sent_with_the_command_that_retries_it(tmp_path):
    """Approved emails not yet sent are listed by `notify status` with the command that sends them."""
    env = {**os.environ, "BREACHFLOW_HOME": str(tmp_path / "home")}
    intake = REPO / "examples" / "stolen-bag" / "incident.yaml"
    run = lambda *args, **extra: subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,  # noqa: E731
                                                timeout=300, env={**env, **extra}, cwd=REPO)
    assert run("intake", "open", str(intake)).returncode == 0
    assert run("assess", str(intake), "--record").returncode == 0
    code = ("from breachflow.usecases import notification, scoping; from breachflow.wiring import get_wiring; "
            "w = get_wiring(); scoping.scope(w, 'DEMO-STOLEN-BAG'); notification.plan(w, 'DEMO-STOLEN-BAG'); "
            "notification.approve(w, 'DEMO-STOLEN-BAG', approver='t')")
    assert subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, timeout=300).returncode == 0
    status = run("notify", "status", "DEMO-STOLEN-BAG")
    assert "retry with 'breachflow notify send DEMO-STOLEN-BAG'" in status.stdout, status.stdout
