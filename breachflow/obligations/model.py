"""The decision record: what the law requires for one incident, with reasons and sources."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(StrEnum):
    """Authority that receives the report."""

    PPC = "PPC"
    FSA = "FSA"
    METI = "METI"
    none = "none"


class PoliceAdvice(StrEnum):
    """Whether a police report is recommended."""

    recommended = "recommended"
    none = "none"


class Finding(_Frozen):
    """One gate or Rule 7 category, decided with its reason and legal source."""

    key: str = Field(description="e.g. gate.recovered, category.1 … category.4, rule9.processor")
    title_ja: str
    applies: bool
    reason: str
    source: str = Field(description="article / rule / guideline section")
    choice: bool = Field(default=False, description="an implementation choice where the law leaves it open")


class Deadline(_Frozen):
    """One obligation with its due date (APPI in JST dates; GDPR as an aware datetime)."""

    obligation: str = Field(description="preliminary_report | final_report | individual_notice | gdpr_sa_notification …")
    regime: str = Field(description="APPI | GDPR")
    due: date | datetime | None
    window_start: date | None = None
    due_local: str | None = Field(
        default=None, description="a due instant as wall-clock time at its offset, e.g. '2026-11-13 09:00 (UTC+01:00)'"
    )
    due_utc: datetime | None = Field(default=None, description="an instant due, in UTC")
    basis: str = Field(description="how the date was computed, e.g. 'day 60 from 2026-11-10, rolled from Sat 01-09'")
    source: str
    choice: bool = Field(default=False, description="the date rests on an implementation choice")


class SectorObligation(_Frozen):
    """One obligation from an industry or local rule pack (beside APPI), with its source."""

    pack: str = Field(description="rule pack name, e.g. financial")
    pack_version: str
    rule_id: str
    obligation: str = Field(description="e.g. business_law_report")
    title_ja: str
    recipient: str = Field(description="who receives it, e.g. FSA, METI, card_company")
    recipient_ja: str
    due: date | None = Field(description="last day (JST); None means promptly, without a day count")
    window_start: date | None = None
    basis: str = Field(description="how the date was computed")
    source: str
    choice: bool = Field(default=False, description="the rule or its day count rests on an implementation choice")


class Decision(_Frozen):
    """A decision record: reproducible from (inputs hash, rule-set version)."""

    incident_id: str
    rule_set_version: str
    inputs_sha256: str
    reportable: bool
    categories: list[int]
    recipient: Recipient
    preliminary_window: tuple[date, date] | None
    final_due: date | None
    individual_notice_required: bool
    processor_exempt: bool
    police: PoliceAdvice
    other_regimes: dict[str, dict[str, Any]]
    my_number: bool = Field(description="My Number data present: separate 番号法 regime, flagged not decided")
    findings: list[Finding]
    deadlines: list[Deadline]
    choices: list[str] = Field(description="keys of findings/deadlines that rest on an implementation choice")
    sector_obligations: list[SectorObligation] = Field(
        default_factory=list, description="obligations from industry/local rule packs; never change the APPI keys"
    )
    disclaimer: str = "本判定は法的助言ではありません。最終判断は弁護士等の専門家に確認してください。 / Not legal advice."

    def expected_view(self) -> dict[str, Any]:
        """The keys of the intake spec's ``expected`` block, dates as ISO strings."""
        return {
            "reportable": self.reportable,
            "categories": list(self.categories),
            "recipient": self.recipient.value,
            "preliminary_window": [d.isoformat() for d in self.preliminary_window] if self.preliminary_window else None,
            "final_due": self.final_due.isoformat() if self.final_due else None,
            "individual_notice_required": self.individual_notice_required,
            "processor_exempt": self.processor_exempt,
            "police": self.police.value,
            "other_regimes": {
                name: {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in clocks.items()}
                for name, clocks in self.other_regimes.items()
            },
        }
