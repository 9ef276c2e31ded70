"""Notification use cases over a real case store, with a recording mailer passed in through the wiring."""

from __future__ import annotations

import pytest

from breachflow.errors import DeliveryError
from breachflow.notification.casework import case_persons
from breachflow.reporting.facts import read_report_facts
from breachflow.usecases import notification, obligations
from breachflow.usecases.notification import EMAIL_BATCH_SIZE


def _approved_plan(wiring, incident_id):
    obligations.assess_case(wiring, incident_id)
    counts = notification.plan(wiring, incident_id)
    notification.approve(wiring, incident_id, approver="試験 承認者")
    return counts


def test_sending_needs_an_approved_plan(wiring, scoped):
    """No email leaves before a person approved exactly the current plan."""
    obligations.assess_case(wiring, scoped)
    notification.plan(wiring, scoped)
    with pytest.raises(DeliveryError, match="not approved"):
        notification.send_email_batch(wiring, scoped, 0, worker="t")


def test_send_emails_delivers_each_planned_email_once_and_logs_one_round(wiring, scoped, mailer):
    """Every email notice goes to the wiring's mailer once; a second round sends nothing and logs nothing."""
    counts = _approved_plan(wiring, scoped)
    emails = counts.by_channel.get("email", 0)
    assert emails > 0
    totals = notification.send_emails(wiring, scoped, worker="t")
    assert totals["sent"] == emails == len(mailer.delivered)
    assert len({m.notice_id for m in mailer.delivered}) == emails
    entries = [e for e in wiring.case(scoped).timeline.entries() if e.kind == "notification.email"]
    assert len(entries) == 1
    again = notification.send_emails(wiring, scoped, worker="t")
    assert again["sent"] == 0 and again["already_done"] == emails and len(mailer.delivered) == emails
    assert len([e for e in wiring.case(scoped).timeline.entries() if e.kind == "notification.email"]) == 1


def test_batches_split_the_plan_by_the_one_batch_size(wiring, scoped, mailer):
    """The CLI and the tasks cut the plan into the same batches: batch n holds notices n*size to (n+1)*size."""
    counts = _approved_plan(wiring, scoped)
    emails = counts.by_channel.get("email", 0)
    assert notification.email_batches(wiring, scoped) == -(-emails // EMAIL_BATCH_SIZE)
    beyond = notification.send_email_batch(wiring, scoped, notification.email_batches(wiring, scoped), worker="t")
    assert beyond.notices == 0 and not mailer.delivered


def test_record_notice_status_feeds_report_item_6_from_the_ledger(wiring, scoped, mailer):
    """Item 6 counts the persons the ledger says were sent, as of the wiring's clock."""
    _approved_plan(wiring, scoped)
    notification.send_emails(wiring, scoped, worker="t")
    counts = notification.record_notice_status(wiring, scoped, substitute_persons=0)
    notices = read_report_facts(case=wiring.case(scoped)).notices
    assert notices is not None
    assert notices.sent == len({m.notice_id for m in mailer.delivered}) == counts["email"]["sent"]
    assert notices.as_of == wiring.today()


def test_gate_preview_shows_counts_and_a_placeholder_never_a_person(wiring, scoped):
    """The gate text lists the notices per channel and samples rendered for a placeholder person only."""
    counts = _approved_plan(wiring, scoped)
    preview = notification.gate_preview(wiring, scoped)
    for channel, n in counts.by_channel.items():
        assert f"| {channel} | {n} |" in preview.markdown
    assert "架空の見本" in preview.markdown
    persons = case_persons(wiring.case(scoped)).values()
    assert persons
    for person in persons:
        assert person.name not in preview.markdown
        assert not person.email or person.email not in preview.markdown


def test_the_email_is_from_the_incidents_business_and_the_gate_shows_that_sender(wiring, scoped, mailer):
    """From carries the intake's business name and desk address, and the gate preview shows exactly that sender."""
    import email
    import email.policy

    _approved_plan(wiring, scoped)
    business = wiring.business(wiring.case(scoped))
    preview = notification.gate_preview(wiring, scoped)
    assert f"差出人（From）: {business.name} <{business.email}>" in preview.markdown
    notification.send_emails(wiring, scoped, worker="t")
    message = email.message_from_bytes(mailer.delivered[0].data, policy=email.policy.default)
    assert message["From"].addresses[0].display_name == business.name == "株式会社サンプル商事"
    assert message["From"].addresses[0].addr_spec == business.email
