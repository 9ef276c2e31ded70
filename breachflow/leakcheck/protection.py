"""Recognise protected containers: password zip, password-protected Office files, encrypted PDFs.

A protected file is reported as protected, never as clean and never as a leak. Strength:
zip AES (compression method 99) and PDF AES are ``ok``; ZipCrypto and PDF RC4 are ``weak``
(both are broken by known-plaintext or brute force). Office "agile" encryption is AES, ``ok``;
the older RC4 "standard"/XOR schemes are ``weak``.
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum
from typing import TYPE_CHECKING, BinaryIO

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from pypdf import PdfReader

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_ENCRYPTED_FLAG = 0x1
ZIP_AES_METHOD = 99


class ProtectionKind(StrEnum):
    """Which protection a file carries."""

    zip_aes = "zip_aes"
    zip_crypto = "zip_crypto"
    office_password = "office_password"
    pdf_password = "pdf_password"


class Strength(StrEnum):
    """Whether the protection still protects."""

    ok = "ok"
    weak = "weak"


class Protection(BaseModel):
    """The protection found on a file (or on some of a zip's members)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProtectionKind
    strength: Strength
    detail: str = ""
    protected_members: int = 0
    clear_members: int = 0


def zip_protection(archive: zipfile.ZipFile) -> Protection | None:
    """Protection of a zip from its members' flag bit 0x1 and method 99 (AES); None when clear."""
    encrypted = [info for info in archive.infolist() if info.flag_bits & ZIP_ENCRYPTED_FLAG]
    if not encrypted:
        return None
    clear = sum(1 for info in archive.infolist() if not info.is_dir()) - len(encrypted)
    weak = any(info.compress_type != ZIP_AES_METHOD for info in encrypted)
    return Protection(
        kind=ProtectionKind.zip_crypto if weak else ProtectionKind.zip_aes,
        strength=Strength.weak if weak else Strength.ok,
        detail="ZipCrypto (legacy, breakable)" if weak else "AES",
        protected_members=len(encrypted),
        clear_members=clear,
    )


def _stream(data: bytes | BinaryIO) -> BinaryIO:
    if isinstance(data, bytes):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _head(data: bytes | BinaryIO, size: int) -> bytes:
    if isinstance(data, bytes):
        return data[:size]
    data.seek(0)
    head = data.read(size)
    data.seek(0)
    return head


def office_protection(data: bytes | BinaryIO) -> Protection | None:
    """Protection of an Office file stored as an encrypted OLE container; None for plain OOXML."""
    if _head(data, len(OLE_SIGNATURE)) != OLE_SIGNATURE:
        return None
    import msoffcrypto
    from msoffcrypto.exceptions import FileFormatError

    try:
        office = msoffcrypto.OfficeFile(_stream(data))
        if not office.is_encrypted():
            return None
        encryption_type = str(getattr(office, "type", ""))
    except (FileFormatError, OSError, ValueError, KeyError, AssertionError):
        return None
    weak = encryption_type not in ("", "agile")
    return Protection(
        kind=ProtectionKind.office_password,
        strength=Strength.weak if weak else Strength.ok,
        detail=f"Office encryption: {encryption_type or 'unknown'}",
    )


def pdf_stream(data: bytes | BinaryIO) -> BinaryIO:
    """A stream for pypdf: for bytes, one without ``getbuffer`` (pypdf sizes a BytesIO through
    it, which copies the whole file: 12 MB per scanned-image PDF)."""
    if isinstance(data, bytes):
        return io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    data.seek(0)
    return data


def pdf_protection(data: bytes | BinaryIO | PdfReader) -> Protection | None:
    """Protection of a PDF that needs a password to open; None when clear or owner-password only."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    try:
        reader = data if isinstance(data, PdfReader) else PdfReader(pdf_stream(data))
        if not reader.is_encrypted:
            return None
        # PdfReader opens an encrypted file with the empty user password when that works (only
        # editing is restricted then): its pages can be read. Asking again would repeat the
        # password check, which for AES-256 is deliberately slow.
        try:
            len(reader.pages)
        except FileNotDecryptedError:
            pass
        else:
            return None
        encrypt = reader.trailer["/Encrypt"].get_object()
        version = int(encrypt.get("/V", 0))
    except (PyPdfError, ValueError, KeyError, TypeError, NotImplementedError):
        return Protection(kind=ProtectionKind.pdf_password, strength=Strength.ok, detail="encrypted PDF")
    aes = version >= 5 or (version == 4 and "AESV2" in str(encrypt.get("/CF", "")))
    return Protection(
        kind=ProtectionKind.pdf_password,
        strength=Strength.ok if aes else Strength.weak,
        detail="AES" if aes else "RC4 (breakable)",
    )
