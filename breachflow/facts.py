"""Effective facts: the intake, completed by what scoping measured."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from breachflow.intake.model import Intake, PersonRange
from breachflow.scoping.model import ScopeSummary


class FactSource(BaseModel):
    """Where one effective fact came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    source: str  # "intake" | "scope" | "intake-override"
    intake_value: str | None
    scope_value: str | None


def effective_intake(intake: Intake, scope: ScopeSummary | None) -> tuple[Intake, list[FactSource]]:
    """Fill affected_persons and items from the scope unless the intake states them (an override)."""
    if scope is None:
        return intake, []
    sources: list[FactSource] = []
    data = intake.data
    updates: dict[str, object] = {}
    scope_range = PersonRange(min=scope.persons, max=scope.persons)
    scope_items = sorted(scope.items)
    for field, stated, measured in (
        ("data.affected_persons", data.affected_persons, scope_range),
        ("data.items", sorted(data.items) if data.items else None, scope_items),
    ):
        name = field.split(".")[1]
        if stated is None:
            updates[name] = measured
            sources.append(FactSource(field=field, source="scope", intake_value=None, scope_value=str(measured)))
        elif stated != measured:
            sources.append(
                FactSource(field=field, source="intake-override", intake_value=str(stated), scope_value=str(measured))
            )
    if not updates:
        return intake, sources
    new_data = data.model_copy(update=updates)
    return intake.model_copy(update={"data": new_data}), sources
