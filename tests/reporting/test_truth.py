"""Every document tells the truth about this incident: reasons for 不明, the case's 事実経過, one secondary-harm
text, police contacts as recorded, notices counted as they went out, and wording that follows the business and
whose data it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from breachflow.casestore import Case
from breachflow.harm import secondary_harm
from breachflow.intake.model import Intake
from breachflow.obligations.model import PoliceAdvice
from breachflow.reporting.context import ReportContext, build_report_context
from breachflow.reporting.facts import (
    ItemOverride,
    MeasureStatus,
    NoticeStatus,
    PoliceFiling,
    PreventionMeasure,
    Publication,
    ReportFacts,
    ReportKind,
    read_report_facts,
    record_police_filing,
    set_report_item,
)
from breachflow.reporting.police import build_police_context
from breachflow.reporting.render import (
    Format,
    case_report_context,
    render_police,
    render_report_html,
    render_report_markdown,
)
from breachflow.settings import get_settings
from tests.conftest import TEST_COMPANY_PROFILE
from tests.reporting.conftest import REPORT_DAY, hand_decision
from tests.reporting.test_context import context

FINAL_DAY = date(2026, 11, 20)
FORM_LABEL = "別記様式第1（第8条第3項関係）"
BARE_FUMEI = re.compile(r"(?:^|[：　>])不明(?!（)", re.MULTILINE)  # 不明 as a value, not followed by its reason

CLINIC: dict[str, Any] = {
    "incident_id": "CL-01",
    "title": "診療予約データを保存したノートパソコンの盗難",
    "discovered_by": "受付担当の職員",
    "business": {"name": "医療法人試験会 試験クリニック", "kind": "clinic", "address": "大阪府大阪市北区試験町1-2",
                 "representative": "理事長 試験 次郎",
                 "desk": {"name": "患者様相談窓口", "phone": "06-0000-1111", "email": "desk@clinic.example",
                          "hours": "平日9時〜17時"}},
    "event": {"cause": "theft", "medium": "both",
              "summary": "職員の車両から、診療予約データを保存したノートパソコンと予約票の束が盗まれた"},
    "data": {"subjects": ["patient"], "items": ["name", "phone", "medical_history"],
             "affected_persons": {"min": 120, "max": 120}},
    "timeline": [{"at": "2026-11-09T18:30:00+09:00", "text": "職員の車両からノートパソコン等が盗まれる"},
                 {"at": "2026-11-10T08:45:00+09:00", "text": "職員が盗難に気付き、院長に報告"}],
}
EMPLOYEE: dict[str, Any] = {
    "incident_id": "EM-01",
    "title": "健康診断結果の誤送信",
    "occurred_on": "2026-11-09",
    "discovered_by": "人事部",
    "event": {"cause": "wrong_recipient_email", "medium": "electronic",
              "summary": "人事担当者が、従業者の健康診断結果を含むファイルを社外の取引先に誤って送信した"},
    "data": {"subjects": ["employee"], "items": ["name", "birth_date", "medical_checkup"],
             "affected_persons": {"min": 40, "max": 40}},
    "timeline": [{"at": "2026-11-09T16:10:00+09:00", "text": "人事担当者がファイルを誤送信"},
                 {"at": "2026-11-10T09:00:00+09:00", "text": "送信先からの連絡により誤送信が判明"}],
}
COMPANY: dict[str, Any] = {}  # WE-01 itself: a company's stolen customer list


def completed(*, police: bool) -> ReportFacts:
    """Later stages' facts for items 6-9, enough for a 確報."""
    return ReportFacts(
        notices=NoticeStatus(targets=40, sent=39, emailed=39, letters_rendered=1, as_of=FINAL_DAY),
        publication=Publication(published=True, published_on=date(2026, 11, 13)),
        prevention=[PreventionMeasure(text="持出し時の暗号化を必須とした", status=MeasureStatus.done, on=date(2026, 11, 15))],
        police=PoliceFiling(station="試験警察署", receipt_no="R-9", filed_on=date(2026, 11, 10)) if police else None,
    )


