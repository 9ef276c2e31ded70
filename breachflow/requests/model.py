"""Contacts from affected persons at the inquiry desk (問合せ窓口): inquiries, APPI requests, complaints.

Stored in the case folder (``requests/requests.json``) because a desk note may hold personal
data; the timeline only ever gets request ids, types, dates and counts.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, StringConstraints

# A reference to a person or a desk ticket is an id, never a name: it must look like one.
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:#/-]{1,40}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequestType(StrEnum):
    """What the person asked for."""

    inquiry = "inquiry"
    lookup = "lookup"
    disclosure = "disclosure"
    correction = "correction"
    deletion = "deletion"
    stop_use = "stop_use"
    complaint = "complaint"
    compensation = "compensation"


REQUEST_TYPE_LABELS_JA: dict[RequestType, str] = {
    RequestType.inquiry: "問合せ",
    RequestType.lookup: "漏えい対象か否かの照会",
    RequestType.disclosure: "開示の請求",
    RequestType.correction: "訂正等の請求",
    RequestType.deletion: "削除の請求",
    RequestType.stop_use: "利用停止等の請求",
    RequestType.complaint: "苦情",
    RequestType.compensation: "損害賠償の請求",
}


class Channel(StrEnum):
    """How the contact reached the desk."""

    phone = "phone"
    email = "email"
    letter = "letter"
    web = "web"
    visit = "visit"
    other = "other"


CHANNEL_LABELS_JA: dict[Channel, str] = {
    Channel.phone: "電話",
    Channel.email: "メール",
    Channel.letter: "書面",
    Channel.web: "ウェブフォーム",
    Channel.visit: "来訪",
    Channel.other: "その他",
}


class RequestStatus(StrEnum):
    """Stored status: a request is open until it is closed with a record of what was done."""

    open = "open"
    closed = "closed"


class ListedStatus(StrEnum):
    """Status as listed on a given day: open requests past their due date are overdue."""

    open = "open"
    overdue = "overdue"
    closed = "closed"


class DueRule(_Frozen):
    """How a request type's reply date is computed, and why."""

    days: int = Field(ge=1)
    business_days: bool = Field(description="count open days (weekends, holidays, 12-29…01-03 skipped)")
    basis: str
    source: str
    choice: bool = True


class Closure(_Frozen):
    """What was done: the reply, and for a deletion where the data was deleted (confirmation record)."""

    closed_on: date
    note: str = Field(min_length=1)
    deleted_from: list[str] = Field(default_factory=list, description="systems the data was deleted from")
    confirmation: str | None = Field(default=None, description="reference of the deletion confirmation record")
    suppressed: bool = Field(default=False, description="the person was added to the export suppression list")


class ContactRequest(_Frozen):
    """One contact from one person, tracked to closure."""

    request_id: str = Field(pattern=r"^R[0-9]{4,}$")
    type: RequestType
    channel: Channel = Channel.other
    received_on: date
    due_on: date
    due_basis: str
    person_ref: Ref | None = Field(default=None, description="the person's person_id in the case, if known")
    desk_ref: Ref | None = Field(default=None, description="the desk's own ticket number; re-imports skip it")
    note: str = Field(default="", description="desk note (case store only)")
    status: RequestStatus = RequestStatus.open
    closure: Closure | None = None

    def listed_status(self, today: date) -> ListedStatus:
        """open, overdue (open and past its due date) or closed, as of ``today``."""
        if self.status is RequestStatus.closed:
            return ListedStatus.closed
        return ListedStatus.overdue if today > self.due_on else ListedStatus.open


class RequestLog(_Frozen):
    """Every request of a case, in the order received."""

    requests: list[ContactRequest] = Field(default_factory=list)


class SuppressionList(_Frozen):
    """Person ids removed from later exports (notices, letters, call lists) after a deletion request."""

    person_ids: list[str] = Field(default_factory=list)


class TypeCount(_Frozen):
    """Counts for one request type."""

    type: RequestType
    label_ja: str
    received: NonNegativeInt
    open: NonNegativeInt
    overdue: NonNegativeInt
    closed: NonNegativeInt


class RequestCounts(_Frozen):
    """Counts by type and status as of a day: aggregates only, safe for artifacts and reports."""

    incident_id: str
    as_of: date
    by_type: list[TypeCount]
    total: NonNegativeInt
    open: NonNegativeInt
    overdue: NonNegativeInt
    closed: NonNegativeInt


class ImportOutcome(_Frozen):
    """What an import did (counts and ids only)."""

    added: list[str]
    skipped_duplicates: NonNegativeInt
