"""The report context: items known, unknown with a reason, or 調査中; 確報 completeness; routing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from breachflow.errors import RenderError
from breachflow.intake.model import Intake
from breachflow.obligations.model import PoliceAdvice, Recipient
from breachflow.reporting.context import ITEM_LABELS, Known, Pending, Unknown, build_report_context, check_complete
from breachflow.reporting.facts import (
    ItemOverride,
    MeasureStatus,
    NoticeStatus,
    PoliceFiling,
    PreventionMeasure,
    Publication,
    ReportFacts,
    ReportKind,
    SecondaryDamage,
)
from breachflow.settings import get_settings
from tests.reporting.conftest import REPORT_DAY, hand_decision


def full_facts() -> ReportFacts:
    """Case-store facts for every item 5-9."""
    return ReportFacts(
        secondary_damage=SecondaryDamage(present=False, description="不審な連絡の申出はない。"),
        notices=NoticeStatus(targets=300, sent=300, undeliverable=4, substitute_measures="公表及び問合せ窓口の設置", as_of=date(2026, 11, 20)),
        publication=Publication(published=True, published_on=date(2026, 11, 13), channel="当社ウェブサイト"),
        prevention=[
            PreventionMeasure(text="顧客リストの社外持出しを原則禁止とした", status=MeasureStatus.done, on=date(2026, 11, 15)),
            PreventionMeasure(text="全従業者に対する研修を実施する", status=MeasureStatus.planned, on=date(2026, 12, 20)),
        ],
        police=PoliceFiling(station="渋谷警察署", receipt_no="R-2026-123", filed_on=date(2026, 11, 10)),
    )


def context(intake: Intake, kind: ReportKind, facts: ReportFacts | None = None, **decision_changes: object):
    """Build a context from a hand-made decision."""
    return build_report_context(
        kind=kind, intake=intake, decision=hand_decision(intake, **decision_changes), settings=get_settings(),
        facts=facts or ReportFacts(), report_date=REPORT_DAY,
    )


def test_preliminary_marks_items_without_facts_as_pending(make_intake: Callable[..., Intake]) -> None:
    """A 速報 without case-store facts has items 6-8 調査中; 1-4 come from the intake, 5 from the items, 9 says no police yet."""
    ctx = context(make_intake(), ReportKind.preliminary)
    assert [i.no for i in ctx.pending()] == [6, 7, 8]
    assert all(isinstance(i.value, Known) for i in ctx.items[:5]) and isinstance(ctx.items[8].value, Known)
    assert {i.display for i in ctx.pending()} == {"調査中"}
    check_complete(ctx)  # a 速報 may carry pending items


def test_item_texts_come_from_intake_and_facts(make_intake: Callable[..., Intake]) -> None:
    """Items carry the intake's items, count and cause, and the case store's notices, measures and police filing."""
    ctx = context(make_intake(), ReportKind.final, full_facts())
    text = {i.no: i.display for i in ctx.items}
    assert "氏名、住所、電話番号、取引内容・金額" in text[2] and "紙媒体" in text[2]
    assert text[3] == "300名"
    assert "原因：盗難" in text[4] and "行為者：外部の第三者" in text[4]
    assert "規則第7条第3号" in text[1] and "令和8年11月10日" in text[1]
    assert "通知対象者300名のうち300名に通知した" in text[6] and "このうち4名は、宛先不明等により到達しなかった" in text[6]
    assert "令和8年11月13日、当社ウェブサイトにおいて公表した。" in text[7]
    assert text[8].index("【実施済】") < text[8].index("【予定】")
    assert "渋谷警察署" in text[9] and "R-2026-123" in text[9]


def test_final_refuses_pending_items_naming_them(make_intake: Callable[..., Intake]) -> None:
    """A 確報 with items 調査中 raises RenderError listing each missing item's number and name."""
    facts = full_facts().model_copy(update={"publication": None, "prevention": []})
    ctx = context(make_intake(), ReportKind.final, facts)
    with pytest.raises(RenderError) as caught:
        check_complete(ctx)
    message = str(caught.value)
    assert f"7 {ITEM_LABELS[7]}" in message and f"8 {ITEM_LABELS[8]}" in message
    assert f"6 {ITEM_LABELS[6]}" not in message


def test_final_accepts_unknown_with_reason(make_intake: Callable[..., Intake]) -> None:
    """An item explicitly marked unknown with a reason lets the 確報 render and prints 不明（理由…）."""
    facts = full_facts().model_copy(
        update={"secondary_damage": None, "items": {5: ItemOverride(unknown_reason="捜査の結果を待っているため")}}
    )
    ctx = context(make_intake(), ReportKind.final, facts)
    check_complete(ctx)
    item5 = ctx.items[4]
    assert isinstance(item5.value, Unknown) and item5.by_hand
    assert item5.display == "不明（理由：捜査の結果を待っているため）"


def test_hand_written_text_overrides_computed_item(make_intake: Callable[..., Intake]) -> None:
    """Text set by a user replaces the item computed from the facts."""
    facts = ReportFacts(items={4: ItemOverride(text="営業車両の施錠確認を怠ったことによる。")})
    ctx = context(make_intake(), ReportKind.preliminary, facts)
    assert ctx.items[3].display == "営業車両の施錠確認を怠ったことによる。"


