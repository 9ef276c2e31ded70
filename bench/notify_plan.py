"""Benchmark: planning notices for N persons, and what one email batch costs to start.

    .venv/bin/python bench/notify_plan.py [--persons 100000] [--repeat 2]

A case of the stolen-bag example gets N synthetic persons (every 10th without an email,
so letters are planned too). Timed: the plan stage (``usecases.notification.plan``: read
the person list, build the plan, store it and its email batches, fill the ledger), and one
email batch near the middle sent to a recording mailer (``send_email_batch``), with the
part of it that reads the batch's notices and persons (the stored plan and person list
before issue #17, the batch's own sealed file after). The best of ``--repeat`` runs counts; the plan stage's process CPU time is printed too (steadier
than wall time on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("BREACHFLOW_MASTER_KEY", "q6Dk0+7cN8vUu1Yp3r4XWf2mZ9sHkT5bLgE1aQoJcVw=")  # bench-only key

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 12)


def main() -> None:
    """Plan N persons and send one batch; print the timings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bf-bench-plan-"))
    os.environ["BREACHFLOW_HOME"] = str(home)

    from breachflow.casestore import CaseStore
    from breachflow.intake import load_intake
    from breachflow.notification import service
    from breachflow.notification.casework import PERSONS_FILE, case_persons
    from breachflow.notification.mailer import RecordingMailer
    from breachflow.scoping.model import PersonList
    from breachflow.settings import get_settings
    from breachflow.usecases import notification
    from breachflow.wiring import Wiring
    from tests.notification.support import email_person

    get_settings.cache_clear()
    settings = get_settings()
    wiring = Wiring(settings=settings, clock=lambda: TODAY, mailer_factory=lambda s, c: RecordingMailer())
    intake_path = REPO / "examples" / "stolen-bag" / "incident.yaml"
    case = CaseStore(settings.cases_dir).open_case(load_intake(intake_path), intake_path)
    people = [email_person(i, email=None) if i % 10 == 9 else email_person(i) for i in range(args.persons)]
    case.write_model(PERSONS_FILE, PersonList(dataset_sha256="0" * 64, persons=people))
    del people

    plans, plan_cpu, batches, reads = [], [], [], []
    for _ in range(args.repeat):
        case.path("notification/ledger.sqlite").unlink(missing_ok=True)
        start, cpu = time.perf_counter(), time.process_time()
        counts = notification.plan(wiring, case.incident_id)
        plans.append(time.perf_counter() - start)
        plan_cpu.append(time.process_time() - cpu)
        service.approve_plan(case=case, approved=True, decided_by="bench", scripted=True)
        middle = notification.email_batches(wiring, case.incident_id) // 2
        start = time.perf_counter()
        result = notification.send_email_batch(wiring, case.incident_id, middle, worker="bench")
        batches.append(time.perf_counter() - start)
        assert result.sent == result.notices, result
        start = time.perf_counter()
        read_batch = getattr(service, "read_email_batch", None)
        if read_batch is not None:  # after issue #17: the batch's own file
            read_batch(case, middle)
        else:  # before: the whole plan and the whole person list
            service.load_plan(case)
            case_persons(case)
        reads.append(time.perf_counter() - start)
    print(f"persons={args.persons} notices={counts.notices} email_batches={notification.email_batches(wiring, case.incident_id)} "
          f"load={os.getloadavg()[0]:.2f}")
    print(f"plan stage: best {min(plans):.2f} s  (runs: {', '.join(f'{t:.2f}' for t in plans)}); "
          f"CPU best {min(plan_cpu):.2f} s")
    print(f"one email batch (500 notices, recording mailer): best {min(batches):.3f} s")
    print(f"  of which reading its notices and persons: best {min(reads):.3f} s")


if __name__ == "__main__":
    main()
