"""The rule-pack file format: conditions, obligation, recipient, deadline and source per rule.

A pack is one YAML file::

    pack: financial                      # unique name, used in sector_obligations
    version: "2025.06+breachflow-1"      # bump on every change; recorded with each obligation
    title_ja: 金融分野
    rules:
      - id: fin.bank.business_law_report
        title_ja: 銀行法に基づく顧客情報漏えい等の報告
        when: {sectors: [bank], subjects: [customer]}     # every given condition must hold
        obligation: business_law_report
        recipient: FSA
        recipient_ja: 所管の財務局等（金融庁）
        deadline: {days: [3, 5], roll_forward: false}       # day 1 = discovery day
        source: 銀行法施行規則第13条の6の5 …
        choice: true                                        # rests on an implementation choice
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, StringConstraints, model_validator

from breachflow.intake.model import Medium, Sector, Subject
from breachflow.vocabulary import Cause, DataItem

PackName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,80}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Frozen):
    """When a rule fires: every condition given must hold; a list means 'any of'."""

    sectors: list[Sector] = Field(default_factory=list)
    subjects: list[Subject] = Field(default_factory=list)
    items: list[DataItem] = Field(default_factory=list, description="any of these items leaked")
    causes: list[Cause] = Field(default_factory=list)
    media: list[Medium] = Field(default_factory=list)
    persons_over: NonNegativeInt | None = Field(default=None, description="maximum count of persons exceeds this")
    persons_at_least: NonNegativeInt | None = Field(default=None, description="maximum count is at least this")
    appi_reportable: bool | None = Field(default=None, description="the APPI report is (true) or is not (false) due")
    appi_categories: list[int] = Field(default_factory=list, description="any of these Rule 7 categories is met")
    unless_exempt: bool = Field(
        default=True,
        description="do not fire when an APPI gate applies (recovered before viewed, high-level encryption, data not "
        "personal: pseudonymised or statistical)",
    )


class DeadlineSpec(_Frozen):
    """A day count from the discovery day (day 1), a window, or 'promptly' (no count)."""

    days: NonNegativeInt | tuple[NonNegativeInt, NonNegativeInt] | None = Field(
        default=None, description="N, or [first, last] for a target window; omit for 'promptly'"
    )
    roll_forward: bool = Field(default=False, description="move a last day on a closed day to the next open day")
    promptly_ja: str = Field(default="速やかに", description="wording when there is no day count")

    @model_validator(mode="after")
    def _window_ordered(self) -> DeadlineSpec:
        if isinstance(self.days, tuple) and self.days[0] > self.days[1]:
            raise ValueError(f"days window {list(self.days)} must be [first, last] with first <= last")
        return self


class PackRule(_Frozen):
    """One rule of a pack."""

    id: RuleId
    title_ja: str = Field(min_length=1)
    when: Condition
    obligation: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    recipient: str = Field(min_length=1)
    recipient_ja: str = Field(min_length=1)
    deadline: DeadlineSpec = Field(default_factory=DeadlineSpec)
    source: str = Field(min_length=1, description="law, guideline or ordinance section the rule rests on")
    choice: bool = False
    note: str = ""


class RulePack(_Frozen):
    """A named, versioned set of rules (an industry guideline or a local ordinance)."""

    pack: PackName
    version: str = Field(min_length=1)
    title_ja: str = Field(min_length=1)
    description: str = ""
    rules: list[PackRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> RulePack:
        seen: set[str] = set()
        duplicates = sorted({r.id for r in self.rules if r.id in seen or seen.add(r.id)})
        if duplicates:
            raise ValueError(f"rule ids must be unique within a pack; repeated: {duplicates}")
        return self
