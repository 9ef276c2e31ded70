""""Is my data affected?": look a caller up in the case's person list without leaking anyone else's data.

The answer carries yes/no, the items of the one matched person and that person's id (for the
desk to file a request) — never a name, address, phone, email or another person's items.
When the query fits more than one person the answer reveals nothing and asks for identity
verification. Every lookup is logged with its outcome and the kinds of criteria used, never
the values.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from breachflow.casestore import Case
from breachflow.errors import CaseStoreError, InputError
from breachflow.scoping.model import Person, PersonList
from breachflow.vocabulary import ITEM_LABELS_JA, DataItem

_EXTENSION = re.compile(r"(内線|ext\.?|x)\s*\d+\s*$", re.IGNORECASE)
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LookupOutcome(StrEnum):
    """What the desk may tell the caller."""

    affected = "affected"
    not_found = "not_found"
    verify_identity = "verify_identity"


class LookupQuery(_Frozen):
    """What the caller gave: a phone, an email, or name + birth date (any combination must all match)."""

    phone: str | None = None
    email: str | None = None
    name: str | None = None
    birth_date: date | None = None

    def methods(self) -> list[str]:
        """The kinds of criteria given (logged instead of the values)."""
        kinds = [("phone", self.phone), ("email", self.email), ("name+birth_date", self.name)]
        return [kind for kind, value in kinds if value]


class LookupAnswer(_Frozen):
    """The answer for the caller: never another person's data."""

    outcome: LookupOutcome
    affected: bool | None = Field(description="None when identity must be verified first")
    items: list[DataItem] = Field(default_factory=list)
    person_id: str | None = None
    message_ja: str

    def items_ja(self) -> str:
        """The items as Japanese labels, 、-separated."""
        return "、".join(ITEM_LABELS_JA[i] for i in self.items)


class LookupLog(Protocol):
    """Where lookups are recorded (outcome and criteria kinds only)."""

    def record(self, *, outcome: LookupOutcome, methods: list[str]) -> None:
        """Record one lookup."""


class TimelineLookupLog:
    """Records lookups in the case timeline."""

    def __init__(self, case: Case) -> None:
        self.case = case

    def record(self, *, outcome: LookupOutcome, methods: list[str]) -> None:
        """Append one timeline entry with the outcome and the criteria kinds."""
        label = {LookupOutcome.affected: "該当あり", LookupOutcome.not_found: "該当なし",
                 LookupOutcome.verify_identity: "本人確認が必要"}[outcome]
        self.case.timeline.append("requests.lookup", f"本人からの照会に回答（{label}）", outcome=outcome.value,
                                  methods=methods)


class RecordingLookupLog:
    """In-memory log for tests: keeps (outcome, methods) pairs."""

    def __init__(self) -> None:
        self.entries: list[tuple[LookupOutcome, list[str]]] = []

    def record(self, *, outcome: LookupOutcome, methods: list[str]) -> None:
        """Keep the entry in memory."""
        self.entries.append((outcome, list(methods)))


def normalise_phone(value: str) -> str | None:
    """E.164 form of a Japanese (or +CC) phone number, or None when it is not a valid number."""
    import phonenumbers

    text = _EXTENSION.sub("", unicodedata.normalize("NFKC", value)).strip()
    try:
        parsed = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _email_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _name_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    return re.sub(r"\s+", "", text).translate(_HIRAGANA_TO_KATAKANA).casefold()


def _matches(person: Person, *, phone: str | None, email: str | None, name: str | None, born: date | None) -> bool:
    if phone is not None and person.phone != phone:
        return False
    if email is not None and (person.email is None or _email_key(person.email) != email):
        return False
    if name is not None:
        names = {_name_key(n) for n in (person.name, person.kana) if n}
        if name not in names or person.birth_date != born:
            return False
    return True


def answer_lookup(*, persons: PersonList, query: LookupQuery, log: LookupLog) -> LookupAnswer:
    """Answer one "is my data affected?" query from the person list and log its outcome."""
    if not query.methods():
        raise InputError(None, "give --phone, --email, or --name with --birth-date")
    if query.name and query.birth_date is None:
        raise InputError(None, "--name needs --birth-date: a name alone does not identify a person")
    phone = None
    if query.phone:
        phone = normalise_phone(query.phone)
        if phone is None:
            raise InputError(None, "--phone: not a valid phone number; expected e.g. 090-1234-5678 or +81 90 1234 5678")
    email = _email_key(query.email) if query.email else None
    name = _name_key(query.name) if query.name else None
    matched = [
        p for p in persons.persons if _matches(p, phone=phone, email=email, name=name, born=query.birth_date)
    ]
    if not matched:
        answer = LookupAnswer(
            outcome=LookupOutcome.not_found, affected=False,
            message_ja="お伺いした情報では、今回の漏えい等の対象となった記録は見つかりませんでした。",
        )
    elif len(matched) == 1:
        person = matched[0]
        answer = LookupAnswer(
            outcome=LookupOutcome.affected, affected=True, items=list(person.items), person_id=person.person_id,
            message_ja="お客様の情報は今回の漏えい等の対象に含まれています。",
        )
    else:
        # Several persons fit: saying which items (or even that one of them is the caller) could
        # disclose someone else's data, so the desk verifies identity first.
        answer = LookupAnswer(
            outcome=LookupOutcome.verify_identity, affected=None,
            message_ja="ご本人様確認のうえで回答いたします。追加の確認事項をお伺いします。",
        )
    log.record(outcome=answer.outcome, methods=query.methods())
    return answer


def lookup_in_case(*, case: Case, query: LookupQuery, log: LookupLog | None = None) -> LookupAnswer:
    """Answer a lookup from the case's stored person list; logged in the case timeline by default."""
    from breachflow.scoping.case_scope import stored_persons

    if not case.has("persons.json"):
        raise CaseStoreError(
            f"case {case.incident_id}: no person list yet; run 'breachflow scope {case.incident_id}' first"
        )
    return answer_lookup(persons=stored_persons(case), query=query, log=log or TimelineLookupLog(case))
