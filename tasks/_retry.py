"""Retry conditions: retry a task only for the errors that a later attempt can fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
