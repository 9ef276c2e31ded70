"""Letters for a 長形3号 window envelope, measured on the rendered PDF: address inside the window, n/N on every page, embedded fonts only."""

from __future__ import annotations

import html
import math
import random
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from breachflow.notification.address_block import (
    BOX_HEIGHT,
    BOX_LEFT_MM,
    BOX_TOP_MM,
    BOX_WIDTH,
    MM,
    WINDOW_MM,
    layout_address,
    text_width,
    wrap,
)
from breachflow.notification.letters import (
    LABEL_COLUMNS,
    LABEL_HEIGHT,
    LABEL_WIDTH,
    LABELS_PER_SHEET,
    SHEET_LEFT,
    SHEET_TOP,
    label_sheets,
    render_letters,
)
from breachflow.vocabulary import DataItem
from tests.notification.support import TEMPLATES
from tests.notification.test_letters_fast import letter_context

BASE14 = {"Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
          "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
          "Times-BoldItalic", "Symbol", "ZapfDingbats"}
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.DOTALL)

PLACES = ["北海道札幌市中央区北一条西", "東京都千代田区丸の内", "大阪府大阪市北区梅田", "神奈川県横浜市西区みなとみらい",
          "鹿児島県鹿児島市東千石町", "京都府京都市中京区烏丸通御池下る虎屋町", "東京都西多摩郡檜原村大字数馬"]
BUILDINGS = ["グランドパレス", "パークシティ", "ステーションタワー", "レジデンス", "ヒルズ", "ガーデンテラス",
             "セントラル", "メゾン", "コートハウス", "プレミアムスイート"]


def long_address_context(i: int, rng: random.Random):
    """A letter whose address (住所1 + 住所2) has 40–80 characters, most of them a long building name."""
    address1 = f"{rng.choice(PLACES)}{rng.randint(1, 29)}丁目{rng.randint(1, 40)}番{rng.randint(1, 99)}号"
    room = rng.choice(["", " ", "\u3000"]) + f"東館{rng.randint(1, 45)}{rng.randint(1, 20):02d}号室"
    target = rng.randint(40, 80) - len(address1) - len(room)
    building = ""
    while len(building) < target:
        building += rng.choice(BUILDINGS)
    address2 = building[: max(target, 2)] + room
    name = rng.choice(["勘解由小路 雅楽之助", "試験 太郎", "山田 花子", "長谷川 紗和子"])
    return letter_context(i, address1=address1, address2=address2, name=name)


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every page's words with their boxes in points from the page's top-left corner (poppler's pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return [[(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD.findall(page)]
            for page in PAGE.findall(out)]


def block_text(context) -> str:
    """The address block's text as printed, without the spaces pdftotext splits words at."""
    r = context.recipient
    text = f"〒{r.postal_code}{r.address1}{r.address2}{r.name}様お知らせ番号：{context.notice_id}"
    return re.sub(r"\s", "", text)


def read(found: list[tuple[float, float, float, float, str]]) -> str:
    """The words' text line by line (top to bottom), left to right: poppler's own order may mix lines of a block."""
    return "".join(w[4] for w in sorted(found, key=lambda w: (round(w[3], 1), w[0])))


def inside(word: tuple[float, float, float, float, str], left: float, top: float, width: float, height: float) -> bool:
    """Whether a word's box lies within the rectangle (points, top-left origin)."""
    x0, y0, x1, y1, _ = word
    return left <= x0 and x1 <= left + width and top <= y0 and y1 <= top + height


def test_every_long_address_lies_inside_the_envelope_window(tmp_path: Path):
    """Addresses of 40–80 characters wrap inside the 長形3号 window; nothing else of the page shows there."""
    rng = random.Random(3)
    contexts = [long_address_context(i, rng) for i in range(60)]
    lengths = [len(c.recipient.address1 + c.recipient.address2) for c in contexts]
    assert min(lengths) >= 40 and max(lengths) <= 80 and sum(n > 60 for n in lengths) >= 10
    out = tmp_path / "letters"
    index = render_letters(contexts=contexts, out_dir=out, templates_dir=TEMPLATES, chunk_size=25, workers=1)
    assert all(entry.address_fits for entry in index.letters)
    window = [v * MM for v in WINDOW_MM]
    text_box = (BOX_LEFT_MM * MM - 1, BOX_TOP_MM * MM - 1, BOX_WIDTH + 2, BOX_HEIGHT + 2)
    pages = {name: words(out / name) for name in index.files}
    for context, entry in zip(contexts, index.letters, strict=True):
        first = pages[entry.file][entry.first_page - 1]
        # Everything printed above the window's bottom edge is the address block, all of it in the window.
        top = [w for w in first if w[1] < window[1] + window[3]]
        assert top and all(inside(w, *window) for w in top), (entry.notice_id, [w for w in top if not inside(w, *window)])
        assert all(inside(w, *text_box) for w in top), "the text keeps its clearance from the window's edges"
        assert read(top) == block_text(context)
        lines = {round(w[3], 1) for w in top}
        assert len(lines) >= 5, "〒, at least one address line, the name and the notice number"


