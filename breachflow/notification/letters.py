"""Postal letters: A4 Japanese PDFs for window envelopes, fast enough for tens of thousands of persons.

Measured here: WeasyPrint lays out ~10 full letters/s (pure-Python layout dominates), so
10,000 naive letters would take ~17 minutes. But a letter's body depends only on its
*variant* (the person's item set and the day), never on the person: only the address
block (〒, 住所, 氏名 様, notice id) and the notice number in each page's footer are
personal. So each variant's body is laid out once by WeasyPrint (correct Japanese line
breaking, embedded fonts), and every page of a letter is a small reportlab overlay (address
block on the first page, 「お知らせ番号 … n/N」 on every page) with the body page drawn
underneath as a shared Form XObject (pypdf). The address block is wrapped into the window of
a 長形3号 envelope by address_block.py (WeasyPrint cost ~18 ms per block, reportlab well under
1 ms). Chunks of letters go to parallel processes; each chunk is one PDF of at most
``chunk_size`` letters, and the index maps every notice to its file and pages.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from breachflow.errors import RenderError
from breachflow.notification.address_block import (
    ADDRESS_FONT_FILE,
    BOX_HEIGHT,
    BOX_LEFT_MM,
    BOX_TOP_MM,
    BOX_WIDTH,
    MM,
    AddressBlock,
    layout_address,
)
from breachflow.notification.content import NoticeContext, Recipient
from breachflow.processes import ignore_interrupts, stop_pool, worker_context
from breachflow.templating import environment

_BLANK = Recipient(person_id="", name="", kana="", postal_code="", address1="", address2="", phone_national="")


class LetterPages(BaseModel):
    """Where one notice's letter is: file and 1-based page range."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notice_id: str
    file: str
    first_page: int
    pages: int
    address_fits: bool = Field(default=True, description="False: the address fits the envelope window only below 9 pt")


class LetterIndex(BaseModel):
    """Every rendered letter and the files (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: list[str]
    variants: int
    letters: list[LetterPages]


FONT_FILES = (Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"), ADDRESS_FONT_FILE)


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # a WeasyPrint dependency

    covered: set[int] = set()
    for path in FONT_FILES:
        if path.exists():
            covered |= set(TTFont(path, lazy=True).getBestCmap())
    return frozenset(covered)


def missing_glyphs(contexts: Iterable[NoticeContext]) -> dict[str, list[str]]:
    """Per notice id, code points of the addressee the letter fonts cannot draw (they would print as tofu)."""
    covered = _covered()
    if not covered:
        return {}
    report: dict[str, list[str]] = {}
    for c in contexts:
        r = c.recipient
        bad = sorted({f"U+{ord(ch):04X}" for ch in r.name + r.address1 + r.address2 + r.postal_code
                      if not ch.isspace() and ord(ch) not in covered})
        if bad:
            report[c.notice_id] = bad
    return report


def _document(sections: str, templates_dir: Path) -> str:
    css = (templates_dir / "letters" / "letter.css").read_text("utf-8")
    return f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><style>{css}</style></head><body>{sections}</body></html>'


def letters_html(contexts: Iterable[NoticeContext], *, templates_dir: Path, template: str) -> str:
    """One HTML document with one page-starting <section> per context."""
    tpl = environment(templates_dir).get_template(template)
    return _document("".join(tpl.render(**c.model_dump(mode="python")) for c in contexts), templates_dir)


def variant_key(context: NoticeContext) -> str:
    """Everything in a letter except the addressee: letters with equal keys share a body."""
    return context.model_copy(update={"recipient": _BLANK, "notice_id": ""}).model_dump_json()


def render_variant_body(context: NoticeContext, *, templates_dir: Path) -> bytes:
    """The body PDF of one variant (address block left blank), rendered from a context without the person."""
    from weasyprint import HTML  # lazily: WeasyPrint loads Pango at import

    blank = context.model_copy(update={"recipient": _BLANK, "notice_id": ""})
    return HTML(string=letters_html([blank], templates_dir=templates_dir, template="letters/letter.html")).write_pdf()


# The letter pages as laid out by letters/letter.css: A4 with 18 mm top and bottom margins; the
# per-person marks are drawn by reportlab over the shared body: the address block in the
# envelope window (address_block.py has the window's numbers) on the first page, and on every
# page a footer in the bottom margin with the notice number and 「n/N」.
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
ADDRESS_FONT = "IPAexGothic"
FOOTER_RIGHT, FOOTER_BASELINE, FOOTER_SIZE = 190 * MM, 10 * MM, 8.0
GREY = 0.27  # #444, as letter.css greys the notice id


@lru_cache(maxsize=1)
def _register_address_font() -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Binary (Flate only) streams, as WeasyPrint writes them: ASCII85 on top is for 7-bit
    # channels, makes the file larger and cost a quarter of the drawing time (pure Python).
    rl_config.useA85 = 0
    if not ADDRESS_FONT_FILE.exists():
        raise RenderError(f"letters: font {ADDRESS_FONT_FILE} not found; install the Debian package fonts-ipaexfont")
    pdfmetrics.registerFont(TTFont(ADDRESS_FONT, str(ADDRESS_FONT_FILE)))


def _canvas(buffer: io.BytesIO) -> Any:
    """An A4 reportlab canvas whose only font is the embedded IPAexGothic.

    reportlab starts every page in Helvetica and declares it in the file even when nothing is
    drawn in it; a non-embedded base-14 font is what print preflight rejects.
    """
    from reportlab.pdfgen.canvas import Canvas

    _register_address_font()
    return Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, initialFontName=ADDRESS_FONT,
                  initialFontSize=10)


def address_block(context: NoticeContext) -> AddressBlock:
    """The laid-out address block of one letter."""
    r = context.recipient
    return layout_address(postal_code=r.postal_code, address1=r.address1, address2=r.address2, name=r.name,
                          notice_id=context.notice_id)


def draw_block(canvas: Any, block: AddressBlock, *, left: float, top: float) -> None:
    """Draw a laid-out block with its box's top-left corner at (left, top) in PDF points."""
    for line in block.lines:
        canvas.setFillGray(GREY if line.grey else 0)
        canvas.setFont(ADDRESS_FONT, line.size)
        # One string per line, U+3000 included: canvas text keeps it as the font's own glyph
        # (1 em wide) and in the text layer. (reportlab's Paragraph layer would collapse it as
        # whitespace; the shared notes measured that. A test checks the printed width.)
        canvas.drawString(left, top - line.baseline, line.text)


