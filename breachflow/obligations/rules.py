"""The rule set as data: thresholds, day counts, sector routing and the documented choices.

A lawyer who disagrees with a choice builds a different ``RuleSet`` (and gives it a new
``version``); the engine reads nothing else, so every decision record names the rules it used.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from breachflow.intake.model import Sector
from breachflow.obligations.model import Recipient

RULE_SET_VERSION = "appi-2025.06+breachflow-2"

# Who receives the report per sector (APPI Art. 150: the PPC delegates the report-receiving
# power to the minister in charge of some sectors). Kept as data so a new delegation is one line.
SECTOR_RECIPIENTS: dict[Sector, Recipient] = {
    Sector.general: Recipient.PPC,
    Sector.bank: Recipient.FSA,
    Sector.insurance: Recipient.FSA,
    Sector.securities: Recipient.FSA,
    Sector.credit_bureau: Recipient.METI,
    Sector.credit_purchase: Recipient.METI,
}

RECIPIENT_LABELS_JA: dict[Recipient, str] = {
    Recipient.PPC: "個人情報保護委員会",
    Recipient.FSA: "金融庁（財務局）",
    Recipient.METI: "経済産業省",
    Recipient.none: "報告不要",
}

# 12-29 … 01-03: the administrative year-end closure (GL 3-5-3-4 ※2), as (month, day).
YEAR_END_CLOSED: tuple[tuple[int, int], ...] = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


class RuleSet(BaseModel):
    """Every number and choice the engine uses; the default encodes ``appi-rules.md``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = RULE_SET_VERSION
    person_threshold: int = Field(default=1000, description="category 4 applies above this count (1,001+)")
    preliminary_window_days: tuple[int, int] = Field(default=(3, 5), description="速報 target, day 1 = discovery")
    final_report_days: int = 30
    final_report_days_wrongful: int = Field(default=60, description="確報 when category 3 applies")
    year_end_closed: tuple[tuple[int, int], ...] = YEAR_END_CLOSED
    sector_recipients: dict[Sector, Recipient] = Field(default_factory=lambda: dict(SECTOR_RECIPIENTS))
    login_password_is_financial: bool = Field(
        default=True,
        description="(choice) assume a leaked login ID + password belongs to a service that can pay or remit",
    )
    gdpr_sa_hours: int = 72
    gdpr_high_risk_categories: frozenset[int] = Field(
        default=frozenset({1, 2, 3}),
        description="(choice) APPI categories that make a GDPR breach 'likely high risk' (Art. 34)",
    )


DEFAULT_RULE_SET = RuleSet()
