"""Benchmark: the full email path vs bare smtplib, and letters to PDF.

    .venv/bin/python bench/notify.py [--emails 10000] [--letters 10000] [--workers 2]

Email: N notices through plan → ledger → render → send (yagmail connection, one per run) to
a local aiosmtpd sink in a separate process, against the same N pre-built messages sent
with bare smtplib on one connection in the same run (the baseline; smtplib is used directly
only here). The full path's time includes planning, creating the ledger, recording the plan,
rendering every message (EmailComposer, in send_email_batch) and one ledger commit per
message. Target: full path ≥ 0.7× the baseline's rate. Letters: N/4 and N personalised
letters to PDF (WeasyPrint body per variant, reportlab overlay per page) and their label
sheets (reportlab), timed apart; the N run's time over the N/4 run's shows whether each
grows linearly (target ≤ 4.4×), and 10,000 letters should take ≤ 60 s.
The machine's load average is printed with the numbers: other work on the two cores moves
both rates.
"""

from __future__ import annotations

import argparse
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from breachflow.notification.content import notice_context  # noqa: E402
from breachflow.notification.email_render import render_email  # noqa: E402
from breachflow.notification.ledger_fast import open_ledger  # noqa: E402
from breachflow.notification.letters import label_sheets, render_letters  # noqa: E402
from breachflow.notification.mailer import YagmailMailer  # noqa: E402
from breachflow.notification.plan import (  # noqa: E402
    Channel,
    build_plan,
    make_notice,
    template_versions,
)
from breachflow.notification.policy import ChannelPolicy  # noqa: E402
from breachflow.notification.sending import send_email_batch  # noqa: E402
from breachflow.vocabulary import DataItem  # noqa: E402
from tests.notification.support import (  # noqa: E402
    INCIDENT,
    SENDER,
    TEMPLATES,
    TODAY,
    business,
    email_person,
    facts,
    free_port,
)


def start_sink() -> tuple[subprocess.Popen, int]:
    """An aiosmtpd Sink server in its own process."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                             "aiosmtpd.handlers.Sink"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("sink did not start")


def persons(n: int) -> list:
    """N synthetic persons with three item-set variants."""
    variants = [[DataItem.name, DataItem.email], [DataItem.name, DataItem.email, DataItem.address],
                [DataItem.name, DataItem.email, DataItem.card_number]]
    return [email_person(i, items=variants[i % 3]) for i in range(n)]


def bench_email(n: int, repeat: int) -> None:
    """Full path vs bare smtplib, same sink, same run; rounds alternate the two and each one's best counts."""
    people = persons(n)
    by_id = {p.person_id: p for p in people}
    versions = template_versions(TEMPLATES)
    proc, port = start_sink()
    try:
        plan = build_plan(incident_id=INCIDENT, persons=people, decision=None, policy=ChannelPolicy(), versions=versions)
        prebuilt = [render_email(notice=x, person=by_id[x.person_id], facts=facts(), business=business(), sender=SENDER,
                                 today=TODAY) for x in plan.notices]
        baselines, fulls = [], []
        for _ in range(repeat):
            baselines.append(_send_baseline(prebuilt, port))
            full, sent, connections = _send_full(people, by_id, versions, port)
            fulls.append(full)
            assert sent == n, f"full path sent {sent} of {n}"
    finally:
        proc.terminate()
        proc.wait()
    baseline, full = min(baselines), min(fulls)
    rounds = "; ".join(f"{b:.1f}/{f:.1f}" for b, f in zip(baselines, fulls, strict=True))
    print(f"email  rounds (baseline/full s): {rounds}")
    print(f"email  baseline smtplib : {n / baseline:8.0f} msg/s  ({baseline:.1f} s)")
    print(f"email  full path        : {n / full:8.0f} msg/s  ({full:.1f} s, connections {connections})")
    print(f"email  ratio full/baseline = {baseline / full:.2f}  (target ≥ 0.70)")


