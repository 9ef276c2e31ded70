"""Japan's time zone, calendar eras and prefectures: the one table of each, for what the pipeline reads and writes.

Wareki formatting (``templating``), birth-date parsing (``scoping.normalize``) and birth-date
and address detection (``leakcheck.detectors``) all read these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone

# The APPI's days are counted in Japan time (no daylight saving time).
JST = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True)
class Era:
    """One era of the Japanese calendar (元号)."""

    name: str  # 令和
    letter: str  # R, as in R5.4.1
    first_day: date  # its first day in the Gregorian calendar

    @property
    def offset(self) -> int:
        """The Gregorian year of the era's year N is N + offset (元年 is year 1)."""
        return self.first_day.year - 1


# Oldest first. 明治 counts from 1868 (its 元年), the first day being the Gregorian date of the 改元.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 10, 23)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("令和", "R", date(2019, 5, 1)),
)

def parse_date(text: str) -> date | None:
    """A date written 2026-12-02, 2026/12/02, 2026年12月2日 or 令和8年12月2日 (元年 too); None if it is none of them."""
    import re
    import unicodedata

    value = unicodedata.normalize("NFKC", text).strip()
    match = re.fullmatch(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(明治|大正|昭和|平成|令和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日", value)
        if not match:
            return None
        era = next(e for e in ERAS if e.name == match.group(1))
        year = era.offset + (1 if match.group(2) == "元" else int(match.group(2)))
        month, day = int(match.group(3)), int(match.group(4))
    try:
        return date(year, month, day)
    except ValueError:
        return None


# The 47 prefectures in JIS X 0401 order.
PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)  # fmt: skip
