"""A case opened from a list with distinctive personal values, for searching the disk afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachflow.casestore import Case, CaseStore
from breachflow.intake import load_intake
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES

# Values no template, fixture or library would contain by chance.
PEOPLE = [
    ("鬼瓦 権左衛門", "オニガワラ ゴンザエモン", "100-0001", "東京都千代田区千代田九丁目9番9号", "090-7777-1234",
     "gonzaemon.onigawara@example.org"),
    ("勘解由小路 雅楽", "カデノコウジ ウタ", "530-0001", "大阪府大阪市北区梅田八丁目8番8号", "080-6666-4321",
     "uta.kadenokoji@example.org"),
    ("東海林 蘭丸", "ショウジ ランマル", "060-0001", "北海道札幌市中央区北一条西七丁目7番7号", "070-5555-9876", ""),
]
SEARCHED = ["鬼瓦", "権左衛門", "勘解由小路", "東海林", "蘭丸", "gonzaemon.onigawara", "uta.kadenokoji",
            "090-7777-1234", "7777", "6666-4321", "千代田九丁目", "梅田八丁目", "オニガワラ", "ショウジ"]


def open_case(tmp_path: Path, incident: str = "WE-01") -> Case:
    """Open the shared WE-01 intake with the distinctive list as its dataset."""
    header = "お名前,フリガナ,〒,ご住所,電話番号,Eメール\n"
    body = "".join(",".join(row) + "\n" for row in PEOPLE)
    (tmp_path / "customers.csv").write_bytes((header + body).encode("utf-8"))
    text = (SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8").replace("dataset: null", "dataset: customers.csv")
    if incident != "WE-01":
        text = text.replace("WE-01", incident)
    intake_path = tmp_path / f"{incident}.yaml"
    intake_path.write_text(text, encoding="utf-8")
    intake = load_intake(intake_path, check_future=False)
    return CaseStore(get_settings().cases_dir).open_case(intake, intake_path)


def hits(folder: Path, values: list[str] = SEARCHED) -> dict[str, list[str]]:
    """Every file under ``folder`` holding one of ``values`` (UTF-8, UTF-16 and CP932 forms), by value."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for value in values:
            forms = {value.encode("utf-8"), value.encode("utf-16-le")}
            try:
                forms.add(value.encode("cp932"))
            except UnicodeEncodeError:
                pass
            if any(form in data for form in forms):
                found.setdefault(value, []).append(str(path.relative_to(folder)))
    return found


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """An open case whose dataset holds the distinctive list."""
    return open_case(tmp_path)
