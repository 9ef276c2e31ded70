"""Send a batch of email notices exactly once each, recorded in the ledger."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from breachflow.errors import DeliveryError
from breachflow.interrupts import pause, stop_requested
from breachflow.notification.email_render_fast import EmailComposer
from breachflow.notification.ledger import CLAIMABLE, Ledger, State
from breachflow.notification.mailer import (
    Mailer,
    OutgoingEmail,
    PermanentDeliveryError,
    RelaySessionError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from breachflow.notification.plan import Channel, IncidentFacts, Notice, make_notice
from breachflow.notification.policy import ChannelPolicy, next_channel
from breachflow.profile import Business
from breachflow.scoping.model import Person


class BatchResult(BaseModel):
    """What one batch did (counts only: safe for Prefect)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notices: int
    sent: int = Field(description="accepted by a mail relay")
    outbox: int = Field(default=0, description="written to the outbox folder only: not sent")
    already_done: int
    in_doubt: int
    failed_transient: int
    failed_permanent: int
    rerouted: dict[Channel, int]
    attempts: int
    retry_rounds: int
    stopped: int = Field(default=0, description="not tried: the run was asked to stop (they stay planned)")


@dataclass(frozen=True)
class Backoff:
    """Retry rounds for deferred messages: round k waits min(cap, base * 2**k) seconds."""

    rounds: int = 4
    base: float = 1.0
    cap: float = 60.0

    def delay(self, round_no: int) -> float:
        """Seconds to wait before retry round ``round_no`` (0-based)."""
        return min(self.cap, self.base * (2**round_no))


