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
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
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


def ignore_interrupts() -> None:
    """Worker initializer: leave Ctrl-C to the parent, which stops the workers itself.

    A terminal sends SIGINT to every process of the foreground group: a worker would die with a
    traceback of its own, or (while idle) leave the pool broken under the parent's feet.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_pool(pool: ProcessPoolExecutor, *, grace: float = 1.0) -> None:
    """Stop a process pool now: drop queued work, terminate running workers (their results are not wanted)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)


def descendants(pid: int | None = None) -> list[int]:
    """Process ids of the children of a process (this one by default), their children and so on (Linux; else [])."""
    found: list[int] = []
    todo = [pid or os.getpid()]
    while todo:
        parent = todo.pop()
        try:
            threads = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                with open(f"/proc/{parent}/task/{thread}/children", encoding="ascii") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found
