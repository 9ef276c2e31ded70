"""The leak-check flow finds planted data and publishes no value, path or sample to Prefect."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from breachflow.settings import get_settings
from tests.privacy import personal_value_hits


def test_leak_check_flow_reports_aggregates_only(tmp_path: Path, prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted customer list is found; its emails and phones never reach Prefect's store."""
    from flows.leak_check import leak_check

    share = tmp_path / "share"
    share.mkdir()
    emails = [f"kokyaku.{i:03d}.tokumei@example.org" for i in range(30)]
    phones = [f"090-55{i:02d}-87{i:02d}" for i in range(30)]
    lines = ["氏名,電話番号,メール"] + [f"顧客{i},{phones[i]},{emails[i]}" for i in range(30)]
    (share / "meibo.csv").write_text("\n".join(lines), encoding="utf-8")
    (share / "memo.txt").write_text("議事録。個人情報は含まない。", encoding="utf-8")
    monkeypatch.setenv("BREACHFLOW_LEAKCHECK_PATHS", f'["{share}"]')
    get_settings.cache_clear()

    summary = asyncio.run(leak_check())
    assert summary.counts.findings_new == 1
    assert summary.counts.files_scanned == 2
    from prefect.client.orchestration import get_client

    async def keys() -> set[str]:
        async with get_client() as client:
            return {a.key for a in await client.read_artifacts() if a.key}

    assert {"leak-check-findings", "leak-check-summary"} <= asyncio.run(keys())
    hits = personal_value_hits(emails + phones + ["meibo.csv"], db_url=prefect_server,
                               extra_roots=[Path(os.environ["PREFECT_HOME"])])
    assert hits == []