def final_context(intake: Intake, facts: ReportFacts, kind: ReportKind = ReportKind.final) -> ReportContext:
    """A report from the real engine's decision."""
    from breachflow.obligations import assess

    return build_report_context(kind=kind, intake=intake, decision=assess(intake=intake), settings=get_settings(),
                                facts=facts, report_date=FINAL_DAY)


def item(ctx: ReportContext, no: int) -> str:
    """The printed text of one item."""
    return ctx.items[no - 1].display


# Point 6: 確報 completeness — every 不明 with its reason, 事実経過 from the case, the 追完 line, the form label.

def test_final_item1_gives_a_reason_for_every_unknown_sub_field(make_intake: Callable[..., Intake]) -> None:
    """WE-01 (no 発生日, no 発見者, no timeline) prints 発生日 and 発見者 as 不明 with their reasons, never bare."""
    ctx = final_context(make_intake(), completed(police=True))
    text = item(ctx, 1)
    assert "発生日：不明（調査中：" in text and "遅くとも発覚日（令和8年11月10日）までに発生した" in text
    assert "発見者：不明（確認中：" in text
    assert not BARE_FUMEI.search(text), text


def test_occurred_day_reason_uses_the_intake_timeline(make_intake: Callable[..., Intake]) -> None:
    """When the intake's timeline starts before discovery, the unknown 発生日 names that span."""
    ctx = final_context(make_intake(**CLINIC), completed(police=True))
    assert "発生日：不明（調査中：令和8年11月9日から発覚日（令和8年11月10日）までの間に" in item(ctx, 1)


def test_known_sub_fields_are_printed(make_intake: Callable[..., Intake]) -> None:
    """発生日 and 発見者 come from occurred_on and discovered_by when the intake gives them."""
    text = item(final_context(make_intake(**EMPLOYEE), completed(police=False)), 1)
    assert "発生日：令和8年11月9日" in text and "発見者：人事部" in text and "不明" not in text


def test_history_joins_the_intake_timeline_and_the_case_response_in_jst(make_case: Callable[..., Case]) -> None:
    """事実経過 lists the intake's entries and the case's response steps (JST, oldest first), not the tool's own steps."""
    case = make_case(timeline=[{"at": "2026-11-09T18:30:00+09:00", "text": "車両から鞄が盗まれる"}])

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 11, day, hour, tzinfo=UTC)

    case.timeline.append("scope.done", "漏えい対象の範囲を特定: 300名（300行、重複0件を統合）", at=at(10, 3), persons=300)
    case.timeline.append("decision.recorded", "報告義務の判定を記録", at=at(10, 4))
    case.timeline.append("approval.approve", "reports を承認", at=at(10, 5), gate="reports", approver="承認 花子")
    case.timeline.append("report.drafted", "漏えい等報告（速報）の下書きを作成（md）", at=at(10, 6))
    case.timeline.append("report.submitted", "漏えい等報告（速報）を提出（受付番号 P-1）", at=at(12, 2),
                         report_kind="preliminary", submitted_at="2026-11-12T10:30:00+09:00", ref="P-1")
    case.timeline.append("notification.email", "メール通知を送信", at=at(13, 1), batches=1, sent=290, in_doubt=0,
                         already_done=0, failed_transient=0, failed_permanent=3)
    case.timeline.append("requests.received", "本人からの問合せを受付（R0001）", at=at(14, 1), request_id="R0001")
    record_police_filing(case=case, station="渋谷警察署", receipt_no="R-77", filed_on=date(2026, 11, 11))
    case.timeline.append("scope.done", "漏えい対象の範囲を特定: 301名", at=at(25, 1))  # after the report date
    text = case_report_context(case=case, kind=ReportKind.preliminary, settings=get_settings(), report_date=FINAL_DAY,
                               decision=hand_decision(case.intake())).items[0].display
    history = text.split("事実経過：\n")[1].splitlines()
    assert history == [
        "　令和8年11月9日 18:30　車両から鞄が盗まれる",
        "　令和8年11月10日 12:00　漏えい対象の範囲を特定: 300名（300行、重複0件を統合）",
        "　令和8年11月10日 13:00　報告義務の判定を記録",
        "　令和8年11月10日 14:00　報告義務の判定及び報告書の下書きを承認",
        "　令和8年11月11日　渋谷警察署に被害届を提出し、受理された（受理番号：R-77）。",
        "　令和8年11月12日 10:30　漏えい等報告（速報）を提出（受付番号：P-1）",
        "　令和8年11月13日 10:00　電子メールによる本人通知（送信290件、送信失敗3件）",
    ]
    assert "承認 花子" not in text and "301名" not in text


