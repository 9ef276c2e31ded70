"""A wiring with fakes (recording mailer, fixed JST clock) and an opened, scoped example case."""

from __future__ import annotations

from datetime import date

import pytest

from breachflow.notification.mailer import RecordingMailer
from breachflow.settings import get_settings
from breachflow.usecases import response, scoping
from breachflow.wiring import Wiring
from tests.conftest import REPO

INCIDENT = REPO / "examples" / "stolen-bag" / "incident.yaml"
TODAY = date(2026, 11, 12)


@pytest.fixture
def mailer() -> RecordingMailer:
    """The fake relay every email of the test goes to."""
    return RecordingMailer()


@pytest.fixture
def wiring(mailer: RecordingMailer) -> Wiring:
    """The adapters of a run, with the fake mailer and a fixed clock passed in (nothing patched)."""
    return Wiring(settings=get_settings(), clock=lambda: TODAY, mailer_factory=lambda settings, case: mailer)


@pytest.fixture
def scoped(wiring: Wiring) -> str:
    """The stolen-bag example opened and scoped; returns its incident id."""
    case = response.open_or_update(wiring, INCIDENT, as_of=TODAY)
    scoping.scope(wiring, case.incident_id)
    return case.incident_id
