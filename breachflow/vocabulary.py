"""The shared vocabulary: data items, causes and their legal flags (intake spec)."""

from __future__ import annotations

from enum import StrEnum


class DataItem(StrEnum):
    """What a dataset column holds, and what leaked."""

    name = "name"
    kana = "kana"
    address = "address"
    postal_code = "postal_code"
    prefecture = "prefecture"
    phone = "phone"
    email = "email"
    birth_date = "birth_date"
    age = "age"
    gender = "gender"
    occupation = "occupation"
    employer = "employer"
    customer_id = "customer_id"
    transaction = "transaction"
    bank_account = "bank_account"
    card_number = "card_number"
    card_security_code = "card_security_code"
    card_last4 = "card_last4"
    card_expiry = "card_expiry"
    login_id = "login_id"
    password = "password"
    pin = "pin"
    my_number = "my_number"
    health = "health"
    medical_history = "medical_history"
    medical_checkup = "medical_checkup"
    disability = "disability"
    criminal_record = "criminal_record"
    crime_victim = "crime_victim"
    creed = "creed"
    race = "race"
    social_status = "social_status"
    other = "other"


SENSITIVE_ITEMS: frozenset[DataItem] = frozenset(
    {
        DataItem.health,
        DataItem.medical_history,
        DataItem.medical_checkup,
        DataItem.disability,
        DataItem.criminal_record,
        DataItem.crime_victim,
        DataItem.creed,
        DataItem.race,
        DataItem.social_status,
    }
)

# Items that are financial on their own (category 2). Combinations (bank_account + pin,
# login_id + password) are decided by the obligations engine.
FINANCIAL_ITEMS: frozenset[DataItem] = frozenset({DataItem.card_number, DataItem.card_security_code})

ITEM_LABELS_JA: dict[DataItem, str] = {
    DataItem.name: "氏名",
    DataItem.kana: "フリガナ",
    DataItem.address: "住所",
    DataItem.postal_code: "郵便番号",
    DataItem.prefecture: "都道府県",
    DataItem.phone: "電話番号",
    DataItem.email: "メールアドレス",
    DataItem.birth_date: "生年月日",
    DataItem.age: "年齢",
    DataItem.gender: "性別",
    DataItem.occupation: "職業",
    DataItem.employer: "勤務先",
    DataItem.customer_id: "顧客番号",
    DataItem.transaction: "取引内容・金額",
    DataItem.bank_account: "口座番号",
    DataItem.card_number: "クレジットカード番号",
    DataItem.card_security_code: "セキュリティコード",
    DataItem.card_last4: "クレジットカード番号下4桁",
    DataItem.card_expiry: "クレジットカード有効期限",
    DataItem.login_id: "ログインID",
    DataItem.password: "パスワード",
    DataItem.pin: "暗証番号",
    DataItem.my_number: "個人番号（マイナンバー）",
    DataItem.health: "健康情報",
    DataItem.medical_history: "病歴",
    DataItem.medical_checkup: "健康診断結果",
    DataItem.disability: "障害に関する情報",
    DataItem.criminal_record: "犯罪歴",
    DataItem.crime_victim: "犯罪被害の事実",
    DataItem.creed: "信条",
    DataItem.race: "人種",
    DataItem.social_status: "社会的身分",
    DataItem.other: "その他",
}


class Cause(StrEnum):
    """Why the data left the business's control."""

    theft = "theft"
    unauthorized_access = "unauthorized_access"
    ransomware = "ransomware"
    malware = "malware"
    insider_exfiltration = "insider_exfiltration"
    web_skimming = "web_skimming"
    tampering = "tampering"
    lost_item = "lost_item"
    misdelivery = "misdelivery"
    wrong_recipient_email = "wrong_recipient_email"
    misconfiguration = "misconfiguration"
    disposal_error = "disposal_error"
    other = "other"


# Causes that imply 不正の目的 (Rule 7 category 3) and make a police report recommended.
WRONGFUL_CAUSES: frozenset[Cause] = frozenset(
    {
        Cause.theft,
        Cause.unauthorized_access,
        Cause.ransomware,
        Cause.malware,
        Cause.insider_exfiltration,
        Cause.web_skimming,
        Cause.tampering,
    }
)

CAUSE_LABELS_JA: dict[Cause, str] = {
    Cause.theft: "盗難",
    Cause.unauthorized_access: "不正アクセス",
    Cause.ransomware: "ランサムウェア",
    Cause.malware: "マルウェア感染",
    Cause.insider_exfiltration: "従業者等による不正な持ち出し",
    Cause.web_skimming: "ウェブスキミング（入力画面の改ざん）",
    Cause.tampering: "第三者による改ざん",
    Cause.lost_item: "紛失",
    Cause.misdelivery: "誤送付",
    Cause.wrong_recipient_email: "メール誤送信",
    Cause.misconfiguration: "設定不備による公開",
    Cause.disposal_error: "不適切な廃棄",
    Cause.other: "その他",
}
