"""Retry conditions retry only the failures a later attempt can fix."""

from __future__ import annotations

from prefect.states import Completed, Failed

from breachflow.errors import CheckUnavailable, PreventionError
from tasks._retry import retry_on


def test_retry_on_matches_only_transient_errors() -> None:
    """CheckUnavailable is retried; other errors and successes are not."""
    condition = retry_on(CheckUnavailable)
    assert condition(None, None, Failed(data=CheckUnavailable("share unreachable"))) is True
    assert condition(None, None, Failed(data=PreventionError("bad roster"))) is False
    assert condition(None, None, Completed(data=1)) is False