class Stamps(NamedTuple):
    """The per-person overlay pages of some letters, and for each letter whether its address fit the window."""

    pdf: bytes
    fits: list[bool]


def stamp_pages(contexts: list[NoticeContext], pages: list[int] | None = None) -> Stamps:
    """For each letter, one A4 overlay per page: the address block on its first, the footer on every page."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    fits = []
    for context, total in zip(contexts, pages or [1] * len(contexts), strict=True):
        block = address_block(context)
        fits.append(block.fits)
        for number in range(1, total + 1):
            if number == 1:
                draw_block(canvas, block, left=BOX_LEFT_MM * MM, top=PAGE_HEIGHT - BOX_TOP_MM * MM)
            canvas.setFillGray(GREY)
            canvas.setFont(ADDRESS_FONT, FOOTER_SIZE)
            canvas.drawRightString(FOOTER_RIGHT, FOOTER_BASELINE, f"お知らせ番号：{context.notice_id}　{number}/{total}")
            canvas.showPage()
    canvas.save()
    return Stamps(buffer.getvalue(), fits)


# Label sheets: A4, 2 × 6 labels of 96 × 45 mm from 8 mm left and 10 mm top. The address block
# has the same 80 × 35 mm box as in the window (8 mm and 5 mm padding), so a block that fits the
# window fits its label.
LABEL_COLUMNS, LABEL_ROWS = 2, 6
LABELS_PER_SHEET = LABEL_COLUMNS * LABEL_ROWS
LABEL_WIDTH, LABEL_HEIGHT = 96 * MM, 45 * MM
SHEET_LEFT, SHEET_TOP = 8 * MM, 10 * MM


def label_sheets(contexts: list[NoticeContext]) -> bytes:
    """Address labels for every letter, in letter order, drawn by reportlab (linear in the labels)."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer)
    for start in range(0, len(contexts), LABELS_PER_SHEET):
        for slot, context in enumerate(contexts[start : start + LABELS_PER_SHEET]):
            row, column = divmod(slot, LABEL_COLUMNS)
            left = SHEET_LEFT + column * LABEL_WIDTH + (LABEL_WIDTH - BOX_WIDTH) / 2
            top = PAGE_HEIGHT - SHEET_TOP - row * LABEL_HEIGHT - (LABEL_HEIGHT - BOX_HEIGHT) / 2
            draw_block(canvas, address_block(context), left=left, top=top)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _body_forms(writer: Any, bodies: dict[str, bytes]) -> dict[str, list[tuple[str, object, object]]]:
    """Each variant's body pages as Form XObjects in the writer: (resource name, form, content stream drawing it)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

    forms: dict[str, list[tuple[str, object, object]]] = {}
    for number, (key, pdf) in enumerate(bodies.items()):
        forms[key] = []
        for page_number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
            form = DecodedStreamObject()
            form.set_data(page.get_contents().get_data())
            form.update({
                NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(page.mediabox),
                NameObject("/Resources"): page["/Resources"].clone(writer),
            })
            name = f"/BreachflowBody{number}p{page_number}"
            draw = DecodedStreamObject()
            draw.set_data(f"q {name} Do Q\n".encode())
            forms[key].append((name, writer._add_object(form), writer._add_object(draw)))
    return forms


def _render_chunk(args: tuple[list[dict], list[str], dict[str, bytes], Path]) -> list[LetterPages]:
    """Draw each letter's overlay pages over its variant's body pages; one PDF per chunk."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    raw_contexts, keys, bodies, target = args
    contexts = [NoticeContext.model_validate(c) for c in raw_contexts]
    writer = PdfWriter()
    # Every body page becomes one Form XObject per chunk, and every letter page is its own
    # overlay page drawing that XObject underneath. pypdf's merge_page would re-parse the body's
    # content stream for every page (~30 ms each, measured).
    forms = _body_forms(writer, bodies)
    stamps = stamp_pages(contexts, [len(forms[key]) for key in keys])
    overlays = PdfReader(io.BytesIO(stamps.pdf)).pages
    expected = sum(len(forms[key]) for key in keys)
    if len(overlays) != expected:
        raise RuntimeError(f"{target.name}: {len(overlays)} overlay pages for {expected} letter pages")
    index = []
    first = 1  # counted here: len(writer.pages) walks the page tree on every call
    overlay = iter(overlays)
    for context, key, fits in zip(contexts, keys, stamps.fits, strict=True):
        for name, form_ref, draw_ref in forms[key]:
            page = writer.add_page(next(overlay))
            resources = page[NameObject("/Resources")].get_object()
            xobjects = resources.get("/XObject")
            if xobjects is None:
                xobjects = DictionaryObject()
                resources[NameObject("/XObject")] = xobjects
            xobjects.get_object()[NameObject(name)] = form_ref
            contents = page.get("/Contents")
            existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
            page[NameObject("/Contents")] = ArrayObject([draw_ref, *existing])
        index.append(LetterPages(notice_id=context.notice_id, file=target.name, first_page=first,
                                 pages=len(forms[key]), address_fits=fits))
        first += len(forms[key])
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        writer.write(handle)
    os.replace(tmp, target)
    return index


