"""Text out of the file types a leak check reads: CSV/TSV/TXT, XLSX/XLSM, DOCX, PDF, ZIP members.

Every extractor works on bytes already read (capped by the caller) and yields
``(member, text)`` pieces; ``member`` is None for the file itself and the member name for
zip members. Office files are read as their XML with the tags removed: faster than a cell
model, and a number formatted as text stays as typed.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader
    from pypdf.generic import IndirectObject

TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm"})
DOC_SUFFIXES = frozenset({".docx"})
PDF_SUFFIXES = frozenset({".pdf"})
ZIP_SUFFIXES = frozenset({".zip"})
SCANNED_SUFFIXES = TEXT_SUFFIXES | SHEET_SUFFIXES | DOC_SUFFIXES | PDF_SUFFIXES | ZIP_SUFFIXES

MAX_ZIP_DEPTH = 2
MAX_ZIP_MEMBERS = 10_000
BINARY_SNIFF_BYTES = 8192
_UTF8_BOM = b"\xef\xbb\xbf"

_SHEET_PARTS = re.compile(r"xl/(sharedStrings\.xml|worksheets/[^/]+\.xml)$")
_DOC_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")
# Cell and paragraph ends become separators; other tags vanish so that runs split inside a
# number ("090-</w:t></w:r><w:r><w:t>1234") join up again.
_SHEET_BREAKS = re.compile(r"</(?:si|c|row)>")
_DOC_BREAKS = re.compile(r"</w:p>|<w:tab/>|<w:br/>")
_TAG = re.compile(r"<[^>]*>")


class ExtractionError(Exception):
    """The content cannot be read as its type says; ``kind`` is an IssueKind value."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def suffix_of(name: str) -> str:
    """Lower-case suffix of a file or member name."""
    return PurePosixPath(name).suffix.lower()


def looks_binary(data: bytes) -> bool:
    """True when the start of the data holds NUL bytes, which no text encoding we read uses."""
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def decode_text(data: bytes, *, truncated: bool) -> str:
    """Decode strictly: BOM, then UTF-8, then CP932; a cut at the read cap may split a character."""
    if data.startswith(_UTF8_BOM):
        return _decode(data[len(_UTF8_BOM) :], "utf-8", truncated=truncated)
    for encoding in ("utf-8", "cp932"):
        try:
            return _decode(data, encoding, truncated=truncated)
        except UnicodeDecodeError:
            continue
    raise ExtractionError("undecodable", "not UTF-8 or CP932 text")


def _decode(data: bytes, encoding: str, *, truncated: bool) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(data) - 3:
            return data[: exc.start].decode(encoding)
        raise


def text_of_plain(data: bytes, *, truncated: bool) -> str:
    """Text of a CSV/TSV/TXT file; binary content is an error, not text."""
    if looks_binary(data):
        raise ExtractionError("binary_content", "binary content in a text file (NUL bytes)")
    return decode_text(data, truncated=truncated)


# From this size, UTF-8 text is checked in polars and kept as bytes: the detectors search it
# in polars anyway, and a Python str would cost a decode and then an encode back to UTF-8.
KEEP_UTF8_FROM = 64 * 1024


def plain_text(data: bytes, *, truncated: bool) -> str | bytes:
    """``text_of_plain``, but a large UTF-8 file comes back as its (checked, complete) UTF-8 bytes."""
    if len(data) < KEEP_UTF8_FROM or looks_binary(data):
        return text_of_plain(data, truncated=truncated)
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    if truncated:
        body = body[: _complete_utf8_length(body)]
    if _is_utf8(body):
        return body
    return text_of_plain(data, truncated=truncated)


def _complete_utf8_length(data: bytes) -> int:
    """Length of ``data`` without a UTF-8 character cut off at its end (by the read cap)."""
    start = len(data)
    while start > max(0, len(data) - 4) and data[start - 1] & 0xC0 == 0x80:
        start -= 1  # continuation bytes of the last character
    if start == 0:
        return len(data)
    lead = data[start - 1]
    width = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return start - 1 if start - 1 + width > len(data) else len(data)


def _is_utf8(data: bytes) -> bool:
    import polars as pl

    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


def _strip_xml(xml: str, breaks: re.Pattern[str]) -> str:
    text = _TAG.sub("", breaks.sub("\t", xml))
    return unescape(text) if "&" in text else text


def _stream(data: bytes | BinaryIO) -> BinaryIO:
    if isinstance(data, bytes):
        return io.BytesIO(data)
    data.seek(0)
    return data


def text_of_ooxml(data: bytes | BinaryIO, *, sheet: bool, max_bytes: int) -> str:
    """Text of an XLSX/XLSM (shared strings and sheets) or DOCX (body, headers, notes)."""
    raw, breaks = _office_parts(data, sheet=sheet, max_bytes=max_bytes)
    return _xml_text(raw, breaks)


def _office_parts(data: bytes | BinaryIO, *, sheet: bool, max_bytes: int) -> tuple[list[bytes], re.Pattern[str]]:
    """The XML parts that hold a workbook's or document's text (each read up to ``max_bytes``), and their breaks."""
    parts, breaks = (_SHEET_PARTS, _SHEET_BREAKS) if sheet else (_DOC_PARTS, _DOC_BREAKS)
    try:
        with zipfile.ZipFile(_stream(data)) as archive:
            raw = []
            for info in archive.infolist():
                if parts.match(info.filename):
                    with archive.open(info) as member:
                        raw.append(member.read(max_bytes))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, KeyError) as exc:
        raise ExtractionError("broken_container", f"not a readable Office file ({type(exc).__name__})") from None
    return raw, breaks