def test_final_says_a_supplement_follows_while_something_is_unknown(make_intake: Callable[..., Intake]) -> None:
    """A 確報 with an unknown 発生日 says the 追完 will follow; one with everything known does not."""
    unknown = final_context(make_intake(**CLINIC), completed(police=True))
    assert unknown.follow_up == "現時点で判明していない事項（項目1の発生日）については、判明次第、追完により報告いたします。"
    item5_unknown = completed(police=True).model_copy(update={"items": {5: ItemOverride(unknown_reason="調査中のため")}})
    assert "（項目1の発生日・発見者・事実経過、項目5）" in final_context(make_intake(), item5_unknown).follow_up
    assert final_context(make_intake(**EMPLOYEE), completed(police=False)).follow_up == ""
    assert final_context(make_intake(), ReportFacts(), ReportKind.preliminary).follow_up == ""


def test_form_label_reads_besshi_yoshiki_1(make_intake: Callable[..., Intake]) -> None:
    """The report carries 別記様式第1（第8条第3項関係）, whoever receives it."""
    ctx = final_context(make_intake(), completed(police=True))
    assert ctx.addressee.form_label == FORM_LABEL


# Point 3: item 5 is the one secondary-harm text the notices print.

def test_item5_is_the_shared_secondary_harm_text(make_intake: Callable[..., Intake]) -> None:
    """Without anything confirmed, item 5 is harm.secondary_harm of the incident's items, in the business's words."""
    intake = make_intake(**CLINIC)
    ctx = context(intake, ReportKind.preliminary, ReportFacts())
    expected = secondary_harm(items=intake.data.items, confirmed=None, self_name="当院").text_ja
    assert item(ctx, 5) == expected and "当院を装った不審な電話" in expected


def test_item5_by_hand_is_the_confirmed_harm(make_case: Callable[..., Case]) -> None:
    """`report set --item 5 --text` stays the confirmed harm: it leads item 5, followed by the risks of the items."""
    case = make_case()
    set_report_item(case=case, item=5, text="不審な電話が2件確認されている", unknown_reason=None)
    ctx = case_report_context(case=case, kind=ReportKind.preliminary, settings=get_settings(), report_date=REPORT_DAY,
                              decision=hand_decision(case.intake()))
    expected = secondary_harm(items=case.intake().data.items, confirmed="不審な電話が2件確認されている", self_name="当社")
    assert ctx.items[4].by_hand and item(ctx, 5) == expected.text_ja
    assert item(ctx, 5).startswith("不審な電話が2件確認されている。当社を装った")


# Point 4: item 9 and the police drafts say what was recorded.

@pytest.mark.parametrize(
    ("filing", "says", "never"),
    [
        ({"station": "渋谷警察署", "receipt_no": "R-1", "filed_on": date(2026, 11, 10)},
         "令和8年11月10日、渋谷警察署に被害届を提出し、受理された（受理番号：R-1）。", ()),
        ({"station": "渋谷警察署", "filed_on": date(2026, 11, 10)},
         "令和8年11月10日、渋谷警察署に被害届を提出した（受理番号は未確認）。", ("受理された",)),
        ({"station": "大阪府警察 サイバー犯罪相談窓口", "filed_on": date(2026, 11, 11), "kind": "consultation"},
         "令和8年11月11日、大阪府警察 サイバー犯罪相談窓口に本件について相談した。", ("被害届", "受理")),
    ],
)
def test_item9_states_the_police_contact_as_recorded(make_intake: Callable[..., Intake], filing: dict[str, Any],
                                                    says: str, never: tuple[str, ...]) -> None:
    """A 被害届 is 受理された only with its 受理番号; a consultation is a consultation."""
    intake = make_intake()
    ctx = context(intake, ReportKind.preliminary, ReportFacts(police=PoliceFiling(**filing)))
    assert item(ctx, 9) == says
    assert not any(word in item(ctx, 9) for word in never)


