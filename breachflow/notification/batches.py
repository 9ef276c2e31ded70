"""Email batches cut from the plan once: each batch's notices and exactly the persons they name, sealed.

A batch task reads (and decrypts) only its own file, never the whole plan or person list:
with a million persons in 2,000 batches, every batch reading everything would grow as
persons × batches. Each file carries the digest of the plan it was cut from, and a batch is
sent only when that digest is the approved plan's.

Files, under ``notification/email-batches/`` (sealed like everything with personal data):
``00000.json`` … one ``EmailBatch`` per batch of ``batch_size`` email notices in plan order,
and ``index.json`` (``EmailBatches``), written last: while it is missing (a case planned
before batches were stored, or a re-plan that stopped half-way) the batches are cut anew
from the stored plan and person list.
"""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.casestore import Case
from breachflow.errors import DeliveryError
from breachflow.notification.plan import Channel, Notice, NoticePlan
from breachflow.scoping.model import Person

try:
    import fcntl
except ImportError:  # Windows: the threads of one process are still kept apart
    fcntl = None  # type: ignore[assignment]

EMAIL_BATCH_SIZE = 500
BATCHES_DIR = "notification/email-batches"
INDEX_FILE = f"{BATCHES_DIR}/index.json"
_BATCH_NAME = re.compile(r"^(\d{5,})\.json$")
_WRITERS = 4
_CUTTING = threading.Lock()


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EmailBatch(_Frozen):
    """One batch of email notices and exactly the persons they name (personal data: sealed)."""

    plan_sha256: str
    batch: int
    template_versions: dict[Channel, str]
    notices: list[Notice]
    persons: list[Person]


class EmailBatches(_Frozen):
    """The plan's email batches: how many, how large, cut from which plan (no personal data)."""

    plan_sha256: str
    batch_size: int
    batches: int
    emails: int


def batch_file(batch: int) -> str:
    """The case-relative name of one batch's file."""
    return f"{BATCHES_DIR}/{batch:05d}.json"


def batch_count(emails: int, batch_size: int) -> int:
    """How many batches ``emails`` notices make."""
    return (emails + batch_size - 1) // batch_size


@contextmanager
def cutting(case: Case) -> Iterator[None]:
    """Hold while the batches are written: one writer per case at a time, threads and processes alike.

    The lock is taken on the batches folder itself (no lock file that could be mistaken
    for a plaintext record), and released when its descriptor is closed.
    """
    folder = case.path(INDEX_FILE).parent
    with _CUTTING:
        handle = os.open(folder, os.O_RDONLY)
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)


def forget_email_batches(case: Case) -> None:
    """Drop the index before a new plan is stored, so batches of the old plan are never taken for the new one."""
    case.path(INDEX_FILE).unlink(missing_ok=True)


def write_email_batches(
    *, case: Case, plan: NoticePlan, persons: Mapping[str, Person], plan_sha256: str, batch_size: int
) -> EmailBatches:
    """Store every email batch of the plan with the persons it needs, then the index; returns the index."""
    forget_email_batches(case)
    emails = [n for n in plan.notices if n.channel is Channel.email]
    count = batch_count(len(emails), batch_size)
    # Serialising holds the GIL; sealing and the atomic write (fsync, rename) mostly wait on the
    # disk, so a few threads write while the next batch is serialised. A few batches in flight
    # at most: a million persons' batches are never all in memory at once.
    with ThreadPoolExecutor(max_workers=_WRITERS) as writers:
        in_flight: deque[Future[Path]] = deque()
        for number in range(count):
            notices = emails[number * batch_size : (number + 1) * batch_size]
            missing = next((n for n in notices if n.person_id not in persons), None)
            if missing is not None:
                raise DeliveryError(
                    f"case {case.incident_id}: notice {missing.notice_id} names person {missing.person_id}, who is "
                    "not in persons.json; re-plan ('breachflow notify plan') after scoping")
            batch = EmailBatch(plan_sha256=plan_sha256, batch=number, template_versions=plan.template_versions,
                               notices=notices, persons=[persons[n.person_id] for n in notices])
            data = batch.model_dump_json().encode("utf-8")
            if number == 0:  # the first one alone: it may create the case's data key
                case.write_bytes(batch_file(number), data)
                continue
            in_flight.append(writers.submit(case.write_bytes, batch_file(number), data))
            while len(in_flight) > 2 * _WRITERS:
                in_flight.popleft().result()
        for future in in_flight:
            future.result()
    _remove_batches_from(case, count)  # a larger earlier plan left more files
    index = EmailBatches(plan_sha256=plan_sha256, batch_size=batch_size, batches=count, emails=len(emails))
    case.write_model(INDEX_FILE, index)
    return index


def read_email_batches(case: Case) -> EmailBatches | None:
    """The index of the stored batches, or None when they were never (completely) written."""
    return case.read_model(INDEX_FILE, EmailBatches) if case.has(INDEX_FILE) else None


def read_email_batch(case: Case, batch: int) -> EmailBatch:
    """One batch's notices and persons: the only personal data a batch task decrypts."""
    return case.read_model(batch_file(batch), EmailBatch)


def _remove_batches_from(case: Case, first: int) -> None:
    folder = case.path(INDEX_FILE).parent
    for path in folder.iterdir():
        match = _BATCH_NAME.match(path.name)
        if match and int(match.group(1)) >= first:
            path.unlink(missing_ok=True)
