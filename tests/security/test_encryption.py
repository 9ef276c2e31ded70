"""Encryption at rest: sealed case files, the master key, tampering and what ends up on disk."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest
from platformdirs import user_config_path

from breachflow.casestore import CaseStore
from breachflow.errors import CaseStoreError, ConfigError
from breachflow.notification import service
from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.mailer import OutgoingEmail, build_mailer
from breachflow.notification.policy import ChannelPolicy
from breachflow.scoping.case_scope import scope_case, stored_persons
from breachflow.scoping.model import PersonList
from breachflow.security.crypto import MAGIC
from breachflow.security.keys import DEMO_LABEL, demo_key_path, load_master_key
from breachflow.settings import Settings, get_settings
from tests.notification.support import TEMPLATES, TODAY, business, facts
from tests.security.conftest import SEARCHED, hits


def test_person_list_round_trips_and_is_sealed_on_disk(case) -> None:
    """persons.json is written sealed (magic header, no plaintext) and reads back as the same model."""
    scope_case(case=case)
    persons = stored_persons(case)
    assert {p.name for p in persons.persons} >= {"鬼瓦 権左衛門", "勘解由小路 雅楽"}
    raw = case.path("persons.json").read_bytes()
    assert raw.startswith(MAGIC) and "鬼瓦".encode() not in raw
    assert case.read_model("persons.json", PersonList) == persons


def test_aggregates_stay_plain_and_dataset_copy_is_sealed(case, tmp_path) -> None:
    """scope.json and the timeline stay readable; the dataset copy is sealed but its plaintext hash is in the manifest."""
    scope_case(case=case)
    assert case.path("scope.json").read_bytes().startswith(b"{")
    stored = case.path(case.manifest()["dataset"]["stored_as"]).read_bytes()
    assert stored.startswith(MAGIC)
    assert case.dataset_bytes() == (tmp_path / "customers.csv").read_bytes()
    assert not list(case.dir.glob("tmp/*")), "the decrypted temp copy is deleted after scoping"


def test_no_personal_value_on_disk_after_scope_letters_calls_and_outbox(case) -> None:
    """After scoping, letters, a call list and outbox mail inside the case folder, no file holds a personal value."""
    scope_case(case=case)
    persons = {p.person_id: p for p in stored_persons(case).persons}
    ledger = open_ledger(case.dir)
    service.plan_notifications(case=case, persons=list(persons.values()), decision=None, policy=ChannelPolicy(),
                               templates_dir=TEMPLATES, ledger=ledger)
    service.approve_plan(case=case, approved=True, decided_by="部長")
    plan = service.load_plan(case)
    service.produce_letters(case=case, ledger=ledger, persons=persons, plan=plan, facts=facts(), business=business(),
                            today=TODAY, templates_dir=TEMPLATES, out_dir=case.path("notification/letters/x").parent,
                            workers=1)
    service.export_call_list(ledger=ledger, persons=persons, plan=plan, facts=facts(), business=business(),
                             today=TODAY, templates_dir=TEMPLATES, out_dir=case.path("notification/calls/x").parent)
    mailer = build_mailer(get_settings(), outbox_dir=case.path("notification/outbox/x").parent)
    mailer.deliver(OutgoingEmail(notice_id="N-test", sender="a@example.invalid",
                                 recipient="gonzaemon.onigawara@example.org",
                                 data="To: gonzaemon.onigawara@example.org\r\n\r\n鬼瓦 権左衛門 様".encode()))
    written = [p for p in case.dir.rglob("*") if p.is_file()]
    assert any(p.parent.name == "letters" for p in written) and any(p.parent.name == "outbox" for p in written)
    assert hits(case.dir) == {}
    assert hits(get_settings().home) == {}
    # The sealed copies still hold the data for whoever has the key.
    assert "鬼瓦".encode() in case.read_bytes("notification/outbox/N-test.eml")


def test_wrong_master_key_is_a_clear_error(case, monkeypatch) -> None:
    """Reading a case with another master key names the key mismatch instead of returning garbage."""
    case.write_bytes("persons.json", b"{}")
    monkeypatch.setenv("BREACHFLOW_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    get_settings.cache_clear()
    fresh = CaseStore(get_settings().cases_dir).get(case.incident_id)
    with pytest.raises(ConfigError, match="different master key"):
        fresh.read_bytes("persons.json")


@pytest.mark.parametrize("value", ["", "changeme", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                                   base64.b64encode(b"0123456789abcdef" * 2).decode(),
                                   base64.b64encode(bytes(range(100, 116))).decode()])
def test_missing_short_or_placeholder_master_key_is_refused(value: str) -> None:
    """An empty, non-base64, all-zero, low-entropy or 16-byte master key is refused with a hint."""
    with pytest.raises(ConfigError, match="BREACHFLOW_MASTER_KEY"):
        load_master_key(Settings(master_key=value))


def test_no_master_key_is_refused_outside_the_demo(tmp_path, monkeypatch) -> None:
    """Without a key, opening a case fails before any personal data is written."""
    monkeypatch.delenv("BREACHFLOW_MASTER_KEY")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="no master key"):
        load_master_key(get_settings())
    from tests.security.conftest import open_case

    with pytest.raises(ConfigError, match="no master key"):
        open_case(tmp_path)
    assert not list(get_settings().cases_dir.rglob("dataset*"))


def test_demo_creates_a_labelled_private_key_that_only_the_demo_accepts(tmp_path, monkeypatch) -> None:
    """BREACHFLOW_DEMO=1 creates a labelled 0600 demo key; the same file is refused when demo is off."""
    monkeypatch.delenv("BREACHFLOW_MASTER_KEY")
    home, keys = tmp_path / "home", tmp_path / "config" / "demo-keys"
    key = load_master_key(Settings(home=home, demo=True, demo_key_dir=keys))
    path = demo_key_path(Settings(home=home, demo_key_dir=keys))
    assert DEMO_LABEL in path.read_text() and (path.stat().st_mode & 0o777) == 0o600
    assert (keys.stat().st_mode & 0o777) == 0o700
    assert load_master_key(Settings(home=home, demo=True, demo_key_dir=keys)) == key
    with pytest.raises(ConfigError, match="demo key"):
        load_master_key(Settings(home=home, master_key_file=path))


def test_demo_key_is_kept_outside_home_one_per_home(tmp_path, monkeypatch) -> None:
    """Copying the demo's home folder (cases and wrapped data keys) does not copy the key that opens them."""
    monkeypatch.delenv("BREACHFLOW_MASTER_KEY")
    keys = tmp_path / "config" / "demo-keys"
    first = load_master_key(Settings(home=tmp_path / "a", demo=True, demo_key_dir=keys))
    second = load_master_key(Settings(home=tmp_path / "b", demo=True, demo_key_dir=keys))
    assert first != second
    assert not [p for p in (tmp_path / "a").rglob("*") if p.is_file()]
    assert len(list(keys.iterdir())) == 2


