"""The liability summary: stated with sources in the officer's summary and in the 確報 review copy."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from breachflow.intake import load_intake
from breachflow.obligations import assess
from breachflow.reporting import ReportFacts, ReportKind, build_report_context, render_report_html, render_report_markdown
from breachflow.reporting.facts import ItemOverride
from breachflow.rulepacks import apply_rule_packs, configured_packs, liability_summary
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES

WE16 = SHARED_CASES / "WE-16.yaml"


def test_liability_data_names_the_required_provisions() -> None:
    """The liability data cites Art. 148, 178 and 184 and the damages basis, each line with a source."""
    summary = liability_summary()
    sources = " ".join(line.source for line in summary.lines)
    assert all(line.source.strip() for line in summary.lines)
    for article in ("第148条", "第178条", "第184条", "民法第709条"):
        assert article in sources
    text = " ".join(line.text_ja for line in summary.lines)
    assert "100万円" in text and "1億円" in text and "1年以下" in text


@pytest.mark.parametrize(
    ("key", "source", "amounts"),
    [
        ("penalty.database_provision", "個人情報保護法第179条", ("1年以下の拘禁刑", "50万円以下の罰金")),
        ("penalty.corporation", "個人情報保護法第184条第1項第1号", ("第179条", "1億円以下の罰金")),
        ("penalty.ppc_report", "個人情報保護法第182条第1号", ("第146条第1項", "虚偽の報告", "50万円以下の罰金")),
        ("penalty.ppc_report_corporation", "個人情報保護法第184条第1項第2号", ("第182条", "50万円以下の罰金")),
    ],
    ids=["art179", "art184-1-i", "art182", "art184-1-ii"],
)
def test_liability_names_the_database_offence_and_false_reports(key: str, source: str, amounts: tuple[str, ...]) -> None:
    """Art. 179 (database provided or stolen for gain) and Art. 182 (no or false report to the PPC), each with Art. 184."""
    line = next(line for line in liability_summary().lines if line.key == key)
    assert line.source == source
    assert all(amount in line.text_ja for amount in amounts), line.text_ja


def test_officer_summary_shows_the_liability_section() -> None:
    """`breachflow assess FILE` prints the liability heading and every line's source."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "assess", str(WE16), "--as-of", "2026-02-02"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = liability_summary()
    assert summary.heading_ja in result.stdout
    assert all(f"[{line.source}]" in result.stdout for line in summary.lines)
    assert "銀行法" in result.stdout  # the financial pack's obligation is listed too


def _final_context():
    intake = load_intake(WE16, check_future=False)
    decision = apply_rule_packs(intake=intake, decision=assess(intake=intake), packs=configured_packs())
    facts = ReportFacts(items={n: ItemOverride(text=f"項目{n}の記載") for n in range(5, 10)})
    return build_report_context(kind=ReportKind.final, intake=intake, decision=decision, settings=get_settings(),
                                facts=facts, report_date=date(2026, 3, 2))


def test_final_review_copy_states_liability_and_filing_copy_does_not() -> None:
    """The 確報 review copy (Markdown and HTML) carries the liability lines with sources; the filing HTML does not."""
    context = _final_context()
    summary = liability_summary()
    markdown = render_report_markdown(context, review=True)
    review_html = render_report_html(context, review=True)
    filing_html = render_report_html(context, review=False)
    for rendered in (markdown, review_html):
        assert summary.heading_ja in rendered
        assert all(line.source in rendered for line in summary.lines)
    assert summary.heading_ja not in filing_html and "第178条" not in filing_html


def test_cover_note_lists_the_pack_obligation_among_deadlines() -> None:
    """The 確報 cover note lists the 銀行法 report with its recipient and source among the deadlines."""
    context = _final_context()
    labels = [d.label for d in context.cover.deadlines]
    assert any("銀行法" in label and "財務局" in label for label in labels)
