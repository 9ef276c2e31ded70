"""What a notice says: the typed context every channel's template is rendered from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict

from breachflow.notification.plan import IncidentFacts, Notice, item_labels
from breachflow.profile import Business
from breachflow.scoping.model import Person
from breachflow.templating import wareki
from breachflow.vocabulary import DataItem

# Advice per leaked item: what the person can do (Rule 10: other useful information).
ADVICE_JA: list[tuple[frozenset[DataItem], str]] = [
    (frozenset({DataItem.card_number, DataItem.card_security_code, DataItem.card_expiry, DataItem.card_last4}),
     "クレジットカードのご利用明細に身に覚えのない請求がないかご確認いただき、不審な請求があった場合はカード発行会社へご連絡ください。"),
    (frozenset({DataItem.bank_account, DataItem.pin}),
     "口座の入出金履歴をご確認いただき、不審な取引があった場合はお取引の金融機関へご連絡ください。"),
    (frozenset({DataItem.login_id, DataItem.password}),
     "同じパスワードを他のサービスでお使いの場合は、速やかに変更してください。"),
    (frozenset({DataItem.email}),
     "当社を装った不審なメールにご注意ください。当社からメールでパスワードやカード番号をお尋ねすることはありません。"),
    (frozenset({DataItem.phone}),
     "当社を装った不審な電話にご注意ください。"),
    (frozenset({DataItem.address, DataItem.postal_code}),
     "当社を装った不審な郵便物や訪問にご注意ください。"),
]
GENERAL_ADVICE_JA = "不審な連絡を受けた場合は、下記のお問合せ窓口までご連絡ください。"

# Characters that must never reach a rendered document or header: control characters
# (CR/LF would split headers) and bidirectional overrides (they reorder what a reader sees).
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def clean_text(value: str | None) -> str:
    """A field value safe to print: control characters and bidi overrides removed, whitespace collapsed."""
    if not value:
        return ""
    kept = []
    for ch in value:
        if ch in _BIDI_CONTROLS:
            continue
        if unicodedata.category(ch) == "Cc":
            kept.append(" ")
            continue
        kept.append(ch)
    return re.sub(r" {2,}", " ", "".join(kept)).strip()


class Recipient(BaseModel):
    """The addressee as printed (cleaned)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    name: str
    kana: str
    postal_code: str
    address1: str
    address2: str
    phone_national: str


class NoticeContext(BaseModel):
    """Everything a notice template may use."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notice_id: str
    recipient: Recipient
    items: list[str]
    advice: list[str]
    incident: IncidentFacts
    business: Business
    date_wareki: str
    discovered_wareki: str
    occurred_wareki: str | None


def national_phone(e164: str | None) -> str:
    """A Japanese number in national format (090-1234-5678); empty when unparsable."""
    if not e164:
        return ""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(e164, "JP")
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def advice_for(items: list[DataItem]) -> list[str]:
    """The advice lines that fit the leaked items, then the general one."""
    present = set(items)
    return [text for keys, text in ADVICE_JA if keys & present] + [GENERAL_ADVICE_JA]


def format_postal(code: str) -> str:
    """1000005 → 100-0005."""
    return f"{code[:3]}-{code[3:]}" if len(code) == 7 else code


# How each printed addressee field is derived from a person: one place, used by
# ``recipient_of`` and by the email composer (which computes only the fields its templates use).
RECIPIENT_FIELDS: dict[str, Callable[[Person], str]] = {
    "person_id": lambda p: p.person_id,
    "name": lambda p: clean_text(p.name) or "お客様",
    "kana": lambda p: clean_text(p.kana),
    "postal_code": lambda p: format_postal(clean_text(p.postal_code)),
    "address1": lambda p: clean_text(p.address1),
    "address2": lambda p: clean_text(p.address2),
    "phone_national": lambda p: national_phone(p.phone),
}


def recipient_of(person: Person) -> Recipient:
    """The cleaned printable addressee of a person."""
    return Recipient(**{field: derive(person) for field, derive in RECIPIENT_FIELDS.items()})


def notice_context(
    *, notice: Notice, person: Person, facts: IncidentFacts, business: Business, today: date
) -> NoticeContext:
    """The context for one person's notice: only that person's items."""
    return NoticeContext(
        notice_id=notice.notice_id,
        recipient=recipient_of(person),
        items=item_labels(notice.items),
        advice=advice_for(notice.items),
        incident=facts,
        business=business,
        date_wareki=wareki(today),
        discovered_wareki=wareki(facts.discovered_on),
        occurred_wareki=wareki(facts.occurred_on) if facts.occurred_on else None,
    )


def placeholder_person(items: list[DataItem]) -> Person:
    """A synthetic person for previews: never a real one."""
    return Person(
        person_id="SAMPLE", source_rows=[], items=items, name="見本 太郎", kana="ミホン タロウ",
        postal_code="1000001", address1="東京都千代田区千代田1-1", address2="見本マンション101号室",
        phone="+81312345678", email="sample@example.com",
    )
