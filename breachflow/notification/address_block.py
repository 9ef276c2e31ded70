"""The address block of a letter and of a label: 〒, address lines wrapped to a box, name 様, notice number.

Laid out here once (plain Python, widths from the font's own advance table) and drawn by
reportlab on letters, inside the window of a 長形3号 envelope, and on label sheets, so both
show the same lines and give the same too-long verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MM = 72 / 25.4
ADDRESS_FONT_FILE = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")

# 長形3号 window envelope (120 × 235 mm; the folded A4 letter is 210 × 99 mm). The ready-made
# envelopes have a 90 × 45 mm address window (Japan Post asks for at least 80 × 45 mm) that
# shows the folded letter from 23 mm off its left edge and 12 mm (some makers 14 mm) off its top
# edge. What every such window shows is x 23–113 mm, y 14–57 mm of the page (from its top-left
# corner). Japan Post asks that the address stays in the window when the sheet moves inside the
# envelope, so the text keeps 5 mm clear of the window's sides and 4 mm of its top and bottom:
# the text box is x 28–108 mm, y 18–53 mm, 80 × 35 mm.
WINDOW_MM = (23.0, 14.0, 90.0, 43.0)  # left, top, width, height: the part of the page every window shows
BOX_LEFT_MM, BOX_TOP_MM = 28.0, 18.0
BOX_WIDTH, BOX_HEIGHT = 80 * MM, 35 * MM

# Sizes in pt, (address, name), largest first; 9 pt is the smallest we call readable through a
# window. An address that needs less is drawn smaller still (never cut) and reported as too long.
READABLE_SIZES = ((11.0, 14.0), (10.0, 13.0), (9.0, 12.0))
SMALLER_SIZES = ((8.0, 10.0), (7.0, 9.0), (6.0, 8.0), (5.0, 7.0))
ID_SIZE = 7.0
LEADING = 1.3
NAME_GAP = 1 * MM
# IPAexGothic's ascent (1802/2048 em): the baseline's depth in a line box is half the leading plus this.
ASCENT = 1802 / 2048

# A digit run with its 丁目/番地/番/号/hyphen parts (1丁目2番3号, 1-2-3, 二十丁目) stays on one line,
# as does a run of Latin letters (a building name in romaji); spaces are where a line likes to break.
_NUMBER = r"(?:[0-9０-９]+|[〇一二三四五六七八九十百千]+)"
_UNIT = r"(?:丁目|番地の|番地|番|号|の|[-‐‑–—―−－ー])"
_TOKEN = re.compile(
    rf"{_NUMBER}(?:{_UNIT}{_NUMBER})*(?:丁目|番地|番|号)?"
    r"|[A-Za-zＡ-Ｚａ-ｚ'’.&]+"
    r"|[ \u3000]+"
    r"|.",
    re.DOTALL,
)
# Characters a Japanese line must not start with (kinsoku): they stay with what precedes them.
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々゛゜")
_NO_LINE_END = set("（「『【〔〈《")
_SPACES = " \u3000"


@dataclass(frozen=True)
class Line:
    """One drawn line: its text, size (pt), baseline below the box top (pt), and whether it is grey."""

    text: str
    size: float
    baseline: float
    grey: bool = False


@dataclass(frozen=True)
class AddressBlock:
    """The laid-out block; ``fits`` is False when it needed a size below 9 pt (or overflows even then)."""

    lines: tuple[Line, ...]
    height: float
    fits: bool


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, float], float]:
    """Advance width (em) of every code point IPAexGothic draws, and its fallback (1 em)."""
    from fontTools.ttLib import TTFont  # a WeasyPrint dependency

    font = TTFont(ADDRESS_FONT_FILE, lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {cp: metrics[glyph][0] / units for cp, glyph in font.getBestCmap().items()}, 1.0


def text_width(text: str, size: float) -> float:
    """Width in pt of text drawn in IPAexGothic at size (as reportlab draws it: no kerning)."""
    advances, fallback = _advances()
    return size * sum(advances.get(ord(ch), fallback) for ch in text)


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between, with kinsoku characters glued to their neighbour."""
    tokens: list[str] = []
    glue_next = False
    for token in _TOKEN.findall(text):
        if tokens and (glue_next or token[0] in _NO_LINE_START):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue_next = token[-1] in _NO_LINE_END
    return tokens


def wrap(text: str, size: float, width: float, *, suffix: str = "") -> list[str]:
    """Break text into lines no wider than width (pt) at size; suffix is glued to the last piece (name 様)."""
    tokens = _tokens(text)
    if suffix:
        if tokens:
            tokens[-1] += suffix
        else:
            tokens = [suffix.strip()]
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    for token in tokens:
        token_width = text_width(token, size)
        if current and current_width + token_width > width and not token.isspace():
            current, current_width = _break(current, lines, size, width)
        if not current and token.isspace():
            continue  # a line never starts with a space
        if token_width > width:  # one piece wider than a line (a long romaji word): by characters
            for ch in token:
                ch_width = text_width(ch, size)
                if current and current_width + ch_width > width:
                    lines.append("".join(current).rstrip(_SPACES))
                    current, current_width = [], 0.0
                current.append(ch)
                current_width += ch_width
            continue
        current.append(token)
        current_width += token_width
    if current and "".join(current).strip(_SPACES):
        lines.append("".join(current).rstrip(_SPACES))
    return lines


def _break(current: list[str], lines: list[str], size: float, width: float) -> tuple[list[str], float]:
    """End the current line, at its last space when that falls in the line's last 40 %; return what carries over."""
    spaces = [i for i, token in enumerate(current) if token.isspace()]
    if spaces and text_width("".join(current[: spaces[-1]]), size) >= 0.6 * width:
        cut = spaces[-1]
        lines.append("".join(current[:cut]).rstrip(_SPACES))
        rest = current[cut + 1 :]
        return rest, text_width("".join(rest), size)
    lines.append("".join(current).rstrip(_SPACES))
    return [], 0.0


def _stack(parts: Iterable[tuple[list[str], float, float, bool]]) -> tuple[tuple[Line, ...], float]:
    """Lines placed top-down: (texts, size, space above, grey) → drawn lines and the block's height."""
    lines = []
    top = 0.0
    for texts, size, space_above, grey in parts:
        top += space_above
        for text in texts:
            lines.append(Line(text, size, top + (LEADING - 1) * size / 2 + ASCENT * size, grey))
            top += LEADING * size
    return tuple(lines), top


def layout_address(
    *, postal_code: str, address1: str, address2: str, name: str, notice_id: str,
    width: float = BOX_WIDTH, height: float = BOX_HEIGHT,
) -> AddressBlock:
    """The largest readable sizes at which the whole block fits the box; smaller (and not fitting) if none does."""
    block = None
    for readable, sizes in ((True, READABLE_SIZES), (False, SMALLER_SIZES)):
        for size, name_size in sizes:
            lines, used = _stack([
                ([f"〒{postal_code}"], size, 0.0, False),
                (wrap(address1, size, width), size, 0.0, False),
                (wrap(address2, size, width), size, 0.0, False),
                (wrap(name, name_size, width, suffix=" 様"), name_size, NAME_GAP, False),
                (wrap(f"お知らせ番号：{notice_id}", ID_SIZE, width), ID_SIZE, 0.0, True),
            ])
            block = AddressBlock(lines=lines, height=used, fits=readable and used <= height)
            if used <= height:
                return block
    assert block is not None
    return block