def render_letters(
    *, contexts: list[NoticeContext], out_dir: Path, templates_dir: Path, chunk_size: int = 500, workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> LetterIndex:
    """Render letters into PDFs of ``chunk_size`` letters each, using ``workers`` processes.

    ``progress(done, total)`` is called as each PDF is finished (letters rendered so far).
    """
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = [variant_key(c) for c in contexts]
    bodies: dict[str, bytes] = {}
    for key, context in zip(keys, contexts):
        if key not in bodies:
            bodies[key] = render_variant_body(context, templates_dir=templates_dir)
    jobs = []
    for number, start in enumerate(range(0, len(contexts), chunk_size), start=1):
        chunk_keys = keys[start : start + chunk_size]
        jobs.append((
            [c.model_dump(mode="json") for c in contexts[start : start + chunk_size]], chunk_keys,
            {k: bodies[k] for k in set(chunk_keys)}, out_dir / f"letters-{number:04d}.pdf",
        ))
    context = worker_context()
    if workers <= 1 or len(jobs) <= 1 or context is None:
        results = list(_reporting(map(_render_chunk, jobs), progress, len(contexts)))
    else:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=ignore_interrupts)
        try:
            results = list(_reporting(pool.map(_render_chunk, jobs), progress, len(contexts)))
        except BaseException:
            # Ctrl-C, SIGTERM or a failed chunk: stop the other chunks now rather than after they
            # finish, and leave no half-written chunk (the letters stay planned in the ledger).
            stop_pool(pool)
            for job in jobs:
                job[3].with_suffix(".tmp").unlink(missing_ok=True)
            raise
        pool.shutdown()
    return LetterIndex(
        files=[job[3].name for job in jobs], variants=len(bodies), letters=[p for chunk in results for p in chunk]
    )


def _reporting(chunks: Iterable[list[LetterPages]], progress: Callable[[int, int], None] | None,
               total: int) -> Iterator[list[LetterPages]]:
    """The rendered chunks, calling ``progress(letters done, total)`` after each one."""
    done = 0
    for chunk in chunks:
        done += len(chunk)
        if progress is not None:
            progress(done, total)
        yield chunk
