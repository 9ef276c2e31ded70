"""APPI day counting: day 1 is discovery; closed days (weekend, holiday, year-end) roll forward."""

from __future__ import annotations

from datetime import date

import jpholiday

from breachflow.obligations import assess
from breachflow.obligations.deadlines import closed_reason, nth_day, roll_forward
from tests.obligations.helpers import make_intake


def test_discovery_day_is_day_one() -> None:
    """Day 1 is the discovery day itself, so day 30 is 29 days later."""
    assert nth_day(date(2026, 6, 1), 1) == date(2026, 6, 1)
    assert nth_day(date(2026, 6, 1), 30) == date(2026, 6, 30)


def test_open_weekday_does_not_move() -> None:
    """A Tuesday that is no holiday stays put and nothing is skipped."""
    rolled = roll_forward(date(2026, 6, 30))
    assert rolled.due == date(2026, 6, 30) and rolled.skipped == []


def test_saturday_rolls_to_monday() -> None:
    """A Saturday deadline moves over Saturday and Sunday to Monday."""
    rolled = roll_forward(date(2026, 6, 6))
    assert rolled.due == date(2026, 6, 8)
    assert [c.reason for c in rolled.skipped] == ["Saturday", "Sunday"]


def test_happy_monday_holiday_comes_from_jpholiday() -> None:
    """成人の日 2027 (second Monday of January) is closed, named as jpholiday names it."""
    monday = date(2027, 1, 11)
    assert jpholiday.is_holiday(monday)
    rolled = roll_forward(monday)
    assert rolled.due == date(2027, 1, 12)
    assert rolled.skipped[0].reason == f"祝日 {jpholiday.is_holiday_name(monday)}"


def test_year_end_block_is_closed_even_on_weekdays() -> None:
    """12-29 … 01-03 are closed whatever the weekday; 12-28 and 01-04 are not."""
    assert closed_reason(date(2026, 12, 29)) is not None  # a Tuesday
    assert closed_reason(date(2026, 12, 30)) is not None
    assert closed_reason(date(2027, 1, 3)) is not None
    assert closed_reason(date(2026, 12, 28)) is None
    assert roll_forward(date(2026, 12, 29)).due == date(2027, 1, 4)


def test_chain_of_weekend_and_holidays() -> None:
    """Saturday 2026-09-19 rolls over Sunday, 敬老の日, 国民の休日 and 秋分の日 to Thursday 09-24."""
    rolled = roll_forward(date(2026, 9, 19))
    assert rolled.due == date(2026, 9, 24)
    assert len(rolled.skipped) == 5
    assert all(closed_reason(c.day) == c.reason for c in rolled.skipped)
    assert "2026-09-24" in rolled.explain()


def test_final_report_on_saturday_moves_in_the_decision() -> None:
    """A category-4 incident whose day 30 is a Saturday gets a Monday 確報 date and says why."""
    intake = make_intake(**{"discovered_on": "2026-05-08", "data.affected_persons": {"min": 1500, "max": 1500}})
    decision = assess(intake=intake)
    assert decision.final_due == date(2026, 6, 8)
    final = next(d for d in decision.deadlines if d.obligation == "final_report")
    assert "Saturday" in final.basis and "2026-06-06" in final.basis


def test_preliminary_window_is_not_rolled() -> None:
    """The 速報 window is day 3 … day 5 even when day 5 is a Sunday, and is flagged as a choice."""
    intake = make_intake(**{"discovered_on": "2026-06-03", "data.items": ["name", "health"]})
    decision = assess(intake=intake)
    assert decision.preliminary_window == (date(2026, 6, 5), date(2026, 6, 7))
    assert "deadline.preliminary_report" in decision.choices


def test_category_three_doubles_the_final_period() -> None:
    """The same incident gets day 30 without category 3 and day 60 once theft is confirmed."""
    base = {"discovered_on": "2026-06-01", "data.affected_persons": {"min": 1200, "max": 1200}}
    without = assess(intake=make_intake(**base))
    with_theft = assess(intake=make_intake(**base, **{"event.cause": "theft"}))
    assert without.final_due == date(2026, 6, 30)
    assert with_theft.final_due == roll_forward(nth_day(date(2026, 6, 1), 60)).due
