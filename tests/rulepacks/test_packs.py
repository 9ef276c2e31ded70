"""Rule packs: one case file per rule, the shared bank case, a company's own pack, invalid packs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from breachflow.errors import ConfigError, InputError
from breachflow.intake import load_intake, parse_intake
from breachflow.obligations import assess
from breachflow.obligations.records import decision_payload, diff_decisions
from breachflow.rulepacks import BUILTIN_PACKS_DIR, apply_rule_packs, configured_packs, evaluate_rule_packs, load_packs
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES = sorted(CASES_DIR.glob("*.yaml"))
_KEYS = ("pack", "rule_id", "obligation", "recipient", "window_start", "due")


def _case(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _projection(decision_obligations: list[dict]) -> list[dict]:
    return [{key: item[key] for key in _KEYS} for item in decision_obligations]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_file_yields_its_expected_sector_obligations(path: Path) -> None:
    """Each case file's intake, evaluated against the shipped packs, yields exactly its expected obligations."""
    case = _case(path)
    intake = parse_intake(case["intake"], check_future=False)
    decision = apply_rule_packs(intake=intake, decision=assess(intake=intake), packs=load_packs(directories=[BUILTIN_PACKS_DIR]))
    assert _projection(decision_payload(decision)["sector_obligations"]) == case["expected"]


def test_every_shipped_rule_has_a_case_file() -> None:
    """Every rule of the shipped packs is named by at least one case file, so none is untested."""
    rules = {rule.id for pack in load_packs(directories=[BUILTIN_PACKS_DIR]) for rule in pack.rules}
    covered = {_case(path)["rule"] for path in CASES}
    assert rules - covered == set()
    assert {p.pack for p in load_packs(directories=[BUILTIN_PACKS_DIR])} >= {"financial", "credit"}


def test_every_obligation_carries_a_source() -> None:
    """Every case's obligations name a source and the pack version they came from."""
    for path in CASES:
        intake = parse_intake(_case(path)["intake"], check_future=False)
        found = evaluate_rule_packs(intake=intake, decision=assess(intake=intake), packs=configured_packs())
        assert all(o.source.strip() and o.pack_version for o in found)


def test_shared_bank_case_gets_business_law_report_and_keeps_appi_keys() -> None:
    """`assess WE-16 --json` adds the 銀行法 report under sector_obligations while its APPI keys stay as expected."""
    path = SHARED_CASES / "WE-16.yaml"
    case = _case(path)
    day = str(case["discovered_on"])
    result = subprocess.run(
        [sys.executable, "-m", "cli", "assess", str(path), "--json", "--as-of", day],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert {key: printed[key] for key in case["expected"]} == case["expected"]
    business = [o for o in printed["sector_obligations"] if o["rule_id"] == "fin.bank.business_law_report"]
    assert len(business) == 1
    start = date.fromisoformat(day)
    assert business[0]["recipient"] == "FSA" and business[0]["source"]
    assert date.fromisoformat(business[0]["window_start"]) - start == date(2000, 1, 3) - date(2000, 1, 1)
    assert date.fromisoformat(business[0]["due"]) - start == date(2000, 1, 5) - date(2000, 1, 1)


def test_packs_leave_the_appi_view_untouched_for_every_shared_case() -> None:
    """For every shared legal case, applying the packs changes nothing in expected_view()."""
    packs = configured_packs()
    for path in sorted(SHARED_CASES.glob("*.yaml")):
        intake = load_intake(path, check_future=False)
        plain = assess(intake=intake)
        assert apply_rule_packs(intake=intake, decision=plain, packs=packs).expected_view() == plain.expected_view()


COMPANY_PACK = """
pack: acme-tokyo
version: "1"
title_ja: 東京都条例（社内パック）
rules:
  - id: acme.tokyo.ordinance_report
    title_ja: 条例に基づく区への報告
    when: {sectors: [general], persons_over: 100, causes: [misdelivery]}
    obligation: ordinance_report
    recipient: ward_office
    recipient_ja: 区役所
    deadline: {days: 10, roll_forward: true}
    source: 社内規程 第5条
"""


def test_company_pack_folder_from_setting_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack in BREACHFLOW_RULE_PACKS_DIR is loaded beside the shipped ones and its day 10 rolls off a weekend."""
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "acme.yaml").write_text(COMPANY_PACK, encoding="utf-8")
    monkeypatch.setenv("BREACHFLOW_RULE_PACKS_DIR", str(folder))
    get_settings.cache_clear()
    packs = configured_packs()
    assert {"financial", "credit", "acme-tokyo"} <= {p.pack for p in packs}
    # Discovered Wed 2026-06-03: day 10 is Fri 06-12 (open); discovered Fri 06-05: day 10 is Sun 06-14 -> Mon 06-15.
    raw = _case(CASES_DIR / "general-none.yaml")["intake"] | {"event": {"cause": "misdelivery", "medium": "paper"}}
    raw["data"] = {"subjects": ["customer"], "affected_persons": {"min": 150, "max": 150}, "items": ["name"]}
    for discovered, due in (("2026-06-03", "2026-06-12"), ("2026-06-05", "2026-06-15")):
        intake = parse_intake({**raw, "discovered_on": discovered}, check_future=False)
        found = [o for o in evaluate_rule_packs(intake=intake, decision=assess(intake=intake), packs=packs)
                 if o.pack == "acme-tokyo"]
        assert [(o.rule_id, o.due.isoformat() if o.due else None) for o in found] == [("acme.tokyo.ordinance_report", due)]


def test_missing_company_folder_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A BREACHFLOW_RULE_PACKS_DIR that is not a folder is refused, naming the setting."""
    monkeypatch.setenv("BREACHFLOW_RULE_PACKS_DIR", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="BREACHFLOW_RULE_PACKS_DIR"):
        configured_packs()


def test_invalid_pack_lists_each_problem_with_its_field(tmp_path: Path) -> None:
    """A pack with an unknown sector and a misspelt field is refused, naming the file and both field paths."""
    broken = yaml.safe_load(COMPANY_PACK)
    broken["rules"][0]["when"]["sectors"] = ["bakery"]
    broken["rules"][0]["sourse"] = "typo"
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_packs(directories=[tmp_path])
    message = str(caught.value)
    assert "broken.yaml" in message and "rules[0].when.sectors[0]" in message and "rules[0].sourse" in message


def test_duplicate_pack_names_are_refused(tmp_path: Path) -> None:
    """Two files declaring the same pack name are refused, naming the second file."""
    (tmp_path / "a.yaml").write_text(COMPANY_PACK, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(COMPANY_PACK, encoding="utf-8")
    with pytest.raises(InputError, match="b.yaml.*acme-tokyo"):
        load_packs(directories=[tmp_path])


def test_sector_obligation_changes_show_in_decision_diffs() -> None:
    """Two records differing only in a pack obligation's date list that field in their differences."""
    case = _case(CASES_DIR / "fin-bank-business-law.yaml")
    intake = parse_intake(case["intake"], check_future=False)
    base = assess(intake=intake)
    with_packs = apply_rule_packs(intake=intake, decision=base, packs=configured_packs())
    fields = {c.field for c in diff_decisions(base, with_packs)}
    assert fields == {"sector_obligations.fin.bank.business_law_report.window_start",
                      "sector_obligations.fin.bank.business_law_report.due"}
