"""The decision engine: gates, Rule 7 categories, Rule 9, routing, My Number, GDPR, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from breachflow.errors import DecisionError
from breachflow.obligations import RuleSet, assess, decision_inputs, decision_json, inputs_sha256
from breachflow.obligations.model import PoliceAdvice, Recipient
from breachflow.scoping.model import Contactable, ScopeSummary
from tests.obligations.helpers import make_intake


def _finding(decision, key):
    return next(f for f in decision.findings if f.key == key)


@pytest.mark.parametrize(("count", "reportable"), [(1000, False), (1001, True)])
def test_more_than_one_thousand_persons(count: int, reportable: bool) -> None:
    """Exactly 1,000 persons is not category 4; 1,001 is."""
    decision = assess(intake=make_intake(**{"data.affected_persons": {"min": 1, "max": count}}))
    assert decision.reportable is reportable
    assert decision.categories == ([4] if reportable else [])


def test_maximum_count_decides_category_four() -> None:
    """A range of 800 … 1,500 persons uses the maximum, so category 4 applies."""
    decision = assess(intake=make_intake(**{"data.affected_persons": {"min": 800, "max": 1500}}))
    assert decision.categories == [4]


@pytest.mark.parametrize(
    ("items", "financial"),
    [
        (["name", "card_number"], True),
        (["name", "card_security_code"], True),
        (["name", "card_last4", "card_expiry"], False),
        (["name", "bank_account"], False),
        (["name", "bank_account", "pin"], True),
        (["name", "bank_account", "password"], True),
        (["name", "login_id"], False),
        (["name", "login_id", "password"], True),
        (["name", "address", "phone", "email"], False),
    ],
)
def test_financial_item_combinations(items: list[str], financial: bool) -> None:
    """Category 2 follows the item combinations of the rules spec."""
    decision = assess(intake=make_intake(**{"data.items": items}))
    assert _finding(decision, "category.2").applies is financial
    assert (2 in decision.categories) is financial


def test_login_and_password_is_a_flagged_choice() -> None:
    """login_id + password counts as financial by choice, and the rule set can turn that choice off."""
    intake = make_intake(**{"data.items": ["login_id", "password"]})
    default = assess(intake=intake)
    assert "category.2" in default.choices and default.categories == [2]
    strict = assess(intake=intake, rule_set=RuleSet(version="test-no-login", login_password_is_financial=False))
    assert strict.categories == [] and strict.rule_set_version == "test-no-login"


@pytest.mark.parametrize(("items", "override", "expected"), [(["name", "card_number"], False, []), (["name"], True, [2])])
def test_financial_damage_risk_overrides_items(items: list[str], override: bool, expected: list[int]) -> None:
    """data.financial_damage_risk wins over what the items imply, and the reason says so."""
    decision = assess(intake=make_intake(**{"data.items": items, "data.financial_damage_risk": override}))
    assert decision.categories == expected
    assert "financial_damage_risk" in _finding(decision, "category.2").reason


def test_wrongful_purpose_override_adds_category_three() -> None:
    """event.wrongful_purpose true turns a misdelivery into category 3 with a 60-day 確報 and police advice."""
    decision = assess(intake=make_intake(**{"event.wrongful_purpose": True}))
    assert decision.categories == [3]
    assert decision.police is PoliceAdvice.recommended
    assert (decision.final_due - date(2026, 6, 1)).days >= 59


def test_wrongful_purpose_false_removes_category_three_but_not_police() -> None:
    """A theft judged without wrongful purpose is not category 3, yet police stays recommended."""
    decision = assess(intake=make_intake(**{"event.cause": "theft", "event.wrongful_purpose": False}))
    assert decision.reportable is False
    assert decision.police is PoliceAdvice.recommended


def test_loss_without_theft_is_a_flagged_choice() -> None:
    """A lost bag is not category 3 and that rests on a choice the record names."""
    decision = assess(intake=make_intake(**{"event.cause": "lost_item"}))
    assert decision.reportable is False and decision.police is PoliceAdvice.none
    assert "category.3" in decision.choices


def test_sensitive_item_for_one_person_is_reportable() -> None:
    """One person's health data is category 1 and requires individual notice."""
    decision = assess(
        intake=make_intake(**{"data.affected_persons": {"min": 1, "max": 1}, "data.items": ["name", "disability"]})
    )
    assert decision.categories == [1] and decision.individual_notice_required is True


