"""Secondary harm (二次被害又はそのおそれの有無及びその内容, Rule 8(1)(v) and Rule 10): one text for every document.

What may follow from the items that leaked, what the person can do about it, and any harm
the officer has confirmed (report item 5). The report, the notices, the call script and the
公表文 all print this, so they never disagree.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from breachflow.vocabulary import SENSITIVE_ITEMS, DataItem

# (items, what may happen, what the person can do). {self} is how the business names itself (当社, 当院, …).
_BY_ITEMS: list[tuple[frozenset[DataItem], str, str]] = [
    (frozenset({DataItem.card_number, DataItem.card_security_code}),
     "クレジットカードが第三者に不正に利用されるおそれがあります。",
     "カードのご利用明細に身に覚えのない請求がないかご確認いただき、カード発行会社にカード番号の変更（再発行）をご相談ください。"),
    (frozenset({DataItem.card_expiry, DataItem.card_last4}),
     "カード情報の一部を示して信用させる詐欺的な連絡が行われるおそれがあります。",
     "カードのご利用明細に身に覚えのない請求がないかご確認ください。"),
    (frozenset({DataItem.bank_account, DataItem.pin}),
     "口座から不正に出金又は送金されるおそれがあります。",
     "口座の入出金履歴をご確認いただき、不審な取引があった場合はお取引の金融機関へご連絡ください。"),
    (frozenset({DataItem.login_id, DataItem.password}),
     "アカウントに第三者が不正にログインするおそれがあります。",
     "パスワードを変更してください。同じパスワードを他のサービスでお使いの場合は、そちらも速やかに変更してください。"),
    (frozenset({DataItem.my_number}),
     "個人番号を用いたなりすましが行われるおそれがあります。",
     "お住まいの市区町村に個人番号の変更についてご相談いただけます。"),
    (SENSITIVE_ITEMS,
     "ご本人の意に反して、病歴等の配慮を要する情報が第三者に知られるおそれがあります。",
     "この情報を示して接触してくる者がいた場合は、応じずに{self}のお問合せ窓口までご連絡ください。"),
    (frozenset({DataItem.email}),
     "{self}を装った不審なメール（フィッシング等）が届くおそれがあります。",
     "{self}からメールでパスワードやカード番号をお尋ねすることはありません。不審なメールのリンクは開かないでください。"),
    (frozenset({DataItem.phone}),
     "{self}を装った不審な電話がかかってくるおそれがあります。",
     "{self}から電話で暗証番号やカード番号をお尋ねすることはありません。"),
    (frozenset({DataItem.address, DataItem.postal_code}),
     "{self}を装った不審な郵便物や訪問のおそれがあります。",
     "心当たりのない郵便物や訪問にはご注意ください。"),
]
GENERAL_ADVICE = "不審な連絡を受けた場合は、下記のお問合せ窓口までご連絡ください。"
NONE_CONFIRMED = "現時点で、本件に起因する二次被害は確認されておりません。"


class SecondaryHarm(BaseModel):
    """二次被害: what is confirmed, what may happen, what the person can do (no personal data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    confirmed: str | None
    risks: list[str]
    advice: list[str]

    @property
    def text_ja(self) -> str:
        """The one paragraph every document prints: the confirmed harm (or none so far), then the risks."""
        return "".join([self.confirmed or NONE_CONFIRMED, *self.risks])


def secondary_harm(*, items: list[DataItem], confirmed: str | None = None, self_name: str = "当社") -> SecondaryHarm:
    """The secondary harm of an incident from its leaked items and the harm the officer has confirmed (item 5)."""
    present = set(items)
    matched = [(risk, advice) for keys, risk, advice in _BY_ITEMS if keys & present]
    confirmed = (confirmed or "").strip() or None
    if confirmed and not confirmed.endswith("。"):
        confirmed += "。"
    return SecondaryHarm(
        confirmed=confirmed,
        risks=[risk.format(self=self_name) for risk, _ in matched],
        advice=[advice.format(self=self_name) for _, advice in matched] + [GENERAL_ADVICE],
    )
