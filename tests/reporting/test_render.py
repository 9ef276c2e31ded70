"""Report and police templates render in every format; HTML escapes; field lists paste item by item."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from breachflow.errors import RenderError
from breachflow.intake.model import Intake
from breachflow.obligations.model import Recipient
from breachflow.reporting.context import ITEM_LABELS, build_report_context
from breachflow.reporting.facts import ReportFacts, ReportKind
from breachflow.reporting.police import build_police_context
from breachflow.reporting.render import (
    Format,
    render_police,
    render_report_html,
    render_report_markdown,
    report_fields_csv,
    report_fields_json,
)
from breachflow.settings import get_settings
from breachflow.templating import render
from tests.conftest import SHARED_CASES
from tests.reporting.conftest import REPORT_DAY, hand_decision
from tests.reporting.test_context import full_facts

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
RENDERED = sorted(p.relative_to(TEMPLATES).as_posix() for d in ("reports", "police") for p in (TEMPLATES / d).glob("*.j2"))


def report_ctx(intake: Intake, kind: ReportKind, facts: ReportFacts | None = None, **decision_changes: object):
    """A report context from a hand-made decision."""
    return build_report_context(
        kind=kind, intake=intake, decision=hand_decision(intake, **decision_changes), settings=get_settings(),
        facts=facts or ReportFacts(), report_date=REPORT_DAY,
    )


def test_template_folders_are_not_empty() -> None:
    """The parametrised render test below sees the report and police templates."""
    assert {"reports/report.md.j2", "reports/report.html.j2", "police/higai_todoke.html.j2"} <= set(RENDERED)


@pytest.mark.parametrize("template", RENDERED)
@pytest.mark.parametrize("review", [True, False])
def test_every_template_renders(template: str, review: bool, make_intake: Callable[..., Intake]) -> None:
    """Each template renders under StrictUndefined from its typed context, for every report kind or police cause."""
    if template.startswith("reports/"):
        for kind in ReportKind:
            out = render(template, {"report": report_ctx(make_intake(), kind, full_facts()), "review": review})
            assert "個人情報保護委員会 御中" in out and "以上" in out
    else:
        cause = "ransomware" if "cyber" in template else "theft"
        police = build_police_context(intake=make_intake(event={"cause": cause}), settings=get_settings(),
                                      facts=ReportFacts(), draft_date=REPORT_DAY)
        out = render(template, {"police": police})
        assert police.title in out and all(f.label in out for f in police.fields)


def test_preliminary_markdown_and_html_show_pending(make_intake: Callable[..., Intake]) -> None:
    """A 速報 prints 調査中 under each item without facts, in Markdown and HTML."""
    ctx = report_ctx(make_intake(), ReportKind.preliminary)
    md = render_report_markdown(ctx)
    html = render_report_html(ctx)
    assert "## 6. 本人への対応の実施状況\n\n**調査中**" in md
    assert html.count('class="pre pending">調査中</td>') == 3
    assert "（速報）" in md and "（速報）" in html


@pytest.mark.parametrize("renderer", [render_report_markdown, render_report_html, report_fields_json, report_fields_csv])
def test_final_with_missing_items_refuses_every_format(make_intake: Callable[..., Intake], renderer: Callable) -> None:
    """No output format renders a 確報 while items are 調査中; the error names them."""
    ctx = report_ctx(make_intake(), ReportKind.final)
    with pytest.raises(RenderError, match=f"6 {ITEM_LABELS[6]}"):
        renderer(ctx)


def test_hostile_text_is_escaped_in_html(make_intake: Callable[..., Intake]) -> None:
    """A summary holding <script> is escaped in the HTML report and both police drafts."""
    intake = make_intake(event={"summary": '<script>alert("x")</script> & 鞄'})
    cyber_intake = make_intake(event={"summary": '<script>alert("x")</script> & 鞄', "cause": "ransomware"})
    html = render_report_html(report_ctx(intake, ReportKind.preliminary))
    police = [
        render_police(build_police_context(intake=i, settings=get_settings(), facts=ReportFacts(), draft_date=REPORT_DAY),
                      fmt=Format.html)
        for i in (intake, cyber_intake)
    ]
    for out in (html, *police):
        assert "<script>" not in out
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 鞄" in out


def test_review_copy_has_cover_note_filing_copy_does_not(make_intake: Callable[..., Intake]) -> None:
    """The review HTML shows deadlines and the bank reminder; the filing HTML leaves the internal note out."""
    intake = make_intake(business={"sector": "bank"})
    ctx = report_ctx(intake, ReportKind.preliminary, recipient=Recipient.FSA)
    review = render_report_html(ctx, review=True)
    filing = render_report_html(ctx, review=False)
    assert "銀行法" in review and "令和9年1月8日" in review
    assert "銀行法" not in filing and "社内確認用" not in filing
    assert "金融庁長官 殿" in filing and "別記様式第1（第8条第3項関係）" in filing


def test_field_list_json_and_csv(make_intake: Callable[..., Intake]) -> None:
    """The field list has nine rows in order, 調査中 for pending items, and round-trips through JSON and CSV."""
    ctx = report_ctx(make_intake(), ReportKind.preliminary)
    data = json.loads(report_fields_json(ctx))
    assert [row["item_no"] for row in data["items"]] == list(range(1, 10))
    assert data["items"][5]["value"] == "調査中" and data["items"][5]["state"] == "pending"
    assert data["items"][2]["value"] == "300名"
    assert data["report_kind"] == "速報" and data["business_name"] == "株式会社サンプル商事"
    rows = list(csv.reader(io.StringIO(report_fields_csv(ctx))))
    assert rows[0] == ["項目番号", "項目名", "内容"]
    assert [r[2] for r in rows[1:]] == [row["value"] for row in data["items"]]


def test_police_draft_shapes(make_intake: Callable[..., Intake]) -> None:
    """Theft gives a 被害届 naming the business as victim and the records as stolen goods; ransomware a cyber memo."""
    settings = get_settings()
    theft = build_police_context(intake=make_intake(), settings=settings, facts=ReportFacts(), draft_date=REPORT_DAY)
    fields = {f.label: f.text for f in theft.fields}
    assert theft.title == "被害届（案）"
    assert "株式会社サンプル商事" in fields["被害者"] and settings.business_representative in fields["被害者"]
    assert "300名分" in fields["被害金品"] and "鞄" in fields["被害金品"]
    assert "令和8年11月10日" in fields["被害の年月日時"]
    cyber = build_police_context(intake=make_intake(event={"cause": "ransomware", "medium": "electronic"}),
                                 settings=settings, facts=ReportFacts(), draft_date=REPORT_DAY)
    assert "サイバー犯罪相談窓口" in cyber.addressee
    assert any("ランサムノート" in f.text for f in cyber.fields)


def test_police_draft_refused_for_non_crime(make_intake: Callable[..., Intake]) -> None:
    """A lost item is no crime: no police draft, and the error names event.cause."""
    with pytest.raises(RenderError, match="event.cause lost_item"):
        build_police_context(intake=make_intake(event={"cause": "lost_item"}), settings=get_settings(),
                             facts=ReportFacts(), draft_date=date(2026, 11, 12))


@pytest.mark.parametrize("case_file", sorted(SHARED_CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shared_case_drafts_a_preliminary_report(case_file: Path) -> None:
    """Each shared legal case, assessed by the real engine, renders a 速報 addressed as its decision routes it."""
    from breachflow.intake import load_intake
    from breachflow.obligations import assess

    intake = load_intake(case_file, check_future=False)
    decision = assess(intake=intake)
    ctx = build_report_context(kind=ReportKind.preliminary, intake=intake, decision=decision, settings=get_settings(),
                               facts=ReportFacts(), report_date=intake.discovered_on)
    html = render_report_html(ctx)
    expected = {Recipient.FSA: "金融庁長官 殿", Recipient.METI: "経済産業大臣 殿"}.get(decision.recipient, "個人情報保護委員会 御中")
    assert expected in html
    assert ("任意に報告" in ctx.intro) == (decision.recipient is Recipient.none)
    assert render_report_markdown(ctx).count("\n## ") == 9
