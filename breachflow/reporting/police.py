"""Police drafts: a 被害届 for theft and other crimes, a consultation memo for the cybercrime desk."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from breachflow.errors import RenderError
from breachflow.intake.model import Intake, Medium, Subject
from breachflow.profile import business_profile
from breachflow.reporting.facts import ReportFacts
from breachflow.scoping.model import ScopeSummary
from breachflow.settings import Settings
from breachflow.templating import wareki
from breachflow.vocabulary import CAUSE_LABELS_JA, ITEM_LABELS_JA, WRONGFUL_CAUSES, Cause

FILL_IN = "（要記入）"

# What the stolen papers are called, by whose data they hold (data.subjects).
LIST_NAMES_JA: dict[Subject, str] = {
    Subject.customer: "顧客リスト", Subject.employee: "従業者名簿", Subject.patient: "患者名簿",
    Subject.member: "会員名簿", Subject.student: "生徒名簿", Subject.other: "名簿",
}

# Attacks on systems go to the prefectural police cybercrime desk first; physical crimes get a 被害届.
CYBER_CAUSES: frozenset[Cause] = frozenset({Cause.unauthorized_access, Cause.ransomware, Cause.malware, Cause.web_skimming})

EVIDENCE_HINTS: dict[Cause, str] = {
    Cause.unauthorized_access: "アクセスログ、認証ログ、通信記録（日時・送信元IPアドレス）",
    Cause.ransomware: "脅迫文（ランサムノート）、暗号化されたファイルの一覧、侵入経路に関するログ",
    Cause.malware: "不審なメール・添付ファイル、感染端末のログ、通信記録",
    Cause.web_skimming: "改ざんされたファイルとその更新日時、ウェブサーバのアクセスログ",
}


class PoliceDraftKind(StrEnum):
    """Which police document fits the cause."""

    damage_report = "damage_report"
    cyber_consultation = "cyber_consultation"


POLICE_TEMPLATES: dict[PoliceDraftKind, str] = {
    PoliceDraftKind.damage_report: "police/higai_todoke",
    PoliceDraftKind.cyber_consultation: "police/cyber_consultation",
}


class LabeledText(BaseModel):
    """One labelled field of a police draft."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    text: str


