"""Letters drawn fast: reportlab address blocks over WeasyPrint variant bodies, checked as text and as pixels."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from pypdf import PdfReader

from breachflow.notification.content import notice_context
from breachflow.notification.letters import missing_glyphs, render_letters, stamp_pages
from breachflow.notification.plan import Channel, make_notice, template_versions
from breachflow.vocabulary import DataItem
from tests.notification.support import INCIDENT, TEMPLATES, TODAY, business, email_person, facts

DPI = 144
IDEOGRAPHIC_SPACE = "\u3000"


def letter_context(i: int, **overrides: object):
    """The letter context of a synthetic person."""
    person = email_person(i, **overrides)
    notice = make_notice(incident_id=INCIDENT, person=person, channel=Channel.letter,
                         versions=template_versions(TEMPLATES))
    return notice_context(notice=notice, person=person, facts=facts(), business=business(), today=TODAY)


def page_pixels(pdf: bytes, tmp_path: Path, page: int = 1) -> list[bytes]:
    """One page rasterised by poppler as rows of grey values (0 = black)."""
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page), str(source),
                    str(tmp_path / "page")], check=True)
    raw = next(tmp_path.glob("page*.pgm")).read_bytes()
    next(tmp_path.glob("page*.pgm")).unlink()
    # Binary PGM: "P5\n<width> <height>\n<max>\n" then one byte per pixel.
    magic, width, height, _max, pixels = raw.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(width), int(height)
    return [pixels[y * w : (y + 1) * w] for y in range(h)]


def ink_columns(rows: list[bytes]) -> list[int]:
    """Columns with a dark pixel in any of the rows."""
    return sorted({x for row in rows for x, value in enumerate(row) if value < 128})


def test_ideographic_space_in_an_address_prints_as_one_em_of_space(tmp_path: Path):
    """A U+3000 inside 住所1 is kept in the text and widens the printed line by one 11 pt em."""
    plain = letter_context(1, address1="東京都千代田区千代田1-1")
    spaced = letter_context(1, address1=f"東京都{IDEOGRAPHIC_SPACE}千代田区千代田1-1")
    page = PdfReader(io.BytesIO(stamp_pages([spaced]).pdf)).pages[0]
    assert f"東京都{IDEOGRAPHIC_SPACE}千代田区" in page.extract_text()

    a, b = page_pixels(stamp_pages([plain]).pdf, tmp_path), page_pixels(stamp_pages([spaced]).pdf, tmp_path)
    changed = [y for y, (ra, rb) in enumerate(zip(a, b)) if ra != rb]
    assert changed, "the two address lines must differ on the page"
    band_a, band_b = a[changed[0] : changed[-1] + 1], b[changed[0] : changed[-1] + 1]
    cols_a, cols_b = ink_columns(band_a), ink_columns(band_b)
    em = 11 / 72 * DPI
    assert cols_a[0] == cols_b[0], "both lines start at the block's left edge"
    assert abs((cols_b[-1] - cols_a[-1]) - em) <= 2, "the line is one em longer"
    # The space itself is blank: a gap of at least most of an em right after 東京都.
    gaps = [right - left for left, right in zip(cols_b, cols_b[1:])]
    assert max(gaps) >= 0.8 * em


def test_letters_show_each_addressee_over_their_variant_body(tmp_path: Path):
    """Every letter's first page carries its addressee and the body; the index's pages match the file."""
    contexts = [
        letter_context(i, items=[DataItem.name, DataItem.address] + ([DataItem.card_number] if i % 2 else []))
        for i in range(6)
    ] + [letter_context(9, name="𠮷田 花子", items=[DataItem.name, DataItem.address])]
    out = tmp_path / "letters"
    index = render_letters(contexts=contexts, out_dir=out, templates_dir=TEMPLATES, chunk_size=4, workers=1)
    assert index.variants == 2 and len(index.files) == 2
    assert missing_glyphs(contexts) == {contexts[-1].notice_id: ["U+20BB7"]}
    for context, entry in zip(contexts, index.letters):
        assert entry.notice_id == context.notice_id

        def text(first: int, last: int) -> str:
            command = ["pdftotext", "-f", str(first), "-l", str(last), str(out / entry.file), "-"]
            return subprocess.run(command, capture_output=True, check=True, text=True).stdout

        first = text(entry.first_page, entry.first_page)
        whole = text(entry.first_page, entry.first_page + entry.pages - 1)
        r = context.recipient
        assert f"〒{r.postal_code}" in first and r.address1 in first and r.address2 in first
        assert f"{r.name} 様" in first.replace("𠮷", "") or "田 花子 様" in first
        assert context.notice_id in first and "個人情報の漏えいに関するお詫びとお知らせ" in first
        assert ("クレジットカード番号" in whole) == ("クレジットカード番号" in context.items)
    for name in index.files:
        reader = PdfReader(out / name)
        assert len(reader.pages) == sum(e.pages for e in index.letters if e.file == name)
