"""A synthetic Japanese customer list, deterministic from a seed (tests, demo, benchmark).

Names come from Faker's ja_JP name pairs (matching kanji and kana), read once from the
provider and drawn with our own seeded ``random.Random``; phone numbers, postal codes and
addresses are built here because Faker's do not match each other and a quarter of its
phone numbers are invalid. Some persons appear twice in a different spelling (full-width
digits, a space in the name, upper-case e-mail, 丁目 form) sharing what a real re-entry
shares: the phone, the e-mail, or both the birth date and the address. Some namesakes
(distinct persons) share only the name, and a few of them one birth date or one address as
well, which must not merge them. Phones and e-mails are never shared by two persons.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# Bumped whenever the same seed starts producing different rows (caches key on it).
GENERATOR_VERSION = 3
HEADERS: tuple[str, ...] = (
    "顧客番号", "お名前", "フリガナ", "性別", "生年月日", "〒", "ご住所", "電話番号", "メールアドレス", "ご職業",
)  # fmt: skip
TRANSACTION_HEADER = "購入商品"

_EXTRA_SURNAMES = (("髙橋", "タカハシ", "Takahashi"), ("山﨑", "ヤマサキ", "Yamasaki"), ("德永", "トクナガ", "Tokunaga"))
_CITIES = {
    "北海道": ("札幌市中央区", "060"), "宮城県": ("仙台市青葉区", "980"), "埼玉県": ("さいたま市浦和区", "330"),
    "千葉県": ("千葉市中央区", "260"), "東京都": ("千代田区", "100"), "東京都#2": ("世田谷区", "154"),
    "神奈川県": ("横浜市中区", "231"), "新潟県": ("新潟市中央区", "951"), "静岡県": ("静岡市葵区", "420"),
    "愛知県": ("名古屋市中区", "460"), "京都府": ("京都市中京区", "604"), "大阪府": ("大阪市北区", "530"),
    "兵庫県": ("神戸市中央区", "650"), "広島県": ("広島市中区", "730"), "福岡県": ("福岡市博多区", "812"),
    "沖縄県": ("那覇市", "900"),
}  # fmt: skip
_TOWNS = ("本町", "栄町", "緑町", "中央", "桜木町", "旭町", "若葉", "清水", "東町", "西町")
_BUILDINGS = ("コーポ", "ハイツ", "メゾン", "パレス")
_OCCUPATIONS = (
    "会社員", "公務員", "自営業", "主婦", "学生", "パート", "無職", "医師", "看護師", "教員",
    "エンジニア", "営業職", "事務職", "販売員", "農業", "建設業", "弁護士", "薬剤師", "美容師",
    "保育士", "運転手", "調理師", "会社役員", "アルバイト", "年金受給者",
)  # fmt: skip
_PRODUCTS = ("羽毛布団", "浄水器", "健康食品定期便", "マッサージチェア", "空気清浄機", "家庭用蓄電池")
_DOMAINS = ("example.com", "example.co.jp", "example.ne.jp", "example.jp")
_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@dataclass(frozen=True)
class SyntheticList:
    """Generated rows (header -> text), how many distinct persons they describe, and the review cases.

    ``weak_namesakes``: namesakes generated sharing one birth date or one address with an
    earlier person of the same name (kept apart, listed for review); ``weak_reentries``:
    persons re-entered at least once with only the birth date and the address in common
    (merged, listed for review).
    """

    headers: tuple[str, ...]
    rows: list[dict[str, str]]
    persons: int
    weak_namesakes: int = 0
    weak_reentries: int = 0


# Faker's ja_JP pools hold 53 surnames and 51 given names: ~2,700 full names, so a
# million-row list would be all namesakes, and namesakes sharing a birth date by chance
# would all be listed for review. Two-kanji compounds widen the pools to ~650 surnames and ~310 given
# names (~100,000 full names); the kana of a compound is its parts' readings joined,
# plausible enough for a synthetic list (merging never compares kana).
_SURNAME_HEADS = (
    ("山", "ヤマ", "yama"), ("中", "ナカ", "naka"), ("小", "コ", "ko"), ("大", "オオ", "oo"), ("石", "イシ", "ishi"),
    ("松", "マツ", "matsu"), ("森", "モリ", "mori"), ("川", "カワ", "kawa"), ("西", "ニシ", "nishi"),
    ("東", "ヒガシ", "higashi"), ("北", "キタ", "kita"), ("南", "ミナミ", "minami"), ("岡", "オカ", "oka"),
    ("藤", "フジ", "fuji"), ("前", "マエ", "mae"), ("長", "ナガ", "naga"), ("福", "フク", "fuku"), ("高", "タカ", "taka"),
    ("上", "ウエ", "ue"), ("原", "ハラ", "hara"), ("菊", "キク", "kiku"), ("竹", "タケ", "take"), ("杉", "スギ", "sugi"),
    ("桜", "サクラ", "sakura"), ("宮", "ミヤ", "miya"), ("平", "ヒラ", "hira"), ("今", "イマ", "ima"), ("金", "カネ", "kane"),
    ("吉", "ヨシ", "yoshi"), ("古", "フル", "furu"),
)  # fmt: skip
_SURNAME_TAILS = (
    ("田", "タ", "ta"), ("川", "カワ", "kawa"), ("本", "モト", "moto"), ("村", "ムラ", "mura"), ("野", "ノ", "no"),
    ("山", "ヤマ", "yama"), ("口", "グチ", "guchi"), ("島", "シマ", "shima"), ("沢", "サワ", "sawa"), ("崎", "サキ", "saki"),
    ("井", "イ", "i"), ("原", "ハラ", "hara"), ("木", "キ", "ki"), ("谷", "タニ", "tani"), ("内", "ウチ", "uchi"),
    ("橋", "ハシ", "hashi"), ("池", "イケ", "ike"), ("浦", "ウラ", "ura"), ("坂", "サカ", "saka"), ("尾", "オ", "o"),
)  # fmt: skip
_MALE_HEADS = (
    ("健", "ケン", "ken"), ("大", "ダイ", "dai"), ("翔", "ショウ", "sho"), ("拓", "タク", "taku"), ("和", "カズ", "kazu"),
    ("雄", "ユウ", "yu"), ("正", "マサ", "masa"), ("秀", "ヒデ", "hide"), ("浩", "コウ", "ko"), ("達", "タツ", "tatsu"),
    ("洋", "ヨウ", "yo"), ("俊", "シュン", "shun"), ("哲", "テツ", "tetsu"), ("康", "ヤス", "yasu"),
)  # fmt: skip
_MALE_TAILS = (
    ("太", "タ", "ta"), ("介", "スケ", "suke"), ("也", "ヤ", "ya"), ("樹", "キ", "ki"), ("人", "ト", "to"),
    ("一", "イチ", "ichi"), ("郎", "ロウ", "ro"), ("司", "ジ", "ji"), ("平", "ヘイ", "hei"), ("彦", "ヒコ", "hiko"),
)  # fmt: skip
_FEMALE_HEADS = (
    ("美", "ミ", "mi"), ("愛", "アイ", "ai"), ("由", "ユ", "yu"), ("花", "ハナ", "hana"), ("真", "マ", "ma"),
    ("優", "ユウ", "yu"), ("彩", "アヤ", "aya"), ("結", "ユイ", "yui"), ("千", "チ", "chi"), ("早", "サ", "sa"),
    ("明", "アケ", "ake"), ("春", "ハル", "haru"),
)  # fmt: skip
_FEMALE_TAILS = (
    ("子", "コ", "ko"), ("美", "ミ", "mi"), ("香", "カ", "ka"), ("奈", "ナ", "na"), ("恵", "エ", "e"),
    ("里", "リ", "ri"), ("菜", "ナ", "na"), ("代", "ヨ", "yo"), ("穂", "ホ", "ho"), ("希", "キ", "ki"),
)  # fmt: skip


def _compounds(heads: Sequence[tuple[str, str, str]], tails: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [(h[0] + t[0], h[1] + t[1], (h[2] + t[2]).capitalize()) for h in heads for t in tails]


def _name_pools() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    from faker.providers.person.ja_JP import Provider

    surnames = [*Provider.last_name_pairs.keys(), *_EXTRA_SURNAMES, *_compounds(_SURNAME_HEADS, _SURNAME_TAILS)]
    male = [*Provider.first_name_male_pairs, *_compounds(_MALE_HEADS, _MALE_TAILS)]
    female = [*Provider.first_name_female_pairs, *_compounds(_FEMALE_HEADS, _FEMALE_TAILS)]
    return surnames, male, female


def generate_customers(
    *,
    n: int,
    seed: int = 0,
    duplicate_share: float = 0.05,
    namesake_share: float = 0.02,
    with_transaction: bool = True,
) -> SyntheticList:
    """``n`` distinct persons plus re-entered duplicates (about ``duplicate_share`` of n).

    A fifth of the namesakes (about ``namesake_share`` of n) share a birth date or an
    address with the person whose name they share.
    """
    rng = random.Random(seed)
    surnames, male, female = _name_pools()
    cities = list(_CITIES.items())
    base: list[dict[str, str]] = []
    taken: set[str] = set()
    weak_namesakes = 0
    for index in range(n):
        namesake = None
        if base and rng.random() < namesake_share:
            namesake = rng.choice(base)
            last, first, kana, romaji, sex = namesake["_last"], namesake["_first"], namesake["_kana"], namesake["_romaji"], namesake["性別"]
        else:
            sex = rng.choice(("男", "女"))
            s_kanji, s_kana, s_romaji = rng.choice(surnames)
            f_kanji, f_kana, f_romaji = rng.choice(male if sex == "男" else female)
            last, first, kana, romaji = s_kanji, f_kanji, f"{s_kana} {f_kana}", f"{s_romaji}.{f_romaji}".lower()
        pref_key, (city, postal3) = rng.choice(cities)
        pref = pref_key.split("#")[0]
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 66))
        chome, ban, go = rng.randint(1, 9), rng.randint(1, 30), rng.randint(1, 20)
        address = f"{pref}{city}{rng.choice(_TOWNS)}{chome}-{ban}-{go}"
        if rng.random() < 0.3:
            address += f" {rng.choice(_BUILDINGS)}{rng.choice(_TOWNS)}{rng.randint(1, 9)}0{rng.randint(1, 9)}"
        row = {
            "顧客番号": f"C{index + 1:07d}",
            "お名前": f"{last} {first}",
            "フリガナ": kana,
            "性別": sex if rng.random() < 0.95 else "",
            "生年月日": _birth_text(rng, born),
            "〒": f"{postal3}-{rng.randrange(10000):04d}",
            "ご住所": address,
            "電話番号": _unique(rng, taken, _phone),
            "メールアドレス": _unique(rng, taken, lambda r: _email(r, romaji)) if rng.random() < 0.7 else "",
            "ご職業": rng.choice(_OCCUPATIONS) if rng.random() < 0.9 else "",
            "_last": last, "_first": first, "_kana": kana, "_romaji": romaji,
            "_born": born.isoformat(), "_chome": f"{chome}-{ban}-{go}",
        }  # fmt: skip
        if namesake is not None:
            # A namesake born the same day, or living at the same address (a parent and
            # a child of the same name): one weak identifier in common, still two persons.
            shared = rng.random()
            if shared < 0.1:
                row["生年月日"], row["_born"] = _birth_text(rng, date.fromisoformat(namesake["_born"])), namesake["_born"]
                weak_namesakes += 1
            elif shared < 0.2:
                for key in ("〒", "ご住所", "_chome"):
                    row[key] = namesake[key]
                weak_namesakes += 1
        if with_transaction:
            row[TRANSACTION_HEADER] = f"{rng.choice(_PRODUCTS)} {rng.randrange(1, 50) * 1000:,}円"
        base.append(row)
    rows = list(base)
    weak_reentries: set[str] = set()
    for _ in range(round(n * duplicate_share)):
        at = rng.randrange(len(rows) + 1)
        original = rng.choice(base)
        again, kept = _respelled(rng, original, taken)
        if kept == "birth+address":
            weak_reentries.add(original["顧客番号"])
        rows.insert(at, again)
    headers = HEADERS + ((TRANSACTION_HEADER,) if with_transaction else ())
    clean = [{h: row[h] for h in headers} for row in rows]
    return SyntheticList(headers=headers, rows=clean, persons=n, weak_namesakes=weak_namesakes, weak_reentries=len(weak_reentries))


def _birth_text(rng: random.Random, born: date) -> str:
    if born >= date(1989, 1, 8) or rng.random() < 0.9:
        return f"{born.year}/{born.month:02d}/{born.day:02d}"
    return f"昭和{born.year - 1925}年{born.month}月{born.day}日"


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.75:
        return f"0{rng.choice('789')}0-{rng.randint(1000, 9999)}-{rng.randrange(10000):04d}"
    area = rng.choice(("03", "06", "045", "052", "092", "011"))
    local = 10 - len(area)
    number = f"{rng.randint(2, 9)}{rng.randrange(10 ** (local - 1)):0{local - 1}d}"
    split = len(number) - 4
    text = f"{area}-{number[:split]}-{number[split:]}"
    return text + (f" 内線{rng.randint(100, 999)}" if rng.random() < 0.03 else "")


def _email(rng: random.Random, romaji: str) -> str:
    return f"{romaji}{rng.randrange(1000)}@{rng.choice(_DOMAINS)}"


def _unique(rng: random.Random, taken: set[str], draw: Callable[[random.Random], str]) -> str:
    """A phone or e-mail no other person has (compared as the merge compares them)."""
    while True:
        value = draw(rng)
        key = "".join(c for c in value.split(" 内線")[0] if c.isdigit()) if "@" not in value else value.lower()
        if key not in taken:
            taken.add(key)
            return value


def _valid_phone(text: str) -> bool:
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.parse(text.split(" 内線")[0], "JP"))


def _respelled(rng: random.Random, original: dict[str, str], taken: set[str]) -> tuple[dict[str, str], str]:
    """The same person entered again, in another spelling, and what it kept.

    A real re-entry keeps the phone, or the e-mail, or the birth date and the address
    together; the rest is left blank or new (another phone number of the same person).
    """
    row = dict(original)
    row["お名前"] = row["お名前"].replace(" ", rng.choice(("", "\u3000", "  ")))
    keep = rng.choice(("phone", "email", "birth+address"))
    if keep == "email" and not row["メールアドレス"]:
        keep = "phone"
    if keep == "phone" and not _valid_phone(row["電話番号"]):
        # An invalid number identifies no one: the re-entry keeps something else.
        keep = "email" if row["メールアドレス"] else "birth+address"
    row["電話番号"] = row["電話番号"].translate(_FULL_WIDTH) if keep == "phone" else _unique(rng, taken, _phone)
    row["メールアドレス"] = row["メールアドレス"].upper() if keep == "email" else ""
    if keep == "birth+address":
        born = date.fromisoformat(row["_born"])
        if rng.random() < 0.5:
            row["生年月日"] = f"{born.year}-{born.month}-{born.day}"
        chome, ban, go = row["_chome"].split("-")
        row["ご住所"] = row["ご住所"].replace(row["_chome"], f"{chome}丁目{ban}番{go}号")
    else:
        row["生年月日"] = ""
        row["ご住所"] = ""
    return row, keep


def csv_bytes(
    headers: Sequence[str], rows: Iterable[dict[str, str]], *, encoding: str = "cp932", title: str | None = None
) -> bytes:
    """The list as CSV bytes like Excel writes them (CRLF; optional title line above)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title is not None:
        writer.writerow([title] + [""] * (len(headers) - 1))
        writer.writerow([""] * len(headers))
    writer.writerow(headers)
    writer.writerows([row.get(h, "") for h in headers] for row in rows)
    return buffer.getvalue().encode(encoding)


def write_csv(
    path: Path,
    data: SyntheticList,
    *,
    encoding: str = "cp932",
    title: str | None = None,
) -> Path:
    """Write the list as CSV in ``encoding`` ('cp932', 'utf-8' or 'utf-8-sig')."""
    path.write_bytes(csv_bytes(data.headers, data.rows, encoding=encoding, title=title))
    return path


def write_xlsx(path: Path, sheets: dict[str, SyntheticList]) -> Path:
    """Write one sheet per entry; every cell is a text cell so leading zeros survive."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    try:
        for name, data in sheets.items():
            sheet = workbook.add_worksheet(name)
            sheet.write_row(0, 0, data.headers)
            for r, row in enumerate(data.rows, start=1):
                for c, header in enumerate(data.headers):
                    if row.get(header):
                        sheet.write_string(r, c, row[header])
    finally:
        workbook.close()
    return path
