"""The words a notice uses for this incident: who the persons are, what happened, and how sure it is.

A clinic writes to 患者様, a company to お客様 or 従業員の皆様; a leak that occurred is not
「漏えいしたおそれ」. One place decides these words for every notice, letter, script and 公表文.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from breachflow.intake.model import Certainty, EventKind, Subject

# Who the persons are, in running text (「当院がお預かりしている患者様の個人情報」) and when addressed.
GROUPS: dict[Subject, str] = {
    Subject.customer: "お客様", Subject.employee: "従業員の皆様", Subject.patient: "患者様",
    Subject.member: "会員様", Subject.student: "生徒・保護者の皆様", Subject.other: "関係者の皆様",
}
ADDRESSED: dict[Subject, str] = {
    Subject.customer: "お客様", Subject.employee: "皆様", Subject.patient: "患者様",
    Subject.member: "会員様", Subject.student: "皆様", Subject.other: "皆様",
}
EVENTS: dict[EventKind, str] = {EventKind.leak: "漏えい", EventKind.loss: "滅失", EventKind.damage: "毀損"}


class Wording(BaseModel):
    """The incident's words, ready to print (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str  # お客様, 従業員の皆様, 患者様, …
    you: str  # how the reader is addressed: お客様, 皆様, 患者様, …
    holds: str  # お預かりしている / 管理している
    event: str  # 漏えい, 滅失, 毀損
    happened: str  # 漏えいした / 漏えいしたおそれがある (ends a clause before 「こと」)
    happened_adj: str  # 漏えいした / 漏えいしたおそれのある (before a noun)
    title: str  # the notice's heading


def wording(*, subjects: list[Subject], kind: EventKind, certainty: Certainty) -> Wording:
    """The words for these persons, this kind of event and how sure it is."""
    kinds = list(dict.fromkeys(subjects)) or [Subject.other]
    if len(kinds) == 1:
        group, you = GROUPS[kinds[0]], ADDRESSED[kinds[0]]
    elif len(kinds) == 2:
        group, you = "及び".join(GROUPS[k] for k in kinds), "皆様"
    else:
        group, you = GROUPS[Subject.other], "皆様"
    event = EVENTS[kind]
    occurred = certainty is Certainty.occurred
    return Wording(
        group=group, you=you,
        holds="管理している" if kinds == [Subject.employee] else "お預かりしている",
        event=event,
        happened=f"{event}した" if occurred else f"{event}したおそれがある",
        happened_adj=f"{event}した" if occurred else f"{event}したおそれのある",
        title=f"個人情報の{event}に関するお詫びとお知らせ" if occurred
        else f"個人情報の{event}のおそれに関するお詫びとお知らせ",
    )