def test_recovered_before_viewed_gate_ends_assessment() -> None:
    """Every copy recovered before viewing: not reportable though category 1 would apply."""
    decision = assess(intake=make_intake(**{"event.recovered_before_viewed": True, "data.items": ["health"]}))
    assert decision.reportable is False and decision.categories == [] and decision.final_due is None
    assert _finding(decision, "category.1").applies is True


def test_compromised_key_defeats_encryption_as_a_choice() -> None:
    """High-level encryption with the key carried along does not exempt, and that is flagged."""
    facts = {"event.cause": "theft", "protection.encryption": "high_level"}
    exempt = assess(intake=make_intake(**facts))
    defeated = assess(intake=make_intake(**facts, **{"protection.key_compromised": True}))
    assert exempt.reportable is False and exempt.police is PoliceAdvice.recommended
    assert defeated.reportable is True and "gate.high_level_encryption" in defeated.choices


@pytest.mark.parametrize(
    ("sector", "recipient"),
    [("general", Recipient.PPC), ("bank", Recipient.FSA), ("insurance", Recipient.FSA),
     ("securities", Recipient.FSA), ("credit_bureau", Recipient.METI), ("credit_purchase", Recipient.METI)],
)
def test_sector_routing(sector: str, recipient: Recipient) -> None:
    """Banks, insurers and securities firms report to the FSA, credit businesses to METI, others to the PPC."""
    decision = assess(intake=make_intake(**{"business.sector": sector, "event.cause": "theft"}))
    assert decision.recipient is recipient


def test_processor_that_informed_its_client_is_exempt() -> None:
    """Rule 9: a processor that informed its client neither reports nor notifies individuals."""
    decision = assess(
        intake=make_intake(
            **{"business.role": "processor", "business.client": "委託元株式会社", "business.client_notified_on": "2026-06-02",
               "event.cause": "theft"}
        )
    )
    assert decision.processor_exempt is True
    assert decision.reportable is False and decision.individual_notice_required is False
    assert decision.recipient is Recipient.none and decision.police is PoliceAdvice.recommended
    assert _finding(decision, "rule9.processor").applies is True


def test_processor_that_has_not_informed_its_client_reports_itself() -> None:
    """A processor without client_notified_on is not exempt and is told to inform its client."""
    decision = assess(
        intake=make_intake(**{"business.role": "processor", "business.client": "委託元株式会社", "event.cause": "theft"})
    )
    assert decision.processor_exempt is False and decision.reportable is True
    assert decision.deadlines[0].obligation == "client_notice"


def test_processor_with_nothing_reportable_needs_no_relief() -> None:
    """Rule 9 relief is only recorded when there was something to report."""
    decision = assess(
        intake=make_intake(**{"business.role": "processor", "business.client": "委託元", "business.client_notified_on": "2026-06-02"})
    )
    assert decision.processor_exempt is False and decision.reportable is False


def test_my_number_is_flagged_not_decided() -> None:
    """My Number data sets the flag and a finding, without making the APPI case reportable by itself."""
    decision = assess(intake=make_intake(**{"data.items": ["name", "my_number"]}))
    assert decision.my_number is True and decision.reportable is False
    assert "番号法" in _finding(decision, "mynumber.flag").reason
    assert assess(intake=make_intake()).my_number is False


def test_gdpr_clock_runs_through_the_weekend_and_keeps_the_offset() -> None:
    """Aware on a Friday evening (+01:00) → due Monday evening at +01:00; the APPI dates are unchanged."""
    aware = "2026-11-13T17:30:00+01:00"
    eu = {"jurisdictions": ["JP", "EU"], "eu": {"aware_at": aware, "persons": 3}, "event.cause": "theft",
          "discovered_on": "2026-11-13"}
    decision = assess(intake=make_intake(**eu))
    due = decision.other_regimes["GDPR"]["sa_due"]
    assert due == datetime.fromisoformat(aware) + timedelta(hours=72)
    assert due.utcoffset() == timedelta(hours=1) and due.weekday() == 0
    assert decision.expected_view()["other_regimes"] == {"GDPR": {"sa_due": "2026-11-16T17:30:00+01:00"}}
    japan_only = assess(intake=make_intake(**{"event.cause": "theft", "discovered_on": "2026-11-13"}))
    assert (decision.final_due, decision.preliminary_window) == (japan_only.final_due, japan_only.preliminary_window)
    assert japan_only.other_regimes == {}
    obligations = {(d.regime, d.obligation) for d in decision.deadlines}
    assert {("GDPR", "gdpr_sa_notification"), ("GDPR", "gdpr_individual_notice"), ("APPI", "final_report")} <= obligations


