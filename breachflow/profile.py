"""The business as every document shows it: from the incident's intake, the company profile in settings as fallback.

A notice, letter, call script or report states who sends it; that must be this incident's
business, never a value nobody entered. Outside demo mode a field that neither the intake nor
the settings give is refused with the intake field and the setting that would fill it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from breachflow.errors import ConfigError
from breachflow.intake.model import BusinessKind, Intake
from breachflow.settings import Settings

SELF_NAMES: dict[BusinessKind, str] = {
    BusinessKind.company: "当社", BusinessKind.clinic: "当院", BusinessKind.school: "当校",
    BusinessKind.association: "当会", BusinessKind.other: "当法人",
}

# Shown only in demo mode (BREACHFLOW_DEMO=1), where every document is marked as a demo anyway.
DEMO_PROFILE = {
    "address": "東京都千代田区丸の内一丁目1番1号（デモ）",
    "representative": "代表取締役 山田 太郎（デモ）",
    "desk_name": "個人情報お問合せ窓口（デモ）",
    "desk_phone": "0120-000-000",
    "desk_email": "privacy@example.invalid",
    "desk_hours": "平日9時〜17時",
}

# field → (intake path, setting) that fills it, for the error message.
SOURCES = {
    "address": ("business.address", "BREACHFLOW_BUSINESS_ADDRESS"),
    "representative": ("business.representative", "BREACHFLOW_BUSINESS_REPRESENTATIVE"),
    "desk_name": ("business.desk.name", "BREACHFLOW_BUSINESS_DESK_NAME"),
    "desk_phone": ("business.desk.phone", "BREACHFLOW_BUSINESS_DESK_PHONE"),
    "desk_email": ("business.desk.email", "BREACHFLOW_BUSINESS_DESK_EMAIL"),
}


class Business(BaseModel):
    """The sender and its inquiry desk, as printed on notices, letters, call scripts and reports."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: BusinessKind = BusinessKind.company
    address: str
    representative: str
    desk_name: str
    desk_phone: str
    desk_email: str
    desk_hours: str | None = None

    self_name: str = Field(default="", description="how it names itself: 当社, 当院, 当校, 当会 or 当法人")
    contact: str = Field(default="", description="the inquiry desk in one line: name, phone and hours")
    email: str = Field(default="", description="the inquiry desk's email address")

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: object) -> object:
        """Fill the derived fields from the stated ones (a dumped profile validates back unchanged)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        hours = f"（{data['desk_hours']}）" if data.get("desk_hours") else ""
        data["self_name"] = data.get("self_name") or SELF_NAMES[BusinessKind(data.get("kind", BusinessKind.company))]
        data["contact"] = data.get("contact") or f"{data.get('desk_name', '')} {data.get('desk_phone', '')}{hours}"
        data["email"] = data.get("email") or data.get("desk_email", "")
        return data


def business_profile(intake: Intake, settings: Settings) -> Business:
    """The incident's business: each field from the intake, else the settings, else (demo only) the demo value."""
    stated = intake.business
    desk = stated.desk
    values: dict[str, str | None] = {
        "address": stated.address or settings.business_address,
        "representative": stated.representative or settings.business_representative,
        "desk_name": (desk.name if desk else None) or settings.business_desk_name,
        "desk_phone": (desk.phone if desk else None) or settings.business_desk_phone,
        "desk_email": (desk.email if desk else None) or settings.business_desk_email,
        "desk_hours": (desk.hours if desk else None) or settings.business_desk_hours,
    }
    missing = [field for field in SOURCES if not values[field]]
    if missing and settings.demo:
        values.update({field: DEMO_PROFILE[field] for field in missing})
        values["desk_hours"] = values["desk_hours"] or DEMO_PROFILE["desk_hours"]
    elif missing:
        wanted = "; ".join(f"{SOURCES[f][0]} in the intake or {SOURCES[f][1]}" for f in missing)
        raise ConfigError(
            f"incident {intake.incident_id}: the sender's profile is incomplete, so no notice or report can say who "
            f"sends it; give {wanted}"
        )
    return Business(name=stated.name, kind=stated.kind, **values)
