"""Hand-off models of the scoping stage: the person list and the scope summary."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from breachflow.vocabulary import DataItem


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Person(_Frozen):
    """One affected person after normalisation and merging (personal data: case store only).

    ``items`` lists only the items that had a value in this person's rows, so a notice can
    tell each person exactly what leaked about them.
    """

    person_id: str = Field(description="stable within the dataset, e.g. P000001 in first-row order")
    source_rows: list[int] = Field(description="1-based data row numbers (file line numbers) merged into this person")
    items: list[DataItem]
    name: str | None = None
    kana: str | None = None
    postal_code: str | None = Field(default=None, description="7 digits, no hyphen")
    address1: str | None = None
    address2: str | None = None
    prefecture: str | None = None
    phone: str | None = Field(default=None, description="E.164, e.g. +819012345678")
    email: str | None = None
    birth_date: date | None = None
    gender: str | None = Field(default=None, description="male | female | other | None")
    occupation: str | None = None
    sensitive: bool = False
    financial: bool = False


class Contactable(_Frozen):
    """How many persons each channel can reach."""

    email: int
    postal: int
    phone: int
    none: int


class ScopeSummary(_Frozen):
    """Aggregates only: safe to show in Prefect. The ``assess``/``scope --json`` contract."""

    rows: int
    persons: int
    duplicates_merged: int
    weak_merges: int = Field(
        default=0, description="persons merged on a birth date and an address alone (no phone or e-mail in common): to review"
    )
    near_merges: int = Field(
        default=0, description="groups of namesakes kept apart that share one birth date or one address: to review"
    )
    columns: dict[str, str] = Field(description="header -> data item (or 'ignored')")
    items: list[DataItem]
    sensitive: bool
    financial: bool
    by_prefecture: dict[str, int]
    by_age_band: dict[str, int]
    by_gender: dict[str, int]
    by_occupation: dict[str, int]
    contactable: Contactable


class PersonList(_Frozen):
    """The scoped person list stored in the case folder for the notification stage."""

    dataset_sha256: str
    persons: list[Person]
