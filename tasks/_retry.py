"""Retry conditions: retry a task only for the errors that a later attempt can fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from breachflow.errors import BreachflowError, CheckUnavailable
from breachflow.notification.mailer import TransientDeliveryError
from tasks._safety import StageFailed


def retry_on(*transient: type[BaseException]) -> Callable[[Any, Any, Any], bool]:
    """A ``retry_condition_fn`` that retries only when the failure is one of ``transient``."""

    def condition(task: Any, task_run: Any, state: Any) -> bool:
        try:
            state.result()
        except transient:
            return True
        except BaseException:
            return False
        return False

    return condition


def retry_unless_user_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry an unexpected failure (I/O, a dropped connection); a user error fails at once, as retrying cannot fix it."""
    try:
        state.result()
    except (StageFailed, TransientDeliveryError, CheckUnavailable):
        return True
    except BreachflowError:
        return False
    except BaseException:
        return True
    return False
