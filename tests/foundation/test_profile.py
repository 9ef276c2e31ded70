"""The sender of every document is this incident's business; a missing field is refused, never made up."""

from __future__ import annotations

import pytest

from breachflow.errors import ConfigError
from breachflow.intake.loader import parse_intake
from breachflow.profile import business_profile
from breachflow.settings import Settings

RAW = {
    "incident_id": "CLINIC-1", "title": "健診結果の誤送付", "discovered_on": "2026-11-10",
    "business": {"name": "医療法人試験会 試験クリニック", "kind": "clinic", "address": "大阪府大阪市北区試験町1-2",
                 "representative": "理事長 試験 次郎",
                 "desk": {"name": "患者様相談窓口", "phone": "06-0000-1111", "email": "desk@clinic.example",
                          "hours": "平日9時〜12時"}},
    "event": {"cause": "misdelivery"}, "data": {"subjects": ["patient"], "affected_persons": {"min": 40, "max": 40},
                                                "items": ["name", "medical_checkup"]},
}


def _intake(**business):
    raw = {**RAW, "business": {**RAW["business"], **business}}
    return parse_intake(raw, check_future=False)


def test_the_intakes_business_is_the_sender_even_when_a_company_profile_is_configured():
    """Every field stated in the intake wins over the settings' company profile."""
    profile = business_profile(_intake(), Settings())
    assert profile.name == "医療法人試験会 試験クリニック" and profile.self_name == "当院"
    assert profile.address == "大阪府大阪市北区試験町1-2" and profile.representative == "理事長 試験 次郎"
    assert profile.contact == "患者様相談窓口 06-0000-1111（平日9時〜12時）" and profile.email == "desk@clinic.example"


def test_absent_fields_fall_back_to_the_company_profile():
    """A field the intake leaves out comes from BREACHFLOW_BUSINESS_*."""
    profile = business_profile(_intake(address=None, desk=None), Settings())
    settings = Settings()
    assert profile.address == settings.business_address
    assert profile.desk_phone == settings.business_desk_phone


def test_a_field_nobody_gave_is_refused_outside_demo_mode(monkeypatch):
    """No intake value and no setting: a clear error naming both places, instead of a sample value."""
    for name in ("ADDRESS", "DESK_PHONE"):
        monkeypatch.delenv(f"BREACHFLOW_BUSINESS_{name}", raising=False)
    with pytest.raises(ConfigError) as caught:
        business_profile(_intake(address=None, desk={"name": "窓口"}), Settings())
    message = str(caught.value)
    assert "business.address" in message and "BREACHFLOW_BUSINESS_ADDRESS" in message
    assert "business.desk.phone" in message and "BREACHFLOW_BUSINESS_DESK_PHONE" in message
    assert "サンプル" not in message


def test_demo_mode_fills_gaps_with_values_marked_as_demo(monkeypatch):
    """In demo mode a gap is filled, visibly marked （デモ）, so a demo document cannot pass for a real one."""
    monkeypatch.delenv("BREACHFLOW_BUSINESS_ADDRESS", raising=False)
    profile = business_profile(_intake(address=None), Settings(demo=True))
    assert "デモ" in profile.address


def test_a_dumped_profile_validates_back_unchanged():
    """The profile travels inside notice contexts as a dict and comes back equal."""
    profile = business_profile(_intake(), Settings())
    assert type(profile).model_validate(profile.model_dump()) == profile
