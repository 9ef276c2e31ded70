"""Industry and local rule packs (YAML data evaluated beside APPI) and the liability summary."""

from breachflow.rulepacks.liability import LiabilityLine, LiabilitySummary, liability_summary, liability_text_lines
from breachflow.rulepacks.loader import (
    BUILTIN_PACKS_DIR,
    apply_rule_packs,
    configured_packs,
    evaluate_rule_packs,
    load_pack,
    load_packs,
)
from breachflow.rulepacks.model import Condition, DeadlineSpec, PackRule, RulePack

__all__ = [
    "BUILTIN_PACKS_DIR",
    "Condition",
    "DeadlineSpec",
    "LiabilityLine",
    "LiabilitySummary",
    "PackRule",
    "RulePack",
    "apply_rule_packs",
    "configured_packs",
    "evaluate_rule_packs",
    "liability_summary",
    "liability_text_lines",
    "load_pack",
    "load_packs",
]