def _xml_text(raw: list[bytes], breaks: re.Pattern[str]) -> str:
    return "\n".join(_strip_xml(part.decode("utf-8", errors="replace"), breaks) for part in raw)


def ooxml_text(data: bytes | BinaryIO, *, sheet: bool, max_bytes: int) -> str | bytes:
    """``text_of_ooxml``, with large parts stripped of their tags in polars and returned as UTF-8 bytes.

    Same text: the same two patterns (Rust's regex engine reads them alike), and the five
    entities XML defines replaced in one pass as ``html.unescape`` does; a part with any other
    ``&`` (a numeric reference, say) or that is not valid UTF-8 goes the Python way.
    """
    import polars as pl

    raw, breaks = _office_parts(data, sheet=sheet, max_bytes=max_bytes)
    if sum(map(len, raw)) < KEEP_UTF8_FROM:
        return _xml_text(raw, breaks)
    from breachflow.leakcheck.detectors_fast import column

    try:
        xml = column(pl.Series(raw, dtype=pl.Binary).cast(pl.String))
    except pl.exceptions.ComputeError:  # not valid UTF-8 (a part cut by the cap, say)
        return _xml_text(raw, breaks)
    text = xml.str.replace_all(breaks.pattern, "\t").str.replace_all(_TAG.pattern, "").head(len(raw))
    ampersands = text.str.count_matches("&", literal=True)
    if ampersands.sum():
        known = sum(text.str.count_matches(entity, literal=True) for entity in _XML_ENTITIES)
        if (ampersands != known).any():
            return "\n".join(unescape(part) if "&" in part else part for part in text)
        text = text.str.replace_many(list(_XML_ENTITIES), list(_XML_ENTITIES.values()))
    return text.str.join("\n").cast(pl.Binary).item()


_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def pdf_reader(data: bytes | BinaryIO) -> PdfReader:
    """A PDF parsed (its cross-reference table), for protection checks and text."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from breachflow.leakcheck.protection import pdf_stream

    try:
        return PdfReader(pdf_stream(data))
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ExtractionError("broken_container", f"not a readable PDF ({type(exc).__name__})") from None


def text_of_pdf(data: bytes | BinaryIO | PdfReader, *, max_chars: int) -> str:
    """Text of every page of a PDF, up to ``max_chars``."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        # An encrypted file with an empty user password is already open (PdfReader tried it).
        reader = data if isinstance(data, PdfReader) else pdf_reader(data)
        pieces: list[str] = []
        total = 0
        for page in reader.pages:
            _mark_drawn_images(reader, page)
            text = page.extract_text() or ""
            pieces.append(text)
            total += len(text)
            if total >= max_chars:
                break
        return "\n".join(pieces)[:max_chars]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ExtractionError("broken_container", f"not a readable PDF ({type(exc).__name__})") from None


# How far into an object its dictionary is looked for: an image's is a few hundred bytes.
_OBJECT_HEAD_BYTES = 4096
_OBJECT_START = re.compile(rb"\s*\d+\s+\d+\s+obj\s*")


def _mark_drawn_images(reader: PdfReader, page: PageObject) -> None:
    """Put a stand-in for each image the page draws, known as one from its dictionary alone.

    pypdf loads every XObject a page draws whole, to learn whether it is a form (which holds
    text) or an image (which does not): for a scanned page, that is the scan, most of the
    file's bytes. An image's dictionary says it is one before its data starts, so only that
    is read; anything not surely an image (a form, an object in an object stream, a
    dictionary that does not parse alone) is left to pypdf.
    """
    from pypdf.generic import DictionaryObject, IndirectObject, NameObject

    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        xobjects = xobjects.get_object() if xobjects is not None else None
    except Exception:  # noqa: BLE001 - a broken page is pypdf's to report when it extracts
        return
    if not isinstance(xobjects, DictionaryObject):
        return
    for name, value in list(xobjects.items()):
        if isinstance(value, IndirectObject) and _is_image(reader, value):
            xobjects[name] = DictionaryObject({NameObject("/Subtype"): NameObject("/Image")})


def _is_image(reader: PdfReader, reference: IndirectObject) -> bool:
    """Whether the object's own dictionary, read without its stream, says /Subtype /Image."""
    from pypdf.generic import DictionaryObject

    offset = reader.xref.get(reference.generation, {}).get(reference.idnum)
    if not isinstance(offset, int):
        return False
    stream = reader.stream
    position = stream.tell()
    try:
        stream.seek(offset)
        head = stream.read(_OBJECT_HEAD_BYTES)
    finally:
        stream.seek(position)
    start = _OBJECT_START.match(head)
    end = head.find(b"stream")
    if start is None or end < 0:
        return False
    try:
        dictionary = DictionaryObject.read_from_stream(io.BytesIO(head[start.end() : end]), reader)
    except Exception:  # noqa: BLE001 - "stream" inside the dictionary, say: pypdf reads it whole
        return False
    return dictionary.get("/Subtype") == "/Image"
