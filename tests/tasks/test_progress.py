"""Progress reports of long stages: every few percent or seconds, counts only, the last one always."""

from __future__ import annotations

import logging

import pytest

from breachflow.notification.sending import BatchResult
from tasks.progress import EmailTally, Milestones, log_progress, progress_line


def _batch(notices: int, **counts: int) -> BatchResult:
    values = {"sent": 0, "outbox": 0, "already_done": 0, "in_doubt": 0, "failed_transient": 0, "failed_permanent": 0,
              "rerouted": {}, "attempts": 0, "retry_rounds": 0, **counts}
    return BatchResult(notices=notices, **values)


def test_milestones_report_each_five_percent_once_and_always_the_end():
    """500 of 250,000 at a time: one report per 5 % step (20 in all), the final count included."""
    meter = Milestones(total=250_000, percent=5)
    due = [done for done in range(500, 250_001, 500) if meter.due(done)]
    assert len(due) == 20 and due[0] == 12_500 and due[-1] == 250_000
    assert not meter.due(250_000)


def test_milestones_report_after_some_seconds_without_a_step():
    """A slow stage still reports every ``seconds`` when it moved on, even below the next percent step."""
    now = [0.0]
    meter = Milestones(total=1_000_000, percent=5, seconds=15, clock=lambda: now[0])
    assert not meter.due(10)
    now[0] = 16.0
    assert meter.due(20) and not meter.due(20)
    now[0] = 20.0
    assert not meter.due(30)


def test_an_empty_stage_reports_once_as_finished():
    """No work at all is 100 % done, said once."""
    meter = Milestones(total=0)
    assert meter.due(0) and not meter.due(0) and meter.share(0) == 100.0


def test_the_progress_line_holds_counts_only():
    """The log line: done / total, whole percent rounded down, then the named counts."""
    assert progress_line("email", 12_500, 250_000, sent=12_000, in_doubt=0, failed=500) == (
        "email: 12,500 / 250,000 (5%) — sent 12,000, in doubt 0, failed 500")
    assert progress_line("letters rendered", 999, 1000) == "letters rendered: 999 / 1,000 (99%)"


def test_the_email_tally_adds_batches_into_live_counts():
    """Finished batches add up to sent / outbox / in doubt / failed / done before / remaining."""
    tally = EmailTally(notices=1_200)
    tally.add(_batch(500, sent=490, failed_permanent=4, failed_transient=1, in_doubt=2, already_done=3))
    tally.add(_batch(500, outbox=500))
    assert tally.counts() == {"sent": 490, "outbox": 500, "in_doubt": 2, "failed": 5, "done_before": 3, "remaining": 200}
    assert tally.line().startswith("email: 1,000 / 1,200 (83%) — sent 490, outbox 500")
    assert tally.table() == [{"notices": 1_200, "finished": 1_000, **tally.counts(), "batches_finished": 2}]


def test_log_progress_outside_a_run_logs_every_five_percent(caplog: pytest.LogCaptureFixture):
    """Called as a plain function (``.fn``), the callback logs to the process log: 20 lines for 1,000 rows, 1 for 92."""
    report = log_progress("call list")
    with caplog.at_level(logging.INFO, logger="breachflow.call_list"):
        for done in range(1, 1_001):
            report("rows", done, 1_000)
        for done in range(1, 93):
            report("short", done, 92)
    lines = [r.getMessage() for r in caplog.records if r.name == "breachflow.call_list"]
    assert len(lines) == 21 and lines[0] == "call list rows: 50 / 1,000 (5%)" and lines[19].endswith("(100%)")
    assert lines[20] == "call list short: 92 / 92 (100%)"  # a short step: one line when done
