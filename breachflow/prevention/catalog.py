"""The action templates: ``catalog/universal.yaml`` plus one ``catalog/<cause>.yaml`` per cause."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from breachflow.errors import ConfigError
from breachflow.prevention.model import CheckKind, EvidenceKind
from breachflow.vocabulary import Cause

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
UNIVERSAL_FILE = "universal.yaml"


class ActionTemplate(BaseModel):
    """One catalog entry; ``key`` identifies the action across re-plans."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    title_ja: str = Field(min_length=1)
    description_ja: str = Field(min_length=1)
    due_days: PositiveInt
    evidence: EvidenceKind
    evidence_hint_ja: str = Field(min_length=1)
    check: CheckKind | None = None

    @model_validator(mode="after")
    def _check_iff_automated(self) -> ActionTemplate:
        if (self.evidence is EvidenceKind.automated_check) != (self.check is not None):
            raise ValueError("'check' is required for evidence automated_check and only then")
        return self


class _CatalogFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    universal: bool = False
    cause: Cause | None = None
    actions: list[ActionTemplate] = Field(min_length=1)


def _load(path: Path) -> _CatalogFile:
    try:
        return _CatalogFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: not a valid prevention catalog file ({type(exc).__name__}: {exc})") from None


@lru_cache(maxsize=4)
def load_catalog(directory: Path = CATALOG_DIR) -> tuple[tuple[ActionTemplate, ...], dict[Cause, tuple[ActionTemplate, ...]]]:
    """The universal templates and the templates per cause; every cause must have its file."""
    universal = _load(directory / UNIVERSAL_FILE)
    if not universal.universal:
        raise ConfigError(f"{directory / UNIVERSAL_FILE}: expected 'universal: true'")
    by_cause: dict[Cause, tuple[ActionTemplate, ...]] = {}
    for cause in Cause:
        path = directory / f"{cause.value}.yaml"
        if not path.exists():
            raise ConfigError(f"{path}: missing; every cause needs a prevention catalog file")
        loaded = _load(path)
        if loaded.cause is not cause:
            raise ConfigError(f"{path}: 'cause' is {loaded.cause}, expected {cause.value}")
        by_cause[cause] = tuple(loaded.actions)
    universal_keys = {t.key for t in universal.actions}
    for cause, templates in by_cause.items():
        keys = [t.key for t in templates]
        clash = sorted((set(keys) & universal_keys) | {k for k in keys if keys.count(k) > 1})
        if clash:
            raise ConfigError(f"{directory / (cause.value + '.yaml')}: duplicate action keys {clash}")
    return tuple(universal.actions), by_cause


def templates_for(cause: Cause) -> list[tuple[ActionTemplate, bool]]:
    """(template, universal) pairs for a cause: the four universal measures first."""
    universal, by_cause = load_catalog()
    return [(t, True) for t in universal] + [(t, False) for t in by_cause[cause]]
