"""Purge, retention, export, permissions and reply scrubbing."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from breachflow.casestore import Case, CaseStore
from cli.main import app
from breachflow.errors import CaseStoreError
from breachflow.scoping.case_scope import scope_case, stored_persons, stored_scope
from breachflow.casestore.permissions import check_permissions
from breachflow.casestore.retention import cases_past_retention
from breachflow.security.scrub import scrub_detail, scrub_reply
from breachflow.settings import get_settings
from tests.security.conftest import open_case


def test_purge_keeps_aggregates_and_a_valid_chain_and_refuses_later_reads(case) -> None:
    """After purge the scope summary, decision folder and timeline remain, the chain verifies, persons are gone."""
    scope_case(case=case)
    summary = stored_scope(case)
    record = case.purge()
    assert record.key_destroyed and record.files_deleted >= 2
    assert stored_scope(case) == summary
    assert case.timeline.verify() == len(case.timeline.entries())
    assert case.timeline.entries()[-1].kind == "case.purged"
    assert not case.keys.exists(case.incident_id)
    with pytest.raises(CaseStoreError, match="purge"):
        stored_persons(case)
    with pytest.raises(CaseStoreError, match="purged"):
        case.write_bytes("persons.json", b"{}")


def test_purge_makes_a_backup_copy_unreadable_even_with_the_master_key(case, tmp_path) -> None:
    """A copy of the case folder taken before the purge cannot be decrypted afterwards."""
    scope_case(case=case)
    backup = tmp_path / "backup" / "cases" / case.incident_id
    shutil.copytree(case.dir, backup)
    case.purge()
    # Same master key (from the environment) and the real key folder: the data key is gone.
    restored = Case(backup, case.incident_id, CaseStore(get_settings().cases_dir).keys)
    with pytest.raises(CaseStoreError, match="no data key"):
        restored.read_bytes("persons.json")


def test_cases_past_retention_lists_old_unpurged_cases_only(tmp_path) -> None:
    """A case is listed once retention_days have passed since it was opened, and not after its purge."""
    case = open_case(tmp_path)
    store = CaseStore(get_settings().cases_dir)
    opened = date.fromisoformat(case.manifest()["opened_at"][:10])
    assert cases_past_retention(store=store, today=opened + timedelta(days=30), retention_days=30) == []
    due = cases_past_retention(store=store, today=opened + timedelta(days=45), retention_days=30)
    assert [(d.incident_id, d.days_over) for d in due] == [(case.incident_id, 15)]
    case.purge()
    assert cases_past_retention(store=store, today=opened + timedelta(days=45), retention_days=30) == []


def test_export_decrypts_to_an_explicit_path_and_is_recorded(case, tmp_path) -> None:
    """Export writes the plaintext (0600) to the named path and the timeline records file and target."""
    case.write_bytes("notification/calls/call_list.csv", "notice_id\nN-1\n".encode())
    target = tmp_path / "vendor.csv"
    case.export("notification/calls/call_list.csv", target)
    assert target.read_bytes() == b"notice_id\nN-1\n" and target.stat().st_mode & 0o777 == 0o600
    entry = case.timeline.entries()[-1]
    assert entry.kind == "case.exported" and entry.data["to"] == str(target.resolve())
    with pytest.raises(CaseStoreError, match="already exists"):
        case.export("notification/calls/call_list.csv", target)


@pytest.mark.parametrize("name", ["../intake.yaml", "/etc/passwd", "notification/../../x", "a\x00b", "a" * 300])
def test_export_refuses_unsafe_names(case, tmp_path, name: str) -> None:
    """Export names follow the case folder's safe-name rules."""
    with pytest.raises(CaseStoreError, match="unsafe file name"):
        case.export(name, tmp_path / "out")


def test_export_target_inside_the_case_folder_or_with_nul_is_refused(case, tmp_path) -> None:
    """A decrypted copy may not land inside the case folder, and a NUL in the target is refused."""
    case.write_bytes("persons.json", b"{}")
    with pytest.raises(CaseStoreError, match="inside the case folder"):
        case.export("persons.json", case.dir / "plain.json")
    with pytest.raises(CaseStoreError, match="NUL"):
        case.export("persons.json", tmp_path / "a\x00b")


