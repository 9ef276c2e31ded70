"""Ctrl-C (SIGINT), SIGTERM or SIGHUP during `breachflow run`: stop within seconds, say where in one line, exit non-zero.

On the first signal:

- the main thread gets a KeyboardInterrupt wherever it is (while a flow runs, Prefect's own
  SIGTERM handler raises its TerminationSignal instead): scoping stops, a letter rendering
  stops its worker processes, the wait for email batches ends; Prefect records the flow and
  task runs as Crashed on the way out;
- email batches, which run in threads that never see a signal, stop before their next
  message (``breachflow.interrupts``): the message in flight finishes and is recorded;
- logging and stderr go quiet, so shutting down prints no traceback;
- a watchdog ends the process ``GRACE_SECONDS`` later whatever still runs, stopping the
  child processes first (the temporary Prefect server, letter workers).

A second Ctrl-C ends the process at once, the same way. Either way the one line is printed once,
and the exit code is 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM).

The signals are watched through ``signal.set_wakeup_fd``, which the interpreter writes to
whichever Python handler is installed: Prefect swaps in its own SIGTERM handler while a flow
runs, and the watchdog must start at the first signal all the same.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import typer

from breachflow import interrupts
from breachflow.processes import descendants

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 6.0  # measured: the flow runs are marked and the temporary server stops in 2-4 s

# Plain words for the stages the flows and tasks mark (their Prefect names).
STAGE_WORDS = {
    "inspect-case": "start", "scope-incident": "scoping", "scope-dataset": "scoping",
    "report-obligations": "the report obligations", "assess-obligations": "the report obligations",
    "draft-reports": "report drafting", "notify-affected-persons": "notification", "plan-notices": "notice planning",
    "preview-notices": "notice planning", "send-email-batch": "email sending", "record-email-round": "email sending",
    "produce-letters": "letter rendering", "export-call-list": "the call list",
    "draft-substitute-measures": "the substitute measures", "prevention-plan": "the prevention plan",
    "plan-prevention": "the prevention plan",
}


class RunStopper:
    """Turns the first stop signal into an orderly, bounded shutdown of `breachflow run`."""

    def __init__(self, intake_file: Path, *, grace: float = GRACE_SECONDS) -> None:
        self.intake_file = intake_file
        self.incident_id: str | None = None
        self.grace = grace
        self.signum: int | None = None
        self.stage: str | None = None
        self._lock = threading.Lock()
        self._signals_seen = 0
        self._raised = False
        self._said = False
        self._stderr: TextIO = sys.stderr
        self._previous: dict[int, object] = {}
        self._wakeup: tuple[int, int] | None = None
        self._previous_wakeup = -1

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process ended by that signal."""
        return 128 + (self.signum or signal.SIGINT)

    def line(self) -> str:
        """The one line that says where the run stopped and how to resume it."""
        where = STAGE_WORDS.get(self.stage or "", self.stage or "start-up")
        resume = f"resume with 'breachflow run {self.intake_file}'"
        if self.incident_id is None:
            return f"interrupted during {where}: nothing was stored for this run; {resume}"
        return (f"interrupted during {where} (incident {self.incident_id}): nothing is lost; notices not yet sent "
                f"stay planned and one caught mid-send would show as in doubt; {resume} "
                f"(see 'breachflow case status {self.incident_id}')")

    # ---------------------------------------------------------------- installing

    def install(self) -> None:
        """Take over SIGINT, SIGTERM and SIGHUP (main thread only) and start watching for them."""
        interrupts.reset()
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        self._wakeup = (read_fd, write_fd)
        self._previous_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        threading.Thread(target=self._watch, args=(read_fd,), daemon=True, name="breachflow-stop-watch").start()

    def uninstall(self) -> None:
        """Give the signals back (a finished run)."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        if self._wakeup:
            signal.set_wakeup_fd(self._previous_wakeup)
            os.close(self._wakeup[1])  # the watcher reads end-of-file and returns
            self._wakeup = None

    # ---------------------------------------------------------------- reacting

    def _on_signal(self, signum: int, frame: object) -> None:
        """Python-level handler (main thread): unwind whatever runs, once."""
        self._begin(signum)
        if not self._raised:
            self._raised = True
            raise KeyboardInterrupt

    def _watch(self, read_fd: int) -> None:
        """Count stop signals from the wakeup pipe, whichever Python handler took them."""
        try:
            while data := os.read(read_fd, 64):
                for signum in data:
                    if signum not in SIGNALS:
                        continue
                    self._signals_seen += 1
                    if self._signals_seen == 1:
                        self._begin(signum)
                    elif signum == signal.SIGINT:
                        # Only a second Ctrl-C: Prefect sends a SIGTERM it handled to the handler it
                        # replaced once its flow has crashed, and a supervisor's second SIGTERM is
                        # bounded by the watchdog anyway.
                        self.exit_now()
        finally:
            os.close(read_fd)

    def _begin(self, signum: int) -> None:
        """The first signal: note where the run is, ask loops to stop, go quiet, arm the watchdog."""
        with self._lock:
            if self.signum is not None:
                return
            self.signum = signum
            self.stage = interrupts.current_stage()
        interrupts.request_stop()
        # Prefect logs a crash per flow and task level, httpx and threads may add tracebacks on the
        # way out: the one line printed at the end says all the user needs.
        logging.disable(logging.CRITICAL)
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the rest of the process
        threading.Thread(target=self._deadline, daemon=True, name="breachflow-stop-deadline").start()

    def _deadline(self) -> None:
        time.sleep(self.grace)
        self.exit_now()

    def say(self) -> None:
        """Print the line once, on the stderr the run started with."""
        with self._lock:
            if self._said:
                return
            self._said = True
        try:
            self._stderr.write(self.line() + "\n")
            self._stderr.flush()
        except (OSError, ValueError):
            pass  # SIGHUP: the terminal may be gone

    def exit_now(self) -> None:
        """End the process now: the line, then stop child processes, then exit with the signal's code."""
        self.say()
        for pid in descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(self.exit_code)

    @property
    def interrupted(self) -> bool:
        """Whether a stop signal arrived."""
        return self.signum is not None


@contextmanager
def stop_on_signals(intake_file: Path) -> Iterator[RunStopper]:
    """Run the block with the signals taken over; an interrupted block ends in the line and typer.Exit(128+n)."""
    stopper = RunStopper(intake_file)
    stopper.install()
    try:
        yield stopper
    except BaseException as exc:
        signum = signal.SIGINT if isinstance(exc, KeyboardInterrupt) else getattr(exc, "signal", None)
        if signum in SIGNALS:
            stopper._begin(signum)  # normally noted already, by the handler or the watcher
        if not stopper.interrupted:
            raise
    finally:
        if not stopper.interrupted:
            stopper.uninstall()
    if stopper.interrupted:
        stopper.say()
        raise typer.Exit(stopper.exit_code)
