"""Nothing is counted as done that did not happen: outbox is not sent, rendered is not posted."""

from __future__ import annotations

import pytest

from breachflow.errors import InputError
from breachflow.notification.ledger import State
from breachflow.notification.mailer import OutboxMailer
from breachflow.reporting.facts import read_report_facts
from breachflow.usecases import notification, obligations
from breachflow.wiring import OUTBOX_DIR, Wiring
from tests.usecases.conftest import TODAY


def _approved(w, incident_id):
    obligations.assess_case(w, incident_id)
    counts = notification.plan(w, incident_id)
    notification.approve(w, incident_id, approver="試験 承認者")
    return counts


@pytest.fixture
def no_relay(wiring) -> Wiring:
    """The wiring as it is with no SMTP relay configured: mail goes to the case's outbox."""
    return Wiring(settings=wiring.settings, clock=wiring.clock,
                  mailer_factory=lambda settings, case: OutboxMailer(case.path(f"{OUTBOX_DIR}/x").parent))


def test_without_a_relay_emails_are_kept_in_the_outbox_and_never_counted_as_sent(no_relay, scoped):
    """No relay: every email is 'outbox', item 6 says nobody was emailed, and the outbox count is stated."""
    counts = _approved(no_relay, scoped)
    emails = counts.by_channel["email"]
    totals = notification.send_emails(no_relay, scoped, worker="t")
    assert totals["sent"] == 0 and totals["outbox"] == emails
    assert no_relay.ledger(no_relay.case(scoped)).counts()["email"] == {"outbox": emails}
    notification.record_notice_status(no_relay, scoped, substitute_persons=0)
    status = read_report_facts(case=no_relay.case(scoped)).notices
    assert status.sent == 0 and status.emailed == 0 and status.outbox == emails


def test_a_later_run_with_a_relay_sends_what_the_outbox_kept_and_only_once(no_relay, wiring, scoped, mailer):
    """Outbox mail is still to be sent: once a relay is configured, each goes out exactly once."""
    counts = _approved(no_relay, scoped)
    notification.send_emails(no_relay, scoped, worker="t")
    assert notification.send_emails(no_relay, scoped, worker="t")["outbox"] == 0  # kept once, not rewritten
    totals = notification.send_emails(wiring, scoped, worker="t")
    assert totals["sent"] == counts.by_channel["email"] == len({m.notice_id for m in mailer.delivered})
    assert notification.send_emails(wiring, scoped, worker="t")["sent"] == 0


def test_rendered_letters_are_posted_only_when_the_officer_records_it(wiring, scoped):
    """Letters are 'rendered' after printing; `notify printed` moves the named batch to 'handed_to_post'."""
    counts = _approved(wiring, scoped)
    letters = counts.by_channel["letter"]
    run = notification.produce_letters(wiring, scoped, workers=1)
    ledger = wiring.ledger(wiring.case(scoped))
    assert ledger.counts()["letter"] == {"rendered": letters}
    notification.record_notice_status(wiring, scoped, substitute_persons=0)
    status = read_report_facts(case=wiring.case(scoped)).notices
    assert status.letters_posted == 0 and status.letters_rendered == letters
    with pytest.raises(InputError, match="say which letters"):
        notification.record_posted(wiring, scoped)
    posted = notification.record_posted(wiring, scoped, files=[run.files[0]], on=TODAY)
    assert 0 < posted <= letters
    assert ledger.counts()["letter"].get("handed_to_post") == posted
    notification.record_notice_status(wiring, scoped, substitute_persons=0)
    status = read_report_facts(case=wiring.case(scoped)).notices
    assert status.letters_posted == posted and status.letters_rendered == letters - posted
    assert notification.record_posted(wiring, scoped, all_rendered=True) == letters - posted
    assert {r.state for r in ledger.rows(channel="letter")} == {State.handed_to_post}


def test_a_dispatch_list_naming_an_unknown_or_unrendered_letter_is_refused_whole(wiring, scoped, tmp_path):
    """A vendor's list with an id that is not a rendered letter moves nothing and says how many were wrong."""
    _approved(wiring, scoped)
    notification.produce_letters(wiring, scoped, workers=1)
    ledger = wiring.ledger(wiring.case(scoped))
    good = ledger.rows(states=(State.rendered,), channel="letter")[0].notice_id
    listing = tmp_path / "dispatch.csv"
    listing.write_text(f"notice_id\n{good}\nN-L-doesnotexist\n", encoding="utf-8")
    with pytest.raises(InputError, match="1 notice"):
        notification.record_posted(wiring, scoped, dispatch_list=listing)
    assert ledger.row(good).state is State.rendered
