"""Synthetic planted files for tests and the benchmark: fake persons, real file formats.

Every value is generated (valid My Number check digits, Luhn-valid card numbers in test
ranges, example.com emails); nothing here is anyone's data.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from stdnum import luhn
from stdnum.jp import in_ as individual_number

from breachflow.japan import PREFECTURES

PASSWORD = "synthetic-pass"


@dataclass
class Planted:
    """Values planted in a file (kept by tests to prove none reaches a report)."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    my_numbers: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    postal_codes: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)

    def all_values(self) -> list[str]:
        """Every planted value, as written."""
        return self.emails + self.phones + self.my_numbers + self.cards + self.postal_codes + self.birth_dates


def my_number(rng: random.Random) -> str:
    """A 12-digit number with a valid My Number check digit."""
    body = "".join(rng.choice("0123456789") for _ in range(11))
    return body + individual_number.calc_check_digit(body)


def card_number(rng: random.Random, *, prefix: str = "4", length: int = 16) -> str:
    """A Luhn-valid card number with the given prefix."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def customer_rows(rng: random.Random, count: int, planted: Planted) -> list[list[str]]:
    """Customer-list rows (header first) with every detector's kind of value."""
    rows = [["顧客番号", "氏名", "メール", "電話番号", "郵便番号", "住所", "生年月日", "カード番号", "個人番号"]]
    for index in range(count):
        email = f"user{index:05d}.{rng.randint(100, 999)}@example.com"
        phone = f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        postal = f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
        born = f"昭和{rng.randint(30, 63)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        card = card_number(rng)
        number = my_number(rng)
        planted.emails.append(email)
        planted.phones.append(phone)
        planted.postal_codes.append(postal)
        planted.birth_dates.append(born)
        planted.cards.append(card)
        planted.my_numbers.append(number)
        prefecture = rng.choice(PREFECTURES)
        rows.append([f"C{index:06d}", "試験 太郎", email, phone, postal, f"{prefecture}試験市1-2-3", born, card, number])
    return rows


def contact_rows(rng: random.Random, count: int, planted: Planted) -> list[list[str]]:
    """Rows with emails and phone numbers only (a contact list, no financial items)."""
    rows = [["氏名", "メール", "電話番号"]]
    for index in range(count):
        email = f"contact{index:05d}@example.org"
        phone = f"080-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        planted.emails.append(email)
        planted.phones.append(phone)
        rows.append(["試験 花子", email, phone])
    return rows


def clean_text(rng: random.Random, size: int) -> str:
    """Business prose with dates, amounts and order numbers but no personal data."""
    sentences = [
        "本日の会議では新製品の販売計画について議論した。",
        "売上目標は前年比120%とし、各部署の担当者が報告を行った。",
        "次回は2026年12月1日に開催する予定である。",
        "受注番号 12345 の出荷は第3倉庫から行う。",
        "在庫数は 4,500 個、単価は 1,280 円である。",
        "The quarterly review covered 17 projects and 3 audits.",
    ]
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        total += len(sentence.encode())
    return "\n".join(parts)


def csv_text(rows: list[list[str]], *, delimiter: str = ",") -> str:
    """Rows joined as CSV/TSV text."""
    return "\n".join(delimiter.join(row) for row in rows) + "\n"


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """An .xlsx workbook holding the rows as text cells."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("名簿")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return buffer.getvalue()


_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx_bytes(paragraphs: list[str], *, media: bytes = b"") -> bytes:
    """A minimal .docx; each paragraph's text is split over two runs, as Word often does."""
    from xml.sax.saxutils import escape

    body = "".join(
        f"<w:p><w:r><w:t>{escape(p[: len(p) // 2])}</w:t></w:r><w:r><w:t>{escape(p[len(p) // 2 :])}</w:t></w:r></w:p>"
        for p in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        archive.writestr("word/document.xml", document)
        if media:
            archive.writestr(zipfile.ZipInfo("word/media/image1.png"), media, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def pdf_bytes(lines: list[str], *, image: bytes = b"", form_lines: list[str] | None = None) -> bytes:
    """A minimal one-page PDF with ASCII text lines (Helvetica) over an optional full-page image (a scan).

    ``form_lines`` go into a form XObject the page draws (as a stamp or a template's text
    does), not into the page's own content.
    """
    # The image is drawn on the page, as a scanned page's is: pypdf alone would read its stream
    # to learn that it is no form; the scanner reads only its dictionary.
    def text_stream(text_lines: list[str]) -> bytes:
        return ("BT /F1 10 Tf 50 780 Td 12 TL " + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in text_lines
        ) + " ET").encode("latin-1")

    drawn = ("q 595 0 0 842 0 0 cm /Im1 Do Q " if image else "") + ("/Fm1 Do " if form_lines is not None else "")
    stream = drawn.encode("latin-1") + text_stream(lines)
    xobjects = (b" /Im1 6 0 R" if image else b"") + (b" /Fm1 %d 0 R" % (7 if image else 6) if form_lines is not None else b"")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >>" + (b" /XObject <<" + xobjects + b" >>" if xobjects else b"") + b" >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if image:
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (len(image), len(image)) + image + b"\nendstream"
        )
    if form_lines is not None:
        form = text_stream(form_lines)
        objects.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Length %d >>\nstream\n" % len(form) + form + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def encrypted_pdf_bytes(plain: bytes, *, algorithm: str = "AES-256", password: str = PASSWORD) -> bytes:
    """The PDF encrypted with a user password (pypdf)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_office_bytes(plain: bytes, *, password: str = PASSWORD) -> bytes:
    """An OOXML file encrypted with a password (msoffcrypto-tool, ECMA-376 agile)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


def aes_zip_bytes(members: dict[str, bytes], *, password: str = PASSWORD) -> bytes:
    """A WinZip-AES zip (compression method 99), written with pyzipper (test dependency)."""
    import pyzipper

    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password.encode())
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _crc_update(crc: int, byte: int) -> int:
    return zlib.crc32(bytes([byte]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


class _ZipCrypto:
    """Traditional PKWARE encryption (the weak one), for building test archives."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = _crc_update(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = _crc_update(k2, (k1 >> 24) & 0xFF)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def zipcrypto_bytes(members: dict[str, bytes], *, password: str = PASSWORD, seed: int = 0) -> bytes:
    """A ZipCrypto-encrypted zip (stored members); the standard library can decrypt it."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    central = []
    for name, data in members.items():
        crc = zlib.crc32(data)
        cipher = _ZipCrypto(password.encode())
        header = bytes(rng.randrange(256) for _ in range(11)) + bytes([crc >> 24 & 0xFF])
        payload = cipher.encrypt(header + data)
        raw_name = name.encode("utf-8")
        offset = buffer.tell()
        fields = (20, 0x1 | 0x800, 0, 0, 0x21, crc, len(payload), len(data), len(raw_name), 0)
        buffer.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + raw_name + payload)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<HHHHHHIIIHHHHHII", 20, 20, 0x1 | 0x800, 0, 0, 0x21, crc, len(payload), len(data),
                          len(raw_name), 0, 0, 0, 0, 0, offset)
            + raw_name
        )
    start = buffer.tell()
    directory = b"".join(central)
    buffer.write(directory)
    buffer.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory), start, 0))
    return buffer.getvalue()


def plain_zip_bytes(members: dict[str, bytes], *, stored: frozenset[str] = frozenset()) -> bytes:
    """A clear zip (deflated, except the members named in ``stored``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    """Write bytes (or UTF-8 text), creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path
