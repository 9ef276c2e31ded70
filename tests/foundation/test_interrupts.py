"""The stop signal handling of `breachflow run` on its own: the line, the watchdog, a second Ctrl-C, stop flags."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from breachflow import interrupts
from breachflow.notification.mailer import RecordingMailer
from breachflow.notification.sending import send_email_batch
from cli.interrupts import RunStopper
from tests.conftest import REPO
from tests.notification.support import SENDER, TODAY, business, email_person, email_plan, facts

# A command that ignores the interrupt and keeps going, as a stuck shutdown would.
STUCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from cli.interrupts import RunStopper
    stopper = RunStopper(Path("incident.yaml"), grace=float(sys.argv[1]))
    stopper.install()
    stopper.incident_id = "X-1"

    def forever():
        while True:
            try:
                time.sleep(60)
            except KeyboardInterrupt:
                pass

    try:  # the one KeyboardInterrupt may come at any bytecode
        print("ready", flush=True)
        forever()
    except KeyboardInterrupt:
        forever()
""")


def _stuck(grace: float) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", STUCK, str(grace)], cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().strip() == "ready"
    return process


def test_the_watchdog_ends_a_stuck_run_after_the_grace_time_with_the_line():
    """One Ctrl-C and a shutdown that hangs: the process still ends after the grace time, exit 130, one line."""
    process = _stuck(grace=1.0)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert 1.0 <= time.monotonic() - started < 3.0
    assert process.returncode == 130
    assert stderr.splitlines() == [
        "interrupted during start-up (incident X-1): nothing is lost; notices not yet sent stay planned and one "
        "caught mid-send would show as in doubt; resume with 'breachflow run incident.yaml' "
        "(see 'breachflow case status X-1')"
    ]


def test_a_second_ctrl_c_exits_at_once():
    """The second Ctrl-C does not wait for the grace time."""
    process = _stuck(grace=30.0)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert time.monotonic() - started < 1.5
    assert process.returncode == 130 and len(stderr.splitlines()) == 1 and "Traceback" not in stderr


def test_sigterm_exit_code_and_stage_words():
    """SIGTERM gives 143; the line names the stage in plain words and works before a case exists."""
    stopper = RunStopper(Path("in.yaml"))
    stopper.signum, stopper.stage = signal.SIGTERM, "produce-letters"
    assert stopper.exit_code == 143
    assert stopper.line().startswith("interrupted during letter rendering: nothing was stored for this run;")


def test_stages_nest_and_overlap():
    """The current stage is the innermost one still under way, also when concurrent batches leave in any order."""
    interrupts.reset()
    with interrupts.stage("notify-affected-persons"):
        with interrupts.stage("send-email-batch"):
            with interrupts.stage("send-email-batch"):
                assert interrupts.current_stage() == "send-email-batch"
            assert interrupts.current_stage() == "send-email-batch"
        assert interrupts.current_stage() == "notify-affected-persons"
    assert interrupts.current_stage() is None


def test_a_batch_asked_to_stop_hands_over_no_further_message(tmp_path: Path):
    """When the stop comes after the 3rd message, that one is recorded sent and the other 7 stay planned."""
    from breachflow.notification.ledger import State
    from breachflow.notification.ledger_fast import open_ledger
    from breachflow.notification.policy import ChannelPolicy

    ledger = open_ledger(tmp_path / "case")
    persons = [email_person(i) for i in range(10)]
    plan, versions = email_plan(persons, ledger)
    mailer = RecordingMailer()
    result = send_email_batch(
        ledger=ledger, mailer=mailer, notices=plan.notices, persons={p.person_id: p for p in persons}, facts=facts(),
        business=business(), sender=SENDER, today=TODAY, policy=ChannelPolicy(), versions=versions, worker="w",
        should_stop=lambda: len(mailer.delivered) >= 3,
    )
    assert result.sent == 3 and result.stopped == 7
    states = [ledger.row(n.notice_id).state for n in plan.notices]
    assert states.count(State.sent) == 3 and states.count(State.planned) == 7
    ledger.close()
