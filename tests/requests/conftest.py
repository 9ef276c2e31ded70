"""Fixtures for the requests tests: a case opened from WE-01 with a hand-made person list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from breachflow.casestore import Case, CaseStore
from breachflow.intake import parse_intake
from breachflow.scoping.case_scope import PERSONS_FILE
from breachflow.scoping.model import Person, PersonList
from breachflow.settings import get_settings
from breachflow.vocabulary import DataItem
from tests.conftest import SHARED_CASES

PERSONS = [
    Person(person_id="P000001", source_rows=[2], items=[DataItem.name, DataItem.phone, DataItem.address],
           name="山田 太郎", kana="ヤマダ タロウ", phone="+819012345678", birth_date=date(1980, 3, 1)),
    Person(person_id="P000002", source_rows=[3], items=[DataItem.name, DataItem.email, DataItem.birth_date],
           name="佐藤 花子", kana="サトウ ハナコ", email="hanako.sato@example.jp", birth_date=date(1975, 7, 7)),
    Person(person_id="P000003", source_rows=[4], items=[DataItem.name, DataItem.birth_date, DataItem.bank_account],
           name="鈴木 一郎", kana="スズキ イチロウ", birth_date=date(1990, 1, 15)),
    Person(person_id="P000004", source_rows=[5], items=[DataItem.name, DataItem.birth_date],
           name="鈴木 一郎", kana="スズキ イチロウ", birth_date=date(1990, 1, 15)),
]


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """An open case (WE-01 facts) whose person list holds four persons, two of them with the same name and birth date."""
    raw = yaml.safe_load((SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8"))
    raw.pop("expected")
    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    opened = CaseStore(get_settings().cases_dir).open_case(parse_intake(raw, check_future=False), path)
    opened.write_model(PERSONS_FILE, PersonList(dataset_sha256="0" * 64, persons=PERSONS))
    return opened