def test_dataset_name_from_the_intake_cannot_place_the_copy_outside_the_case(tmp_path) -> None:
    """An intake naming ../ as dataset is refused (data.dataset must stay in the intake's folder); nothing is written."""
    (tmp_path / "sub").mkdir()
    case = open_case(tmp_path)
    text = (case.dir / "intake.yaml").read_text("utf-8").replace("dataset: customers.csv", "dataset: ../customers.csv")
    (tmp_path / "sub" / "evil.yaml").write_text(text, encoding="utf-8")
    from breachflow.errors import IntakeError
    from breachflow.intake import load_intake

    with pytest.raises(IntakeError, match="data.dataset"):
        load_intake(tmp_path / "sub" / "evil.yaml", check_future=False)
    intake = load_intake(tmp_path / "sub" / "evil.yaml", check_future=False, check_dataset=False)
    with pytest.raises(IntakeError, match="data.dataset"):
        CaseStore(get_settings().cases_dir).open_case(intake, tmp_path / "sub" / "evil.yaml", update=True)
    assert case.manifest()["dataset"]["stored_as"] == "dataset.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["WE-01.yaml", "bf-home", "customers.csv", "sub"]


def test_loose_permissions_are_reported_with_paths_only(case) -> None:
    """A 0755 case folder and a 0644 key file are named; a private case reports nothing."""
    case.write_bytes("persons.json", b"{}")
    assert check_permissions(case) == []
    case.dir.chmod(0o755)
    case.keys.path(case.incident_id).chmod(0o644)
    problems = check_permissions(case)
    assert any(str(case.dir) in p and "0755" in p for p in problems)
    assert any(p.startswith(str(case.keys.path(case.incident_id))) and "0644" in p for p in problems)


def test_cli_purge_needs_yes_then_purges(case) -> None:
    """'case purge' without --yes changes nothing; with --yes it purges and reports counts."""
    scope_case(case=case)
    runner = CliRunner()
    refused = runner.invoke(app, ["case", "purge", case.incident_id])
    assert refused.exit_code != 0 and case.has("persons.json")
    done = runner.invoke(app, ["case", "purge", case.incident_id, "--yes"])
    assert done.exit_code == 0, done.output
    assert "purged" in done.output and not case.has("persons.json")


def test_cli_export_and_retention(case, tmp_path) -> None:
    """'case export' writes the named file; 'case retention --as-of' lists the case once it is overdue."""
    scope_case(case=case)
    runner = CliRunner()
    target = tmp_path / "persons-export.json"
    result = runner.invoke(app, ["case", "export", case.incident_id, "persons.json", "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert "鬼瓦" in target.read_text("utf-8")
    later = date.today() + timedelta(days=get_settings().retention_days + 3)
    listed = runner.invoke(app, ["case", "retention", "--as-of", later.isoformat()])
    assert case.incident_id in listed.output and "3 days over" in listed.output


@pytest.mark.parametrize(("reply", "kept"), [
    ("550 5.1.1 <taro@example.com>: Recipient address rejected", "550 5.1.1"),
    ("452-4.2.2 The email account that you tried to reach is over quota: yamada@example.jp", "452 4.2.2"),
    ("554 Transaction failed for 山田太郎", "554"),
    ("no code here", ""),
])
def test_scrub_reply_keeps_codes_only(reply: str, kept: str) -> None:
    """A server reply keeps its reply code and enhanced status code, never the echoed text."""
    assert scrub_reply(reply) == kept


def test_scrub_detail_removes_addresses_and_keeps_our_own_wording() -> None:
    """Our detail strings survive; addresses anywhere are replaced; server replies are cut to codes."""
    assert scrub_detail("recipient rejected; rerouted to letter") == "recipient rejected; rerouted to letter"
    assert scrub_detail("refused for taro.yamada@example.com today") == "refused for <address> today"
    assert scrub_detail("bounce from <x@y.jp>") == "bounce from <address>"
    assert scrub_detail("550 5.1.1 <taro@example.com>: no such user") == "550 5.1.1"
