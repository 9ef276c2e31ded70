"""The decision engine: from the intake facts to a reproducible decision record.

The engine reads only ``DecisionInputs`` — the projection of the intake that decides the
outcome — and ``inputs_sha256`` is the SHA-256 of that projection as canonical JSON. Free text
(title, summary, timeline, discoverer), names (business, client), the dataset path, police
filing details and the test-only ``expected`` block are left out: they never change the
decision, and editing a typo must not look like new facts.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from breachflow.errors import DecisionError
from breachflow.facts import effective_intake
from breachflow.intake.model import (
    Certainty,
    DataForm,
    Encryption,
    EventKind,
    Intake,
    Jurisdiction,
    Medium,
    Role,
    Sector,
    Subject,
)
from breachflow.obligations.deadlines import nth_day, roll_forward
from breachflow.obligations.gdpr import assess_gdpr
from breachflow.obligations.model import Deadline, Decision, Finding, PoliceAdvice, Recipient
from breachflow.obligations.rules import DEFAULT_RULE_SET, RuleSet
from breachflow.scoping.model import ScopeSummary
from breachflow.vocabulary import FINANCIAL_ITEMS, SENSITIVE_ITEMS, WRONGFUL_CAUSES, Cause, DataItem

# Regimes listed in an intake that breachflow does not encode: flagged, never decided.
_UNENCODED_REGIMES = (Jurisdiction.KR, Jurisdiction.US_CA, Jurisdiction.US_NY)

# The gates of appi-rules §1: any one that applies ends the assessment with "not reportable".
GATE_KEYS = ("gate.recovered_before_viewed", "gate.high_level_encryption", "gate.data_form")


_CYBER_DESK = "a consultation with the prefectural police cybercrime desk"
_POLICE_STEP: dict[Cause, str] = {
    Cause.theft: "a 被害届 at the local police station",
    Cause.unauthorized_access: _CYBER_DESK,
    Cause.ransomware: _CYBER_DESK,
    Cause.malware: _CYBER_DESK,
    Cause.web_skimming: _CYBER_DESK,
}


class DecisionInputs(BaseModel):
    """The decision-relevant facts of an incident; hashed into ``inputs_sha256``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    sector: Sector
    role: Role
    client_notified_on: date | None
    discovered_on: date
    event_kind: EventKind
    certainty: Certainty
    cause: Cause
    wrongful_purpose: bool | None
    medium: Medium
    recovered_before_viewed: bool
    encryption: Encryption
    key_compromised: bool
    subjects: list[Subject]
    persons_min: int
    persons_max: int
    items: list[DataItem]
    financial_damage_risk: bool | None
    data_form: DataForm
    jurisdictions: list[Jurisdiction]
    eu_aware_at: datetime | None
    eu_persons: int | None


def decision_inputs(*, intake: Intake, scope: ScopeSummary | None = None) -> DecisionInputs:
    """Project the intake (and the scoped dataset, when given) onto the facts the engine uses."""
    # One rule for merging the scope into the facts (stated intake values win), shared with the flow.
    intake, _sources = effective_intake(intake, scope)
    persons = intake.data.affected_persons
    if persons is None:
        raise DecisionError(
            f"incident {intake.incident_id}: data.affected_persons: not given and the dataset has not been "
            "scoped yet; give {min, max} or run the scoping step first"
        )
    return DecisionInputs(
        incident_id=intake.incident_id,
        sector=intake.business.sector,
        role=intake.business.role,
        client_notified_on=intake.business.client_notified_on,
        discovered_on=intake.discovered_on,
        event_kind=intake.event.kind,
        certainty=intake.event.certainty,
        cause=intake.event.cause,
        wrongful_purpose=intake.event.wrongful_purpose,
        medium=intake.event.medium,
        recovered_before_viewed=intake.event.recovered_before_viewed,
        encryption=intake.protection.encryption,
        key_compromised=intake.protection.key_compromised,
        subjects=sorted(set(intake.data.subjects)),
        # The maximum decides category 4: when unsure, use the largest possible count (appi-rules §2).
        persons_min=persons.min,
        persons_max=persons.max,
        items=sorted(set(intake.data.items)),
        financial_damage_risk=intake.data.financial_damage_risk,
        data_form=intake.data.form,
        jurisdictions=sorted(set(intake.jurisdictions)),
        eu_aware_at=intake.eu.aware_at if intake.eu else None,
        eu_persons=intake.eu.persons if intake.eu else None,
    )


