"""Intake dates as officers write them: 2026-12-02, 2026/12/02, 2026年12月2日, 令和8年12月2日."""

from __future__ import annotations

from datetime import date

import pytest

from breachflow.errors import IntakeError
from breachflow.intake.loader import parse_intake
from breachflow.japan import parse_date

RAW = {"incident_id": "D-1", "title": "t", "business": {"name": "株式会社試験"}, "event": {"cause": "theft"},
       "data": {"affected_persons": {"min": 1, "max": 1}, "items": ["name"]}}


@pytest.mark.parametrize("written", ["2026-12-02", "2026/12/02", "2026/12/2", "2026年12月2日", "令和8年12月2日",
                                     "令和８年１２月２日"])
def test_every_common_way_of_writing_a_date_is_read(written):
    """The same day, however it is written."""
    intake = parse_intake({**RAW, "discovered_on": written, "occurred_on": written}, check_future=False)
    assert intake.discovered_on == date(2026, 12, 2) == intake.occurred_on


def test_the_first_year_of_an_era_and_an_impossible_day():
    """元年 is year 1 of the era; 2月30日 is no date and is refused with the field named."""
    assert parse_date("令和元年5月1日") == date(2019, 5, 1)
    assert parse_date("平成31年4月30日") == date(2019, 4, 30)
    with pytest.raises(IntakeError, match="discovered_on"):
        parse_intake({**RAW, "discovered_on": "令和8年2月30日"}, check_future=False)
