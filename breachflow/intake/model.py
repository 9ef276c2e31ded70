"""Pydantic model of the intake file (``docs/intake-format.md``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, NonNegativeInt, StringConstraints, model_validator

from breachflow.japan import parse_date
from breachflow.vocabulary import Cause, DataItem

IncidentId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Sector(StrEnum):
    """Business sector; decides which authority receives the report."""

    general = "general"
    bank = "bank"
    insurance = "insurance"
    securities = "securities"
    credit_bureau = "credit_bureau"
    credit_purchase = "credit_purchase"


class Role(StrEnum):
    """Controller (本人/委託元) or processor (委託先)."""

    controller = "controller"
    processor = "processor"


class EventKind(StrEnum):
    """漏えい / 滅失 / 毀損."""

    leak = "leak"
    loss = "loss"
    damage = "damage"


class Certainty(StrEnum):
    """Occurred, or suspected (おそれ counts the same)."""

    occurred = "occurred"
    suspected = "suspected"


class Medium(StrEnum):
    """Paper, electronic, or both."""

    paper = "paper"
    electronic = "electronic"
    both = "both"


class Encryption(StrEnum):
    """none, or high_level (CRYPTREC-listed cipher, properly implemented)."""

    none = "none"
    high_level = "high_level"


class Subject(StrEnum):
    """Whose data it is."""

    customer = "customer"
    employee = "employee"
    patient = "patient"
    member = "member"
    student = "student"
    other = "other"


class BusinessKind(StrEnum):
    """What kind of body the business is; chooses how it names itself (当社 / 当院 / 当校 / 当会 / 当法人)."""

    company = "company"
    clinic = "clinic"
    school = "school"
    association = "association"
    other = "other"


class DataForm(StrEnum):
    """The form of the leaked data: personal data, 仮名加工情報 (Art. 41(9)), or statistics (no personal data)."""

    personal = "personal"
    pseudonymised = "pseudonymised"
    statistical = "statistical"


class Jurisdiction(StrEnum):
    """Regimes that may apply beside APPI."""

    JP = "JP"
    EU = "EU"
    KR = "KR"
    US_CA = "US-CA"
    US_NY = "US-NY"


class Desk(_Model):
    """The inquiry desk printed on every notice: its name, phone, email and hours."""

    name: str = Field(min_length=1)
    phone: str | None = None
    email: str | None = None
    hours: str | None = None


def _japanese_date(value: Any) -> Any:
    """Also accept 2026/12/02 and 令和8年12月2日 where a date is asked for; anything else is left to pydantic."""
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return value


Day = Annotated[date, BeforeValidator(_japanese_date)]


class Business(_Model):
    """The reporting business (個人情報取扱事業者); the sender of every notice, letter, script and report."""

    name: str = Field(min_length=1)
    sector: Sector = Sector.general
    role: Role = Role.controller
    client: str | None = None
    client_notified_on: Day | None = None
    kind: BusinessKind = BusinessKind.company
    address: str | None = Field(default=None, description="所在地, as printed on reports and letters")
    representative: str | None = Field(default=None, description="代表者 (title and name)")
    desk: Desk | None = None


class Event(_Model):
    """What happened."""

    kind: EventKind = EventKind.leak
    certainty: Certainty = Certainty.occurred
    cause: Cause
    wrongful_purpose: bool | None = None
    medium: Medium = Medium.electronic
    recovered_before_viewed: bool = False
    summary: str = Field(default="", description="概要 for the report: internal, never printed on a notice")
    public_summary: str | None = Field(
        default=None, description="what happened, as told to the affected persons and the public (公表文)"
    )


class Protection(_Model):
    """How the leaked data was protected."""

    encryption: Encryption = Encryption.none
    key_compromised: bool = False
    remote_wipe_done: bool = False


class PersonRange(_Model):
    """Number of affected persons; ``max`` is used for the 1,000-person test."""

    min: NonNegativeInt
    max: NonNegativeInt

    @model_validator(mode="after")
    def _min_not_above_max(self) -> PersonRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self


class Data(_Model):
    """What leaked and about whom."""

    subjects: list[Subject] = Field(default_factory=lambda: [Subject.customer], min_length=1)
    dataset: str | None = None
    header: bool | None = Field(
        default=None,
        description="false when the dataset has no header row: every row is a person, columns are 列1, 列2, …; "
        "true to confirm a first row with no known header word as the header (unset: such a row is refused)",
    )
    affected_persons: PersonRange | None = None
    items: list[DataItem] = Field(default_factory=list)
    financial_damage_risk: bool | None = None
    form: DataForm = DataForm.personal
    override_reason: str | None = Field(
        default=None, description="why affected_persons/items differ from what the dataset's scope measured"
    )


class EuFacts(_Model):
    """GDPR facts: when the controller became aware, how many EU persons."""

    aware_at: datetime
    persons: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _aware_at_has_zone(self) -> EuFacts:
        if self.aware_at.tzinfo is None:
            raise ValueError("aware_at needs a UTC offset, e.g. 2026-11-10T09:00:00+01:00")
        return self


class PoliceFacts(_Model):
    """A police report once filed."""

    station: str = Field(min_length=1)
    filed_on: Day | None = None
    receipt_no: str | None = None


class TimelineEntry(_Model):
    """One fact of the 事実経過."""

    at: datetime | date
    text: str


class Intake(_Model):
    """An incident as reported: the facts known at intake time."""

    incident_id: IncidentId
    title: str = Field(min_length=1)
    business: Business
    discovered_on: Day
    occurred_on: Day | None = None
    discovered_by: str | None = None
    event: Event
    protection: Protection = Field(default_factory=Protection)
    data: Data
    jurisdictions: list[Jurisdiction] = Field(default_factory=lambda: [Jurisdiction.JP])
    eu: EuFacts | None = None
    police: PoliceFacts | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    expected: dict[str, Any] | None = None

    def consistency_problems(self, *, today: date | None = None) -> list[tuple[str, str]]:
        """Contradictions between fields, as (field path, message) pairs."""
        problems: list[tuple[str, str]] = []
        if self.business.role is Role.processor and not self.business.client:
            problems.append(("business.client", "a processor must name its client (the controller)"))
        if self.business.role is Role.controller and self.business.client_notified_on:
            problems.append(
                ("business.client_notified_on", "only a processor notifies a client; set role: processor")
            )
        if Jurisdiction.EU in self.jurisdictions and self.eu is None:
            problems.append(("eu.aware_at", "EU is listed in jurisdictions, so eu.aware_at is required"))
        if self.eu is not None and Jurisdiction.EU not in self.jurisdictions:
            problems.append(("jurisdictions", "eu facts are given, so EU must be listed"))
        if Jurisdiction.JP not in self.jurisdictions:
            problems.append(("jurisdictions", "JP always applies; list it"))
        if self.data.dataset is None and self.data.affected_persons is None:
            problems.append(("data.affected_persons", "required unless data.dataset names the leaked list"))
        if self.data.dataset is None and not self.data.items:
            problems.append(("data.items", "list the leaked items unless data.dataset names the leaked list"))
        if today is not None and self.discovered_on > today:
            problems.append(("discovered_on", f"{self.discovered_on} is in the future (today is {today})"))
        if self.occurred_on and self.occurred_on > self.discovered_on:
            problems.append(("occurred_on", "must not be after discovered_on"))
        if self.business.client_notified_on and self.business.client_notified_on < self.discovered_on:
            problems.append(("business.client_notified_on", "must not be before discovered_on"))
        if today is not None and self.business.client_notified_on and self.business.client_notified_on > today:
            problem = (
                f"{self.business.client_notified_on} is in the future (today is {today}); give the day the "
                "client was actually informed, or leave it null until then"
            )
            problems.append(("business.client_notified_on", problem))
        return problems