def inputs_sha256(inputs: DecisionInputs) -> str:
    """SHA-256 of the inputs as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(inputs.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _names(items: list[DataItem]) -> str:
    return ", ".join(item.value for item in items)


def _gates(inputs: DecisionInputs) -> list[Finding]:
    high_level = inputs.encryption is Encryption.high_level
    return [
        Finding(
            key="gate.recovered_before_viewed",
            title_ja="第三者の閲覧前に回収",
            applies=inputs.recovered_before_viewed,
            reason=(
                "every copy was recovered or deleted before a third party viewed it: not a leak; record internally"
                if inputs.recovered_before_viewed
                else "not every copy was recovered before it could be viewed"
            ),
            source="GL 3-5-1-2",
        ),
        Finding(
            key="gate.high_level_encryption",
            title_ja="高度な暗号化等の秘匿化",
            applies=high_level and not inputs.key_compromised,
            reason=(
                "high-level encryption and the key was not compromised: exempt from all four categories"
                if high_level and not inputs.key_compromised
                else "high-level encryption, but the key or password travelled with the data, which defeats it"
                if high_level
                else "the data was not protected by high-level encryption"
            ),
            source="Rule 7(i) parenthetical; GL 3-5-3-1",
            choice=high_level and inputs.key_compromised,
        ),
        _data_form_gate(inputs.data_form),
    ]


def _data_form_gate(form: DataForm) -> Finding:
    """Art. 26 applies to personal data only: not to 仮名加工情報 (Art. 41(9)), nor to statistics."""
    reasons = {
        DataForm.personal: ("the data is personal data (data.form personal): Art. 26 applies", "APPI Art. 2(1), 26(1)"),
        DataForm.pseudonymised: (
            (
                "only 仮名加工情報 leaked (data.form pseudonymised): Art. 26 does not apply, so no report and no "
                "individual notice; if the 削除情報等 (what links it back to persons) leaked too, it is a leak of "
                "personal data: re-assess with data.form personal"
            ),
            "APPI Art. 41(9) (Art. 42(3) for 仮名加工情報 that is not personal information)",
        ),
        DataForm.statistical: (
            (
                "only statistics leaked (data.form statistical): aggregated figures with no link to a specific person "
                "are not personal information, so Art. 26 does not apply (no report, no individual notice)"
            ),
            "APPI Art. 2(1) (statistics are not information about a specific individual); Art. 26(1)",
        ),
    }
    reason, source = reasons[form]
    return Finding(
        key="gate.data_form",
        title_ja="個人データ以外（仮名加工情報・統計情報）",
        applies=form is not DataForm.personal,
        reason=reason,
        source=source,
    )


def _financial(inputs: DecisionInputs, rule_set: RuleSet) -> Finding:
    items = set(inputs.items)
    on_their_own = sorted(items & FINANCIAL_ITEMS)
    bank_with_secret = DataItem.bank_account in items and bool(items & {DataItem.pin, DataItem.password})
    login_pair = {DataItem.login_id, DataItem.password} <= items
    login_counts = login_pair and rule_set.login_password_is_financial
    implied = bool(on_their_own) or bank_with_secret or login_counts
    reasons = []
    if on_their_own:
        reasons.append(f"{_names(on_their_own)} can be misused for payment")
    if bank_with_secret:
        reasons.append("bank_account together with its pin/password")
    if login_pair:
        reasons.append(
            "login_id + password: assumed to be for a service that can pay or remit (choice)"
            if rule_set.login_password_is_financial
            else "login_id + password: not assumed to reach a service that can pay or remit (choice)"
        )
    if not reasons:
        weak = sorted(items & {DataItem.card_last4, DataItem.card_expiry, DataItem.bank_account})
        reasons.append(
            f"{_names(weak)} alone cannot be misused for payment" if weak else "no item that can be misused for payment"
        )
    applies = implied
    override = inputs.financial_damage_risk
    contradicted = override is not None and override is not implied
    if override is not None:
        applies = override
        reasons.append(f"overridden by data.financial_damage_risk = {str(override).lower()}")
    if contradicted:
        # An override against the items decides category 2 on a judgement the law does not make
        # for us: the lawyer must see it among the choices (either direction).
        reasons.append(
            f"the items imply category 2 {'applies' if implied else 'does not apply'}; the override contradicts "
            "them and is listed among the choices for review"
        )
    return Finding(
        key="category.2",
        title_ja="財産的被害が生じるおそれ",
        applies=applies,
        reason="; ".join(reasons),
        source="Rule 7(ii); GL 3-5-3-1; PPC Q&A 6-11, 6-12, 6-15",
        choice=(login_pair and override is None) or contradicted,
    )


def _wrongful(inputs: DecisionInputs) -> Finding:
    implied = inputs.cause in WRONGFUL_CAUSES
    if inputs.wrongful_purpose is not None:
        applies = inputs.wrongful_purpose
        reason = f"cause {inputs.cause.value}; overridden by event.wrongful_purpose = {str(applies).lower()}"
    elif implied:
        applies = True
        reason = f"cause {inputs.cause.value} implies an act that may have had a wrongful purpose"
    elif inputs.cause is Cause.lost_item:
        applies = False
        reason = "loss without a sign of theft is not 不正の目的 (choice); re-assess if signs of theft appear"
    else:
        applies = False
        reason = f"cause {inputs.cause.value} does not imply a wrongful purpose"
    return Finding(
        key="category.3",
        title_ja="不正の目的をもって行われたおそれ",
        applies=applies,
        reason=reason,
        source="Rule 7(iii); GL 3-5-3-1",
        choice=inputs.cause is Cause.lost_item and inputs.wrongful_purpose is None,
    )


def _categories(inputs: DecisionInputs, rule_set: RuleSet) -> list[Finding]:
    sensitive = sorted(set(inputs.items) & SENSITIVE_ITEMS)
    threshold = rule_set.person_threshold
    return [
        Finding(
            key="category.1",
            title_ja="要配慮個人情報",
            applies=bool(sensitive),
            reason=f"sensitive items: {_names(sensitive)}" if sensitive else "no sensitive item",
            source="APPI Art. 2(3); Rule 7(i); GL 3-5-3-1",
        ),
        _financial(inputs, rule_set),
        _wrongful(inputs),
        Finding(
            key="category.4",
            title_ja=f"本人の数が{threshold:,}人を超える",
            applies=inputs.persons_max > threshold,
            reason=(
                f"maximum count {inputs.persons_max:,} "
                + (f"exceeds {threshold:,}" if inputs.persons_max > threshold else f"does not exceed {threshold:,}")
            ),
            source="Rule 7(iv); GL 3-5-3-1",
        ),
    ]


def _prompt_until(inputs: DecisionInputs, rule_set: RuleSet) -> date:
    """The last day a processor's notice to its client counts as prompt: the end of the 速報 window (appi-rules §4)."""
    return nth_day(inputs.discovered_on, rule_set.preliminary_window_days[1])


