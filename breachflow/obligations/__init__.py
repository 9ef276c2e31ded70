"""Obligations: from the intake facts to a reproducible decision record (APPI, plus GDPR)."""

from breachflow.obligations.engine import DecisionInputs, assess, decision_inputs, inputs_sha256
from breachflow.obligations.model import Deadline, Decision, Finding, PoliceAdvice, Recipient
from breachflow.obligations.records import (
    Change,
    RecordOutcome,
    current_decision,
    decision_json,
    decision_payload,
    diff_decisions,
    record_decision,
)
from breachflow.obligations.rules import DEFAULT_RULE_SET, RULE_SET_VERSION, RuleSet

__all__ = [
    "DEFAULT_RULE_SET",
    "RULE_SET_VERSION",
    "Change",
    "Deadline",
    "Decision",
    "DecisionInputs",
    "Finding",
    "PoliceAdvice",
    "Recipient",
    "RecordOutcome",
    "RuleSet",
    "assess",
    "current_decision",
    "decision_inputs",
    "decision_json",
    "decision_payload",
    "diff_decisions",
    "inputs_sha256",
    "record_decision",
]
