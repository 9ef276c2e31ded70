"""A run that was asked to stop (Ctrl-C, SIGTERM): where it was, and a flag long loops check between units of work.

Signals reach only a process's main thread; the threads that send email batches never see
them. The command line's signal handler therefore sets this process-wide flag, and a loop
that hands messages over one by one checks it before the next message: the message in
flight finishes (and is recorded), the rest stay planned for the next run. The stage names
are what the command line prints when it stops ("interrupted during letter rendering").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_stop = threading.Event()
_lock = threading.Lock()
_stages: list[str] = []


def request_stop() -> None:
    """Ask every loop in this process to stop after the unit of work it is doing."""
    _stop.set()


def stop_requested() -> bool:
    """Whether this process was asked to stop."""
    return _stop.is_set()


def pause(seconds: float) -> None:
    """Sleep, but wake up at once when a stop is requested (a retry wait must not hold a stopping run)."""
    _stop.wait(seconds)


def reset() -> None:
    """Forget a stop request and the stages (a new run in the same process)."""
    _stop.clear()
    with _lock:
        _stages.clear()


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Mark a stage as under way while the block runs (nested and concurrent blocks are fine)."""
    with _lock:
        _stages.append(name)
    try:
        yield
    finally:
        with _lock:
            # The last occurrence: concurrent email batches enter and leave the same stage.
            del _stages[len(_stages) - 1 - _stages[::-1].index(name)]


def current_stage() -> str | None:
    """The stage entered last among those still under way, if any."""
    with _lock:
        return _stages[-1] if _stages else None