def _send_baseline(prebuilt: list, port: int) -> float:
    """Seconds for bare smtplib to send the pre-built messages on one connection."""
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    for mail in prebuilt:
        smtp.sendmail(mail.sender, [mail.recipient], mail.data)
    smtp.quit()
    return time.perf_counter() - start


def _send_full(people: list, by_id: dict, versions: dict, port: int) -> tuple[float, int, int]:
    """Seconds for the full path (plan, ledger, render, send), messages sent, connections used."""
    n = len(people)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ledger = open_ledger(Path(tmp))
        plan = build_plan(incident_id=INCIDENT, persons=people, decision=None, policy=ChannelPolicy(), versions=versions)
        ledger.add(plan.notices, incident_id=INCIDENT)
        mailer = YagmailMailer(host="127.0.0.1", port=port)
        sent = 0
        for b in range(0, n, 1000):
            result = send_email_batch(
                ledger=ledger, mailer=mailer, notices=plan.notices[b : b + 1000], persons=by_id, facts=facts(),
                business=business(), sender=SENDER, today=TODAY, policy=ChannelPolicy(), versions=versions,
                worker="bench",
            )
            sent += result.sent
        mailer.close()
        full = time.perf_counter() - start
        ledger.close()
    return full, sent, mailer.connections


def letter_contexts(n: int) -> list:
    """The letter contexts of N synthetic persons (three variants)."""
    versions = template_versions(TEMPLATES)
    contexts = []
    for person in persons(n):
        notice = make_notice(incident_id=INCIDENT, person=person, channel=Channel.letter, versions=versions)
        contexts.append(notice_context(notice=notice, person=person, facts=facts(), business=business(), today=TODAY))
    return contexts


def time_letters(contexts: list, workers: int) -> tuple[float, float, int, float]:
    """Wall seconds for the letter PDFs, CPU seconds for the label sheets, the number of letter files and their MB."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        index = render_letters(contexts=contexts, out_dir=Path(tmp), templates_dir=TEMPLATES, workers=workers)
        letters = time.perf_counter() - start
        size = sum(f.stat().st_size for f in Path(tmp).glob("*.pdf"))
        labels = float("inf")
        for _ in range(3):  # one process, a second or less: its CPU time, best of three (other work moves wall time)
            start = time.process_time()
            (Path(tmp) / "labels.pdf").write_bytes(label_sheets(contexts))
            labels = min(labels, time.process_time() - start)
    return letters, labels, len(index.files), size / 1e6


def bench_letters(n: int, workers: int) -> None:
    """N/4 and N letters to PDF, and their label sheets: seconds at each size and the ratio (linear ≈ 4×)."""
    small = max(n // 4, 1)
    time_letters(letter_contexts(3), workers)  # warm-up: imports, fonts, the first WeasyPrint layout
    times = {}
    for size in (small, n):
        contexts = letter_contexts(size)
        times[size] = time_letters(contexts, workers)
        letters, labels, files, mb = times[size]
        print(f"letters {size} in {letters:.1f} s = {size / letters:.0f} letters/s ({files} files, {mb:.1f} MB); "
              f"labels {size} in {labels:.2f} s CPU = {size / labels:.0f} labels/s")
    factor = n / small
    for name, column in (("letters", 0), ("labels", 1)):
        ratio = times[n][column] / times[small][column]
        print(f"{name} {n} vs {small}: {ratio:.2f}× the time for {factor:.0f}× the letters "
              f"(target ≤ {factor * 1.1:.1f}×)")
    print(f"letters: 10,000 would take ~{10000 * times[n][0] / n:.0f} s (target ≤ 60 s)")


def main() -> None:
    """Run both benchmarks and print the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="email rounds (baseline then full path); each one's best counts")
    args = parser.parse_args()
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[0:3]}")
    if args.emails:
        bench_email(args.emails, args.repeat)
    if args.letters:
        bench_letters(args.letters, args.workers)
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[0:3]}")


if __name__ == "__main__":
    main()
