"""Postal letters: A4 Japanese PDFs, fast enough for tens of thousands of persons.

Measured here: WeasyPrint lays out ~10 full letters/s (pure-Python layout dominates), so
10,000 naive letters would take ~17 minutes. But a letter's body depends only on its
*variant* (the person's item set and the day), never on the person: only the address
block (〒, 住所1, 住所2, 氏名 様, notice id) is personal. So each variant's body is laid
out once by WeasyPrint (correct Japanese line breaking, embedded fonts), and each letter's
first page is its address block drawn by reportlab with the body page drawn underneath
as a shared Form XObject (pypdf). The address lines are five short single lines that
never need line breaking (kinsoku), so a simple text drawer is enough: WeasyPrint cost
~18 ms per address block, reportlab well under 1 ms. A line too long for the block is
drawn narrower rather than wrapped. Chunks of letters go to parallel processes; each
chunk is one PDF, and the index maps every notice to its file and pages.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from breachflow.errors import RenderError
from breachflow.notification.content import NoticeContext, Recipient
from breachflow.processes import worker_context
from breachflow.templating import environment

_BLANK = Recipient(person_id="", name="", kana="", postal_code="", address1="", address2="", phone_national="")


class LetterPages(BaseModel):
    """Where one notice's letter is: file and 1-based page range."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notice_id: str
    file: str
    first_page: int
    pages: int


class LetterIndex(BaseModel):
    """Every rendered letter and the files (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: list[str]
    variants: int
    letters: list[LetterPages]


FONT_FILES = (Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
              Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"))


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


# The address block as laid out by letters/letter.css (.address): A4, 18 mm top and 20 mm
# side margins, IPAexGothic, line-height 1.7; sizes in points.
MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
BLOCK_LEFT, BLOCK_TOP, BLOCK_WIDTH = 20 * MM, PAGE_HEIGHT - 18 * MM, 170 * MM
LINE_HEIGHT = 1.7
ADDRESS_FONT = "IPAexGothic"
# IPAexGothic's ascent (1802/2048 em): where the baseline sits in a CSS line box.
_ASCENT = 1802 / 2048


@lru_cache(maxsize=1)
def _register_address_font() -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Binary (Flate only) streams, as WeasyPrint writes them: ASCII85 on top is for 7-bit
    # channels, makes the file larger and cost a quarter of the drawing time (pure Python).
    rl_config.useA85 = 0
    path = FONT_FILES[1]
    if not path.exists():
        raise RenderError(f"letters: font {path} not found; install the Debian package fonts-ipaexfont")
    pdfmetrics.registerFont(TTFont(ADDRESS_FONT, str(path)))


def address_lines(context: NoticeContext) -> list[tuple[str, float, float]]:
    """The address block's lines as (text, font size pt, space above pt), as letters/stamp.html has them."""
    r = context.recipient
    lines = [(f"〒{r.postal_code}", 11.0, 0.0), (r.address1, 11.0, 0.0)]
    if r.address2:
        lines.append((r.address2, 11.0, 0.0))
    lines.append((f"{r.name} 様", 14.0, 4 * MM))
    lines.append((f"お知らせ番号：{context.notice_id}", 8.0, 0.0))
    return lines


def _draw_line(canvas: Any, text: str, x: float, y: float, size: float) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = stringWidth(text, ADDRESS_FONT, size)
    if width > BLOCK_WIDTH:  # narrower, never wrapped: an address line must stay one line
        size = size * BLOCK_WIDTH / width
    canvas.setFont(ADDRESS_FONT, size)
    # One string per line, U+3000 included: canvas text keeps it as the font's own glyph
    # (1 em wide) and in the text layer. (reportlab's Paragraph layer would collapse it as
    # whitespace; the shared notes measured that. A test checks the printed width.)
    canvas.drawString(x, y, text)


def address_pages(contexts: list[NoticeContext]) -> bytes:
    """One A4 page per letter with only its address block (reportlab, IPAexGothic embedded as a subset)."""
    from reportlab.pdfgen.canvas import Canvas

    _register_address_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    for context in contexts:
        top = BLOCK_TOP
        for text, size, space_above in address_lines(context):
            top -= space_above
            baseline = top - (LINE_HEIGHT - 1) * size / 2 - _ASCENT * size
            canvas.setFillGray(0.27 if size < 9 else 0)  # the notice id is grey (#444) as in letter.css
            _draw_line(canvas, text, BLOCK_LEFT, baseline, size)
            top -= LINE_HEIGHT * size
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _render_chunk(args: tuple[list[dict], list[str], dict[str, bytes], Path, Path]) -> list[LetterPages]:
    """Draw each address block over its variant body; one PDF per chunk."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    raw_contexts, keys, bodies, templates_dir, target = args
    contexts = [NoticeContext.model_validate(c) for c in raw_contexts]
    stamps = PdfReader(io.BytesIO(address_pages(contexts)))
    if len(stamps.pages) != len(contexts):
        raise RuntimeError(f"{target.name}: {len(stamps.pages)} address pages for {len(contexts)} letters")
    writer = PdfWriter()
    # Each variant's first body page becomes one Form XObject per chunk; every letter's first
    # page is its own address page drawing that XObject underneath. pypdf's merge_page would
    # re-parse the body's content stream for every letter (~30 ms each, measured).
    first_pages: dict[str, tuple[str, object]] = {}
    rest_pages: dict[str, list] = {}
    for number, (key, pdf) in enumerate(bodies.items()):
        body = PdfReader(io.BytesIO(pdf))
        page = body.pages[0]
        form = DecodedStreamObject()
        form.set_data(page.get_contents().get_data())
        form.update({
            NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(page.mediabox),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        })
        name = f"/BreachflowBody{number}"
        draw = DecodedStreamObject()
        draw.set_data(f"q {name} Do Q\n".encode())
        first_pages[key] = (name, writer._add_object(form), writer._add_object(draw))
        rest_pages[key] = list(body.pages[1:])
    index = []
    first = 1  # counted here: len(writer.pages) walks the page tree on every call
    for context, key, stamp in zip(contexts, keys, stamps.pages):
        name, form_ref, draw_ref = first_pages[key]
        page = writer.add_page(stamp)
        resources = page[NameObject("/Resources")].get_object()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        xobjects.get_object()[NameObject(name)] = form_ref
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([draw_ref, *existing])
        for extra in rest_pages[key]:
            writer.add_page(extra)
        index.append(LetterPages(notice_id=context.notice_id, file=target.name, first_page=first,
                                 pages=1 + len(rest_pages[key])))
        first += 1 + len(rest_pages[key])
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        writer.write(handle)
    os.replace(tmp, target)
    return index


def render_letters(
    *, contexts: list[NoticeContext], out_dir: Path, templates_dir: Path, chunk_size: int = 500, workers: int = 2,
) -> LetterIndex:
    """Render letters into PDFs of ``chunk_size`` letters each, using ``workers`` processes."""
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
            {k: bodies[k] for k in set(chunk_keys)}, templates_dir, out_dir / f"letters-{number:04d}.pdf",
        ))
    context = worker_context()
    if workers <= 1 or len(jobs) <= 1 or context is None:
        results = [_render_chunk(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_render_chunk, jobs))
    return LetterIndex(
        files=[job[4].name for job in jobs], variants=len(bodies), letters=[p for chunk in results for p in chunk]
    )