def _rule9(inputs: DecisionInputs, met: list[int], report_due: bool, rule_set: RuleSet) -> Finding:
    """Rule 9: a processor that informed its client promptly (by the end of the 速報 window) is exempt."""
    notified = inputs.client_notified_on
    last_day = rule_set.preliminary_window_days[1]
    last = _prompt_until(inputs, rule_set)
    prompt = notified is not None and notified <= last
    if not report_due:
        reason = "nothing reportable, so no relief is needed"
    elif notified is None:
        reason = (
            "processor has not yet informed its client of the Rule 8(1) items; until it does, it must report itself "
            f"(a joint report with the client is allowed); a notice by {last.isoformat()} (day {last_day}) would "
            "relieve it"
        )
    else:
        day = (notified - inputs.discovered_on).days + 1
        told = f"processor informed its client on {notified.isoformat()} (day {day} counting the discovery day as day 1)"
        reason = (
            f"{told}, within the 速報 window ending {last.isoformat()} (day {last_day}): prompt, so exempt from the "
            f"report and from individual notice; it must tell the client that Rule 7 categories {sorted(met)} apply; "
            "the client reports, counting from that day at the latest"
            if prompt
            else f"{told}, after the 速報 window ended {last.isoformat()} (day {last_day}): not prompt (速やかに), so "
            "no relief; its own reports were already due, so it reports itself and notifies the persons "
            "(a joint report with the client is allowed)"
        )
    return Finding(
        key="rule9.processor",
        title_ja="委託先の報告義務の免除（規則9条）",
        applies=report_due and prompt,
        reason=reason,
        source="APPI Art. 26(1) proviso; Rule 9; GL 3-5-3-5",
    )


