"""The command line: --help everywhere, exit 2 and one paragraph for user errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SHARED_CASES


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_help_lists_commands() -> None:
    """`breachflow --help` works and lists the intake commands."""
    result = _run("--help")
    assert result.returncode == 0
    assert "intake" in result.stdout


def test_validate_reports_user_error_without_traceback(tmp_path: Path) -> None:
    """A broken intake exits 2 with a located message and no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("incident_id: '../x'\ntitle: t\n", encoding="utf-8")
    result = _run("intake", "validate", str(bad))
    assert result.returncode == 2
    assert "incident_id" in result.stderr and "business" in result.stderr
    assert "Traceback" not in result.stderr


def test_open_then_open_again_is_an_error(tmp_path: Path) -> None:
    """`intake open` creates the case; a second open exits 2 naming --update."""
    case = str(SHARED_CASES / "WE-01.yaml")
    first = _run("intake", "open", case, "--as-of", "2026-11-10", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = _run("intake", "open", case, "--as-of", "2026-11-10", cwd=tmp_path)
    assert second.returncode == 2 and "--update" in second.stderr


def test_case_verify_names_broken_entry(tmp_path: Path) -> None:
    """`case verify` passes on an intact timeline and exits 2 naming the entry after tampering."""
    case = str(SHARED_CASES / "WE-01.yaml")
    assert _run("intake", "open", case, "--as-of", "2026-11-10", cwd=tmp_path).returncode == 0
    ok = _run("case", "verify", "WE-01", cwd=tmp_path)
    assert ok.returncode == 0 and "intact (1 entries)" in ok.stdout
    timeline = Path(os.environ["BREACHFLOW_HOME"]) / "cases" / "WE-01" / "timeline.jsonl"
    timeline.write_text(timeline.read_text(encoding="utf-8").replace("事案を受付", "事案を受理"), encoding="utf-8")
    broken = _run("case", "verify", "WE-01", cwd=tmp_path)
    assert broken.returncode == 2 and "broken at entry 1" in broken.stderr


def test_server_refuses_non_loopback_without_auth(tmp_path: Path, monkeypatch) -> None:
    """Binding the Prefect server beyond loopback needs PREFECT_SERVER_API_AUTH_STRING; loopback does not."""
    import pytest

    from breachflow.errors import ConfigError
    from deployments.server import server_environment

    monkeypatch.delenv("PREFECT_SERVER_API_AUTH_STRING", raising=False)
    with pytest.raises(ConfigError, match="PREFECT_SERVER_API_AUTH_STRING"):
        server_environment(home=tmp_path, host="0.0.0.0", port=4200)
    assert server_environment(home=tmp_path, host="127.0.0.1", port=4200)["PREFECT_SERVER_API_HOST"] == "127.0.0.1"
    monkeypatch.setenv("PREFECT_SERVER_API_AUTH_STRING", "admin:s3cret-pass")
    assert server_environment(home=tmp_path, host="0.0.0.0", port=4200)["PREFECT_SERVER_API_HOST"] == "0.0.0.0"


def test_files_the_command_line_creates_are_private_whatever_the_users_umask(tmp_path: Path) -> None:
    """With a permissive umask, the case files and the notice ledger are still 0600 and folders 0700."""
    from tests.conftest import REPO

    env = {**os.environ, "BREACHFLOW_HOME": str(tmp_path / "home")}
    intake = REPO / "examples" / "stolen-bag" / "incident.yaml"
    for args in (("intake", "open", str(intake)), ("notify", "status", "DEMO-STOLEN-BAG")):
        result = subprocess.run([sys.executable, "-c", "import os; os.umask(0o022); from cli.main import main; main()",
                                 *args], capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
    created = list((tmp_path / "home").rglob("*"))
    assert any(p.name == "ledger.sqlite" for p in created)
    loose = [f"{p} {oct(p.stat().st_mode & 0o777)}" for p in created
             if p.stat().st_mode & 0o077]
    assert loose == []


def test_the_timeline_is_shown_in_japan_time(tmp_path: Path) -> None:
    """`case timeline` prints each entry's time in JST, where the APPI clock counts."""
    from tests.conftest import REPO

    env = {**os.environ, "BREACHFLOW_HOME": str(tmp_path / "home")}
    intake = REPO / "examples" / "stolen-bag" / "incident.yaml"
    for args in (("intake", "open", str(intake)), ("case", "timeline", "DEMO-STOLEN-BAG")):
        result = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120,
                                env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
    assert " JST " in result.stdout and "Z " not in result.stdout


def test_a_command_that_sets_an_exit_code_exits_with_it(tmp_path: Path) -> None:
    """`leakcheck` on a folder holding a customer list exits 1 (a finding), on a clean folder 0."""
    from tests.conftest import REPO

    env = {**os.environ, "BREACHFLOW_HOME": str(tmp_path / "home")}
    dirty, clean = tmp_path / "dirty", tmp_path / "clean"
    dirty.mkdir()
    clean.mkdir()
    (dirty / "list.csv").write_text("".join(f"試験 太郎{i},090-1234-{i:04d},user{i}@example.co.jp\n" for i in range(50)),
                                    encoding="utf-8")
    (clean / "readme.txt").write_text("nothing personal here\n", encoding="utf-8")
    run = lambda folder: subprocess.run([sys.executable, "-m", "cli", "leakcheck", str(folder)],  # noqa: E731
                                        capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    assert run(dirty).returncode == 1
    assert run(clean).returncode == 0


def test_case_files_lists_the_drafts_and_export_writes_them_all(tmp_path: Path) -> None:
    """`case files` names each draft with its kind; `case export --all-drafts --to DIR` writes readable copies."""
    from tests.conftest import REPO

    env = {**os.environ, "BREACHFLOW_HOME": str(tmp_path / "home")}
    run = lambda *args: subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,  # noqa: E731
                                       timeout=180, env=env, cwd=REPO)
    intake = REPO / "examples" / "stolen-bag" / "incident.yaml"
    assert run("intake", "open", str(intake)).returncode == 0
    scope = ("from breachflow.usecases import scoping; from breachflow.wiring import get_wiring; "
             "scoping.scope(get_wiring(), 'DEMO-STOLEN-BAG')")
    assert subprocess.run([sys.executable, "-c", scope], env=env, cwd=REPO, timeout=180).returncode == 0
    assert run("assess", str(intake), "--record").returncode == 0
    drafted = run("report", "draft", "DEMO-STOLEN-BAG", "--kind", "preliminary", "--format", "pdf")
    assert drafted.returncode == 0, drafted.stderr
    assert run("police", "draft", "DEMO-STOLEN-BAG", "--format", "md").returncode == 0
    listing = run("case", "files", "DEMO-STOLEN-BAG")
    assert "report draft" in listing.stdout and "police draft" in listing.stdout and "(sealed)" in listing.stdout
    out = tmp_path / "out"
    out.mkdir()
    exported = run("case", "export", "DEMO-STOLEN-BAG", "--all-drafts", "--to", str(out))
    assert exported.returncode == 0, exported.stderr
    names = sorted(p.name for p in out.iterdir())
    assert any(n.startswith("report-preliminary") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("police-") and n.endswith(".md") for n in names)
    assert (out / next(n for n in names if n.endswith(".pdf"))).read_bytes().startswith(b"%PDF")
    assert run("case", "export", "DEMO-STOLEN-BAG", "--to", str(out)).returncode == 2


def test_a_script_or_worker_using_the_wiring_also_creates_private_files(tmp_path: Path) -> None:
    """Not only the CLI: a process that reaches the domain through the wiring (a Prefect worker, the demo) writes 0600."""
    from tests.conftest import REPO

    env = {**os.environ, "BREACHFLOW_HOME": str(tmp_path / "home")}
    code = ("import os; os.umask(0o022)\n"
            "from pathlib import Path\n"
            "from breachflow.usecases import notification, response\n"
            "from breachflow.wiring import get_wiring\n"
            "w = get_wiring()\n"
            f"case = response.open_or_update(w, Path({str(REPO / 'examples' / 'stolen-bag' / 'incident.yaml')!r}))\n"
            "w.ledger(case).counts()\n")
    assert subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, timeout=120).returncode == 0
    created = list((tmp_path / "home").rglob("*"))
    assert any(p.name == "ledger.sqlite" for p in created)
    assert [str(p) for p in created if p.stat().st_mode & 0o077] == []
