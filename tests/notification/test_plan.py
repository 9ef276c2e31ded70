"""Channel policy and planning: one notice per person per channel, only their items, stable ids."""

from __future__ import annotations

from breachflow.notification.plan import build_plan, notice_id, plan_counts, template_versions
from breachflow.notification.policy import Channel, ChannelPolicy, choose_channels, next_channel, valid_email
from breachflow.vocabulary import DataItem
from tests.notification.support import INCIDENT, TEMPLATES, email_person


def test_default_policy_prefers_email_then_letter_then_phone_then_substitute():
    """Each person gets the first usable channel; nobody usable goes to the substitute list."""
    policy = ChannelPolicy()
    assert choose_channels(email_person(1), policy) == [Channel.email]
    assert choose_channels(email_person(2, email="not-an-address"), policy) == [Channel.letter]
    assert choose_channels(email_person(3, email=None, postal_code="12345"), policy) == [Channel.phone]
    assert choose_channels(email_person(4, email=None, address1=None, phone=None), policy) == [Channel.substitute]


def test_sensitive_persons_can_get_a_letter_as_well():
    """With extra_for_sensitive=[letter], a person with sensitive data gets email and letter."""
    policy = ChannelPolicy(extra_for_sensitive=[Channel.letter])
    assert choose_channels(email_person(1, sensitive=True), policy) == [Channel.email, Channel.letter]
    assert choose_channels(email_person(2), policy) == [Channel.email]


def test_email_syntax_is_checked_without_dns():
    """Syntax-valid ASCII addresses pass; broken or non-ASCII local parts do not."""
    assert valid_email("User@Example.com") == "User@example.com"
    assert valid_email("a@@example.com") is None
    assert valid_email("山田@example.com") is None


def test_next_channel_after_failures():
    """A refused email leads to a letter, a returned letter to phone, an unreachable phone to substitute when letters failed."""
    person = email_person(1)
    policy = ChannelPolicy()
    assert next_channel(person, Channel.email, policy, tried={Channel.email}) is Channel.letter
    assert next_channel(person, Channel.letter, policy, tried={Channel.email, Channel.letter}) is Channel.phone
    assert next_channel(person, Channel.phone, policy, tried={Channel.email, Channel.letter, Channel.phone}) is Channel.substitute


def test_plan_carries_only_each_persons_items_and_deterministic_ids():
    """Notices list only the person's own items; re-planning yields the same ids; counts add up."""
    persons = [
        email_person(1, items=[DataItem.name, DataItem.email]),
        email_person(2, email=None, items=[DataItem.name, DataItem.address, DataItem.card_number]),
    ]
    versions = template_versions(TEMPLATES)
    plan = build_plan(incident_id=INCIDENT, persons=persons, decision=None, policy=ChannelPolicy(), versions=versions)
    again = build_plan(incident_id=INCIDENT, persons=persons, decision=None, policy=ChannelPolicy(), versions=versions)
    assert [n.notice_id for n in plan.notices] == [n.notice_id for n in again.notices]
    assert plan.notices[0].items == [DataItem.name, DataItem.email]
    assert DataItem.email not in plan.notices[1].items
    counts = plan_counts(plan)
    assert counts.by_channel[Channel.email] == 1 and counts.by_channel[Channel.letter] == 1 and counts.variants == 2
    assert notice_id(INCIDENT, "P000001", Channel.email, "v1") != notice_id(INCIDENT, "P000001", Channel.email, "v2")