def _appi_deadlines(inputs: DecisionInputs, categories: list[int], rule_set: RuleSet) -> list[Deadline]:
    start = inputs.discovered_on
    first, last = rule_set.preliminary_window_days
    days = rule_set.final_report_days_wrongful if 3 in categories else rule_set.final_report_days
    final = roll_forward(nth_day(start, days), year_end=rule_set.year_end_closed)
    why = "category 3 applies" if 3 in categories else "category 3 does not apply"
    return [
        Deadline(
            obligation="preliminary_report",
            regime="APPI",
            window_start=nth_day(start, first),
            due=nth_day(start, last),
            basis=f"速報 target day {first} … day {last} counting {start.isoformat()} as day 1; no roll-forward (choice)",
            source="APPI Art. 26(1); Rule 8(1); GL 3-5-3-3",
            choice=True,
        ),
        Deadline(
            obligation="final_report",
            regime="APPI",
            due=final.due,
            basis=f"確報 day {days} ({why}) counting {start.isoformat()} as day 1 = {final.explain()}",
            source="Rule 8(2); GL 3-5-3-4",
        ),
        Deadline(
            obligation="individual_notice",
            regime="APPI",
            due=None,
            basis="promptly, as the situation allows; no day count",
            source="APPI Art. 26(2); Rule 10; GL 3-5-4",
        ),
    ]


def assess(*, intake: Intake, rule_set: RuleSet | None = None, scope: ScopeSummary | None = None) -> Decision:
    """Decide the APPI (and GDPR) obligations for one incident; deterministic, no clock."""
    inputs = decision_inputs(intake=intake, scope=scope)
    return decide(inputs=inputs, rule_set=rule_set or DEFAULT_RULE_SET)


