"""What a notice says: the typed context every channel's template is rendered from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict

from breachflow.notification.plan import IncidentFacts, Notice, item_labels
from breachflow.harm import secondary_harm
from breachflow.profile import Business
from breachflow.scoping.model import Person
from breachflow.templating import wareki
from breachflow.vocabulary import DataItem

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
    harm: str
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
    """The context for one person's notice: only that person's items, and the harm and advice that fit them."""
    harm = secondary_harm(items=notice.items, confirmed=facts.confirmed_harm, self_name=business.self_name)
    return NoticeContext(
        notice_id=notice.notice_id,
        recipient=recipient_of(person),
        items=item_labels(notice.items),
        harm=harm.text_ja,
        advice=harm.advice,
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
