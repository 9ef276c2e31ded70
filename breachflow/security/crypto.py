"""AES-256-GCM for case files and for wrapping per-incident data keys.

A sealed file is ``MAGIC + nonce (12 bytes) + ciphertext‖tag``. The associated data binds
each file to its incident and its name inside the case folder, so a sealed file copied to
another name or another case does not decrypt. A wrapped data key is
``KEY_MAGIC + master key id (8 bytes) + nonce + ciphertext‖tag`` with the incident id as
associated data; the key id lets a wrong master key be named as such.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from breachflow.errors import CaseStoreError, ConfigError

MAGIC = b"BFENC1"
KEY_MAGIC = b"BFKEY1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID_BYTES = 8


def new_data_key() -> bytes:
    """32 random bytes from the OS generator."""
    return os.urandom(KEY_BYTES)


def key_id(master_key: bytes) -> bytes:
    """A short fingerprint of the master key (not secret: SHA-256 prefix)."""
    return hashlib.sha256(b"breachflow-master-key-id\0" + master_key).digest()[:KEY_ID_BYTES]


def file_aad(incident_id: str, name: str) -> bytes:
    """Associated data binding a sealed file to its incident and case-relative name."""
    return b"breachflow-file\0" + incident_id.encode() + b"\0" + name.encode()


def is_sealed(blob: bytes) -> bool:
    """Whether bytes carry the sealed-file header."""
    return blob.startswith(MAGIC)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key``."""
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes, *, where: str) -> bytes:
    """Decrypt a sealed blob; ``where`` names the file in the error if it was altered."""
    if not is_sealed(blob) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise CaseStoreError(f"{where}: not a breachflow-encrypted file")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], aad)
    except InvalidTag:
        raise CaseStoreError(
            f"{where}: authentication failed; the file was altered, renamed or belongs to another key"
        ) from None


def wrap_key(master_key: bytes, data_key: bytes, incident_id: str) -> bytes:
    """The data key encrypted under the master key, bound to the incident id."""
    nonce = os.urandom(NONCE_BYTES)
    aad = b"breachflow-key\0" + incident_id.encode()
    return KEY_MAGIC + key_id(master_key) + nonce + AESGCM(master_key).encrypt(nonce, data_key, aad)


def unwrap_key(master_key: bytes, blob: bytes, incident_id: str, *, where: str) -> bytes:
    """The data key from a wrapped blob; a wrong master key or an altered file is a clear error."""
    head = len(KEY_MAGIC) + KEY_ID_BYTES
    if not blob.startswith(KEY_MAGIC) or len(blob) < head + NONCE_BYTES + 16:
        raise CaseStoreError(f"{where}: not a breachflow key file")
    if blob[len(KEY_MAGIC) : head] != key_id(master_key):
        raise ConfigError(
            f"{where}: wrapped by a different master key (key id {blob[len(KEY_MAGIC):head].hex()}, "
            f"configured {key_id(master_key).hex()}); set BREACHFLOW_MASTER_KEY(_FILE) to the key the case was opened with"
        )
    nonce = blob[head : head + NONCE_BYTES]
    try:
        return AESGCM(master_key).decrypt(nonce, blob[head + NONCE_BYTES :], b"breachflow-key\0" + incident_id.encode())
    except InvalidTag:
        raise CaseStoreError(f"{where}: key file altered or belongs to another incident") from None