class PoliceContext(BaseModel):
    """Everything a police template needs; blanks the officer must fill are marked （要記入）."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    kind: PoliceDraftKind
    title: str
    addressee: str
    draft_date_ja: str
    fields: list[LabeledText] = Field(min_length=1)
    statement: str


def police_draft_kind(intake: Intake) -> PoliceDraftKind:
    """The draft that fits the cause; refuses causes that are not crimes."""
    cause = intake.event.cause
    if cause in CYBER_CAUSES:
        return PoliceDraftKind.cyber_consultation
    if cause in WRONGFUL_CAUSES or intake.event.wrongful_purpose is True:
        return PoliceDraftKind.damage_report
    raise RenderError(
        f"case {intake.incident_id}: event.cause {cause.value} does not point to a crime, so no police draft is made "
        "(set event.wrongful_purpose: true if there are signs of one)"
    )


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _damage_period(intake: Intake) -> str:
    if intake.occurred_on:
        return f"{wareki(intake.occurred_on)}頃（時刻は{FILL_IN}）"
    earlier = sorted(_as_date(e.at) for e in intake.timeline if _as_date(e.at) < intake.discovered_on)
    if earlier:
        return f"{wareki(earlier[0])}頃から{wareki(intake.discovered_on)}（被害に気付いた日）までの間（日時不詳）"
    return f"日時不詳（遅くとも{wareki(intake.discovered_on)}（被害に気付いた日）までの間）"


def _persons(intake: Intake, scope: ScopeSummary | None) -> str:
    if scope is not None:
        return f"{scope.persons:,}名分"
    persons = intake.data.affected_persons
    if persons is None:
        return f"{FILL_IN}名分"
    return f"{persons.max:,}名分" if persons.min == persons.max else f"最大{persons.max:,}名分"


def _items(intake: Intake, scope: ScopeSummary | None) -> str:
    items = scope.items if scope is not None and not intake.data.items else intake.data.items
    return "、".join(ITEM_LABELS_JA[i] for i in items) if items else FILL_IN


def _history(intake: Intake) -> str:
    events = sorted(intake.timeline, key=lambda e: _as_date(e.at))
    return "\n".join(
        f"{wareki(_as_date(e.at))}{f' {e.at:%H:%M}' if isinstance(e.at, datetime) else ''}　{e.text}" for e in events
    )


def _goods(intake: Intake, scope: ScopeSummary | None) -> str:
    persons, items = _persons(intake, scope), _items(intake, scope)
    lists = "・".join(dict.fromkeys(LIST_NAMES_JA[s] for s in intake.data.subjects))
    lines = []
    if intake.event.medium in (Medium.paper, Medium.both):
        lines.append(f"個人情報が記載された書類（{lists}等）　{persons}（記載事項：{items}）　枚数{FILL_IN}")
    if intake.event.medium in (Medium.electronic, Medium.both):
        lines.append(f"個人情報を記録した電子データ　{persons}（記録事項：{items}）及びこれを記録した機器・媒体{FILL_IN}")
    if intake.event.cause is Cause.theft:
        lines.append(f"上記を収納していた物品（鞄等）　品名・数量・特徴・時価{FILL_IN}")
    return "\n".join(lines)


def build_police_context(
    *,
    intake: Intake,
    settings: Settings,
    facts: ReportFacts,
    draft_date: date,
    scope: ScopeSummary | None = None,
) -> PoliceContext:
    """The 被害届 draft or cybercrime consultation memo for this incident."""
    kind = police_draft_kind(intake)
    station = facts.police.station if facts.police else intake.police.station if intake.police else None
    summary = intake.event.summary.strip() or FILL_IN
    history = _history(intake)
    # Every field naming the business comes from its one profile: name, address, representative, phone.
    profile = business_profile(intake, settings)
    business, us = profile.name, profile.self_name
    if kind is PoliceDraftKind.damage_report:
        offender = (
            f"{us}の従業者又は元従業者と思われる（氏名等は確認の上記入）{FILL_IN}"
            if intake.event.cause is Cause.insider_exfiltration
            else "不詳"
        )
        fields = [
            LabeledText(label="届出人", text=f"住所　{profile.address}\n氏名　{FILL_IN}（{business}　職名{FILL_IN}）\n電話　{profile.desk_phone}"),
            LabeledText(label="被害者", text=f"住所（所在地）　{profile.address}\n名称　{business}\n代表者　{profile.representative}"),
            LabeledText(label="被害の年月日時", text=_damage_period(intake)),
            LabeledText(label="被害の場所", text=FILL_IN),
            LabeledText(
                label="被害の模様",
                text=f"{summary}\n被害に気付いた日：{wareki(intake.discovered_on)}" + (f"\n{history}" if history else ""),
            ),
            LabeledText(label="被害金品", text=_goods(intake, scope)),
            LabeledText(label="犯人の住居、氏名又は通称、人相、着衣、特徴等", text=offender),
            LabeledText(
                label="遺留品その他参考事項",
                text=f"遺留品：{FILL_IN}\n"
                f"被害品には{_persons(intake, scope)}の個人情報が含まれるため、{us}は個人情報保護委員会等への報告及び本人への通知を行う。",
            ),
        ]
        return PoliceContext(
            incident_id=intake.incident_id,
            kind=kind,
            title="被害届（案）",
            addressee=f"{station}長 殿" if station else f"{FILL_IN}警察署長 殿",
            draft_date_ja=wareki(draft_date),
            fields=fields,
            statement="上記のとおり被害がありましたので届け出ます。",
        )
    fields = [
        LabeledText(label="相談者", text=f"名称　{business}\n代表者　{profile.representative}\n所在地　{profile.address}\n連絡先　{profile.contact}\n担当者　{FILL_IN}"),
        LabeledText(label="事案の種別", text=CAUSE_LABELS_JA[intake.event.cause]),
        LabeledText(
            label="発生・発覚の日時",
            text=f"発生：{wareki(intake.occurred_on) if intake.occurred_on else '不詳（調査中）'}\n発覚：{wareki(intake.discovered_on)}",
        ),
        LabeledText(label="事案の概要", text=summary + (f"\n{history}" if history else "")),
        LabeledText(label="被害を受けたシステム・機器", text=FILL_IN),
        LabeledText(
            label="漏えい等のおそれがある情報",
            text=f"個人データ　{_persons(intake, scope)}（項目：{_items(intake, scope)}）",
        ),
        LabeledText(label="保全している資料", text=f"{EVIDENCE_HINTS[intake.event.cause]}{FILL_IN}"),
        LabeledText(label="現在までの対応", text=f"被害拡大防止のための措置、外部専門事業者による調査の状況等{FILL_IN}"),
        LabeledText(label="相談したい事項", text="被害届の提出の可否及びその際に必要な資料、今後の捜査への協力方法について相談したい。"),
    ]
    return PoliceContext(
        incident_id=intake.incident_id,
        kind=kind,
        title="サイバー犯罪に関する相談メモ",
        addressee=f"{FILL_IN}都道府県警察 サイバー犯罪相談窓口",
        draft_date_ja=wareki(draft_date),
        fields=fields,
        statement="上記の事案について、ご相談いたします。",
    )
