"""The notice plan: one notice per person per channel, with only that person's items."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from breachflow.intake.model import Certainty, EventKind, Subject
from breachflow.notification.policy import Channel, ChannelPolicy, choose_channels
from breachflow.notification.wording import Wording, wording
from breachflow.obligations.model import Decision
from breachflow.scoping.model import Person
from breachflow.vocabulary import CAUSE_LABELS_JA, ITEM_LABELS_JA, Cause, DataItem

PLAN_FILE = "notification/plan.json"

# The template files each channel is rendered from; their content hash is the template version.
CHANNEL_TEMPLATES: dict[Channel, tuple[str, ...]] = {
    Channel.email: ("email/subject.txt", "email/notice.txt", "email/notice.html"),
    Channel.letter: ("letters/letter.html", "letters/stamp.html", "letters/letter.css"),
    Channel.phone: ("phone/script.txt",),
    Channel.substitute: ("public/announcement.txt", "public/faq.txt"),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Notice(_Frozen):
    """One notice to one person over one channel (personal data stays in the case store)."""

    notice_id: str
    person_id: str
    channel: Channel
    items: list[DataItem]
    template_version: str
    rerouted_from: str | None = Field(default=None, description="notice id whose failure led here")


class NoticePlan(_Frozen):
    """Every notice planned for an incident; stored as ``notification/plan.json``."""

    incident_id: str
    template_versions: dict[Channel, str]
    notices: list[Notice]


class PlanCounts(_Frozen):
    """Aggregates only: safe for Prefect (counts per channel, persons, item-set variants)."""

    incident_id: str
    persons: int
    notices: int
    by_channel: dict[Channel, int]
    variants: int


class IncidentFacts(_Frozen):
    """What every notice says about the incident (no personal data, never the internal summary)."""

    incident_id: str
    title: str
    discovered_on: date
    occurred_on: date | None = None
    cause_ja: str
    public_summary: str = Field(default="", description="what happened, as told to the persons (event.public_summary)")
    words: Wording
    confirmed_harm: str | None = Field(default=None, description="secondary harm the officer confirmed (report item 5)")

    @classmethod
    def build(
        cls, *, incident_id: str, title: str, discovered_on: date, cause: Cause, public_summary: str | None = None,
        occurred_on: date | None = None, subjects: list[Subject] | None = None, kind: EventKind = EventKind.leak,
        certainty: Certainty = Certainty.occurred, confirmed_harm: str | None = None,
    ) -> IncidentFacts:
        """Facts from the intake's fields."""
        return cls(
            incident_id=incident_id, title=title, discovered_on=discovered_on, occurred_on=occurred_on,
            cause_ja=CAUSE_LABELS_JA[cause], public_summary=_sentence(public_summary),
            words=wording(subjects=subjects or [Subject.customer], kind=kind, certainty=certainty),
            confirmed_harm=confirmed_harm,
        )


def _sentence(text: str | None) -> str:
    """A stated summary as printed: stripped, ending with 「。」."""
    text = (text or "").strip()
    return text if not text or text.endswith(("。", "．", ".")) else text + "。"


def template_versions(templates_dir: Path) -> dict[Channel, str]:
    """Content hash (12 hex) of each channel's template files: changes whenever a template changes."""
    versions: dict[Channel, str] = {}
    for channel, names in CHANNEL_TEMPLATES.items():
        digest = hashlib.sha256()
        for name in names:
            digest.update(name.encode() + b"\0" + (templates_dir / name).read_bytes() + b"\0")
        versions[channel] = digest.hexdigest()[:12]
    return versions


def notice_id(incident_id: str, person_id: str, channel: Channel, template_version: str) -> str:
    """Deterministic notice id: the same incident, person, channel and template give the same id."""
    key = f"{incident_id}\0{person_id}\0{channel.value}\0{template_version}".encode()
    return f"N-{channel.value[:1].upper()}-{hashlib.sha256(key).hexdigest()[:20]}"


def make_notice(
    *, incident_id: str, person: Person, channel: Channel, versions: dict[Channel, str], rerouted_from: str | None = None
) -> Notice:
    """One notice for a person over a channel, carrying only that person's items."""
    version = versions[channel]
    return Notice(
        notice_id=notice_id(incident_id, person.person_id, channel, version),
        person_id=person.person_id,
        channel=channel,
        items=sorted(set(person.items), key=list(DataItem).index),
        template_version=version,
        rerouted_from=rerouted_from,
    )


def build_plan(
    *, incident_id: str, persons: list[Person], decision: Decision | None, policy: ChannelPolicy,
    versions: dict[Channel, str],
) -> NoticePlan:
    """Plan one notice per person per chosen channel; an empty plan when no notice is required."""
    if decision is not None and not decision.individual_notice_required:
        return NoticePlan(incident_id=incident_id, template_versions=versions, notices=[])
    notices = [
        make_notice(incident_id=incident_id, person=person, channel=channel, versions=versions)
        for person in persons
        for channel in choose_channels(person, policy)
    ]
    return NoticePlan(incident_id=incident_id, template_versions=versions, notices=notices)


def plan_counts(plan: NoticePlan) -> PlanCounts:
    """Counts per channel and item-set variant, for orchestration and the approval gate."""
    by_channel = Counter(n.channel for n in plan.notices)
    return PlanCounts(
        incident_id=plan.incident_id,
        persons=len({n.person_id for n in plan.notices}),
        notices=len(plan.notices),
        by_channel={c: by_channel.get(c, 0) for c in Channel},
        variants=len(item_variants(plan)),
    )


def item_variants(plan: NoticePlan) -> dict[tuple[Channel, tuple[DataItem, ...]], int]:
    """How many notices share each (channel, item set): the preview renders one sample of each."""
    return dict(Counter((n.channel, tuple(n.items)) for n in plan.notices))


def item_labels(items: list[DataItem]) -> list[str]:
    """Japanese labels of items, in vocabulary order (氏名、住所、電話番号…), whatever order they came in."""
    order = list(DataItem)
    return [ITEM_LABELS_JA[item] for item in sorted(set(items), key=order.index)]
