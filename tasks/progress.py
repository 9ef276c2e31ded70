"""Progress of long stages in the run's logs and artifacts: counts only, every few percent, never per message."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prefect import get_run_logger
from prefect.exceptions import MissingContextError

from breachflow.notification.sending import BatchResult


LOG_PERCENT = 5.0  # a log line per 5 %: twenty lines for a stage, however large
ARTIFACT_PERCENT = 2.0  # artifacts a little more often, or after ARTIFACT_SECONDS without one
ARTIFACT_SECONDS = 15.0
LOG_MIN_ITEMS = 1_000  # a shorter step is quick: one line when it is done


@dataclass
class Milestones:
    """Says when progress is worth reporting: each ``percent`` step, after ``seconds`` without a report, at the end."""

    total: int
    percent: float = 5.0
    seconds: float | None = None
    clock: Callable[[], float] = time.monotonic
    _mark: int = field(default=0, init=False)
    _reported: int = field(default=-1, init=False)
    _at: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._at = self.clock()

    def due(self, done: int) -> bool:
        """Whether to report now that ``done`` items are finished (never twice for the same count)."""
        if done <= self._reported:
            return False
        now = self.clock()
        mark = math.floor(self.share(done) / self.percent)
        late = self.seconds is not None and now - self._at >= self.seconds
        if done >= self.total or mark > self._mark or late:
            self._mark, self._reported, self._at = mark, done, now
            return True
        return False

    def share(self, done: int) -> float:
        """Percent finished (100 for an empty stage)."""
        return 100.0 if self.total <= 0 else min(100.0, 100.0 * done / self.total)


def progress_line(stage: str, done: int, total: int, **counts: int) -> str:
    """``email: 12,500 / 250,000 (5%) — sent 12,000, outbox 0, in doubt 0, failed 500`` (counts only)."""
    share = 100 if total <= 0 else math.floor(100 * min(done, total) / total)
    details = ", ".join(f"{name.replace('_', ' ')} {value:,}" for name, value in counts.items())
    return f"{stage}: {done:,} / {total:,} ({share}%)" + (f" — {details}" if details else "")


def log_progress(stage: str, *, percent: float = LOG_PERCENT) -> Callable[[str, int, int], None]:
    """A progress callback for the core that logs ``<stage> <step>: done / total (n%)`` every few percent.

    A step of fewer than ``LOG_MIN_ITEMS`` items logs once, when it is done.
    """
    try:
        logger: logging.Logger | logging.LoggerAdapter = get_run_logger()
    except MissingContextError:  # called as a plain function (``.fn``): the process's own log
        logger = logging.getLogger(f"breachflow.{stage.replace(' ', '_')}")
    meters: dict[str, Milestones] = {}

    def report(step: str, done: int, total: int) -> None:
        meter = meters.get(step)
        if meter is None or meter.total != total:
            meter = meters[step] = Milestones(total=total, percent=percent if total >= LOG_MIN_ITEMS else 100.0)
        if meter.due(done):
            logger.info("%s", progress_line(f"{stage} {step}", done, total))

    return report


@dataclass
class EmailTally:
    """Running totals of the finished email batches of one round (aggregates only)."""

    notices: int
    finished: int = 0
    sent: int = 0
    outbox: int = 0
    in_doubt: int = 0
    failed: int = 0
    done_before: int = 0
    batches: int = 0
    log_due: Milestones = field(init=False)
    artifact_due: Milestones = field(init=False)

    def __post_init__(self) -> None:
        self.log_due = Milestones(total=self.notices, percent=LOG_PERCENT)
        self.artifact_due = Milestones(total=self.notices, percent=ARTIFACT_PERCENT, seconds=ARTIFACT_SECONDS)

    def add(self, result: BatchResult) -> None:
        """Count one finished batch."""
        self.batches += 1
        self.finished += result.notices
        self.sent += result.sent
        self.outbox += result.outbox
        self.in_doubt += result.in_doubt
        self.failed += result.failed_transient + result.failed_permanent
        self.done_before += result.already_done

    def counts(self) -> dict[str, int]:
        """Sent / outbox / in doubt / failed / done before / remaining, for a log line or a table row."""
        return {"sent": self.sent, "outbox": self.outbox, "in_doubt": self.in_doubt, "failed": self.failed,
                "done_before": self.done_before, "remaining": max(0, self.notices - self.finished)}

    def line(self) -> str:
        """``email: 12,500 / 250,000 (5%) — sent …`` for the run's log."""
        return progress_line("email", self.finished, self.notices, **self.counts())

    def table(self) -> list[dict[str, int]]:
        """One row of live counts for the table artifact."""
        return [{"notices": self.notices, "finished": self.finished, **self.counts(), "batches_finished": self.batches}]
