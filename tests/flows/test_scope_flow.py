"""The scope-incident flow under a real Prefect server: aggregates out, personal data kept in."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


from breachflow.casestore import CaseStore
from breachflow.intake import load_intake
from breachflow.scoping.case_scope import stored_persons
from breachflow.settings import get_settings
from tests.conftest import SHARED_CASES
from tests.privacy import personal_value_hits

PEOPLE = [
    ("鬼瓦 権左衛門", "オニガワラ ゴンザエモン", "100-0001", "東京都千代田区千代田九丁目9番9号", "090-7777-1234", "gonzaemon.onigawara@example.org", "1961/04/01", "男", "漁師"),
    ("髙﨑 ①子", "タカサキ イチコ", "530-0001", "大阪府大阪市北区梅田八丁目8番8号", "080-6666-4321", "ichiko.takasaki@example.org", "1990/12/24", "女", "会社員"),
    ("鬼瓦 権左衛門", "オニガワラ ゴンザエモン", "１００-０００１", "東京都千代田区千代田九丁目9番9号", "０９０-７７７７-１２３４", "", "", "男", "漁師"),
    ("勘解由小路 雅楽", "カデノコウジ ウタ", "", "", "", "uta.kadenokoji@example.org", "", "", ""),
]


def _open_case(tmp_path: Path) -> str:
    header = "お名前,フリガナ,〒,ご住所,電話番号,Eメール,生年月日,性別,ご職業\n"
    body = "".join(",".join(row) + "\n" for row in PEOPLE)
    (tmp_path / "customers.csv").write_bytes((header + body).encode("cp932"))
    text = (SHARED_CASES / "WE-01.yaml").read_text(encoding="utf-8").replace("dataset: null", "dataset: customers.csv")
    intake_path = tmp_path / "incident.yaml"
    intake_path.write_text(text, encoding="utf-8")
    store = CaseStore(get_settings().cases_dir)
    store.open_case(load_intake(intake_path, as_of=load_intake(intake_path, check_future=False).discovered_on), intake_path)
    return "WE-01"


def test_scope_flow_publishes_aggregates_and_leaks_nothing(tmp_path: Path, prefect_server: str) -> None:
    """The flow stores persons in the case store, shows counts in Prefect, and Prefect holds no personal value."""
    from prefect.client.orchestration import get_client

    from flows.scope_incident import scope_incident

    incident_id = _open_case(tmp_path)
    summary = asyncio.run(scope_incident(incident_id))
    assert summary.rows == 4 and summary.persons == 3 and summary.duplicates_merged == 1

    case = CaseStore(get_settings().cases_dir).get(incident_id)
    assert len(stored_persons(case).persons) == 3

    async def artifact_keys() -> set[str]:
        async with get_client() as client:
            return {a.key for a in await client.read_artifacts() if a.key}

    keys = asyncio.run(artifact_keys())
    assert {"scope-we-01", "scope-by-prefecture-we-01", "scope-by-age-band-we-01"} <= keys

    # Occupation, gender and prefecture are published as aggregate breakdowns by design;
    # every identifying column must be absent.
    values = [v for row in PEOPLE for v in row[:7] if v]
    values += ["+819077771234", "09077771234", "鬼瓦", "権左衛門", "髙﨑"]
    hits = personal_value_hits(values, db_url=prefect_server, extra_roots=[Path(os.environ["PREFECT_HOME"])])
    assert hits == []
