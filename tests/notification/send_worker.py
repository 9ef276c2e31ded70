"""A sender process for the crash test: plans and sends the persons in a file, batch by batch."""

from __future__ import annotations

import sys
from pathlib import Path

from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.mailer import YagmailMailer
from breachflow.notification.policy import ChannelPolicy
from breachflow.notification.sending import Backoff, send_email_batch
from breachflow.scoping.model import Person
from tests.notification.support import SENDER, TODAY, business, email_plan, facts


def main(case_dir: str, port: str, persons_file: str, batch_size: str = "500") -> None:
    """Send every planned email notice over one connection; print one line per batch."""
    persons = [Person.model_validate_json(line) for line in Path(persons_file).read_text("utf-8").splitlines()]
    by_id = {p.person_id: p for p in persons}
    ledger = open_ledger(Path(case_dir))
    plan, versions = email_plan(persons, ledger)
    mailer = YagmailMailer(host="127.0.0.1", port=int(port))
    size = int(batch_size)
    try:
        for start in range(0, len(plan.notices), size):
            result = send_email_batch(
                ledger=ledger, mailer=mailer, notices=plan.notices[start : start + size], persons=by_id,
                facts=facts(), business=business(), sender=SENDER, today=TODAY, policy=ChannelPolicy(),
                versions=versions, worker=f"pid-batch-{start}", backoff=Backoff(rounds=3, base=0.01),
            )
            print(result.model_dump_json(), flush=True)
    finally:
        mailer.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