def decide(*, inputs: DecisionInputs, rule_set: RuleSet) -> Decision:
    """The decision record for already projected inputs."""
    findings = _gates(inputs)
    gates = [f.key for f in findings if f.applies]
    gated = bool(gates)
    category_findings = _categories(inputs, rule_set)
    if gated:
        # The test is still shown as met, so a lawyer sees what the gate exempted.
        category_findings = [
            f.model_copy(update={"reason": f"{f.reason}; exempted by {', '.join(gates)}"}) if f.applies else f
            for f in category_findings
        ]
    findings += category_findings
    met = [int(f.key.removeprefix("category.")) for f in category_findings if f.applies]

    is_processor = inputs.role is Role.processor
    report_due = bool(met) and not gated
    rule9 = _rule9(inputs, met, report_due, rule_set) if is_processor else None
    processor_exempt = rule9 is not None and rule9.applies
    reportable = report_due and not processor_exempt
    if rule9 is not None:
        findings.append(rule9)

    recipient = rule_set.sector_recipients[inputs.sector] if reportable else Recipient.none
    findings.append(
        Finding(
            key="routing.recipient",
            title_ja="報告先",
            applies=reportable,
            reason=(
                f"sector {inputs.sector.value} reports to {recipient.value}"
                if reportable
                else f"no report due (sector {inputs.sector.value} would report to "
                f"{rule_set.sector_recipients[inputs.sector].value})"
            ),
            source="APPI Art. 150 (delegation of the report-receiving power)",
        )
    )

    # An exempt processor still lists the categories: it must tell its client which apply (Rule 9).
    categories = sorted(met) if reportable or processor_exempt else []
    deadlines = _appi_deadlines(inputs, categories, rule_set) if reportable else []
    if is_processor and reportable and inputs.client_notified_on is None:
        last = _prompt_until(inputs, rule_set)
        deadlines.insert(
            0,
            Deadline(
                obligation="client_notice",
                regime="APPI",
                due=None,
                basis="promptly inform the client (委託元) of the Rule 8(1) items known so far, including which Rule 7 "
                f"categories apply; only a notice by {last.isoformat()} (end of the 速報 window) relieves the processor",
                source="Rule 9; GL 3-5-3-5",
            ),
        )

    crime = inputs.cause in WRONGFUL_CAUSES or inputs.wrongful_purpose is True
    findings.append(
        Finding(
            key="police.report",
            title_ja="警察への届出（被害届・相談）",
            applies=crime,
            reason=(
                f"cause {inputs.cause.value} suggests a crime: {_POLICE_STEP.get(inputs.cause, _POLICE_STEP[Cause.theft])}"
                " is recommended, whether or not a report is due"
                if crime
                else f"cause {inputs.cause.value} does not suggest a crime"
            ),
            source="no APPI duty; appi-rules §7",
        )
    )

    my_number = DataItem.my_number in inputs.items
    if my_number:
        findings.append(
            Finding(
                key="mynumber.flag",
                title_ja="特定個人情報（マイナンバー）",
                applies=True,
                reason="my_number leaked: the separate My Number regime (番号法) applies; flagged, not decided here",
                source="番号法 Art. 29-4; PPC rules on 特定個人情報 breaches",
            )
        )

    other_regimes = {}
    if Jurisdiction.EU in inputs.jurisdictions:
        if inputs.eu_aware_at is None:
            raise DecisionError(f"incident {inputs.incident_id}: eu.aware_at: required because EU is listed")
        gdpr = assess_gdpr(
            aware_at=inputs.eu_aware_at,
            eu_persons=inputs.eu_persons,
            recovered_before_viewed=inputs.recovered_before_viewed,
            unintelligible=inputs.encryption is Encryption.high_level and not inputs.key_compromised,
            appi_categories_met=met,
            rule_set=rule_set,
            processor=is_processor,
            data_form=inputs.data_form,
        )
        findings += gdpr.findings
        deadlines += gdpr.deadlines
        other_regimes["GDPR"] = gdpr.clocks
    for regime in _UNENCODED_REGIMES:
        if regime in inputs.jurisdictions:
            findings.append(
                Finding(
                    key=f"regime.{regime.value}",
                    title_ja=f"{regime.value} の規制",
                    applies=True,
                    reason=f"{regime.value} is listed but not encoded in breachflow: assess it separately",
                    source="jurisdictions",
                )
            )

    choices = [f.key for f in findings if f.choice] + [f"deadline.{d.obligation}" for d in deadlines if d.choice]
    return Decision(
        incident_id=inputs.incident_id,
        rule_set_version=rule_set.version,
        inputs_sha256=inputs_sha256(inputs),
        reportable=reportable,
        categories=categories,
        recipient=recipient,
        preliminary_window=deadlines_window(deadlines),
        final_due=next((d.due for d in deadlines if d.obligation == "final_report"), None),
        individual_notice_required=reportable,
        processor_exempt=processor_exempt,
        police=PoliceAdvice.recommended if crime else PoliceAdvice.none,
        other_regimes=other_regimes,
        my_number=my_number,
        findings=findings,
        deadlines=deadlines,
        choices=choices,
    )


def deadlines_window(deadlines: list[Deadline]) -> tuple[date, date] | None:
    """The 速報 window (day 3, day 5) from the deadline list, or None."""
    for deadline in deadlines:
        if deadline.obligation == "preliminary_report" and deadline.window_start and isinstance(deadline.due, date):
            return (deadline.window_start, deadline.due)
    return None


__all__ = [
    "GATE_KEYS",
    "DecisionInputs",
    "assess",
    "deadlines_window",
    "decide",
    "decision_inputs",
    "inputs_sha256",
]
