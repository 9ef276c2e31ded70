"""Report facts in the case store: hand-filled items, police filings and submissions reach the report and timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from breachflow.casestore import Case
from breachflow.errors import CaseStoreError, RenderError
from breachflow.reporting.context import Unknown
from breachflow.reporting.facts import (
    MeasureStatus,
    NoticeStatus,
    PreventionMeasure,
    ReportKind,
    add_prevention_measure,
    read_report_facts,
    read_submissions,
    record_police_filing,
    record_submission,
    set_report_item,
    update_report_facts,
)
from breachflow.reporting.render import case_report_context
from breachflow.settings import get_settings
from tests.reporting.conftest import REPORT_DAY, hand_decision


def ctx_for(case: Case, kind: ReportKind = ReportKind.preliminary):
    """The case's report context with a hand-made decision."""
    return case_report_context(case=case, kind=kind, settings=get_settings(), report_date=REPORT_DAY,
                               decision=hand_decision(case.intake()))


def test_police_record_reaches_item9_and_timeline(make_case: Callable[..., Case]) -> None:
    """Recording the police filing fills item 9 with station and 受理番号 and appends a timeline entry."""
    case = make_case()
    assert ctx_for(case).items[8].display == "本書作成時点で、警察への被害届の提出及び相談は行っていない。"
    record_police_filing(case=case, station="渋谷警察署", receipt_no="R-77", filed_on=date(2026, 11, 11))
    item9 = ctx_for(case).items[8].display
    assert item9 == "令和8年11月11日、渋谷警察署に被害届を提出し、受理された（受理番号：R-77）。"
    entry = case.timeline.entries()[-1]
    assert entry.kind == "police.filed" and entry.data["receipt_no"] == "R-77"
    assert case.timeline.verify() == len(case.timeline.entries())


def test_set_report_item_stores_text_or_reason(make_case: Callable[..., Case]) -> None:
    """`set_report_item` persists text or an unknown reason; the timeline records only the item number."""
    case = make_case()
    set_report_item(case=case, item=5, text=None, unknown_reason="捜査中のため")
    set_report_item(case=case, item=7, text="公表は行わない。", unknown_reason=None)
    ctx = ctx_for(case)
    assert isinstance(ctx.items[4].value, Unknown) and ctx.items[6].display == "公表は行わない。"
    entries = [e for e in case.timeline.entries() if e.kind == "report.item_set"]
    assert [e.data["item"] for e in entries] == [5, 7]
    assert "捜査中のため" not in case.timeline.path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("item", "text", "reason"), [(0, "x", None), (10, "x", None), (5, "x", "y"), (5, None, None), (5, " ", None)])
def test_set_report_item_rejects_bad_input(make_case: Callable[..., Case], item: int, text: str | None, reason: str | None) -> None:
    """An item outside 1-9, both or neither of text/reason, or blank text is refused."""
    with pytest.raises(RenderError, match=f"item {item}"):
        set_report_item(case=make_case(), item=item, text=text, unknown_reason=reason)


def test_final_renders_once_every_item_is_filled(make_case: Callable[..., Case]) -> None:
    """Later stages' facts plus hand-filled items turn a refused 確報 into a renderable one."""
    case = make_case()
    with pytest.raises(RenderError, match="6 本人への対応"):
        from breachflow.reporting.context import check_complete

        check_complete(ctx_for(case, ReportKind.final))
    update_report_facts(case=case, notices=NoticeStatus(targets=300, sent=290, undeliverable=3, as_of=date(2026, 11, 20)))
    add_prevention_measure(case=case, measure=PreventionMeasure(text="持出し記録簿を導入した", status=MeasureStatus.done,
                                                                on=date(2026, 11, 16)))
    set_report_item(case=case, item=5, text=None, unknown_reason="警察の捜査結果を待っているため")
    set_report_item(case=case, item=7, text="公表していない。", unknown_reason=None)
    record_police_filing(case=case, station="渋谷警察署", receipt_no="R-1", filed_on=date(2026, 11, 10))
    ctx = ctx_for(case, ReportKind.final)
    check_complete(ctx)
    assert "残る10名に対しては、順次通知する。" in ctx.items[5].display
    assert read_report_facts(case=case).prevention[0].on == date(2026, 11, 16)


def test_update_report_facts_rejects_unknown_field(make_case: Callable[..., Case]) -> None:
    """Updating a field the report facts do not have names it."""
    with pytest.raises(CaseStoreError, match="notices_sent"):
        update_report_facts(case=make_case(), notices_sent=3)


def test_notice_counts_must_be_consistent() -> None:
    """More sent than targeted, or more undeliverable than sent, is rejected."""
    with pytest.raises(ValueError, match="must not exceed targets"):
        NoticeStatus(targets=1, sent=2, as_of=date(2026, 11, 20))
    with pytest.raises(ValueError, match="must not exceed sent"):
        NoticeStatus(targets=5, sent=2, undeliverable=3, as_of=date(2026, 11, 20))


def test_submissions_are_logged_and_supplement_needs_final(make_case: Callable[..., Case]) -> None:
    """Submissions go to the log and timeline; a 追完 before any 確報 is refused; the 追完 cites the 確報."""
    case = make_case()
    with pytest.raises(CaseStoreError, match="追完"):
        record_submission(case=case, kind=ReportKind.supplement, at=datetime(2026, 11, 12, tzinfo=UTC), ref="S-1")
    record_submission(case=case, kind=ReportKind.preliminary, at=datetime(2026, 11, 12, 1, tzinfo=UTC), ref="P-1")
    record_submission(case=case, kind=ReportKind.final, at=datetime(2026, 12, 20, 1, tzinfo=UTC), ref="F-9")
    log = read_submissions(case=case)
    assert [(s.kind, s.ref) for s in log.submissions] == [(ReportKind.preliminary, "P-1"), (ReportKind.final, "F-9")]
    kinds = [e.data.get("report_kind") for e in case.timeline.entries() if e.kind == "report.submitted"]
    assert kinds == ["preliminary", "final"]
    assert "令和8年12月20日付けで提出した確報（受付番号：F-9）" in ctx_for(case, ReportKind.supplement).intro