def test_gdpr_unintelligible_data_needs_no_authority_notice() -> None:
    """Encrypted data with the key safe: no GDPR clock, recorded as a flagged choice."""
    decision = assess(
        intake=make_intake(**{"jurisdictions": ["JP", "EU"], "eu": {"aware_at": "2026-06-01T10:00:00+02:00"},
                              "protection.encryption": "high_level", "event.cause": "theft"})
    )
    assert decision.other_regimes == {"GDPR": {"sa_due": None}}
    assert "gdpr.sa_notification" in decision.choices


def test_unencoded_regime_is_flagged() -> None:
    """A listed regime breachflow does not encode is named in the findings and not in other_regimes."""
    decision = assess(intake=make_intake(**{"jurisdictions": ["JP", "KR"]}))
    assert "regime.KR" in {f.key for f in decision.findings}
    assert decision.other_regimes == {}


def test_same_inputs_give_byte_identical_records() -> None:
    """Re-running the assessment on the same facts yields the same JSON bytes."""
    facts = {"event.cause": "web_skimming", "data.items": ["name", "card_number"], "jurisdictions": ["JP", "EU"],
             "eu": {"aware_at": "2026-06-01T10:00:00+02:00"}}
    assert decision_json(assess(intake=make_intake(**facts))) == decision_json(assess(intake=make_intake(**facts)))


def test_inputs_hash_ignores_free_text_but_not_facts() -> None:
    """Editing the title or summary keeps the inputs hash; changing the count changes it."""
    base = inputs_sha256(decision_inputs(intake=make_intake()))
    assert inputs_sha256(decision_inputs(intake=make_intake(title="別の表題", **{"event.summary": "追記"}))) == base
    assert inputs_sha256(decision_inputs(intake=make_intake(**{"data.affected_persons": {"min": 10, "max": 11}}))) != base


def _scope(persons: int, items: list[str]) -> ScopeSummary:
    return ScopeSummary(
        rows=persons, persons=persons, duplicates_merged=0, columns={}, items=items, sensitive=False, financial=False,
        by_prefecture={}, by_age_band={}, by_gender={}, by_occupation={},
        contactable=Contactable(email=0, postal=0, phone=0, none=persons),
    )


def test_dataset_count_comes_from_the_scope() -> None:
    """With a dataset and no stated count, the scoped person count decides category 4."""
    intake = make_intake(**{"data.dataset": "list.csv", "data.affected_persons": None, "data.items": []})
    with pytest.raises(DecisionError, match="data.affected_persons"):
        assess(intake=intake)
    decision = assess(intake=intake, scope=_scope(1001, ["name", "email"]))
    assert decision.categories == [4]


def test_gdpr_processor_notifies_its_controller_instead() -> None:
    """A processor gets no 72-hour authority clock of its own, only the duty to tell its controller."""
    decision = assess(
        intake=make_intake(**{"business.role": "processor", "business.client": "委託元", "event.cause": "theft",
                              "jurisdictions": ["JP", "EU"], "eu": {"aware_at": "2026-06-01T10:00:00+02:00"}})
    )
    assert decision.other_regimes == {"GDPR": {"sa_due": None}}
    assert "gdpr_controller_notice" in {d.obligation for d in decision.deadlines}


def test_stated_count_wins_over_the_scope() -> None:
    """A count stated in the intake overrides the scoped count (the effective-facts rule), so the hash follows it."""
    intake = make_intake(**{"data.dataset": "list.csv", "data.affected_persons": {"min": 500, "max": 500}})
    decision = assess(intake=intake, scope=_scope(1500, ["name"]))
    assert decision.categories == []
    assert decision.inputs_sha256 == inputs_sha256(decision_inputs(intake=intake))


_PROCESSOR = {"business.role": "processor", "business.client": "委託元株式会社", "event.cause": "theft"}


@pytest.mark.parametrize(("notified", "exempt"), [("2026-06-05", True), ("2026-06-06", False), ("2026-07-13", False)])
def test_only_a_prompt_notice_to_the_client_exempts_the_processor(notified: str, exempt: bool) -> None:
    """Rule 9 relief needs the client told by day 5 (end of the 速報 window); day 6 or day 43 does not exempt."""
    decision = assess(intake=make_intake(**_PROCESSOR, **{"business.client_notified_on": notified}))
    assert decision.processor_exempt is exempt
    assert decision.reportable is not exempt and decision.individual_notice_required is not exempt
    rule9 = _finding(decision, "rule9.processor")
    assert rule9.applies is exempt and "GL 3-5-3-5" in rule9.source and "2026-06-05" in rule9.reason
    # Already told (late): no 'inform the client' duty is left, only its own reports.
    assert "client_notice" not in {d.obligation for d in decision.deadlines}


