"""The master key (from settings) and the per-incident data keys it wraps.

Data keys live in ``$BREACHFLOW_HOME/keys/<incident>.key`` (0600), outside the case folder,
so destroying one makes every copy of that case folder, backups included, unreadable.
Back up ``keys/`` separately from the cases (or not at all); a backup that holds both the
case folders and ``keys/`` is protected only by the master key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from breachflow.errors import CaseStoreError, ConfigError
from breachflow.security.crypto import KEY_BYTES, new_data_key, unwrap_key, wrap_key
from breachflow.settings import Settings
from breachflow.security.files import write_private

DEMO_KEY_PREFIX = "DEMO-master-key-"
DEMO_LABEL = "# DEMO MASTER KEY created by BREACHFLOW_DEMO=1 - never use for real incidents"
# Random 32 bytes have ~31 distinct values and are almost never all printable ASCII
# (p ≈ 1e-14); fewer than 16 distinct values or only printable characters means a typed-in
# placeholder (all zeros, "AAAA…", a phrase) rather than a generated key.
MIN_DISTINCT_BYTES = 16
GENERATE_HINT = "python -c \"import os,base64; print(base64.b64encode(os.urandom(32)).decode())\""


def _decode(text: str, *, source: str) -> bytes:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    try:
        key = base64.b64decode("".join(lines), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{source}: expected base64 of {KEY_BYTES} random bytes; generate one with {GENERATE_HINT}")
    if len(set(key)) < MIN_DISTINCT_BYTES or all(32 <= b < 127 for b in key):
        raise ConfigError(f"{source}: looks like a placeholder, not a random key; generate one with {GENERATE_HINT}")
    return key


def _read_key_file(path: Path, *, source: str) -> str:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        raise ConfigError(f"{source}: {path} not found") from None
    if mode & 0o077:
        raise ConfigError(f"{source}: {path} has permissions {mode:04o}; make it readable by its owner only (chmod 600)")
    return path.read_text(encoding="utf-8")


def demo_key_path(settings: Settings) -> Path:
    """The demo key of this home: in ``demo_key_dir`` (outside home), one per home folder.

    A key kept beside ``keys/`` would open every case to whoever copies the home folder.
    """
    home = str(settings.home.expanduser().resolve())
    return settings.demo_key_dir / f"{DEMO_KEY_PREFIX}{hashlib.sha256(home.encode()).hexdigest()[:16]}.txt"


def _demo_key(settings: Settings) -> str:
    """The demo key file of this home, created (0600, labelled) on first use."""
    path = demo_key_path(settings)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = f"{DEMO_LABEL}\n{base64.b64encode(os.urandom(KEY_BYTES)).decode()}\n"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        print(f"breachflow: DEMO mode: created a demo master key in {path} (for {settings.home})", file=sys.stderr)
    return _read_key_file(path, source="demo master key")


def load_master_key(settings: Settings) -> bytes:
    """The master key from settings; refuses a missing, malformed, placeholder or exposed key outside the demo."""
    if settings.master_key is not None:
        return _decode(settings.master_key.get_secret_value(), source="BREACHFLOW_MASTER_KEY")
    if settings.master_key_file is not None:
        text = _read_key_file(settings.master_key_file, source="BREACHFLOW_MASTER_KEY_FILE")
        if DEMO_LABEL in text and not settings.demo:
            raise ConfigError(f"BREACHFLOW_MASTER_KEY_FILE: {settings.master_key_file} is the demo key; "
                              "outside the demo use a key of your own")
        return _decode(text, source="BREACHFLOW_MASTER_KEY_FILE")
    if settings.demo:
        return _decode(_demo_key(settings), source="demo master key")
    raise ConfigError(
        "no master key: set BREACHFLOW_MASTER_KEY (base64 of 32 random bytes) or BREACHFLOW_MASTER_KEY_FILE "
        f"(a 0600 file holding it); generate one with {GENERATE_HINT}"
    )


class KeyStore:
    """Per-incident data keys, each wrapped by the master key, in one folder outside the cases."""

    def __init__(self, folder: Path, master_key: Callable[[], bytes]) -> None:
        self.folder = Path(folder)
        # A callable so that commands which never touch personal data (list, timeline,
        # verify) work without the master key.
        self._master_key = master_key
        self._cache: dict[str, bytes] = {}

    def path(self, incident_id: str) -> Path:
        """The wrapped key file of an incident (ids are validated by the case store)."""
        return self.folder / f"{incident_id}.key"

    def exists(self, incident_id: str) -> bool:
        """Whether the incident still has a data key."""
        return self.path(incident_id).exists()

    def data_key(self, incident_id: str, *, create: bool = False) -> bytes:
        """The incident's data key; with ``create`` a new one is made when none exists."""
        if incident_id in self._cache:
            return self._cache[incident_id]
        path = self.path(incident_id)
        if path.exists():
            key = unwrap_key(self._master_key(), path.read_bytes(), incident_id, where=str(path))
        elif create:
            key = new_data_key()
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(path, wrap_key(self._master_key(), key, incident_id))
        else:
            raise CaseStoreError(
                f"case {incident_id}: no data key in {self.folder}; the case was purged or keys/ was not restored"
            )
        self._cache[incident_id] = key
        return key

    def destroy(self, incident_id: str) -> bool:
        """Overwrite and delete the incident's key file; True if there was one."""
        self._cache.pop(incident_id, None)
        path = self.path(incident_id)
        if not path.exists():
            return False
        size = path.stat().st_size
        # Overwriting first defeats undelete on simple file systems; on copy-on-write or
        # flash storage old blocks may survive, which is why the key is also wrapped.
        with path.open("r+b") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        return True


class FakeMasterKey:
    """A fixed master key for tests and tools: ``KeyStore(folder, FakeMasterKey(key))``."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or new_data_key()

    def __call__(self) -> bytes:
        """The key."""
        return self.key


def default_keystore(home: Path) -> KeyStore:
    """The key store under ``home/keys`` with the master key read lazily from settings."""
    from breachflow.settings import get_settings

    return KeyStore(Path(home) / "keys", lambda: load_master_key(get_settings()))
