"""GDPR as a second regime: its own 72-hour clock, never merged with APPI's dates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from breachflow.obligations.model import Deadline, Finding
from breachflow.obligations.rules import RuleSet


class GdprOutcome(BaseModel):
    """The GDPR part of a decision: findings, deadlines and the ``other_regimes`` entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    findings: list[Finding]
    deadlines: list[Deadline]
    clocks: dict[str, Any]


def assess_gdpr(
    *,
    aware_at: datetime,
    eu_persons: int | None,
    recovered_before_viewed: bool,
    unintelligible: bool,
    appi_categories_met: list[int],
    rule_set: RuleSet,
    processor: bool = False,
) -> GdprOutcome:
    """Decide the supervisory-authority notice (Art. 33) and the high-risk notice to persons (Art. 34)."""
    if processor:
        return _processor_outcome()
    # Recovered before anyone saw it, or encrypted with the key safe: "unlikely to result in a
    # risk" (EDPB Guidelines 9/2022 examples) — a choice, because the SA may see it otherwise.
    unlikely_risk = recovered_before_viewed or unintelligible
    sa_due = None if unlikely_risk else aware_at + timedelta(hours=rule_set.gdpr_sa_hours)
    persons = f"{eu_persons} EU persons" if eu_persons is not None else "EU persons (count unknown)"
    why_unlikely = (
        "every copy was recovered before it was viewed"
        if recovered_before_viewed
        else "data unintelligible (high-level encryption, key safe)"
    )
    findings = [
        Finding(
            key="gdpr.sa_notification",
            title_ja="GDPR 監督機関への通知（72時間）",
            applies=sa_due is not None,
            reason=(
                f"unlikely to result in a risk: {why_unlikely}; document the breach internally (Art. 33(5))"
                if unlikely_risk
                else f"breach affecting {persons}; notify the lead supervisory authority within "
                f"{rule_set.gdpr_sa_hours} hours of awareness ({aware_at.isoformat()}), weekends included"
            ),
            source="GDPR Art. 33(1), 33(5); EDPB Guidelines 9/2022",
            choice=unlikely_risk,
        )
    ]
    deadlines = []
    if sa_due is not None:
        deadlines.append(
            Deadline(
                obligation="gdpr_sa_notification",
                regime="GDPR",
                due=sa_due,
                basis=f"aware_at {aware_at.isoformat()} + {rule_set.gdpr_sa_hours} h, through weekends and holidays",
                source="GDPR Art. 33(1)",
            )
        )
    high_risk_categories = sorted(set(appi_categories_met) & rule_set.gdpr_high_risk_categories)
    high_risk = bool(high_risk_categories) and not unlikely_risk
    if high_risk:
        reason = (
            f"likely high risk because APPI categories {high_risk_categories} apply; tell each EU person without "
            "undue delay unless an Art. 34(3) exception holds: (a) data unintelligible, (b) later measures "
            "removed the high risk, (c) disproportionate effort — then a public communication"
        )
    elif unlikely_risk:
        reason = "no high risk found: an Art. 34(3)(a) exception holds (unintelligible or never viewed)"
    else:
        reason = "no high risk found: no sensitive, financial or wrongful-purpose facts (choice)"
    findings.append(
        Finding(
            key="gdpr.high_risk_notice",
            title_ja="GDPR 本人への通知（高リスク）",
            applies=high_risk,
            reason=reason,
            source="GDPR Art. 34(1), 34(3)",
            choice=True,
        )
    )
    if high_risk:
        deadlines.append(
            Deadline(
                obligation="gdpr_individual_notice",
                regime="GDPR",
                due=None,
                basis="without undue delay; no fixed hour count",
                source="GDPR Art. 34(1)",
            )
        )
    return GdprOutcome(findings=findings, deadlines=deadlines, clocks={"sa_due": sa_due})


def _processor_outcome() -> GdprOutcome:
    """A processor's only GDPR breach duty: tell the controller (Art. 33(2)); the clocks are the controller's."""
    return GdprOutcome(
        findings=[
            Finding(
                key="gdpr.sa_notification",
                title_ja="GDPR 管理者への通知（処理者）",
                applies=False,
                reason="as processor: notify the controller without undue delay; the 72-hour clock and any "
                "notice to persons are the controller's, counted from its own awareness",
                source="GDPR Art. 33(2)",
            )
        ],
        deadlines=[
            Deadline(
                obligation="gdpr_controller_notice",
                regime="GDPR",
                due=None,
                basis="without undue delay after becoming aware",
                source="GDPR Art. 33(2)",
            )
        ],
        clocks={"sa_due": None},
    )
