"""Email batches stored once per plan: a batch task decrypts only its own batch, and a stale batch is refused."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from breachflow.casestore import Case
from breachflow.errors import DeliveryError
from breachflow.notification import service
from breachflow.notification.batches import BATCHES_DIR, INDEX_FILE, batch_file, read_email_batch
from breachflow.notification.casework import case_facts, case_persons
from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.mailer import RecordingMailer
from breachflow.notification.plan import Channel
from breachflow.notification.sending import send_email_batch
from breachflow.requests.model import SuppressionList
from breachflow.requests.service import SUPPRESSED_FILE
from breachflow.security.crypto import MAGIC
from breachflow.usecases import notification, obligations
from breachflow.wiring import Wiring

SMALL_BATCH = 20
_DATE = re.compile(rb"^Date: [^\r\n]*\r\n", re.MULTILINE)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    """Batches of 20 notices, so the example's emails make several batches."""
    monkeypatch.setattr(notification, "EMAIL_BATCH_SIZE", SMALL_BATCH)
    return SMALL_BATCH


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every stored file a case reads (name, plaintext bytes), in order."""
    seen: list[tuple[str, int]] = []
    original = Case.read_bytes

    def spy(self: Case, name: str) -> bytes:
        data = original(self, name)
        seen.append((name, len(data)))
        return data

    monkeypatch.setattr(Case, "read_bytes", spy)
    return seen


def _approved(wiring: Wiring, incident_id: str) -> int:
    obligations.assess_case(wiring, incident_id)
    counts = notification.plan(wiring, incident_id)
    notification.approve(wiring, incident_id, approver="試験 承認者")
    return counts.by_channel.get(Channel.email, 0)


def _without_date(data: bytes) -> bytes:
    return _DATE.sub(b"", data, count=1)


def test_a_batch_task_decrypts_only_its_own_batch(wiring, scoped, small_batches, reads):
    """Sending batch 2 reads its own batch file and small records, never persons.json, the plan or another batch."""
    emails = _approved(wiring, scoped)
    assert notification.email_batches(wiring, scoped) == -(-emails // SMALL_BATCH) >= 4
    case = wiring.case(scoped)
    reads.clear()
    result = notification.send_email_batch(wiring, scoped, 2, worker="t")
    assert result.sent == SMALL_BATCH
    names = [name for name, _ in reads]
    assert "persons.json" not in names and "notification/plan.json" not in names
    assert [n for n in names if n.startswith(BATCHES_DIR)] == [INDEX_FILE, batch_file(2)]
    persons_size = len(case.read_bytes("persons.json"))
    batch_size = next(size for name, size in reads if name == batch_file(2))
    assert batch_size < persons_size / 3
    assert {p.person_id for p in read_email_batch(case, 2).persons} == {
        n.person_id for n in read_email_batch(case, 2).notices}


def test_batch_files_are_sealed_and_hold_no_readable_personal_value(wiring, scoped, small_batches):
    """Each batch file is encrypted at rest like every other file with personal data."""
    _approved(wiring, scoped)
    case = wiring.case(scoped)
    persons = case_persons(case).values()
    for path in sorted(case.path(INDEX_FILE).parent.iterdir()):
        raw = path.read_bytes()
        assert raw.startswith(MAGIC), path.name
        for person in persons:
            assert not person.email or person.email.encode() not in raw


def test_all_batches_deliver_exactly_the_messages_of_one_pass_over_plan_and_persons(
        wiring, scoped, small_batches, mailer, tmp_path):
    """Batch by batch from the stored batches, the mailer gets the same messages as from the whole plan and person list."""
    emails = _approved(wiring, scoped)
    totals = notification.send_emails(wiring, scoped, worker="t")
    assert totals["sent"] == emails == len(mailer.delivered)

    case = wiring.case(scoped)
    plan = service.load_plan(case)
    whole = [n for n in plan.notices if n.channel is Channel.email]
    ledger = open_ledger(tmp_path / "reference")
    ledger.add(whole, incident_id=scoped)
    reference = RecordingMailer()
    send_email_batch(
        ledger=ledger, mailer=reference, notices=whole, persons=case_persons(case), facts=case_facts(case),
        business=wiring.business(case), sender=wiring.sender(case), today=wiring.today(),
        policy=notification.channel_policy(), versions=plan.template_versions, worker="reference",
    )
    assert [m.notice_id for m in mailer.delivered] == [m.notice_id for m in reference.delivered]
    for batched, expected in zip(mailer.delivered, reference.delivered):
        assert (batched.sender, batched.recipient) == (expected.sender, expected.recipient)
        assert _without_date(batched.data) == _without_date(expected.data)


def test_a_batch_cut_from_another_plan_is_refused_and_sends_nothing(wiring, scoped, small_batches, mailer):
    """A batch file whose plan digest is not the approved plan's fails with a user error naming the file."""
    _approved(wiring, scoped)
    case = wiring.case(scoped)
    stale = read_email_batch(case, 1).model_copy(update={"plan_sha256": "0" * 64})
    case.write_model(batch_file(1), stale)
    with pytest.raises(DeliveryError, match=r"email batch 1 \(notification/email-batches/00001.json\) was cut from "
                                            r"another plan.*notify plan"):
        notification.send_email_batch(wiring, scoped, 1, worker="t")
    assert mailer.delivered == []
    notification.plan(wiring, scoped)  # the same plan, cut anew: the approval still holds
    assert notification.send_email_batch(wiring, scoped, 1, worker="t").sent == SMALL_BATCH


