"""Facts later stages record for the report (items 5-9) and the submission log, in the case folder.

``report_facts.json`` holds what the business did after the incident (notices, publication,
prevention, police) plus any item text a user wrote by hand; ``report_submissions.json``
holds the 速報/確報/追完 submissions. Both files live in the case store, because free text
written by a person may contain personal data; timeline entries carry ids and counts only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from breachflow.casestore import Case
from breachflow.errors import CaseStoreError, RenderError

REPORT_FACTS_FILE = "report_facts.json"
SUBMISSIONS_FILE = "report_submissions.json"
ITEM_NUMBERS = range(1, 10)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportKind(StrEnum):
    """速報, 確報 or 追完."""

    preliminary = "preliminary"
    final = "final"
    supplement = "supplement"


REPORT_KIND_LABELS_JA: dict[ReportKind, str] = {
    ReportKind.preliminary: "速報",
    ReportKind.final: "確報",
    ReportKind.supplement: "追完",
}


class SecondaryDamage(_Frozen):
    """Item 5: whether secondary damage occurred or may occur, and what it is."""

    present: bool = Field(description="True if damage occurred or is feared")
    description: str = ""


class NoticeStatus(_Frozen):
    """Item 6: individual notices (counts of persons only) and substitute measures.

    ``sent`` counts persons a notice really went out to: an email handed to a relay, a letter
    handed to the post, a call that reached them. The channel counts split it (a person may
    be counted under two channels). ``outbox`` and ``letters_rendered`` count persons whose
    notice was made but has not gone out; on their own they never count as ``sent``.
    """

    targets: NonNegativeInt = Field(description="persons to be notified")
    sent: NonNegativeInt = Field(description="persons at least one notice actually went out to")
    undeliverable: NonNegativeInt = 0
    substitute_measures: str = Field(default="", description="e.g. 公表及び問合せ窓口の設置")
    as_of: date
    emailed: NonNegativeInt = Field(default=0, description="persons whose email was handed to a mail relay")
    letters_posted: NonNegativeInt = Field(default=0, description="persons whose letter was handed to the post")
    phoned: NonNegativeInt = Field(default=0, description="persons reached by a phone call")
    outbox: NonNegativeInt = Field(default=0, description="persons whose email was only written to the outbox (not sent)")
    letters_rendered: NonNegativeInt = Field(
        default=0, description="persons whose letter is printed but not yet handed to the post"
    )

    @model_validator(mode="after")
    def _counts_consistent(self) -> NoticeStatus:
        if self.sent > self.targets:
            raise ValueError(f"sent ({self.sent}) must not exceed targets ({self.targets})")
        if self.undeliverable > self.sent:
            raise ValueError(f"undeliverable ({self.undeliverable}) must not exceed sent ({self.sent})")
        for name in ("emailed", "letters_posted", "phoned"):
            if getattr(self, name) > self.sent:
                raise ValueError(f"{name} ({getattr(self, name)}) must not exceed sent ({self.sent})")
        for name in ("outbox", "letters_rendered"):
            if getattr(self, name) > self.targets:
                raise ValueError(f"{name} ({getattr(self, name)}) must not exceed targets ({self.targets})")
        return self

    @property
    def by_channel(self) -> bool:
        """Whether the channel counts were given (older records carry only ``sent``)."""
        return bool(self.emailed or self.letters_posted or self.phoned)


class RequestTally(_Frozen):
    """Item 6: one kind of contact at the inquiry desk (問合せ窓口), counted."""

    label_ja: str = Field(min_length=1, description="e.g. 問合せ, 削除の請求")
    received: NonNegativeInt
    closed: NonNegativeInt

    @model_validator(mode="after")
    def _closed_not_above_received(self) -> RequestTally:
        if self.closed > self.received:
            raise ValueError(f"closed ({self.closed}) must not exceed received ({self.received})")
        return self


class RequestSummary(_Frozen):
    """Item 6: contacts and requests from affected persons, counts only (fed by breachflow requests)."""

    as_of: date
    by_type: list[RequestTally] = Field(default_factory=list)
    overdue: NonNegativeInt = 0


class Publication(_Frozen):
    """Item 7: whether (and where) the incident was published."""

    published: bool
    published_on: date | None = None
    channel: str = Field(default="", description="e.g. 当社ウェブサイト")
    note: str = Field(default="", description="why not published, or what was published")


class MeasureStatus(StrEnum):
    """A prevention measure is done or planned."""

    done = "done"
    planned = "planned"


class PreventionMeasure(_Frozen):
    """Item 8: one prevention measure with its (planned) date."""

    text: str = Field(min_length=1)
    status: MeasureStatus
    on: date | None = None


class PoliceContact(StrEnum):
    """What the business did at the police: filed a 被害届, or consulted (e.g. the cybercrime desk)."""

    damage_report = "damage_report"
    consultation = "consultation"


class PoliceFiling(_Frozen):
    """Item 9: a police contact as recorded; a 被害届 counts as received only with its 受理番号."""

    station: str = Field(min_length=1, description="police station or desk, e.g. 渋谷警察署")
    receipt_no: str | None = Field(default=None, min_length=1, description="受理番号 (被害届) or the desk's reference")
    filed_on: date
    kind: PoliceContact = PoliceContact.damage_report


class ItemOverride(_Frozen):
    """A report item written by a user: text, or unknown with the reason it is unknown."""

    text: str | None = None
    unknown_reason: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ItemOverride:
        if (self.text is None) == (self.unknown_reason is None):
            raise ValueError("give exactly one of text or unknown_reason")
        if (self.text if self.text is not None else self.unknown_reason or "").strip() == "":
            raise ValueError("text / unknown_reason must not be blank")
        return self


class ReportFacts(_Frozen):
    """Everything the case store knows for report items 5-9, plus hand-written items."""

    secondary_damage: SecondaryDamage | None = None
    notices: NoticeStatus | None = None
    requests: RequestSummary | None = None
    publication: Publication | None = None
    prevention: list[PreventionMeasure] = Field(default_factory=list)
    police: PoliceFiling | None = None
    items: dict[int, ItemOverride] = Field(default_factory=dict, description="item number 1-9 -> override")

    @model_validator(mode="after")
    def _item_numbers(self) -> ReportFacts:
        wrong = sorted(n for n in self.items if n not in ITEM_NUMBERS)
        if wrong:
            raise ValueError(f"report items are numbered 1-9; got {wrong}")
        return self


def confirmed_harm(facts: ReportFacts) -> str | None:
    """The secondary harm the officer confirmed: item 5 written by hand, else a recorded damage; None if none.

    This is the ``confirmed`` argument of ``breachflow.harm.secondary_harm`` for the report and the notices alike.
    """
    override = facts.items.get(5)
    if override is not None and override.text is not None:
        return override.text
    damage = facts.secondary_damage
    if damage is not None and damage.present:
        return damage.description.strip() or "二次被害又はそのおそれが確認されています。"
    return None


class Submission(_Frozen):
    """One report as handed to the authority."""

    kind: ReportKind
    at: datetime
    ref: str = Field(min_length=1, description="the authority's receipt / reference number")


class SubmissionLog(_Frozen):
    """Every submission of a case, oldest first."""

    submissions: list[Submission] = Field(default_factory=list)

    def last(self, kind: ReportKind) -> Submission | None:
        """The latest submission of one kind."""
        matching = [s for s in self.submissions if s.kind is kind]
        return matching[-1] if matching else None


def read_report_facts(*, case: Case) -> ReportFacts:
    """The case's report facts (empty if nothing was recorded yet)."""
    return case.read_model(REPORT_FACTS_FILE, ReportFacts) if case.has(REPORT_FACTS_FILE) else ReportFacts()