def send_email_batch(
    *, ledger: Ledger, mailer: Mailer, notices: list[Notice], persons: Mapping[str, Person], facts: IncidentFacts,
    business: Business, sender: str, today: date, policy: ChannelPolicy, versions: Mapping[Channel, str],
    worker: str, backoff: Backoff = Backoff(), sleep: Callable[[float], None] = pause,
    on_progress: Callable[[int, int], None] | None = None, should_stop: Callable[[], bool] = stop_requested,
) -> BatchResult:
    """Send each email notice not yet done: claim (committed) → hand over → confirm; 5xx → next channel.

    ``should_stop`` is asked before each message and each retry round: when it says yes (Ctrl-C
    or SIGTERM in the command line), the message in flight has finished and the rest stay planned.
    """
    states = ledger.states([n.notice_id for n in notices])
    missing = [n.notice_id for n in notices if n.notice_id not in states]
    if missing:
        raise DeliveryError(f"notices {', '.join(missing[:5])} are not in the ledger; add the plan to the ledger first")
    # Without a relay a message is only kept in the outbox: not sent, and a later run with a relay sends it.
    accepted = State.sent if mailer.sends else State.outbox
    done_states = (State.sent, State.failed_permanent) if mailer.sends else (State.sent, State.failed_permanent, State.outbox)
    todo = [n for n in notices if n.channel is Channel.email and states[n.notice_id] in CLAIMABLE
            and states[n.notice_id] not in done_states]
    already_done = sum(1 for n in notices if states[n.notice_id] in done_states)
    counts = {"sent": 0, "outbox": 0, "in_doubt": 0, "failed_permanent": 0, "attempts": 0}
    rerouted: dict[Channel, int] = {}
    # A confirmed message whose "sent" is written together with the next claim (one commit per message).
    unconfirmed: list[tuple[str, int]] = []

    composer = EmailComposer(facts=facts, business=business, sender=sender, today=today)

    def render(notice: Notice) -> OutgoingEmail:
        return composer.render(notice, persons[notice.person_id])

    def claim(notice_id: str | None) -> bool:
        confirm, code = unconfirmed.pop() if unconfirmed else (None, None)
        return ledger.step(confirm=confirm, reply_code=code, claim=notice_id, worker=worker, confirmed=accepted)

    def attempt(notice: Notice, mail: OutgoingEmail) -> bool:
        """One try; True when the notice is finished (any final state), False when deferred."""
        if not claim(notice.notice_id):
            return True  # another worker has it, or it is already done
        counts["attempts"] += 1
        try:
            code = mailer.deliver(mail)
        except TransientDeliveryError as exc:
            ledger.finish(notice.notice_id, State.failed_transient, reply_code=exc.reply_code, detail=exc.detail)
            return False
        except PermanentDeliveryError as exc:
            target = _reroute(notice)
            ledger.finish(
                notice.notice_id, State.failed_permanent, reply_code=exc.reply_code,
                detail=f"{exc.detail}; rerouted to {target.channel}", rerouted_to=target.notice_id,
            )
            counts["failed_permanent"] += 1
            return True
        except UncertainDeliveryError as exc:
            ledger.finish(notice.notice_id, State.in_doubt, detail=exc.detail)
            counts["in_doubt"] += 1
            return True
        except RelaySessionError as exc:
            # The relay refused the session, not this person: release the claim, stop the batch.
            ledger.finish(notice.notice_id, State.failed_transient, reply_code=exc.reply_code,
                          detail=f"not sent: relay refused the session at {exc.detail}")
            raise
        except DeliveryError:
            # Not handed over (e.g. login refused): release the claim so a later run can send it.
            ledger.finish(notice.notice_id, State.failed_transient, detail="not handed over: connection setup failed")
            raise
        unconfirmed.append((notice.notice_id, code))
        counts[accepted.value] += 1
        return True

    def _reroute(notice: Notice) -> Notice:
        person = persons[notice.person_id]
        channel = next_channel(person, Channel.email, policy, tried={Channel.email})
        target = make_notice(
            incident_id=facts.incident_id, person=person, channel=channel, versions=dict(versions),
            rerouted_from=notice.notice_id,
        )
        ledger.add([target], incident_id=facts.incident_id)
        rerouted[channel] = rerouted.get(channel, 0) + 1
        return target

    pending: list[tuple[Notice, OutgoingEmail]] = []
    rounds = 0
    done = 0
    stopped = 0
    try:
        for notice, mail in _rendered_ahead(render, todo):
            if should_stop():
                stopped = len(todo) - done - len(pending)
                break
            if attempt(notice, mail):
                done += 1
            else:
                pending.append((notice, mail))
            if on_progress and done % 100 == 0:
                on_progress(done, len(todo))
        while pending and rounds < backoff.rounds and not stopped:
            claim(None)  # confirm the last sent message before waiting
            sleep(backoff.delay(rounds))
            if should_stop():
                break  # the deferred ones stay failed_transient: the next run tries them again
            rounds += 1
            deferred = [(n, m) for n, m in pending if not attempt(n, m)]
            done += len(pending) - len(deferred)
            pending = deferred
    finally:
        if unconfirmed:
            claim(None)

    return BatchResult(
        notices=len(notices), sent=counts["sent"], outbox=counts["outbox"], already_done=already_done,
        in_doubt=counts["in_doubt"] + sum(1 for n in notices if states[n.notice_id] in (State.sending, State.in_doubt)),
        failed_transient=len(pending), failed_permanent=counts["failed_permanent"], rerouted=rerouted,
        attempts=counts["attempts"], retry_rounds=rounds, stopped=stopped,
    )


def _rendered_ahead(render: Callable[[Notice], OutgoingEmail], notices: list[Notice], depth: int = 2) -> Iterator[
        tuple[Notice, OutgoingEmail]]:
    """Each notice with its message, rendered ``depth`` messages ahead in a thread."""
    # The thread uses the CPU while the sender waits for the server's replies (sockets and
    # SQLite release the GIL). Only a few messages ahead rather than a batch-wide map: the
    # batch's messages are never all in memory, and nothing is rendered far past a notice
    # that stops the batch. (Measured: ahead-by-2, a batch-wide map and inline rendering are
    # within noise of each other in wall time; the GIL hands over too late for real overlap.)
    with ThreadPoolExecutor(max_workers=1) as renderer:
        queued: deque = deque()
        upcoming = iter(notices)
        for notice in upcoming:
            queued.append((notice, renderer.submit(render, notice)))
            if len(queued) > depth:
                done, future = queued.popleft()
                yield done, future.result()
        while queued:
            done, future = queued.popleft()
            yield done, future.result()
