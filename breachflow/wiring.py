"""The one wiring point: the adapters a run needs, built from ``Settings``.

The CLI and the Prefect tasks both reach the domain through use cases that take a
``Wiring``; tests build one with fakes (``Wiring(settings=…, mailer_factory=…, clock=…)``)
instead of patching globals.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from breachflow.casestore import Case, CaseStore
from breachflow.intake.loader import today_jst
from breachflow.notification.ledger import Ledger
from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.mailer import Mailer, build_mailer
from breachflow.profile import Business, business_profile
from breachflow.settings import Settings, get_settings

OUTBOX_DIR = "notification/outbox"
LETTERS_DIR = "notification/letters"
CALLS_DIR = "notification/calls"


def _live_mailer(settings: Settings, case: Case) -> Mailer:
    return build_mailer(settings, outbox_dir=case.path(f"{OUTBOX_DIR}/x").parent)


@dataclass(frozen=True)
class Wiring:
    """Case store, per-case ledger and mailer, JST clock and business profile, from one ``Settings``."""

    settings: Settings
    clock: Callable[[], date] = today_jst
    mailer_factory: Callable[[Settings, Case], Mailer] = _live_mailer
    store: CaseStore = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "store", CaseStore(self.settings.cases_dir))

    def with_clock(self, clock: Callable[[], date]) -> Wiring:
        """The same adapters judging dates by another clock (``--as-of`` drills)."""
        return Wiring(settings=self.settings, clock=clock, mailer_factory=self.mailer_factory)

    def case(self, incident_id: str) -> Case:
        """An open case of the store (``CaseNotFound`` names the id otherwise)."""
        return self.store.get(incident_id)

    def today(self) -> date:
        """Today's date in Japan, where the APPI clock counts."""
        return self.clock()

    def ledger(self, case: Case) -> Ledger:
        """The case's notice ledger: the configured URL, else SQLite in the case folder."""
        return open_ledger(case.dir, self.settings.notification_ledger_url)

    def mailer(self, case: Case) -> Mailer:
        """A mailer for the case: the live relay when configured, else its encrypted outbox."""
        return self.mailer_factory(self.settings, case)

    def business(self, case: Case) -> Business:
        """The business as shown on this case's notices, reports and scripts."""
        return business_profile(case.intake(), self.settings)

    def sender(self, case: Case) -> str:
        """The From address of the case's notices: BREACHFLOW_MAIL_FROM, else the business's inquiry desk."""
        return self.settings.mail_from or self.business(case).email


_current: tuple[Settings, Wiring] | None = None


def get_wiring() -> Wiring:
    """The wiring for the current settings, built once per settings object."""
    global _current
    settings = get_settings()
    if _current is None:
        # Whatever process runs breachflow (the CLI, a Prefect worker, a script): every file it
        # creates is readable by its user only (the ledger's -wal/-shm, letters, logs).
        os.umask(0o077)
    if _current is None or _current[0] is not settings:
        _current = (settings, Wiring(settings=settings))
    return _current[1]