def update_report_facts(*, case: Case, **changes: Any) -> ReportFacts:
    """Replace some fields of the report facts (validated) and store them; e.g. notices=NoticeStatus(...)."""
    unknown = sorted(set(changes) - set(ReportFacts.model_fields))
    if unknown:
        raise CaseStoreError(f"case {case.incident_id}: {REPORT_FACTS_FILE} has no field(s) {unknown}")
    current = read_report_facts(case=case)
    updated = ReportFacts.model_validate({**dict(current), **changes})
    case.write_model(REPORT_FACTS_FILE, updated)
    return updated


def add_prevention_measure(*, case: Case, measure: PreventionMeasure) -> ReportFacts:
    """Append one prevention measure (item 8)."""
    current = read_report_facts(case=case)
    updated = update_report_facts(case=case, prevention=[*current.prevention, measure])
    case.timeline.append(
        "report.prevention_recorded",
        f"再発防止策を記録（{'実施済' if measure.status is MeasureStatus.done else '予定'}）",
        status=measure.status.value,
        on=measure.on,
        measures=len(updated.prevention),
    )
    return updated


def set_report_item(*, case: Case, item: int, text: str | None, unknown_reason: str | None) -> ReportFacts:
    """Fill one report item by hand: its text, or that it is unknown and why."""
    if item not in ITEM_NUMBERS:
        raise RenderError(f"case {case.incident_id}: report item {item} does not exist; items are numbered 1-9")
    try:
        override = ItemOverride(text=text, unknown_reason=unknown_reason)
    except ValueError:
        raise RenderError(
            f"case {case.incident_id}: report item {item}: give exactly one of --text or --unknown-reason (not blank)"
        ) from None
    current = read_report_facts(case=case)
    updated = update_report_facts(case=case, items={**current.items, item: override})
    case.timeline.append(
        "report.item_set",
        f"報告事項{item}を{'記入' if text is not None else '不明（理由付き）として記録'}",
        item=item,
        unknown=text is None,
    )
    return updated