def test_item9_without_a_police_contact_says_not_yet(make_intake: Callable[..., Intake]) -> None:
    """Police advised but nothing recorded: item 9 says nothing was filed yet, and the cover note asks to record it."""
    intake = make_intake()
    ctx = context(intake, ReportKind.preliminary, ReportFacts())
    assert item(ctx, 9) == "本書作成時点で、警察への被害届の提出及び相談は行っていない。"
    assert any("police record" in r for r in ctx.cover.reminders)
    intake_police = make_intake(police={"station": "渋谷警察署", "filed_on": "2026-11-10"})
    ctx = context(intake_police, ReportKind.preliminary, ReportFacts())
    assert "受理された" not in item(ctx, 9) and "受理番号は未確認" in item(ctx, 9)


def test_consultation_is_recorded_as_a_consultation(make_case: Callable[..., Case]) -> None:
    """Recording a consultation without a number stores it and writes 相談 (not 被害届) in the timeline."""
    case = make_case(event={"cause": "unauthorized_access", "medium": "electronic"})
    record_police_filing(case=case, station="警視庁サイバー犯罪対策課", receipt_no=None, filed_on=date(2026, 11, 11),
                         kind="consultation")
    stored = read_report_facts(case=case).police
    assert stored is not None and stored.kind == "consultation" and stored.receipt_no is None
    entry = case.timeline.entries()[-1]
    assert entry.kind == "police.consulted" and "相談" in entry.message and "被害届" not in entry.message


@pytest.mark.parametrize("cause", ["theft", "unauthorized_access"])
def test_police_drafts_name_the_business_from_its_profile_only(make_intake: Callable[..., Intake], cause: str) -> None:
    """The 被害届 and the cyber memo take name, address, representative and phone from the clinic's own profile."""
    intake = make_intake(**{**CLINIC, "event": {**CLINIC["event"], "cause": cause}})
    police = build_police_context(intake=intake, settings=get_settings(), facts=ReportFacts(), draft_date=REPORT_DAY)
    md = render_police(police, fmt=Format.md)
    fields = {f.label: f.text for f in police.fields}
    for value in TEST_COMPANY_PROFILE.values():
        assert value not in md
    if cause == "theft":
        assert fields["届出人"].splitlines() == ["住所　大阪府大阪市北区試験町1-2",
                                               "氏名　（要記入）（医療法人試験会 試験クリニック　職名（要記入））",
                                               "電話　06-0000-1111"]
        assert fields["被害者"].splitlines() == ["住所（所在地）　大阪府大阪市北区試験町1-2",
                                               "名称　医療法人試験会 試験クリニック", "代表者　理事長 試験 次郎"]
        assert "当院は個人情報保護委員会" in fields["遺留品その他参考事項"]
    else:
        assert fields["相談者"].splitlines()[:3] == ["名称　医療法人試験会 試験クリニック", "代表者　理事長 試験 次郎",
                                                "所在地　大阪府大阪市北区試験町1-2"]
    assert "当社" not in md and "顧客" not in md and "お客様" not in md


# Point 4 (item 6): count only what went out.

