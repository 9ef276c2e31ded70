"""Worker processes start safely from a process with threads (no fork then)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

from breachflow.processes import thread_count, worker_context


def test_thread_count_sees_a_new_thread():
    before = thread_count()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert thread_count() == before + 1
    finally:
        stop.set()
        thread.join()


def test_fork_only_while_single_threaded():
    """A fresh interpreter may fork; once a thread holds a lock, workers come from forkserver and do not hang."""
    script = textwrap.dedent(
        """
        import threading
        from concurrent.futures import ProcessPoolExecutor
        from breachflow.processes import worker_context

        print(worker_context().get_start_method())
        held = threading.Lock()
        ready = threading.Event()

        def hold():
            with held:
                ready.set()
                threading.Event().wait(30)

        threading.Thread(target=hold, daemon=True).start()
        ready.wait()
        context = worker_context()
        print(context.get_start_method())
        # Under fork the child would inherit `held` locked; forkserver children never see it.
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            print(sum(pool.map(abs, [-1, -2, -3])))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["fork", "forkserver", "6"]


def test_this_test_process_has_threads_and_gets_forkserver():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert worker_context().get_start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()