def record_police_filing(*, case: Case, station: str, receipt_no: str | None, filed_on: date,
                         kind: PoliceContact = PoliceContact.damage_report) -> ReportFacts:
    """Store the police contact (station, date, 受理番号 if given; report item 9) and note it in the timeline."""
    kind = PoliceContact(kind)
    try:
        filing = PoliceFiling(station=station.strip(), receipt_no=(receipt_no or "").strip() or None,
                              filed_on=filed_on, kind=kind)
    except ValueError:
        raise CaseStoreError(f"case {case.incident_id}: a police record needs the station") from None
    updated = update_report_facts(case=case, police=filing)
    # Station and receipt number identify the business's filing, not a person: safe in the timeline.
    if kind is PoliceContact.consultation:
        ref = f"、受付番号 {filing.receipt_no}" if filing.receipt_no else ""
        message = f"{filing.station}に相談（{filing.filed_on.isoformat()}{ref}）"
    else:
        ref = f"受理番号 {filing.receipt_no}" if filing.receipt_no else "受理番号未記録"
        message = f"{filing.station}に被害届を提出（{ref}、{filing.filed_on.isoformat()}）"
    case.timeline.append(
        "police.consulted" if kind is PoliceContact.consultation else "police.filed",
        message,
        station=filing.station,
        receipt_no=filing.receipt_no,
        filed_on=filing.filed_on,
    )
    return updated


def read_submissions(*, case: Case) -> SubmissionLog:
    """The case's submission log (empty if nothing was submitted)."""
    return case.read_model(SUBMISSIONS_FILE, SubmissionLog) if case.has(SUBMISSIONS_FILE) else SubmissionLog()


def record_submission(*, case: Case, kind: ReportKind, at: datetime, ref: str) -> SubmissionLog:
    """Record that a 速報/確報/追完 was submitted (state file and timeline)."""
    if not ref.strip():
        raise CaseStoreError(f"case {case.incident_id}: --ref must name the authority's receipt or reference number")
    log = read_submissions(case=case)
    if kind is ReportKind.supplement and log.last(ReportKind.final) is None:
        raise CaseStoreError(f"case {case.incident_id}: a 追完 supplements a 確報; record the final report first")
    updated = SubmissionLog(submissions=[*log.submissions, Submission(kind=kind, at=at, ref=ref.strip())])
    case.write_model(SUBMISSIONS_FILE, updated)
    case.timeline.append(
        "report.submitted",
        f"漏えい等報告（{REPORT_KIND_LABELS_JA[kind]}）を提出（受付番号 {ref.strip()}）",
        report_kind=kind.value,
        submitted_at=at,
        ref=ref.strip(),
    )
    return updated
