"""Header words and value shapes: what a column's header says, and whether a header cell is a person's data.

Readers (to refuse a header row that is a person and to word their messages) and the
classifier (to map headers to items) share these, so neither imports the other.
"""

from __future__ import annotations

import re
import unicodedata

from breachflow.vocabulary import DataItem

# Shapes of personal values that no header word has: a header row holding one is a person.
_VALUE_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an email address", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")),
    ("a postal code", re.compile(r"^〒?\s*\d{3}-\d{4}$")),
    ("a date", re.compile(r"^(?:\d{2,4}|(?:明治|大正|昭和|平成|令和)\s*\d{1,2})\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")),
    ("an address", re.compile(r"^(?:北海道|東京都|京都府|大阪府|[^\s\d]{2,3}県)\S*?(?:\d|丁目|番地)")),
    ("a phone number", re.compile(r"^\+?[\d\-()\s]*\d[\d\-()\s]*$")),
    ("a number", re.compile(r"\d{6,}")),
)


def value_shape(text: str) -> str | None:
    """What kind of personal value ``text`` looks like ('a phone number', …), or None for a header-like text."""
    cell = unicodedata.normalize("NFKC", text).strip()
    for kind, pattern in _VALUE_SHAPES:
        if pattern.search(cell):
            if kind == "a phone number" and not 10 <= sum(c.isdigit() for c in cell) <= 15:
                continue
            return kind
    return None


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
    text = header.strip()
    if not text or len(text) > 20 or "@" in text or any(c.isdigit() for c in text) or value_shape(text):
        return None
    return text if item_from_header(text)[0] or _PLAIN_HEADER.search(_header_key(text)) else None


def column_ref(header: str, index: int) -> str:
    """How an error message names column ``index`` (0-based): "column '電話番号'" or "column 3"."""
    shown = shown_header(header)
    return f"column '{shown}'" if shown else f"column {index + 1}"
