"""APPI day counting in JST dates: day 1 is the discovery day; closed days roll forward."""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday
from pydantic import BaseModel, ConfigDict

from breachflow.obligations.rules import YEAR_END_CLOSED

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ClosedDay(BaseModel):
    """A day on which no deadline can fall, with the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day: date
    reason: str


class RolledDate(BaseModel):
    """A nominal deadline and the open day it moved to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nominal: date
    due: date
    skipped: list[ClosedDay]

    def explain(self) -> str:
        """One line: the nominal day and, when it moved, every closed day skipped."""
        if not self.skipped:
            return f"{self.nominal.isoformat()} ({weekday(self.nominal)}) is an open day"
        closed = ", ".join(f"{c.day.isoformat()} {c.reason}" for c in self.skipped)
        return f"rolled forward over {closed} to {self.due.isoformat()} ({weekday(self.due)})"


def weekday(day: date) -> str:
    """English three-letter weekday, e.g. 'Sat'."""
    return _WEEKDAYS[day.weekday()]


def nth_day(start: date, n: int) -> date:
    """The n-th day counting ``start`` as day 1."""
    return start + timedelta(days=n - 1)


def closed_reason(day: date, *, year_end: tuple[tuple[int, int], ...] = YEAR_END_CLOSED) -> str | None:
    """Why ``day`` is closed (year-end block, national holiday, weekend), or None when open."""
    if (day.month, day.day) in year_end:
        return "年末年始 (12-29…01-03)"
    holiday = jpholiday.is_holiday_name(day)
    if holiday:
        return f"祝日 {holiday}"
    if day.weekday() == 5:
        return "Saturday"
    if day.weekday() == 6:
        return "Sunday"
    return None


def roll_forward(day: date, *, year_end: tuple[tuple[int, int], ...] = YEAR_END_CLOSED) -> RolledDate:
    """Move a deadline that falls on a closed day to the next open day (GL 3-5-3-4 ※2)."""
    skipped: list[ClosedDay] = []
    due = day
    while (reason := closed_reason(due, year_end=year_end)) is not None:
        skipped.append(ClosedDay(day=due, reason=reason))
        due += timedelta(days=1)
    return RolledDate(nominal=day, due=due, skipped=skipped)
