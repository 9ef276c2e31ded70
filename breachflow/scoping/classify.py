"""Decide what each column holds: from its header, else from a sample of its values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from breachflow.errors import DatasetError
from breachflow.scoping import normalize
from breachflow.scoping.readers import RawDataset
from breachflow.vocabulary import DataItem

IGNORED = "ignored"
SNIFF_SAMPLE = 500
SNIFF_SHARE = 0.8


class Source(StrEnum):
    """Where a column's classification came from."""

    header = "header"
    values = "values"
    override = "override"


@dataclass(frozen=True)
class ColumnPlan:
    """One column: the key users see, its table and frame column, and what it holds."""

    key: str
    table: int
    column: str
    item: DataItem | None
    source: Source

    @property
    def label(self) -> str:
        """The item name, or 'ignored'."""
        return self.item.value if self.item is not None else IGNORED


# Ordered: the first pattern that matches the normalised header wins, so the specific
# forms (氏名カナ, メールアドレス, 会社名, カード番号下4桁) come before the general ones.
_HEADER_RULES: tuple[tuple[str, DataItem | None], ...] = (
    (r"^(no|#|連番|通番|行番号|行|番号|項番|№)$", None),
    (r"フリガナ|ふりがな|カナ|かな|ヨミ|よみ|読み|kana|furigana|^セイ$|^メイ$", DataItem.kana),
    (r"セキュリティコード|securitycode|^cvv|^cvc", DataItem.card_security_code),
    (r"下4桁|下四桁|last4", DataItem.card_last4),
    (r"有効期限|expiry|expiration", DataItem.card_expiry),
    (r"カード番号|クレジットカード|cardnumber|cardno|creditcard", DataItem.card_number),
    (r"口座|bankaccount|accountnumber", DataItem.bank_account),
    (r"暗証番号|^pin$|pincode", DataItem.pin),
    (r"パスワード|password|passwd|^pwd$", DataItem.password),
    (r"マイナンバー|個人番号|mynumber", DataItem.my_number),
    (r"ログインid|loginid|ユーザーid|ユーザid|userid|会員id|アカウント", DataItem.login_id),
    (r"顧客番号|顧客id|顧客コード|会員番号|お客様番号|customerid|customerno|customercode|membernumber|^id$",
     DataItem.customer_id),
    (r"メール|mail", DataItem.email),
    (r"〒|郵便番号|郵便|^zip|postal|postcode", DataItem.postal_code),
    (r"^都道府県$|^prefecture$", DataItem.prefecture),
    (r"^fax|ファックス|ファクス", DataItem.other),
    (r"電話|^tel|携帯|phone|mobile|連絡先", DataItem.phone),
    (r"生年月日|誕生日|birth|^dob$", DataItem.birth_date),
    (r"年齢|^age$", DataItem.age),
    (r"性別|gender|^sex$", DataItem.gender),
    (r"既往歴|既往症|病歴|medicalhistory", DataItem.medical_history),
    (r"健康診断|健診|checkup", DataItem.medical_checkup),
    (r"障害|障がい|disability", DataItem.disability),
    (r"健康|体調|病名|診断|アレルギー|通院|health|diagnosis", DataItem.health),
    (r"犯罪歴|前科|criminal", DataItem.criminal_record),
    (r"犯罪被害|被害歴", DataItem.crime_victim),
    (r"信条|宗教|信仰|religion|creed", DataItem.creed),
    (r"人種|民族|race|ethnic", DataItem.race),
    (r"社会的身分|本籍|門地", DataItem.social_status),
    (r"勤務先|会社名|勤め先|employer|company", DataItem.employer),
    (r"職業|職種|occupation|^job", DataItem.occupation),
    (r"取引|購入|金額|商品|注文|売上|契約|transaction|purchase|amount|order|product", DataItem.transaction),
    (r"住所|所在地|番地|市区町村|建物|address|street|city", DataItem.address),
    (r"氏名|お名前|名前|^姓$|^名$|^氏$|^姓名$|name", DataItem.name),
)
_COMPILED = tuple((re.compile(p), item) for p, item in _HEADER_RULES)
# Header words of columns that name no item (classified from their values) but are
# plainly headers, so messages and the stored scope may show them.
_PLAIN_HEADER = re.compile(
    r"備考|メモ|注記|コメント|ランク|区分|種別|分類|ステータス|状態|登録日|更新日|作成日|日付|店舗|支店|部署|担当|"
    r"グループ|コード|フラグ|ポイント|カテゴリ|remarks|note|memo|comment|rank|status|date|store|branch|group|"
    r"code|flag|point|category|type"
)


def _header_key(header: str) -> str:
    """NFKC, lower-case, with spaces and punctuation removed (「お名前（漢字）」→ お名前漢字)."""
    text = unicodedata.normalize("NFKC", header).lower()
    return re.sub(r"[\s()\[\]{}<>・:：_.\-/\\「」【】『』\"'*※]+", "", text)


def item_from_header(header: str) -> tuple[bool, DataItem | None]:
    """(matched, item) for a header text; item None means a non-personal column."""
    key = _header_key(header)
    for pattern, item in _COMPILED:
        if pattern.search(key):
            return True, item
    return False, None


