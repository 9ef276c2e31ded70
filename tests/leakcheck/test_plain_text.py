"""Large UTF-8 text files stay UTF-8 bytes for the polars detectors; everything else is decoded as before."""

from __future__ import annotations

import random

import pytest

from breachflow.leakcheck.detectors import Detector
from breachflow.leakcheck.detectors_fast import detect_many
from breachflow.leakcheck.extractors import KEEP_UTF8_FROM, ExtractionError, plain_text, text_of_plain
from breachflow.leakcheck.samples import Planted, csv_text, customer_rows

LIST = csv_text(customer_rows(random.Random(5), 1500, Planted()))


def test_a_large_utf8_file_comes_back_as_its_bytes_and_means_the_same_text():
    data = LIST.encode("utf-8")
    assert len(data) >= KEEP_UTF8_FROM
    kept = plain_text(data, truncated=False)
    assert isinstance(kept, bytes) and kept.decode("utf-8") == text_of_plain(data, truncated=False)


def test_a_bom_is_dropped_and_small_files_are_decoded():
    kept = plain_text(b"\xef\xbb\xbf" + LIST.encode("utf-8"), truncated=False)
    assert isinstance(kept, bytes) and kept.decode("utf-8") == LIST
    assert plain_text("氏名,電話\n".encode(), truncated=False) == "氏名,電話\n"


@pytest.mark.parametrize("cut", [1, 2])
def test_a_character_split_by_the_read_cap_is_dropped_as_the_decoder_does(cut: int):
    """The cap may fall inside a three-byte character: both paths drop its first bytes."""
    data = (LIST + "東").encode("utf-8")[:-cut]
    kept = plain_text(data, truncated=True)
    assert isinstance(kept, bytes) and kept.decode("utf-8") == text_of_plain(data, truncated=True) == LIST


def test_cp932_and_broken_files_are_decoded_or_refused_as_before():
    data = LIST.encode("cp932")
    assert plain_text(data, truncated=False) == LIST
    broken = LIST.encode("utf-8") + b"\xff\xfe\xfa" * 3
    with pytest.raises(ExtractionError) as refused:
        plain_text(broken, truncated=False)
    assert refused.value.kind == "undecodable"
    with pytest.raises(ExtractionError) as binary:
        plain_text(b"\x00" + LIST.encode("utf-8"), truncated=False)
    assert binary.value.kind == "binary_content"


def test_detection_of_utf8_bytes_equals_detection_of_the_text():
    """Also where a run is settled in Python at its place (a postal code known by its 〒 mark)."""
    texts = [LIST, "連絡先 +81-90-1234-5678、本社 〒100-0001 (受付)", "nothing here"]
    as_bytes = [text.encode("utf-8") for text in texts]
    mixed = [as_bytes[0], texts[1], as_bytes[2]]
    expected = detect_many(texts)
    assert expected[0] and set(expected[1]) == {Detector.phone, Detector.postal_address}
    assert detect_many(as_bytes) == expected
    assert detect_many(mixed) == expected


def _zip_of(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ROWS = customer_rows(random.Random(6), 1200, Planted())
ROWS[3][1] = "山田 & 佐藤 <営業>"  # written as &amp; and &lt;...&gt; in the XML
ROWS[4][1] = 'quote " and apostrophe \''


@pytest.mark.parametrize("sheet", [True, False])
def test_office_text_stripped_in_polars_is_the_python_text(sheet: bool):
    """Workbook and document XML: same text through polars (as UTF-8 bytes) as through the Python patterns."""
    from breachflow.leakcheck.extractors import ooxml_text, text_of_ooxml
    from breachflow.leakcheck.samples import docx_bytes, xlsx_bytes

    data = xlsx_bytes(ROWS) if sheet else docx_bytes(["\t".join(row) for row in ROWS])
    kept = ooxml_text(data, sheet=sheet, max_bytes=32 << 20)
    expected = text_of_ooxml(data, sheet=sheet, max_bytes=32 << 20)
    assert isinstance(kept, bytes) and kept.decode("utf-8") == expected
    assert "山田 & 佐藤 <営業>" in expected and "apostrophe '" in expected


def test_office_text_with_other_references_or_a_cut_character_goes_the_python_way():
    """A numeric reference (&#12354;) and a part cut inside a character give the Python text exactly."""
    from breachflow.leakcheck.extractors import ooxml_text, text_of_ooxml

    body = "".join(f"<w:p><w:r><w:t>{' '.join(row)}</w:t></w:r></w:p>" for row in ROWS)
    document = f'<w:document xmlns:w="x"><w:body><w:p><w:t>&#12354;&amp;</w:t></w:p>{body}</w:body></w:document>'
    raw = document.encode("utf-8")
    assert len(raw) >= KEEP_UTF8_FROM  # large enough for the polars path to be tried
    data = _zip_of({"word/document.xml": raw})
    text = text_of_ooxml(data, sheet=False, max_bytes=32 << 20)
    assert text.startswith("あ&") and ooxml_text(data, sheet=False, max_bytes=32 << 20) == text
    cut = max(i for i, byte in enumerate(raw) if byte >= 0xE0) + 1  # one byte into the last 3-byte character
    assert ooxml_text(data, sheet=False, max_bytes=cut) == text_of_ooxml(data, sheet=False, max_bytes=cut)