def test_a_plan_changed_after_approval_sends_no_batch(wiring, scoped, small_batches, mailer):
    """Re-planning with other persons rewrites the batches; none is sent until the new plan is approved."""
    _approved(wiring, scoped)
    case = wiring.case(scoped)
    emailed = next(n.person_id for n in read_email_batch(case, 0).notices)
    case.write_model(SUPPRESSED_FILE, SuppressionList(person_ids=[emailed]))
    notification.plan(wiring, scoped)
    for batch in (0, 1, notification.email_batches(wiring, scoped)):
        with pytest.raises(DeliveryError, match="plan changed after approval"):
            notification.send_email_batch(wiring, scoped, batch, worker="t")
    assert mailer.delivered == []
    notification.approve(wiring, scoped, approver="試験 承認者")
    notification.send_emails(wiring, scoped, worker="t")
    assert emailed not in {n.person_id for n in service.load_plan(case).notices}
    assert len(mailer.delivered) == sum(1 for n in service.load_plan(case).notices if n.channel is Channel.email)


def test_a_case_planned_before_batches_were_stored_still_sends_every_email(wiring, scoped, small_batches, mailer):
    """Without stored batches (a case planned by an older version) the first sends cut them once, even in parallel."""
    emails = _approved(wiring, scoped)
    case = wiring.case(scoped)
    shutil.rmtree(case.path(INDEX_FILE).parent)
    batches = notification.email_batches(wiring, scoped)
    assert batches == -(-emails // SMALL_BATCH)
    with ThreadPoolExecutor(max_workers=4) as pool:  # as Prefect runs mapped batch tasks
        results = list(pool.map(lambda b: notification.send_email_batch(wiring, scoped, b, worker=f"t{b}"),
                                range(batches)))
    assert sum(r.sent for r in results) == emails == len({m.notice_id for m in mailer.delivered})
    assert case.has(INDEX_FILE)
    assert [e.kind for e in case.timeline.entries()].count("notification.batches") == 1


def test_a_smaller_plan_leaves_no_batch_file_of_the_larger_one(wiring, scoped, small_batches, monkeypatch):
    """Re-planning into fewer batches removes the files past the last batch."""
    _approved(wiring, scoped)
    case = wiring.case(scoped)
    assert len(list(case.path(INDEX_FILE).parent.glob("0*.json"))) >= 4
    monkeypatch.setattr(notification, "EMAIL_BATCH_SIZE", 500)
    notification.plan(wiring, scoped)
    assert sorted(p.name for p in case.path(INDEX_FILE).parent.iterdir()) == ["00000.json", "index.json"]


def test_the_gate_preview_reads_the_plan_once(wiring, scoped, small_batches, reads):
    """Preview, digest and batch count come from one read of the stored plan."""
    emails = _approved(wiring, scoped)
    reads.clear()
    preview = notification.gate_preview(wiring, scoped)
    assert [name for name, _ in reads].count("notification/plan.json") == 1
    assert preview.email_batches == -(-emails // SMALL_BATCH)
