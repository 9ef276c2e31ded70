"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# A fixed, random-looking master key for tests only (base64 of 32 bytes); never a real key.
TEST_MASTER_KEY = "q6Dk0+7cN8vUu1Yp3r4XWf2mZ9sHkT5bLgE1aQoJcVw="
TEST_COMPANY_PROFILE = {
    "BREACHFLOW_BUSINESS_ADDRESS": "東京都港区試験一丁目2番3号",
    "BREACHFLOW_BUSINESS_REPRESENTATIVE": "代表取締役 試験 花子",
    "BREACHFLOW_BUSINESS_DESK_NAME": "個人情報お問合せ窓口（試験）",
    "BREACHFLOW_BUSINESS_DESK_PHONE": "0120-111-222",
    "BREACHFLOW_BUSINESS_DESK_EMAIL": "desk@example.com",
    "BREACHFLOW_BUSINESS_DESK_HOURS": "平日10時〜16時",
}
# A byte-identical copy of the shared legal acceptance cases, so a clone runs with nothing beside it.
SHARED_CASES = REPO / "tests" / "cases" / "legal"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own case store, so nothing leaks between tests."""
    home = tmp_path / "bf-home"
    monkeypatch.setenv("BREACHFLOW_HOME", str(home))
    # Case files are encrypted at rest; every test runs with a test master key.
    monkeypatch.setenv("BREACHFLOW_MASTER_KEY", TEST_MASTER_KEY)
    monkeypatch.delenv("BREACHFLOW_MASTER_KEY_FILE", raising=False)
    # A demo key is never written to the user's own config folder by a test.
    monkeypatch.setenv("BREACHFLOW_DEMO_KEY_DIR", str(tmp_path / "demo-keys"))
    # The company profile a deployment configures; intakes that state their own business override it.
    for name, value in TEST_COMPANY_PROFILE.items():
        monkeypatch.setenv(name, value)
    from breachflow.settings import get_settings

    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def repo() -> Path:
    """The repository root."""
    return REPO


def pytest_configure(config: pytest.Config) -> None:
    """Keep Prefect quiet and local for every test process."""
    import tempfile

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "false")
    # A private PREFECT_HOME per test process: result storage and logs are searched for
    # personal data by the privacy tests, so nothing else may write there.
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="bf-prefect-home-")