def test_unknown_sub_facts_carry_their_reason(make_intake: Callable[..., Intake]) -> None:
    """Within item 1, a 速報 and a 確報 alike write an unknown date as 不明 with the reason it is unknown."""
    intake = make_intake()
    for ctx in (context(intake, ReportKind.preliminary), context(intake, ReportKind.final, full_facts())):
        assert "発生日：不明（調査中：発生の日を特定できる記録が得られていない。" in ctx.items[0].display


def test_empty_summary_leaves_item1_pending(make_intake: Callable[..., Intake]) -> None:
    """Without an event summary, item 1 is 調査中."""
    ctx = context(make_intake(event={"summary": ""}), ReportKind.preliminary)
    assert isinstance(ctx.items[0].value, Pending)


def test_item9_without_police_advice_is_nothing_special(make_intake: Callable[..., Intake]) -> None:
    """When no police report is recommended and nothing else is known, item 9 reads 特になし."""
    ctx = context(make_intake(event={"cause": "misdelivery"}), ReportKind.preliminary, police=PoliceAdvice.none)
    assert ctx.items[8].display == "特になし。"


@pytest.mark.parametrize(
    ("recipient", "heading"),
    [
        (Recipient.PPC, "個人情報保護委員会 御中"),
        (Recipient.FSA, "金融庁長官 殿"),
        (Recipient.METI, "経済産業大臣 殿"),
    ],
)
def test_addressee_follows_recipient(make_intake: Callable[..., Intake], recipient: Recipient, heading: str) -> None:
    """The report is addressed to the decision's recipient, in the 別記様式第1 form for every recipient."""
    ctx = context(make_intake(), ReportKind.preliminary, recipient=recipient)
    assert ctx.addressee.heading == heading
    assert ctx.addressee.form_label == "別記様式第1（第8条第3項関係）"


def test_bank_gets_business_law_reminder(make_intake: Callable[..., Intake]) -> None:
    """A bank's cover note reminds it of the 銀行法 report; a general business's does not."""
    bank = context(make_intake(business={"sector": "bank"}), ReportKind.preliminary, recipient=Recipient.FSA)
    general = context(make_intake(), ReportKind.preliminary)
    assert any("銀行法" in r for r in bank.cover.reminders)
    assert not any("銀行法" in r for r in general.cover.reminders)


def test_header_names_the_business_not_a_person(make_intake: Callable[..., Intake]) -> None:
    """The header carries the intake's business name and, where the intake is silent, the company profile's address and desk."""
    settings = get_settings()
    ctx = context(make_intake(business={"name": "株式会社テスト物産"}), ReportKind.preliminary)
    assert ctx.business.name == "株式会社テスト物産"
    assert ctx.business.address == settings.business_address
    assert ctx.business.contact.startswith(f"{settings.business_desk_name} {settings.business_desk_phone}")
    assert settings.business_representative not in ctx.model_dump_json()


def test_header_takes_the_intakes_own_address_and_desk(make_intake: Callable[..., Intake]) -> None:
    """An intake that states its address and desk is printed as stated, not the company profile."""
    ctx = context(make_intake(business={"name": "医療法人試験会 試験クリニック", "kind": "clinic",
                                        "address": "大阪府大阪市北区試験町1-2", "representative": "理事長 試験 次郎",
                                        "desk": {"name": "患者様相談窓口", "phone": "06-0000-1111"}}),
                  ReportKind.preliminary)
    assert ctx.business.address == "大阪府大阪市北区試験町1-2"
    assert ctx.business.contact.startswith("患者様相談窓口 06-0000-1111")


def test_processor_names_its_client(make_intake: Callable[..., Intake]) -> None:
    """For a processor, item 1 names the client (委託元) and item 4 places the cause at the processor."""
    intake = make_intake(business={"role": "processor", "client": "株式会社委託元"})
    ctx = context(intake, ReportKind.preliminary)
    assert "株式会社委託元（委託元）" in ctx.items[0].display
    assert "委託先である当社" in ctx.items[3].display


def test_range_of_persons_reports_the_maximum(make_intake: Callable[..., Intake]) -> None:
    """An uncertain count is reported as its maximum, with the minimum beside it."""
    ctx = context(make_intake(data={"affected_persons": {"min": 800, "max": 1200}}), ReportKind.preliminary)
    assert ctx.items[2].display.startswith("最大1,200名（最小800名")


def test_with_real_engine_decision(make_intake: Callable[..., Intake]) -> None:
    """WE-01 through the real engine gives a PPC 速報 stating category 3 and the 確報 due date."""
    from breachflow.obligations import assess

    intake = make_intake()
    decision = assess(intake=intake)
    ctx = build_report_context(kind=ReportKind.preliminary, intake=intake, decision=decision, settings=get_settings(),
                               facts=ReportFacts(), report_date=REPORT_DAY)
    assert ctx.addressee.heading == "個人情報保護委員会 御中"
    assert "規則第7条第3号" in ctx.items[0].display
    assert any(d.label == "確報" and d.due == "令和9年1月8日" for d in ctx.cover.deadlines)