def test_exempt_processor_still_lists_the_categories() -> None:
    """An exempt processor's record lists the Rule 7 categories that apply: it must tell its client which."""
    decision = assess(
        intake=make_intake(**_PROCESSOR, **{"business.client_notified_on": "2026-06-02", "data.items": ["name", "health"]})
    )
    assert decision.processor_exempt is True and decision.reportable is False
    assert decision.categories == [1, 3]
    assert decision.recipient is Recipient.none and decision.final_due is None


@pytest.mark.parametrize(
    ("form", "source"), [("pseudonymised", "Art. 41(9)"), ("statistical", "Art. 2(1)")], ids=["pseudonymised", "statistical"]
)
@pytest.mark.parametrize(("cause", "police"), [("theft", PoliceAdvice.recommended), ("misdelivery", PoliceAdvice.none)])
def test_pseudonymised_or_statistical_data_is_not_reportable(form: str, source: str, cause: str, police) -> None:
    """仮名加工情報 or statistics only: no report, no notice, the gate says why with its source; police follows the cause."""
    facts = {"data.form": form, "event.cause": cause, "data.items": ["age", "health"],
             "data.affected_persons": {"min": 5000, "max": 5000}}
    decision = assess(intake=make_intake(**facts))
    assert (decision.reportable, decision.categories, decision.individual_notice_required) == (False, [], False)
    gate = _finding(decision, "gate.data_form")
    assert gate.applies is True and source in gate.source and form in gate.reason
    assert "exempted by gate.data_form" in _finding(decision, "category.1").reason
    assert decision.police is police


def test_personal_data_form_passes_the_gate() -> None:
    """data.form personal (the default) leaves Art. 26 in force."""
    decision = assess(intake=make_intake(**{"event.cause": "theft"}))
    assert _finding(decision, "gate.data_form").applies is False and decision.reportable is True


def test_gdpr_follows_the_data_form() -> None:
    """Statistics are no personal data under the GDPR either (no clock, a flagged choice); pseudonymised data still is."""
    eu = {"jurisdictions": ["JP", "EU"], "eu": {"aware_at": "2026-06-01T10:00:00+02:00"}, "event.cause": "theft"}
    statistical = assess(intake=make_intake(**eu, **{"data.form": "statistical"}))
    assert statistical.other_regimes == {"GDPR": {"sa_due": None}} and "gdpr.sa_notification" in statistical.choices
    pseudonymised = assess(intake=make_intake(**eu, **{"data.form": "pseudonymised"}))
    assert pseudonymised.other_regimes["GDPR"]["sa_due"] == datetime.fromisoformat("2026-06-04T10:00:00+02:00")
    assert "Recital 26" in _finding(pseudonymised, "gdpr.sa_notification").reason


@pytest.mark.parametrize(
    ("items", "override"),
    [(["name", "card_number"], False), (["name", "email"], True)],
    ids=["false-over-card-number", "true-over-no-financial-item"],
)
def test_an_override_against_the_items_is_a_listed_choice(items: list[str], override: bool) -> None:
    """financial_damage_risk that contradicts the items, in either direction, is among the choices, with a reason."""
    decision = assess(intake=make_intake(**{"data.items": items, "data.financial_damage_risk": override}))
    category = _finding(decision, "category.2")
    assert category.applies is override and category.choice is True
    assert "category.2" in decision.choices and "contradicts" in category.reason
    # An override that agrees with the items decides nothing new: not listed.
    agreeing = assess(intake=make_intake(**{"data.items": items, "data.financial_damage_risk": not override}))
    assert "category.2" not in agreeing.choices


def test_gdpr_due_is_also_given_in_local_time_and_utc() -> None:
    """The 72-hour instant keeps its contract form and is also rendered at aware_at's offset and in UTC."""
    eu = {"jurisdictions": ["JP", "EU"], "eu": {"aware_at": "2026-11-13T17:30:00+01:00"}, "event.cause": "theft"}
    decision = assess(intake=make_intake(**eu))
    deadline = next(d for d in decision.deadlines if d.obligation == "gdpr_sa_notification")
    assert deadline.due_local == "2026-11-16 17:30 (UTC+01:00)"
    assert deadline.due_utc == datetime(2026, 11, 16, 16, 30, tzinfo=UTC)
    assert decision.expected_view()["other_regimes"] == {"GDPR": {"sa_due": "2026-11-16T17:30:00+01:00"}}
