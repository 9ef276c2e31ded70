"""The liability summary (PPC recommendation/order, penalties, damages) as data with sources."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

LIABILITY_FILE = Path(__file__).resolve().parent / "liability.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LiabilityLine(_Frozen):
    """One exposure with the provision it rests on."""

    key: str
    text_ja: str
    text_en: str
    source: str = Field(min_length=1)


class LiabilitySummary(_Frozen):
    """Every exposure line plus the caveat that no amount is estimated."""

    version: str
    heading_ja: str
    heading_en: str
    lines: list[LiabilityLine] = Field(min_length=1)
    note_ja: str
    note_en: str


@lru_cache(maxsize=2)
def liability_summary(path: Path = LIABILITY_FILE) -> LiabilitySummary:
    """The liability summary shipped with breachflow (read once per process)."""
    return LiabilitySummary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def liability_text_lines() -> list[str]:
    """The summary as plain lines for the officer's terminal summary (Japanese, English, source)."""
    summary = liability_summary()
    lines = [f"{summary.heading_ja} / {summary.heading_en}:"]
    for line in summary.lines:
        lines.append(f"  - {line.text_ja} / {line.text_en} [{line.source}]")
    lines.append(f"  ※ {summary.note_ja} / {summary.note_en}")
    return lines
