"""Keep personal data out of Prefect: failures near personal data are re-raised with ids only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from breachflow.errors import BreachflowError
from breachflow.interrupts import stage as under_way


class StageFailed(BreachflowError):
    """A stage failed for an unexpected reason; carries the stage, incident id and error type only."""


@contextmanager
def ids_only(stage: str, incident_id: str) -> Iterator[None]:
    """Re-raise anything but a BreachflowError without its message, traceback context or arguments.

    Prefect stores ``str(exc)`` as the state message and pickles a failed flow's exception;
    an arbitrary exception raised while handling a person (a KeyError on a name, a decode
    error quoting bytes) could carry that person's data, so only its type survives.
    BreachflowError messages are written to hold ids, paths and row numbers only.
    The stage is also marked as under way: an interrupted run names it.
    """
    try:
        with under_way(stage):
            yield
    except BreachflowError:
        raise
    except Exception as exc:
        raise StageFailed(
            f"{stage} failed for incident {incident_id}: {type(exc).__name__} "
            "(details withheld to keep personal data out of Prefect; re-run the CLI step locally to see them)"
        ) from None