def test_demo_key_folder_defaults_to_the_users_config_folder(monkeypatch) -> None:
    """Without BREACHFLOW_DEMO_KEY_DIR the key goes to the user's config folder, not the home folder."""
    monkeypatch.delenv("BREACHFLOW_DEMO_KEY_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent-config")  # where platformdirs puts it on Linux
    settings = Settings(home=Path("/srv/bf-home"))
    assert settings.demo_key_dir == user_config_path("breachflow") / "demo-keys"
    assert not demo_key_path(settings).is_relative_to(settings.home)


def test_key_file_readable_by_others_is_refused(tmp_path, monkeypatch) -> None:
    """A master key file with group/other permissions is refused; at 0600 it is accepted."""
    monkeypatch.delenv("BREACHFLOW_MASTER_KEY")
    path = tmp_path / "master.key"
    path.write_text(base64.b64encode(os.urandom(32)).decode())
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_master_key(Settings(master_key_file=path))
    path.chmod(0o600)
    assert len(load_master_key(Settings(master_key_file=path))) == 32


def test_tampered_ciphertext_is_detected(case) -> None:
    """Flipping one byte of a sealed file makes reading it fail the GCM authentication."""
    target = case.write_bytes("persons.json", b'{"persons": []}')
    data = bytearray(target.read_bytes())
    data[-5] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(CaseStoreError, match="authentication failed"):
        case.read_bytes("persons.json")


def test_sealed_file_moved_to_another_name_does_not_decrypt(case) -> None:
    """A sealed file is bound to its name: copied over another record it is refused."""
    case.write_bytes("requests/requests.json", b'{"requests": []}')
    shutil.copyfile(case.path("requests/requests.json"), case.path("persons.json"))
    with pytest.raises(CaseStoreError, match="authentication failed"):
        case.read_bytes("persons.json")


def test_plain_file_where_a_sealed_one_belongs_is_refused(case) -> None:
    """A hand-placed plaintext persons.json is not trusted."""
    case.path("persons.json").write_bytes(b'{"persons": []}')
    with pytest.raises(CaseStoreError, match="not encrypted"):
        case.read_bytes("persons.json")


def test_key_lives_outside_the_case_folder(case) -> None:
    """The wrapped data key is stored under home/keys, not in the case folder, at 0600."""
    case.write_bytes("persons.json", b"{}")
    key = case.keys.path(case.incident_id)
    assert key.exists() and not key.is_relative_to(case.dir)
    assert key.stat().st_mode & 0o777 == 0o600
    assert not [p for p in case.dir.rglob("*.key")]


def test_outbox_outside_a_case_writes_plain_files(tmp_path: Path) -> None:
    """An outbox folder outside every case (a test capture folder) gets the message as is."""
    mailer = build_mailer(get_settings(), outbox_dir=tmp_path / "outbox")
    mailer.deliver(OutgoingEmail(notice_id="N-1", sender="a@example.invalid", recipient="b@example.invalid",
                                 data=b"hello"))
    assert (tmp_path / "outbox" / "N-1.eml").read_bytes() == b"hello"
    assert SEARCHED  # the distinctive values are defined for the other tests
