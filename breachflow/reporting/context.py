"""The typed context of a PPC 漏えい等報告 (Rule 8(1)): header, addressee and the nine items.

Each item is ``Known`` (text), ``Unknown`` (explicitly unknown, with the reason) or
``Pending`` (調査中: nothing known yet). A 速報 may carry pending items; a 確報 or 追完 may
not — ``check_complete`` refuses it, naming the items still to fill.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from breachflow.errors import RenderError
from breachflow.intake.model import Certainty, Intake, Medium, Role, Sector, Subject
from breachflow.obligations.model import Decision, PoliceAdvice, Recipient
from breachflow.reporting.facts import (
    REPORT_KIND_LABELS_JA,
    MeasureStatus,
    ReportFacts,
    ReportKind,
    SubmissionLog,
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
    form_label: str = Field(description="別記様式第一 line, empty for the PPC online form")
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
    cover: CoverNote

    def pending(self) -> list[ReportItem]:
        """Items still 調査中."""
        return [item for item in self.items if isinstance(item.value, Pending)]


ADDRESSEES: dict[Recipient, tuple[str, str, str]] = {
    Recipient.PPC: (
        "個人情報保護委員会 御中",
        "",
        "個人情報保護委員会のウェブサイトの漏えい等報告フォームに、本書の各項目を転記して提出する。",
    ),
    Recipient.FSA: (
        "金融庁長官 殿",
        "別記様式第一（第八条第一項関係）",
        "報告受理の権限が委任されている金融庁長官（所管の財務局等）宛てに、同庁の案内する方法で提出する。",
    ),
    Recipient.METI: (
        "経済産業大臣 殿",
        "別記様式第一（第八条第一項関係）",
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


def _when(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f"{wareki(value.date())} {value:%H:%M}"
    return wareki(value)


def _sort_key(value: date | datetime) -> datetime:
    # Timeline entries mix dates and (zoned or naive) date-times; order them by wall-clock time.
    moment = value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
    return moment.replace(tzinfo=None)


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


def _item1(intake: Intake, decision: Decision, unknown: str) -> ItemValue:
    if not intake.event.summary.strip():
        return Pending()
    if decision.categories:
        rule7 = "\n".join(
            f"　規則第7条第{n}号（{CATEGORY_LABELS_JA[n]}）に該当する。{_category_reason(n, intake)}。"
            for n in decision.categories
        )
    else:
        rule7 = "　規則第7条各号のいずれにも該当しない（任意の報告）。"
    business = intake.business
    if business.role is Role.processor:
        entrust = f"当社は、{business.client}（委託元）から個人データの取扱いの委託を受けた委託先である。"
        if business.client_notified_on:
            entrust += f"{wareki(business.client_notified_on)}、委託元に本件を通知した。"
    else:
        entrust = "該当なし（当社が個人情報取扱事業者として取り扱う個人データである。）"
    events = sorted(intake.timeline, key=lambda e: _sort_key(e.at))
    history = "\n".join(f"　{_when(e.at)}　{e.text}" for e in events) if events else f"　{unknown}"
    lines = [
        f"発生日：{wareki(intake.occurred_on) if intake.occurred_on else unknown}",
        f"発覚日：{wareki(intake.discovered_on)}",
        f"発生事案：{intake.event.summary.strip()}" + ("（漏えい等が発生したおそれがある事態）" if intake.event.certainty is Certainty.suspected else ""),
        f"発見者：{intake.discovered_by or unknown}",
        f"規則第7条該当性：\n{rule7}",
        f"委託元及び委託先の有無：{entrust}",
        f"事実経過：\n{history}",
    ]
    return Known(text="\n".join(lines))


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


def _item4(intake: Intake) -> ItemValue:
    cause = intake.event.cause
    if intake.business.role is Role.processor:
        where = f"委託先である当社（委託元：{intake.business.client}）"
    else:
        where = "当社"
    suspected = "（発生のおそれ。事実関係を調査している。）" if intake.event.certainty is Certainty.suspected else ""
    lines = [f"原因：{CAUSE_LABELS_JA[cause]}{suspected}", f"発生箇所：{where}"]
    if cause is Cause.insider_exfiltration:
        lines.append("行為者：当社の従業者等")
    elif cause in WRONGFUL_CAUSES:
        lines.append("行為者：外部の第三者")
    return Known(text="\n".join(lines))


def _item5(facts: ReportFacts) -> ItemValue:
    damage = facts.secondary_damage
    if damage is None:
        return Pending()
    head = "二次被害又はそのおそれがある。" if damage.present else "現時点において、二次被害は確認されていない。"
    return Known(text=head + (f"\n{damage.description}" if damage.description else ""))


def _requests_lines(facts: ReportFacts) -> list[str]:
    summary = facts.requests
    if summary is None or not summary.by_type:
        return []
    counts = "、".join(f"{t.label_ja}{t.received:,}件（うち対応済{t.closed:,}件）" for t in summary.by_type)
    lines = [f"{wareki(summary.as_of)}時点で、問合せ窓口において本人からの問合せ等を受け付けている：{counts}。"]
    if summary.overdue:
        lines.append(f"回答期限を経過した未対応のもの{summary.overdue:,}件について、対応を急いでいる。")
    return lines


def _item6(facts: ReportFacts) -> ItemValue:
    notices = facts.notices
    if notices is None:
        # Desk counts alone do not say whether persons were notified: the item stays open.
        return Pending()
    lines = [
        f"{wareki(notices.as_of)}時点で、通知対象者{_count(notices.targets)}のうち{_count(notices.sent)}に通知した"
        + (f"（うち、宛先不明等により到達しなかったもの{_count(notices.undeliverable)}）。" if notices.undeliverable else "。")
    ]
    remaining = notices.targets - notices.sent
    if remaining:
        lines.append(f"残る{_count(remaining)}に対しては、順次通知する。")
    if notices.substitute_measures:
        lines.append(f"代替措置：{notices.substitute_measures}")
    lines.extend(_requests_lines(facts))
    return Known(text="\n".join(lines))


def _item7(facts: ReportFacts) -> ItemValue:
    publication = facts.publication
    if publication is None:
        return Pending()
    if publication.published:
        when = f"{wareki(publication.published_on)}、" if publication.published_on else ""
        text = f"{when}{publication.channel or '当社ウェブサイト'}において公表した。"
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


def _item9(intake: Intake, decision: Decision, facts: ReportFacts) -> ItemValue:
    lines = []
    filing = facts.police
    if filing is not None:
        lines.append(
            f"{wareki(filing.filed_on)}、{filing.station}に被害届を提出し、受理された（受理番号：{filing.receipt_no}）。"
        )
    elif intake.police is not None:
        police = intake.police
        when = f"{wareki(police.filed_on)}、" if police.filed_on else ""
        receipt = f"（受理番号：{police.receipt_no}）" if police.receipt_no else ""
        lines.append(f"{when}{police.station}に届け出た{receipt}。")
    if decision.my_number:
        lines.append("漏えい等した個人データに個人番号が含まれるため、行政手続における特定の個人を識別するための番号の利用等に関する法律に基づく報告についても、別途対応する。")
    if "GDPR" in decision.other_regimes:
        lines.append("EU一般データ保護規則（GDPR）の適用対象となる本人が含まれるため、同規則に基づく監督機関への通知についても、別途対応する。")
    if not lines and decision.police is PoliceAdvice.recommended:
        return Pending()  # a police filing is expected; until it is recorded (or the user writes the item) it is open
    return Known(text="\n".join(lines) if lines else "特になし。")


def _addressee(decision: Decision) -> Addressee:
    voluntary = decision.recipient is Recipient.none
    recipient = Recipient.PPC if voluntary else decision.recipient
    heading, form_label, route = ADDRESSEES[recipient]
    return Addressee(recipient=recipient, heading=heading, form_label=form_label, route_note=route, voluntary=voluntary)


def _intro(kind: ReportKind, addressee: Addressee, submissions: SubmissionLog) -> str:
    basis = "個人情報の保護に関する法律第26条第1項及び同法施行規則第8条"
    if addressee.voluntary:
        return "当社において下記のとおり個人データの漏えい等が発生したため、任意に報告いたします。"
    if kind is ReportKind.preliminary:
        return f"{basis}第1項の規定に基づき、下記のとおり報告（速報）いたします。現時点で判明していない事項については、判明次第報告いたします。"
    if kind is ReportKind.final:
        return f"{basis}第2項の規定に基づき、下記のとおり報告（確報）いたします。"
    final = submissions.last(ReportKind.final)
    ref = f"{wareki(final.at.date())}付けで提出した確報（受付番号：{final.ref}）" if final else "先に提出した確報"
    return f"{ref}について、その後判明した事項を含め、下記のとおり追完いたします。"


def _cover(intake: Intake, decision: Decision, items: list[ReportItem]) -> CoverNote:
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
) -> ReportContext:
    """Assemble the report: facts from the intake (completed by the scope), decision, case-store facts."""
    from breachflow.profile import business_profile

    business = business_profile(intake, settings)
    from breachflow.facts import effective_intake

    intake, _ = effective_intake(intake, scope)
    unknown = PENDING_JA if kind is ReportKind.preliminary else "不明"
    values: dict[int, ItemValue] = {
        1: _item1(intake, decision, unknown),
        2: _item2(intake),
        3: _item3(intake),
        4: _item4(intake),
        5: _item5(facts),
        6: _item6(facts),
        7: _item7(facts),
        8: _item8(facts),
        9: _item9(intake, decision, facts),
    }
    items = []
    for no, computed in values.items():
        override = facts.items.get(no)
        if override is None:
            items.append(ReportItem(no=no, label=ITEM_LABELS[no], value=computed))
            continue
        value: ItemValue = Known(text=override.text) if override.text is not None else Unknown(reason=override.unknown_reason or "")
        items.append(ReportItem(no=no, label=ITEM_LABELS[no], value=value, by_hand=True))
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
        intro=_intro(kind, addressee, submissions or SubmissionLog()),
        items=items,
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