@pytest.mark.parametrize(
    ("notices", "says", "never"),
    [
        ({"targets": 40, "sent": 39, "emailed": 39, "letters_rendered": 1},
         ["令和8年11月20日時点で、通知対象者40名のうち、電子メールにより39名に通知した。",
          "書面による通知のうち1名分は、郵送準備中である（未発送）。"], ["40名に通知", "郵送により"]),
        ({"targets": 40, "sent": 0, "outbox": 40},
         ["通知対象者40名に対する通知は、まだ行っていない。", "電子メールによる通知のうち40名分は、作成済みであるが未送信である。"],
         ["通知した"]),
        ({"targets": 40, "sent": 40, "emailed": 39, "letters_posted": 1},
         ["通知対象者40名のうち、電子メールにより39名、郵送により1名に通知した。"], ["郵送準備中", "残る"]),
        ({"targets": 40, "sent": 39, "emailed": 39, "letters_posted": 5, "undeliverable": 2},
         ["通知対象者40名のうち39名に通知した（うち電子メール39名、郵送5名。複数の方法により通知した者を含む）。",
          "このうち2名は、宛先不明等により到達しなかった。", "残る1名に対しては、順次通知する。"], []),
    ],
    ids=["emailed-letter-rendered", "outbox-only", "emailed-and-posted", "both-channels"],
)
def test_item6_counts_only_notices_that_went_out(make_intake: Callable[..., Intake], notices: dict[str, int],
                                                 says: list[str], never: list[str]) -> None:
    """Emails in the outbox and letters not yet handed to the post are never counted as notified."""
    intake = make_intake()
    facts = ReportFacts(notices=NoticeStatus(**notices, as_of=FINAL_DAY))
    ctx = context(intake, ReportKind.preliminary, facts)
    for line in says:
        assert line in item(ctx, 6)
    for word in never:
        assert word not in item(ctx, 6)


def test_channel_counts_cannot_exceed_the_notified() -> None:
    """More emailed than notified, or more letters printed than targets, is refused."""
    with pytest.raises(ValueError, match=r"emailed \(11\) must not exceed sent"):
        NoticeStatus(targets=40, sent=10, emailed=11, as_of=FINAL_DAY)
    with pytest.raises(ValueError, match=r"letters_rendered \(41\) must not exceed targets"):
        NoticeStatus(targets=40, sent=0, letters_rendered=41, as_of=FINAL_DAY)


# Point 5: wording by whose data it is and how the business names itself; the rendered 確報 per case.

@pytest.mark.parametrize(("case", "subject", "self_name", "absent"), [
    (CLINIC, "本人の種類：患者", "当院", ("顧客", "お客様", "当社")),
    (EMPLOYEE, "本人の種類：従業者", "当社", ("顧客", "お客様")),
    (COMPANY, "本人の種類：顧客", "当社", ("お客様",)),
], ids=["clinic-patients", "company-employees", "company-customers"])
def test_rendered_final_report_tells_the_truth(make_intake: Callable[..., Intake], case: dict[str, Any], subject: str,
                                               self_name: str, absent: tuple[str, ...]) -> None:
    """The 確報 in Markdown and HTML: form label, the subjects' word, the business's own name for itself, no bare 不明,
    and the 追完 line exactly while something is unknown."""
    intake = make_intake(**case)
    ctx = final_context(intake, completed(police=intake.event.cause == "theft"))
    unknown = intake.occurred_on is None or intake.discovered_by is None
    for rendered in (render_report_markdown(ctx, review=False), render_report_html(ctx, review=False)):
        assert FORM_LABEL in rendered and subject in rendered and self_name in rendered
        assert not any(word in rendered for word in absent), [w for w in absent if w in rendered]
        assert not BARE_FUMEI.search(rendered), BARE_FUMEI.search(rendered)
        assert ("判明次第、追完により報告いたします" in rendered) is unknown
        assert "通知対象者40名のうち、電子メールにより39名に通知した" in rendered and "郵送準備中" in rendered


def test_clinic_police_draft_names_the_patient_records(make_intake: Callable[..., Intake]) -> None:
    """A clinic's stolen papers are 患者名簿, not a customer list."""
    police = build_police_context(intake=make_intake(**CLINIC), settings=get_settings(), facts=ReportFacts(),
                                  draft_date=REPORT_DAY)
    goods = {f.label: f.text for f in police.fields}["被害金品"]
    assert "個人情報が記載された書類（患者名簿等）　120名分" in goods and "顧客" not in goods


def test_processor_names_itself_as_the_business_does(make_intake: Callable[..., Intake]) -> None:
    """A clinic acting as processor is 委託先である当院 in items 1 and 4."""
    intake = make_intake(**{**CLINIC, "business": {**CLINIC["business"], "role": "processor", "client": "試験健保組合"}})
    ctx = context(intake, ReportKind.preliminary, ReportFacts(), police=PoliceAdvice.none)
    assert "当院は、試験健保組合（委託元）" in item(ctx, 1) and "委託先である当院" in item(ctx, 4)
