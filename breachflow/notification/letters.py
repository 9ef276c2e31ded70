"""Postal letters: A4 Japanese PDFs, fast enough for tens of thousands of persons.

Measured here: WeasyPrint lays out ~10 full letters/s (pure-Python layout dominates), so
10,000 naive letters would take ~17 minutes. But a letter's body depends only on its
*variant* (the person's item set and the day), never on the person: only the address
block (〒, 住所1, 住所2, 氏名 様, notice id) is personal. So each variant's body is laid
out once by WeasyPrint (correct Japanese line breaking, embedded fonts), the address
blocks are laid out by WeasyPrint too (tiny pages, cheap), and pypdf stamps each address
block onto a copy of its variant's first page. Chunks of letters go to parallel
processes; each chunk is one PDF, and the index maps every notice to its file and pages.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from breachflow.notification.content import NoticeContext, Recipient
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


def _render_chunk(args: tuple[list[dict], list[str], dict[str, bytes], Path, Path]) -> list[LetterPages]:
    """Stamp each address block onto its variant body; one PDF per chunk."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject
    from weasyprint import HTML

    raw_contexts, keys, bodies, templates_dir, target = args
    contexts = [NoticeContext.model_validate(c) for c in raw_contexts]
    stamps = PdfReader(io.BytesIO(
        HTML(string=letters_html(contexts, templates_dir=templates_dir, template="letters/stamp.html")).write_pdf()
    ))
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
    for context, key, stamp in zip(contexts, keys, stamps.pages):
        name, form_ref, draw_ref = first_pages[key]
        first = len(writer.pages) + 1
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
    if workers <= 1 or len(jobs) <= 1:
        results = [_render_chunk(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_render_chunk, jobs))
    return LetterIndex(
        files=[job[4].name for job in jobs], variants=len(bodies), letters=[p for chunk in results for p in chunk]
    )