def test_an_address_too_long_for_the_window_is_drawn_whole_and_reported(tmp_path: Path):
    """An address that fits only below 9 pt is printed in full, smaller, still inside the window, and flagged."""
    huge = "東京都千代田区千代田一丁目一番一号" + "ロングネームビルディング" * 12 + "2305号室"
    contexts = [letter_context(1), letter_context(2, address2=huge)]
    out = tmp_path / "letters"
    index = render_letters(contexts=contexts, out_dir=out, templates_dir=TEMPLATES, workers=1)
    assert [e.address_fits for e in index.letters] == [True, False]
    entry = index.letters[1]
    first = words(out / entry.file)[entry.first_page - 1]
    window = [v * MM for v in WINDOW_MM]
    top = [w for w in first if w[1] < window[1] + window[3]]
    assert all(inside(w, *window) for w in top)
    assert read(top) == block_text(contexts[1])


def test_every_page_carries_the_notice_number_and_n_of_n(tmp_path: Path):
    """Each page of each letter shows its own notice number and 「n/N」 in the footer."""
    many_items = [DataItem.name, DataItem.address, DataItem.email, DataItem.phone, DataItem.card_number,
                  DataItem.bank_account, DataItem.login_id, DataItem.password]
    contexts = [letter_context(i, items=many_items if i % 2 else [DataItem.name, DataItem.address]) for i in range(4)]
    out = tmp_path / "letters"
    index = render_letters(contexts=contexts, out_dir=out, templates_dir=TEMPLATES, workers=1)
    assert {e.pages for e in index.letters} >= {2}
    for context, entry in zip(contexts, index.letters, strict=True):
        for n in range(1, entry.pages + 1):
            page = entry.first_page + n - 1
            command = ["pdftotext", "-f", str(page), "-l", str(page), str(out / entry.file), "-"]
            text = subprocess.run(command, capture_output=True, check=True, text=True).stdout
            assert f"お知らせ番号：{context.notice_id}" in text and f"{n}/{entry.pages}" in text, (entry, n)


def _fonts(node: object, seen: set[int], found: list[DictionaryObject]) -> None:
    """Every font dictionary reachable from a resources dictionary, through form XObjects."""
    node = node.get_object()
    if not isinstance(node, DictionaryObject) or id(node) in seen:
        return
    seen.add(id(node))
    found.extend(f.get_object() for f in node.get("/Font", DictionaryObject()).get_object().values())
    for xobject in node.get("/XObject", DictionaryObject()).get_object().values():
        if "/Resources" in xobject.get_object():
            _fonts(xobject.get_object()["/Resources"], seen, found)


def test_letters_and_labels_declare_only_embedded_fonts(tmp_path: Path):
    """No base-14 font (Helvetica…) is declared anywhere; pdffonts reports every font embedded."""
    contexts = [letter_context(i) for i in range(3)]
    out = tmp_path / "letters"
    index = render_letters(contexts=contexts, out_dir=out, templates_dir=TEMPLATES, workers=1)
    labels = tmp_path / "labels.pdf"
    labels.write_bytes(label_sheets(contexts))
    for pdf in [out / index.files[0], labels]:
        found: list[DictionaryObject] = []
        for page in PdfReader(pdf).pages:
            _fonts(page["/Resources"], set(), found)
        names = {str(f["/BaseFont"]).split("+")[-1].lstrip("/") for f in found}
        assert names and not names & BASE14, names
        rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), rows


def test_label_sheets_put_every_address_on_its_own_label(tmp_path: Path):
    """12 labels a sheet, in letter order: each label's rectangle holds exactly that letter's address block."""
    rng = random.Random(5)
    contexts = [long_address_context(i, rng) for i in range(27)]
    path = tmp_path / "labels.pdf"
    path.write_bytes(label_sheets(contexts))
    pages = words(path)
    assert len(pages) == math.ceil(27 / LABELS_PER_SHEET)
    placed = 0
    for i, context in enumerate(contexts):
        page, slot = divmod(i, LABELS_PER_SHEET)
        row, column = divmod(slot, LABEL_COLUMNS)
        rect = (SHEET_LEFT + column * LABEL_WIDTH, SHEET_TOP + row * LABEL_HEIGHT, LABEL_WIDTH, LABEL_HEIGHT)
        on_label = [w for w in pages[page] if inside(w, *rect)]
        assert read(on_label) == block_text(context), i
        placed += len(on_label)
    assert placed == sum(len(p) for p in pages), "no text outside a label"


def test_wrapping_keeps_block_numbers_together_and_respects_the_width():
    """丁目/番/号 numbers and romaji words stay whole, no line starts with 、 or ー, and no line is wider than the box."""
    address = "京都府京都市中京区烏丸通御池下る虎屋町二十丁目3番45号グランドパレス・レジデンス Park Avenue 1203号室"
    for size in (11.0, 10.0, 9.0):
        lines = wrap(address, size, BOX_WIDTH)
        assert "".join(lines).replace(" ", "") == address.replace(" ", "")
        assert all(text_width(line, size) <= BOX_WIDTH for line in lines)
        assert any("二十丁目3番45号" in line for line in lines) and any("Park" in line for line in lines)
        assert not any(line[0] in "、。ー・" for line in lines)
    short = layout_address(postal_code="100-0001", address1="東京都千代田区千代田1-1", address2="", name="山田 花子",
                           notice_id="N-L-0")
    assert short.fits and [line.size for line in short.lines][:2] == [11.0, 11.0]