def shown_header(header: str) -> str | None:
    """The header text if it may appear in messages and records (a recognised header word), else None.

    A header cell of a list without a header row is a person's data. Only a short text
    that names a known item and has no digits or "@" is shown; ``item_from_header``
    alone would pass an address holding 番地 or an email holding "mail".
    """
    from breachflow.scoping.readers import value_shape

    text = header.strip()
    if not text or len(text) > 20 or "@" in text or any(c.isdigit() for c in text) or value_shape(text):
        return None
    return text if item_from_header(text)[0] or _PLAIN_HEADER.search(_header_key(text)) else None


def column_ref(header: str, index: int) -> str:
    """How an error message names column ``index`` (0-based): "column '電話番号'" or "column 3"."""
    shown = shown_header(header)
    return f"column '{shown}'" if shown else f"column {index + 1}"


def item_from_values(values: pl.Series) -> DataItem | None:
    """Guess an item from a sample of non-empty values; None when the column is empty."""
    sample = values.drop_nulls().head(SNIFF_SAMPLE)
    if sample.len() == 0:
        return None
    frame = sample.to_frame("v").select(normalize.nfkc(pl.col("v")).alias("v"))
    frame = normalize.phone_e164(frame, "v", "phone")
    shares = frame.select(
        email=normalize.email_normal(pl.col("v")).str.contains(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$").mean(),
        card=normalize.luhn_valid(pl.col("v")).mean(),
        phone=pl.col("phone").is_not_null().mean(),
        postal=pl.col("v").str.contains(r"^〒?\s*\d{3}-\d{4}$").mean(),
        date=normalize.birth_date(pl.col("v")).is_not_null().mean(),
        gender=normalize.gender(pl.col("v")).is_not_null().mean(),
        address=normalize.prefecture(pl.col("v")).is_not_null().mean(),
    ).row(0, named=True)
    for name, item in (
        ("email", DataItem.email),
        ("card", DataItem.card_number),
        ("phone", DataItem.phone),
        ("postal", DataItem.postal_code),
        ("date", DataItem.birth_date),
        ("gender", DataItem.gender),
        ("address", DataItem.address),
    ):
        if (shares[name] or 0) >= SNIFF_SHARE:
            return item
    return DataItem.other


def _card_item(values: pl.Series) -> DataItem:
    """A カード番号 column whose values fail Luhn is treated as masked (last 4 digits)."""
    sample = values.drop_nulls().head(SNIFF_SAMPLE).to_frame("v").select(normalize.nfkc(pl.col("v")).alias("v"))
    if sample.height == 0:
        return DataItem.card_number
    valid_share = sample.select(normalize.luhn_valid(pl.col("v")).mean()).item()
    return DataItem.card_number if valid_share > 0 else DataItem.card_last4


def classify_columns(
    *, raw: RawDataset, overrides: Mapping[str, DataItem | str] | None = None
) -> list[ColumnPlan]:
    """Classify every column of every table; ``overrides`` (key -> item or 'ignored') win."""
    qualify = len(raw.tables) > 1
    plans: list[ColumnPlan] = []
    for t_index, table in enumerate(raw.tables):
        for c_index, header in enumerate(table.headers):
            column = f"c{c_index}"
            values = table.frame.get_column(column)
            matched, item = item_from_header(header)
            source = Source.header
            if not matched:
                item, source = item_from_values(values), Source.values
            elif item is DataItem.card_number:
                item = _card_item(values)
            plans.append(ColumnPlan(table.column_key(c_index, qualify=qualify), t_index, column, item, source))
    return _apply_overrides(raw, plans, overrides or {})


def _apply_overrides(
    raw: RawDataset, plans: list[ColumnPlan], overrides: Mapping[str, DataItem | str]
) -> list[ColumnPlan]:
    by_key: dict[str, list[int]] = {}
    for i, plan in enumerate(plans):
        by_key.setdefault(plan.key, []).append(i)
        # Also accept the bare header for a column of a multi-sheet workbook.
        by_key.setdefault(plan.key.split("!", 1)[-1], []).append(i)
    for key, wanted in overrides.items():
        if key not in by_key:
            # Only header words are listed: a header cell may be a person's data.
            known = ", ".join(
                column_ref(header, i).removeprefix("column ")
                for table in raw.tables
                for i, header in enumerate(table.headers)
            )
            raise DatasetError(
                raw.path,
                f"--map names column '{key}', which is not in the dataset; columns are: {known} "
                "('breachflow scope' without --map shows every column name)",
            )
        item = _parse_item(raw, key, wanted)
        for i in sorted(set(by_key[key])):
            old = plans[i]
            plans[i] = ColumnPlan(old.key, old.table, old.column, item, Source.override)
    return plans


def _parse_item(raw: RawDataset, key: str, wanted: DataItem | str) -> DataItem | None:
    if isinstance(wanted, DataItem):
        return wanted
    if wanted == IGNORED:
        return None
    try:
        return DataItem(wanted)
    except ValueError:
        choices = ", ".join([IGNORED, *(i.value for i in DataItem)])
        raise DatasetError(raw.path, f"--map '{key}={wanted}': unknown item; use one of: {choices}") from None
