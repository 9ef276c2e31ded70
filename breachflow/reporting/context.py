"""The typed context of a PPC 漏えい等報告 (Rule 8(1)): header, addressee and the nine items.

Each item is ``Known`` (text), ``Unknown`` (explicitly unknown, with the reason) or
``Pending`` (調査中: nothing known yet). A 速報 may carry pending items; a 確報 or 追完 may
not — ``check_complete`` refuses it, naming the items still to fill. Whatever is printed as
不明 carries its reason, and a 確報 or 追完 that still holds one says that a 追完 will follow.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from breachflow.casestore.timeline import TimelineEntry as CaseEntry
from breachflow.errors import RenderError
from breachflow.harm import secondary_harm
from breachflow.intake.model import Certainty, Intake, Medium, Role, Sector, Subject
from breachflow.japan import JST
from breachflow.obligations.model import Decision, PoliceAdvice, Recipient
from breachflow.profile import Business, business_profile
from breachflow.reporting.facts import (
    REPORT_KIND_LABELS_JA,
    MeasureStatus,
    NoticeStatus,
    PoliceContact,
    PoliceFiling,
    ReportFacts,
    ReportKind,
    SubmissionLog,
    confirmed_harm,
)
from breachflow.rulepacks.liability import liability_summary
from breachflow.scoping.model import ScopeSummary
from breachflow.settings import Settings
from breachflow.templating import wareki
from breachflow.vocabulary import (
    CAUSE_LABELS_JA,
    FINANCIAL_ITEMS,
    ITEM_LABELS_JA,
    SENSITIVE_ITEMS,
    WRONGFUL_CAUSES,
    Cause,
    DataItem,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Known(_Frozen):
    """An item whose content is known."""

    state: Literal["known"] = "known"
    text: str


class Unknown(_Frozen):
    """An item explicitly reported as unknown, with the reason it is unknown."""

    state: Literal["unknown"] = "unknown"
    reason: str


class Pending(_Frozen):
    """An item not yet known (調査中); allowed in a 速報 only."""

    state: Literal["pending"] = "pending"


ItemValue = Annotated[Known | Unknown | Pending, Field(discriminator="state")]

PENDING_JA = "調査中"

ITEM_LABELS: dict[int, str] = {
    1: "概要",
    2: "漏えい等が発生し、又は発生したおそれがある個人データの項目",
    3: "漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
    4: "原因",
    5: "二次被害又はそのおそれの有無及びその内容",
    6: "本人への対応の実施状況",
    7: "公表の実施状況",
    8: "再発防止のための措置",
    9: "その他参考となる事項",
}


class ReportItem(_Frozen):
    """One of the nine Rule 8(1) items."""

    no: int = Field(ge=1, le=9)
    label: str
    value: ItemValue
    by_hand: bool = Field(default=False, description="written by a user with `breachflow report set`")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def display(self) -> str:
        """The value as printed: the text, 不明（理由）, or 調査中."""
        if isinstance(self.value, Known):
            return self.value.text
        if isinstance(self.value, Unknown):
            return f"不明（理由：{self.value.reason}）"
        return PENDING_JA


class Addressee(_Frozen):
    """Who the report goes to, and how it is headed."""

    recipient: Recipient
    heading: str = Field(description="e.g. 個人情報保護委員会 御中")
    form_label: str = Field(description="the 別記様式第1 line printed above the date")
    route_note: str = Field(description="how to hand the report in")
    voluntary: bool = Field(description="no Rule 7 category applies; reported voluntarily")


class BusinessHeader(_Frozen):
    """The reporting business as printed in the header (never a staff member's name)."""

    name: str
    address: str
    contact: str


class CoverDeadline(_Frozen):
    """One deadline line of the cover note."""

    label: str
    due: str
    basis: str


class CoverFinding(_Frozen):
    """One decision finding for the reviewer (English reasons as recorded)."""

    title: str
    applies: bool
    reason: str
    source: str
    choice: bool


class CoverLiability(_Frozen):
    """One line of the liability summary with its source."""

    text: str
    source: str


class CoverNote(_Frozen):
    """Review-only notes for the officer; not part of the filed report."""

    deadlines: list[CoverDeadline]
    findings: list[CoverFinding]
    reminders: list[str]
    pending_items: list[str]
    rule_set_version: str
    inputs_sha256: str
    disclaimer: str
    liability_heading: str = ""
    liability: list[CoverLiability] = Field(default_factory=list)
    liability_note: str = ""


class ReportContext(_Frozen):
    """Everything a report template needs; built by ``build_report_context``."""

    incident_id: str
    kind: ReportKind
    kind_label: str
    title: str
    report_date: date
    report_date_ja: str
    addressee: Addressee
    business: BusinessHeader
    intro: str
    items: list[ReportItem] = Field(min_length=9, max_length=9)
    follow_up: str = Field(default="", description="a 確報/追完 with something unknown: the 追完 that will follow")
    cover: CoverNote

    def pending(self) -> list[ReportItem]:
        """Items still 調査中."""
        return [item for item in self.items if isinstance(item.value, Pending)]


# Rule 8(3): the report is made in the form of 別記様式第1, whoever receives it.
FORM_LABEL = "別記様式第1（第8条第3項関係）"

ADDRESSEES: dict[Recipient, tuple[str, str]] = {
    Recipient.PPC: (
        "個人情報保護委員会 御中",
        "個人情報保護委員会のウェブサイトの漏えい等報告フォームに、本書の各項目を転記して提出する。",
    ),
    Recipient.FSA: (
        "金融庁長官 殿",
        "報告受理の権限が委任されている金融庁長官（所管の財務局等）宛てに、同庁の案内する方法で提出する。",
    ),
    Recipient.METI: (
        "経済産業大臣 殿",
        "報告受理の権限が委任されている経済産業大臣（所管部署）宛てに、同省の案内する方法で提出する。",
    ),
}

# Sector laws with their own incident reports, kept as data (reminder only, not decided here).
BUSINESS_LAW_REMINDERS: dict[Sector, str] = {
    Sector.bank: "銀行法に基づく届出（不祥事件届出等）及び金融分野における個人情報保護に関するガイドラインに基づく報告の要否・期限を、所管の財務局等に確認すること。",
    Sector.insurance: "保険業法に基づく届出（不祥事件届出等）の要否・期限を、所管の財務局等に確認すること。",
    Sector.securities: "金融商品取引法に基づく届出（事故・不祥事件等）の要否・期限を、所管の財務局等に確認すること。",
    Sector.credit_purchase: "割賦販売法に基づくクレジットカード番号等の漏えい等の報告の要否・期限を、経済産業省に確認すること。",
    Sector.credit_bureau: "割賦販売法その他の業法に基づく報告の要否・期限を、所管部署に確認すること。",
}

CATEGORY_LABELS_JA: dict[int, str] = {
    1: "要配慮個人情報が含まれる個人データの漏えい等",
    2: "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等",
    3: "不正の目的をもって行われたおそれがある個人データの漏えい等",
    4: "本人の数が1,000人を超える個人データの漏えい等",
}

OBLIGATION_LABELS_JA: dict[str, str] = {
    "preliminary_report": "速報",
    "final_report": "確報",
    "individual_notice": "本人への通知",
    "client_notice": "委託元への通知",
    "gdpr_sa_notification": "GDPR 監督機関への通知",
    "gdpr_individual_notice": "GDPR 本人への通知",
}

# Items that, combined (account + PIN, login ID + password), the engine may count as category 2.
PAYMENT_RELATED_ITEMS = frozenset({DataItem.bank_account, DataItem.pin, DataItem.login_id, DataItem.password})

MEDIUM_JA: dict[Medium, str] = {Medium.paper: "紙媒体", Medium.electronic: "電子媒体", Medium.both: "紙媒体及び電子媒体"}
SUBJECT_JA: dict[Subject, str] = {
    Subject.customer: "顧客", Subject.employee: "従業者", Subject.patient: "患者", Subject.member: "会員",
    Subject.student: "生徒", Subject.other: "その他",
}



# Case-timeline kinds that are facts of the incident response (事実経過), printed with their message;
# drafts, hand-filled items, exports and the like are the tool's own steps and stay out.
RESPONSE_KINDS = frozenset({
    "intake.opened", "scope.done", "decision.recorded", "notification.planned", "notification.letters",
    "notification.calls", "notification.returned", "notification.substitute",
})
GATES_JA: dict[str, str] = {"reports": "報告義務の判定及び報告書の下書き", "notification": "本人通知の計画"}


def _jst(value: date | datetime) -> date | datetime:
    """A date as is; a date-time in JST (a naive one is taken as JST already)."""
    if isinstance(value, datetime):
        return value.astimezone(JST) if value.tzinfo else value.replace(tzinfo=JST)
    return value


def _when(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = _jst(value)
        return f"{wareki(value.date())} {value:%H:%M}"
    return wareki(value)


def _sort_key(value: date | datetime) -> datetime:
    # Timeline entries mix dates and (zoned or naive) date-times; order them by JST wall-clock time.
    moment = _jst(value)
    return moment if isinstance(moment, datetime) else datetime.combine(moment, datetime.min.time(), tzinfo=JST)


def _count(n: int) -> str:
    return f"{n:,}名"


def _items_ja(items: list[DataItem]) -> str:
    return "、".join(ITEM_LABELS_JA[i] for i in items)


def _category_reason(n: int, intake: Intake) -> str:
    """A short Japanese reason for one category, from the facts (the engine's reasons are English)."""
    if n == 1:
        sensitive = [i for i in intake.data.items if i in SENSITIVE_ITEMS]
        return f"要配慮個人情報（{_items_ja(sensitive)}）を含む" if sensitive else "要配慮個人情報を含む"
    if n == 2:
        money = [i for i in intake.data.items if i in FINANCIAL_ITEMS or i in PAYMENT_RELATED_ITEMS]
        if money:
            return f"不正に利用されることにより財産的被害が生じるおそれのある項目（{_items_ja(money)}）を含む"
        return "不正に利用されることにより財産的被害が生じるおそれがある"
    if n == 3:
        return f"原因が{CAUSE_LABELS_JA[intake.event.cause]}であり、不正の目的をもって行われたおそれがある"
    persons = intake.data.affected_persons
    return f"本人の数が最大{_count(persons.max)}である" if persons else "本人の数が1,000人を超える"


def _iso(value: object) -> date | datetime | None:
    """A date or date-time stored as ISO text in a timeline entry's data (None if absent or unreadable)."""
    if isinstance(value, date):
        return value
    try:
        text = str(value)
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def _email_round(entry: CaseEntry) -> str:
    """One email sending round in words that count only what was sent as sent."""
    data = entry.data
    failed = int(data.get("failed_transient") or 0) + int(data.get("failed_permanent") or 0)
    parts = [
        f"{label}{int(data.get(key) or 0):,}件"
        for key, label in (("sent", "送信"), ("outbox", "送信用フォルダに作成（未送信）"), ("in_doubt", "送信結果不明"))
        if data.get(key)
    ] + ([f"送信失敗{failed:,}件"] if failed else [])
    return f"電子メールによる本人通知（{'、'.join(parts)}）" if parts else entry.message


def _response_step(entry: CaseEntry) -> tuple[date | datetime, str] | None:
    """One case-timeline entry as a 事実経過 line (when, what), or None for the tool's own steps."""
    kind, data = entry.kind, entry.data
    if kind in ("approval.approve", "approval.reject"):
        gate = GATES_JA.get(str(data.get("gate")), "対応方針")
        return entry.at, f"{gate}を{'承認' if kind == 'approval.approve' else '却下'}"
    if kind == "decision.changed":
        return entry.at, "報告義務の判定を更新"
    if kind == "notification.email":
        return entry.at, _email_round(entry)
    if kind == "report.submitted":
        label = {k.value: v for k, v in REPORT_KIND_LABELS_JA.items()}.get(str(data.get("report_kind")), "報告")
        ref = f"（受付番号：{data['ref']}）" if data.get("ref") else ""
        return _iso(data.get("submitted_at")) or entry.at, f"漏えい等報告（{label}）を提出{ref}"
    if kind in ("police.filed", "police.consulted"):
        # Dated by the day of the filing, not the day it was recorded.
        day = _sort_key(_iso(data.get("filed_on")) or entry.at).date()
        filing = PoliceFiling(
            station=str(data.get("station") or "警察"), receipt_no=data.get("receipt_no") or None, filed_on=day,
            kind=PoliceContact.consultation if kind == "police.consulted" else PoliceContact.damage_report,
        )
        return day, _police_sentence(filing, dated=False)
    if kind in RESPONSE_KINDS:
        return entry.at, entry.message
    return None


def _history_lines(intake: Intake, case_entries: list[CaseEntry], report_date: date) -> list[str]:
    """事実経過: the intake's timeline and the case's response steps up to the report date, in JST, oldest first."""
    steps: list[tuple[date | datetime, str]] = [(e.at, e.text) for e in intake.timeline]
    steps += [step for step in map(_response_step, case_entries) if step is not None]
    steps = [step for step in steps if _sort_key(step[0]).date() <= report_date]
    return [f"　{_when(at)}　{text}" for at, text in sorted(steps, key=lambda step: _sort_key(step[0]))]


def _occurred_unknown(intake: Intake) -> str:
    """Why the day of occurrence is unknown, and what is known about it."""
    earlier = sorted(_sort_key(e.at) for e in intake.timeline if _sort_key(e.at).date() < intake.discovered_on)
    if earlier:
        return (f"不明（調査中：{wareki(earlier[0].date())}から発覚日（{wareki(intake.discovered_on)}）までの間に"
                "発生したと考えられるが、日を特定できていない）")
    return (f"不明（調査中：発生の日を特定できる記録が得られていない。遅くとも発覚日（{wareki(intake.discovered_on)}）"
            "までに発生した）")


DISCOVERER_UNKNOWN = "不明（確認中：受付時に発見者が記録されていない）"
HISTORY_UNKNOWN = "不明（調査中：事実経過を記録した資料がなく、確認している）"


def _item1(intake: Intake, decision: Decision, business: Business, history: list[str]) -> tuple[ItemValue, list[str]]:
    """Item 1, and the names of its sub-fields printed as 不明 (with their reasons)."""
    if not intake.event.summary.strip():
        return Pending(), []
    us = business.self_name
    if decision.categories:
        rule7 = "\n".join(
            f"　規則第7条第{n}号（{CATEGORY_LABELS_JA[n]}）に該当する。{_category_reason(n, intake)}。"
            for n in decision.categories
        )
    else:
        rule7 = "　規則第7条各号のいずれにも該当しない（任意の報告）。"
    stated = intake.business
    if stated.role is Role.processor:
        entrust = f"{us}は、{stated.client}（委託元）から個人データの取扱いの委託を受けた委託先である。"
        if stated.client_notified_on:
            entrust += f"{wareki(stated.client_notified_on)}、委託元に本件を通知した。"
    else:
        entrust = f"該当なし（{us}が個人情報取扱事業者として取り扱う個人データである。）"
    unknown = [name for name, known in (("発生日", intake.occurred_on), ("発見者", intake.discovered_by), ("事実経過", history))
               if not known]
    lines = [
        f"発生日：{wareki(intake.occurred_on) if intake.occurred_on else _occurred_unknown(intake)}",
        f"発覚日：{wareki(intake.discovered_on)}",
        f"発生事案：{intake.event.summary.strip()}" + ("（漏えい等が発生したおそれがある事態）" if intake.event.certainty is Certainty.suspected else ""),
        f"発見者：{intake.discovered_by or DISCOVERER_UNKNOWN}",
        f"規則第7条該当性：\n{rule7}",
        f"委託元及び委託先の有無：{entrust}",
        "事実経過：\n" + ("\n".join(history) if history else f"　{HISTORY_UNKNOWN}"),
    ]
    return Known(text="\n".join(lines)), unknown


def _item2(intake: Intake) -> ItemValue:
    if not intake.data.items:
        return Pending()
    lines = [
        f"項目：{_items_ja(intake.data.items)}",
        f"媒体：{MEDIUM_JA[intake.event.medium]}",
        f"本人の種類：{'、'.join(SUBJECT_JA[s] for s in intake.data.subjects)}",
    ]
    if DataItem.my_number in intake.data.items:
        lines.append("個人番号（マイナンバー）を含む。")
    return Known(text="\n".join(lines))


def _item3(intake: Intake) -> ItemValue:
    persons = intake.data.affected_persons
    if persons is None:
        return Pending()
    if persons.min == persons.max:
        return Known(text=_count(persons.max))
    return Known(text=f"最大{_count(persons.max)}（最小{_count(persons.min)}。人数が確定していないため最大数を記載する。）")


def _item4(intake: Intake, business: Business) -> ItemValue:
    cause = intake.event.cause
    us = business.self_name
    if intake.business.role is Role.processor:
        where = f"委託先である{us}（委託元：{intake.business.client}）"
    else:
        where = us
    suspected = "（発生のおそれ。事実関係を調査している。）" if intake.event.certainty is Certainty.suspected else ""
    lines = [f"原因：{CAUSE_LABELS_JA[cause]}{suspected}", f"発生箇所：{where}"]
    if cause is Cause.insider_exfiltration:
        lines.append(f"行為者：{us}の従業者等")
    elif cause in WRONGFUL_CAUSES:
        lines.append("行為者：外部の第三者")
    return Known(text="\n".join(lines))


def _item5(intake: Intake, facts: ReportFacts, business: Business) -> ItemValue:
    """The secondary harm every document prints: the confirmed harm (by hand) or none so far, then the risks."""
    confirmed = confirmed_harm(facts)
    if not intake.data.items and confirmed is None:
        return Pending()
    harm = secondary_harm(items=list(intake.data.items), confirmed=confirmed, self_name=business.self_name)
    return Known(text=harm.text_ja)


def _requests_lines(facts: ReportFacts) -> list[str]:
    summary = facts.requests
    if summary is None or not summary.by_type:
        return []
    counts = "、".join(f"{t.label_ja}{t.received:,}件（うち対応済{t.closed:,}件）" for t in summary.by_type)
    lines = [f"{wareki(summary.as_of)}時点で、問合せ窓口において本人からの問合せ等を受け付けている：{counts}。"]
    if summary.overdue:
        lines.append(f"回答期限を経過した未対応のもの{summary.overdue:,}件について、対応を急いでいる。")
    return lines


def _notified(notices: NoticeStatus) -> str:
    """Who was notified: only notices that went out count, split by channel where the channels are known."""
    head = f"{wareki(notices.as_of)}時点で、通知対象者{_count(notices.targets)}"
    if not notices.sent:
        return f"{head}に対する通知は、まだ行っていない。"
    if not notices.by_channel:
        return f"{head}のうち{_count(notices.sent)}に通知した。"
    channels = [(label, n) for label, n in (("電子メール", notices.emailed), ("郵送", notices.letters_posted),
                                            ("電話", notices.phoned)) if n]
    if sum(n for _, n in channels) == notices.sent:
        return f"{head}のうち、" + "、".join(f"{label}により{_count(n)}" for label, n in channels) + "に通知した。"
    split = "、".join(f"{label}{_count(n)}" for label, n in channels)
    both = "。複数の方法により通知した者を含む" if sum(n for _, n in channels) > notices.sent else ""
    return f"{head}のうち{_count(notices.sent)}に通知した（うち{split}{both}）。"


def _item6(facts: ReportFacts) -> ItemValue:
    notices = facts.notices
    if notices is None:
        # Desk counts alone do not say whether persons were notified: the item stays open.
        return Pending()
    lines = [_notified(notices)]
    if notices.undeliverable:
        lines.append(f"このうち{_count(notices.undeliverable)}は、宛先不明等により到達しなかった。")
    remaining = notices.targets - notices.sent
    if remaining:
        lines.append(f"残る{_count(remaining)}に対しては、順次通知する。")
    if notices.outbox:
        lines.append(f"電子メールによる通知のうち{_count(notices.outbox)}分は、作成済みであるが未送信である。")
    if notices.letters_rendered:
        lines.append(f"書面による通知のうち{_count(notices.letters_rendered)}分は、郵送準備中である（未発送）。")
    if notices.substitute_measures:
        lines.append(f"代替措置：{notices.substitute_measures}")
    lines.extend(_requests_lines(facts))
    return Known(text="\n".join(lines))


def _item7(facts: ReportFacts, business: Business) -> ItemValue:
    publication = facts.publication
    if publication is None:
        return Pending()
    if publication.published:
        when = f"{wareki(publication.published_on)}、" if publication.published_on else ""
        text = f"{when}{publication.channel or business.self_name + 'ウェブサイト'}において公表した。"
    else:
        text = "公表していない。"
    return Known(text=text + (f"\n{publication.note}" if publication.note else ""))


def _item8(facts: ReportFacts) -> ItemValue:
    if not facts.prevention:
        return Pending()
    order = sorted(facts.prevention, key=lambda m: (m.status is not MeasureStatus.done, m.on or date.max))
    lines = []
    for measure in order:
        if measure.status is MeasureStatus.done:
            when = f"{wareki(measure.on)}実施" if measure.on else "実施済"
            lines.append(f"【実施済】{measure.text}（{when}）")
        else:
            when = f"{wareki(measure.on)}までに実施予定" if measure.on else "実施予定"
            lines.append(f"【予定】{measure.text}（{when}）")
    return Known(text="\n".join(lines))


NO_POLICE_CONTACT = "本書作成時点で、警察への被害届の提出及び相談は行っていない。"


def _police_sentence(filing: PoliceFiling, *, dated: bool = True) -> str:
    """What was done at the police, as recorded: received (with its 受理番号) only when there is one."""
    when = f"{wareki(filing.filed_on)}、" if dated else ""
    if filing.kind is PoliceContact.consultation:
        ref = f"（受付番号：{filing.receipt_no}）" if filing.receipt_no else ""
        return f"{when}{filing.station}に本件について相談した{ref}。"
    if filing.receipt_no:
        return f"{when}{filing.station}に被害届を提出し、受理された（受理番号：{filing.receipt_no}）。"
    return f"{when}{filing.station}に被害届を提出した（受理番号は未確認）。"


def _item9(intake: Intake, decision: Decision, facts: ReportFacts) -> ItemValue:
    lines = []
    if facts.police is not None:
        lines.append(_police_sentence(facts.police))
    elif intake.police is not None:
        police = intake.police
        when = f"{wareki(police.filed_on)}、" if police.filed_on else ""
        receipt = f"（受理番号：{police.receipt_no}）" if police.receipt_no else "（受理番号は未確認）"
        lines.append(f"{when}{police.station}に届け出た{receipt}。")
    elif decision.police is PoliceAdvice.recommended:
        lines.append(NO_POLICE_CONTACT)
    if decision.my_number:
        lines.append("漏えい等した個人データに個人番号が含まれるため、行政手続における特定の個人を識別するための番号の利用等に関する法律に基づく報告についても、別途対応する。")
    if "GDPR" in decision.other_regimes:
        lines.append("EU一般データ保護規則（GDPR）の適用対象となる本人が含まれるため、同規則に基づく監督機関への通知についても、別途対応する。")
    return Known(text="\n".join(lines) if lines else "特になし。")


def _addressee(decision: Decision) -> Addressee:
    voluntary = decision.recipient is Recipient.none
    recipient = Recipient.PPC if voluntary else decision.recipient
    heading, route = ADDRESSEES[recipient]
    return Addressee(recipient=recipient, heading=heading, form_label=FORM_LABEL, route_note=route, voluntary=voluntary)


def _intro(kind: ReportKind, addressee: Addressee, submissions: SubmissionLog, business: Business) -> str:
    basis = "個人情報の保護に関する法律第26条第1項及び同法施行規則第8条"
    if addressee.voluntary:
        return f"{business.self_name}において下記のとおり個人データの漏えい等が発生したため、任意に報告いたします。"
    if kind is ReportKind.preliminary:
        return f"{basis}第1項の規定に基づき、下記のとおり報告（速報）いたします。現時点で判明していない事項については、判明次第報告いたします。"
    if kind is ReportKind.final:
        return f"{basis}第2項の規定に基づき、下記のとおり報告（確報）いたします。"
    final = submissions.last(ReportKind.final)
    ref = f"{wareki(final.at.date())}付けで提出した確報（受付番号：{final.ref}）" if final else "先に提出した確報"
    return f"{ref}について、その後判明した事項を含め、下記のとおり追完いたします。"


def _follow_up(kind: ReportKind, items: list[ReportItem], item1_unknown: list[str]) -> str:
    """A 確報/追完 that still reports something as 不明 says that a 追完 will follow."""
    if kind is ReportKind.preliminary:
        return ""
    unknown = [f"項目1の{'・'.join(item1_unknown)}"] if item1_unknown else []
    unknown += [f"項目{i.no}" for i in items if isinstance(i.value, Unknown)]
    if not unknown:
        return ""
    return f"現時点で判明していない事項（{'、'.join(unknown)}）については、判明次第、追完により報告いたします。"


def _cover(intake: Intake, decision: Decision, items: list[ReportItem]) -> CoverNote:
    """The officer's review notes: deadlines, findings, reminders, items still open."""
    liability = liability_summary()
    deadlines = []
    if decision.preliminary_window:
        start, end = decision.preliminary_window
        deadlines.append(CoverDeadline(label="速報（目安）", due=f"{wareki(start)}〜{wareki(end)}", basis="発覚日を1日目として3〜5日目"))
    for deadline in decision.deadlines:
        if deadline.obligation == "preliminary_report":
            continue
        due = _when(deadline.due) if deadline.due else "速やかに"
        if isinstance(deadline.due, datetime) and deadline.due.tzinfo:
            due = deadline.due.isoformat()
        deadlines.append(
            CoverDeadline(label=OBLIGATION_LABELS_JA.get(deadline.obligation, deadline.obligation), due=due, basis=deadline.basis)
        )
    reminders = []
    if intake.business.sector in BUSINESS_LAW_REMINDERS:
        reminders.append(BUSINESS_LAW_REMINDERS[intake.business.sector])
    if decision.my_number:
        reminders.append("個人番号を含むため、番号法に基づく報告の要否を別途確認すること（本ツールは判定しない）。")
    if decision.police is PoliceAdvice.recommended:
        reminders.append("犯罪の可能性があるため、警察への被害届の提出又は相談を検討すること（breachflow police draft）。")
    if NO_POLICE_CONTACT in items[8].display:
        reminders.append("項目9は、警察への届出・相談の記録がないため「行っていない」と記載している。届け出た又は相談した場合は、"
                         "breachflow police record で記録すること。")
    for item in decision.sector_obligations:
        due = f"{wareki(item.window_start)}〜{wareki(item.due)}" if item.window_start and item.due else (
            wareki(item.due) if item.due else "速やかに"
        )
        deadlines.append(
            CoverDeadline(label=f"{item.title_ja}（{item.recipient_ja}）", due=due, basis=f"{item.basis}［{item.source}］")
        )
    findings = [
        CoverFinding(title=f.title_ja, applies=f.applies, reason=f.reason, source=f.source, choice=f.choice)
        for f in decision.findings
    ]
    return CoverNote(
        deadlines=deadlines,
        findings=findings,
        reminders=reminders,
        pending_items=[f"{i.no} {i.label}" for i in items if isinstance(i.value, Pending)],
        rule_set_version=decision.rule_set_version,
        inputs_sha256=decision.inputs_sha256,
        disclaimer=decision.disclaimer,
        liability_heading=liability.heading_ja,
        liability=[CoverLiability(text=line.text_ja, source=line.source) for line in liability.lines],
        liability_note=liability.note_ja,
    )


def build_report_context(
    *,
    kind: ReportKind,
    intake: Intake,
    decision: Decision,
    settings: Settings,
    facts: ReportFacts,
    report_date: date,
    submissions: SubmissionLog | None = None,
    scope: ScopeSummary | None = None,
    case_timeline: list[CaseEntry] | None = None,
) -> ReportContext:
    """Assemble the report: facts from the intake (completed by the scope), decision, case-store facts and timeline."""
    from breachflow.facts import effective_intake

    business = business_profile(intake, settings)
    intake, _ = effective_intake(intake, scope)
    item1, item1_unknown = _item1(intake, decision, business, _history_lines(intake, case_timeline or [], report_date))
    values: dict[int, ItemValue] = {
        1: item1,
        2: _item2(intake),
        3: _item3(intake),
        4: _item4(intake, business),
        5: _item5(intake, facts, business),
        6: _item6(facts),
        7: _item7(facts, business),
        8: _item8(facts),
        9: _item9(intake, decision, facts),
    }
    items = []
    for no, computed in values.items():
        override = facts.items.get(no)
        if override is None:
            items.append(ReportItem(no=no, label=ITEM_LABELS[no], value=computed))
            continue
        value: ItemValue
        if override.text is None:
            value = Unknown(reason=override.unknown_reason or "")
        elif no == 5:
            value = computed  # the hand-written text is the confirmed harm, followed by the risks of the items
        else:
            value = Known(text=override.text)
        items.append(ReportItem(no=no, label=ITEM_LABELS[no], value=value, by_hand=True))
    if 1 in facts.items:
        item1_unknown = []  # written by hand: the user's text says what is unknown
    addressee = _addressee(decision)
    label = REPORT_KIND_LABELS_JA[kind]
    return ReportContext(
        incident_id=intake.incident_id,
        kind=kind,
        kind_label=label,
        title=f"個人データの漏えい等の報告（{label}）",
        report_date=report_date,
        report_date_ja=wareki(report_date),
        addressee=addressee,
        business=BusinessHeader(name=business.name, address=business.address, contact=business.contact),
        intro=_intro(kind, addressee, submissions or SubmissionLog(), business),
        items=items,
        follow_up=_follow_up(kind, items, item1_unknown),
        cover=_cover(intake, decision, items),
    )


def check_complete(context: ReportContext) -> None:
    """Refuse a 確報/追完 while any item is still 調査中; the error lists the item numbers and names."""
    if context.kind is ReportKind.preliminary:
        return
    missing = context.pending()
    if missing:
        listed = "; ".join(f"{item.no} {item.label}" for item in missing)
        raise RenderError(
            f"case {context.incident_id}: the {context.kind.value} report ({context.kind_label}) cannot be rendered: "
            f"{len(missing)} item(s) still 調査中 — {listed}. Fill each with "
            f"'breachflow report set {context.incident_id} --item N --text …' or mark it unknown with "
            f"'--unknown-reason …'"
        )
