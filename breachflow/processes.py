"""Worker processes that are safe to start from any process, threads or not.

``fork`` copies only the calling thread: a lock that another thread (polars' thread pool,
Prefect's event loop and API client, a logging handler) holds at that moment stays locked
forever in the child, which then hangs. So ``fork`` (fast: nothing is imported again) is used
only while this process has a single thread; otherwise workers come from ``forkserver``, a
clean single-threaded server process started once, which imports the worker's module
anew. That server re-imports the main module the way ``spawn`` does, so scripts that
start workers must guard their entry point with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.context import BaseContext


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity where the system has one (Linux), else the CPU count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def thread_count() -> int:
    """Threads of this process, native ones included (Linux), else Python's own."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def worker_context() -> BaseContext | None:
    """The start method for worker processes now; None when neither is available (run in-process)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and thread_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return None
