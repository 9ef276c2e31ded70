"""The filing PDF: A4 with the IPAex fonts embedded, rasterised by pdftoppm, text extractable."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from breachflow.intake.model import Intake
from breachflow.reporting.context import build_report_context
from breachflow.reporting.facts import ReportKind
from breachflow.reporting.render import render_report_pdf
from breachflow.settings import get_settings
from tests.reporting.conftest import REPORT_DAY, hand_decision
from tests.reporting.test_context import full_facts

PREVIEW = Path("/tmp/kakuho-page1.png")
CLINIC_PREVIEW = Path("/tmp/kakuho-clinic-page1.png")


def _font_files(reader: PdfReader) -> dict[str, set[str]]:
    """Base font name -> the /FontFile* keys its descriptor carries."""
    fonts: dict[str, set[str]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    keys = {k for k in descriptor.get_object() if k.startswith("/FontFile")}
                    fonts.setdefault(str(descendant.get_object()["/BaseFont"]), set()).update(keys)
    return fonts


def test_final_report_pdf_embeds_fonts_and_shows_text(make_intake: Callable[..., Intake], tmp_path: Path) -> None:
    """A 確報 PDF embeds both IPAex fonts, rasterises to a PNG, and its text holds the addressee and 確報."""
    intake = make_intake()
    ctx = build_report_context(kind=ReportKind.final, intake=intake, decision=hand_decision(intake),
                               settings=get_settings(), facts=full_facts(), report_date=REPORT_DAY)
    pdf = render_report_pdf(ctx)
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points

    fonts = _font_files(reader)
    assert any("IPAexMincho" in name for name in fonts) and any("IPAexGothic" in name for name in fonts)
    assert all("/FontFile2" in keys for keys in fonts.values())

    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("個人情報保護委員会", "確報", "株式会社サンプル商事", "渋谷警察署", "R-2026-123"):
        assert expected in text
    assert "社内確認用" not in text

    pdf_path = tmp_path / "kakuho.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "page")],
                   check=True, timeout=60)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copyfile(png, PREVIEW)  # kept for a person to look at
    pdftotext = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                               check=True, timeout=60).stdout
    assert "個人データの漏えい等の報告（確報）" in pdftotext


def test_clinic_final_report_pdf_speaks_as_the_clinic(make_intake: Callable[..., Intake], tmp_path: Path) -> None:
    """A clinic's 確報 PDF carries the form label, 当院, 患者 and the 追完 line, and no customer wording."""
    from tests.reporting.test_truth import CLINIC, FORM_LABEL, completed, final_context

    pdf = render_report_pdf(final_context(make_intake(**CLINIC), completed(police=True)))
    pdf_path = tmp_path / "clinic.pdf"
    pdf_path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    compact = "".join(text.split())
    for expected in (FORM_LABEL, "医療法人試験会試験クリニック", "本人の種類：患者", "当院", "追完により報告いたします"):
        assert expected in compact, expected
    assert "顧客" not in compact and "お客様" not in compact and "当社" not in compact
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "page")],
                   check=True, timeout=60)
    shutil.copyfile(next(tmp_path.glob("page*.png")), CLINIC_PREVIEW)  # kept for a person to look at
