"""GDPR as a second regime: its own 72-hour clock, never merged with APPI's dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from breachflow.intake.model import DataForm
from breachflow.obligations.model import Deadline, Finding
from breachflow.obligations.rules import RuleSet


class GdprOutcome(BaseModel):
    """The GDPR part of a decision: findings, deadlines and the ``other_regimes`` entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    findings: list[Finding]
    deadlines: list[Deadline]
    clocks: dict[str, Any]


def local_time(due: datetime) -> str:
    """The wall-clock time of an aware instant at its own UTC offset, e.g. '2026-11-13 09:00 (UTC+01:00)'."""
    offset = due.strftime("%z")
    return f"{due.strftime('%Y-%m-%d %H:%M')} (UTC{offset[:3]}:{offset[3:]})"


def assess_gdpr(
    *,
    aware_at: datetime,
    eu_persons: int | None,
    recovered_before_viewed: bool,
    unintelligible: bool,
    appi_categories_met: list[int],
    rule_set: RuleSet,
    processor: bool = False,
    data_form: DataForm = DataForm.personal,
) -> GdprOutcome:
    """Decide the supervisory-authority notice (Art. 33) and the high-risk notice to persons (Art. 34)."""
    if processor:
        return _processor_outcome()
    if data_form is DataForm.statistical:
        # Anonymous information is outside the GDPR; a choice, because figures can still single someone out.
        return _without_clock(
            title_ja="GDPR 監督機関への通知（72時間）",
            reason="only statistics leaked (data.form statistical): anonymous information is not personal data, "
            "so there is no personal data breach and no 72-hour clock; re-assess if the figures can single out "
            "a person",
            source="GDPR Art. 4(1), 4(12), Recital 26",
            choice=True,
        )
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
    # APPI's 仮名加工情報 exemption has no GDPR counterpart: pseudonymised data stays personal data.
    pseudonymised = (
        "; pseudonymised data is still personal data under the GDPR (Art. 4(5), Recital 26)"
        if data_form is DataForm.pseudonymised
        else ""
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
            )
            + pseudonymised,
            source="GDPR Art. 33(1), 33(5); EDPB Guidelines 9/2022" + ("; Art. 4(5), Recital 26" if pseudonymised else ""),
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
                due_local=local_time(sa_due),
                due_utc=sa_due.astimezone(UTC),
                basis=f"aware_at {aware_at.isoformat()} + {rule_set.gdpr_sa_hours} h, through weekends and holidays; "
                "local time at the UTC offset of eu.aware_at (a daylight-saving change in the authority's zone "
                "within the 72 hours is not applied)",
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


def _without_clock(*, title_ja: str, reason: str, source: str, choice: bool = False,
                   deadlines: tuple[Deadline, ...] = ()) -> GdprOutcome:
    """An outcome with no 72-hour clock of this business's own: one finding saying why."""
    finding = Finding(
        key="gdpr.sa_notification", title_ja=title_ja, applies=False, reason=reason, source=source, choice=choice
    )
    return GdprOutcome(findings=[finding], deadlines=list(deadlines), clocks={"sa_due": None})


def _processor_outcome() -> GdprOutcome:
    """A processor's only GDPR breach duty: tell the controller (Art. 33(2)); the clocks are the controller's."""
    return _without_clock(
        title_ja="GDPR 管理者への通知（処理者）",
        reason="as processor: notify the controller without undue delay; the 72-hour clock and any "
        "notice to persons are the controller's, counted from its own awareness",
        source="GDPR Art. 33(2)",
        deadlines=(
            Deadline(
                obligation="gdpr_controller_notice",
                regime="GDPR",
                due=None,
                basis="without undue delay after becoming aware",
                source="GDPR Art. 33(2)",
            ),
        ),
    )

