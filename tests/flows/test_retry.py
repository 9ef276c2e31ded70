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


def test_a_user_error_is_not_retried_but_an_unexpected_failure_is() -> None:
    """A bad intake or a rejected plan fails at once; a withheld unexpected error or a dropped connection is retried."""
    from breachflow.errors import DatasetError, DeliveryError
    from breachflow.notification.mailer import TransientDeliveryError
    from tasks._retry import retry_unless_user_error
    from tasks._safety import StageFailed

    assert retry_unless_user_error(None, None, Failed(data=DatasetError("customers.csv", "row 3: expected 5 columns"))) is False
    assert retry_unless_user_error(None, None, Failed(data=DeliveryError("the notice plan is not approved"))) is False
    assert retry_unless_user_error(None, None, Failed(data=StageFailed("send-email-batch failed: OSError"))) is True
    assert retry_unless_user_error(None, None, Failed(data=TransientDeliveryError("N1", 421, "try later"))) is True
    assert retry_unless_user_error(None, None, Failed(data=OSError("disk busy"))) is True
    assert retry_unless_user_error(None, None, Completed(data=1)) is False
