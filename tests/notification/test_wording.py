"""Every notice a person reads fits this incident: the sender, who the persons are, how sure it is, the harm.

Three incidents unlike each other (a clinic's patients, a company's employees, a shop's customers)
run through the real use cases; the email, letter, call script and 公表文 are read as the person would.
"""

from __future__ import annotations

import email
import email.policy
import io
from pathlib import Path

import yaml
from pypdf import PdfReader

from breachflow.notification.mailer import RecordingMailer
from breachflow.settings import get_settings
from breachflow.usecases import notification, obligations, response, scoping
from breachflow.wiring import Wiring
from tests.usecases.conftest import TODAY

INTERNAL_SUMMARY = "社内メモ：担当A が経緯を調査中（通知は43日後の見込み）"
# Three persons, one per channel (email, letter, phone); the health-check column makes the leak reportable.
CSV = (
    "氏名,フリガナ,郵便番号,住所,電話番号,メールアドレス,健診結果\n"
    "試験 一郎,シケン イチロウ,,,,ichiro@shiken-mail.jp,要再検査\n"
    "試験 二郎,シケン ジロウ,5300001,大阪府大阪市北区梅田1-1-1,,,異常なし\n"
    "試験 三郎,シケン サブロウ,,,090-1111-2222,,要精密検査\n"
)
INCIDENTS = {
    "clinic": {
        "business": {"name": "医療法人試験会 試験クリニック", "kind": "clinic", "address": "大阪府大阪市北区試験町1-2",
                     "representative": "理事長 試験 次郎",
                     "desk": {"name": "患者様相談窓口", "phone": "06-0000-1111", "email": "desk@clinic.example",
                              "hours": "平日9時〜12時"}},
        "event": {"cause": "misdelivery", "certainty": "occurred", "medium": "paper",
                  "public_summary": "健康診断結果の通知書を、別の患者様あてに誤って郵送いたしました"},
        "subjects": ["patient"],
    },
    "employer": {
        "business": {"name": "株式会社試験製作所", "kind": "company", "address": "愛知県名古屋市中区試験1-1",
                     "representative": "代表取締役 試験 三郎",
                     "desk": {"name": "人事部 個人情報窓口", "phone": "052-000-2222", "email": "hr@maker.example"}},
        "event": {"cause": "lost_item", "certainty": "suspected", "medium": "electronic"},
        "subjects": ["employee"],
    },
    "shop": {
        "business": {"name": "株式会社試験商店", "kind": "company", "address": "東京都台東区試験2-3",
                     "representative": "代表取締役 試験 四郎",
                     "desk": {"name": "お客様相談窓口", "phone": "0120-333-444", "email": "support@shop.example"}},
        "event": {"cause": "theft", "certainty": "suspected", "medium": "both"},
        "subjects": ["customer"],
    },
}


def _documents(tmp_path: Path, kind: str) -> dict[str, str]:
    """Run one incident through plan, approval, email, letters, call list and 公表文; return each text as read."""
    spec = INCIDENTS[kind]
    folder = tmp_path / kind
    folder.mkdir()
    (folder / "list.csv").write_text(CSV, encoding="utf-8")
    raw = {
        "incident_id": f"WORDING-{kind.upper()}", "title": "試験事案", "discovered_on": "2026-11-10",
        "business": spec["business"], "event": {**spec["event"], "summary": INTERNAL_SUMMARY},
        "data": {"subjects": spec["subjects"], "dataset": "list.csv"},
    }
    (folder / "incident.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    mailer = RecordingMailer()
    w = Wiring(settings=get_settings(), clock=lambda: TODAY, mailer_factory=lambda settings, case: mailer)
    incident_id = response.open_or_update(w, folder / "incident.yaml", as_of=TODAY).incident_id
    scoping.scope(w, incident_id)
    obligations.assess_case(w, incident_id)
    notification.plan(w, incident_id)
    notification.approve(w, incident_id, approver="試験 承認者")
    notification.send_emails(w, incident_id, worker="t")
    notification.produce_letters(w, incident_id, workers=1)
    notification.export_call_list(w, incident_id)
    notification.draft_substitutes(w, incident_id)
    case = w.case(incident_id)
    assert len(mailer.delivered) == 1
    message = email.message_from_bytes(mailer.delivered[0].data, policy=email.policy.default)
    letters = sorted(p for p in (case.dir / "notification" / "letters").rglob("letters*.pdf"))
    assert letters
    letter_text = "".join(page.extract_text() for path in letters
                          for page in PdfReader(io.BytesIO(case.read_bytes(case.name_of(path)))).pages)
    return {
        "email": str(message["Subject"]) + "\n" + message.get_body(preferencelist=("plain",)).get_content(),
        "from": str(message["From"]),
        "letter": letter_text,
        "call": case.read_bytes("notification/calls/call_list.csv").decode("utf-8-sig"),
        "announcement": case.read_bytes("notification/public_announcement.txt").decode("utf-8"),
        "faq": case.read_bytes("notification/inquiry_faq.txt").decode("utf-8"),
    }


def _docs(tmp_path, kind):
    return _documents(tmp_path, kind)


def test_a_clinic_writes_to_its_patients_as_itself(tmp_path):
    """当院 and 患者様, never 当社 or お客様; an occurred leak is not called a おそれ; the public summary, not the internal one."""
    docs = _docs(tmp_path, "clinic")
    for name in ("email", "letter", "call", "announcement", "faq"):
        text = docs[name]
        assert "当院" in text, name
        assert "当社" not in text and "お客様" not in text, name
        assert "漏えいしたおそれ" not in text, name
        assert INTERNAL_SUMMARY not in text and "43日後" not in text, name
    for name in ("email", "announcement"):
        assert "患者様" in docs[name] and "健康診断結果の通知書を、別の患者様あてに誤って郵送いたしました。" in docs[name]
    assert "医療法人試験会 試験クリニック" in docs["email"] and "患者様相談窓口 06-0000-1111" in docs["email"]
    assert "大阪府大阪市北区試験町1-2" in docs["letter"].replace("\n", "")


def test_an_employer_writes_to_its_employees_and_says_it_is_not_yet_certain(tmp_path):
    """従業員の皆様 whose data the company 管理している; a suspected loss is a おそれ."""
    docs = _docs(tmp_path, "employer")
    for name in ("email", "announcement"):
        assert "従業員の皆様" in docs[name] and "管理している" in docs[name], name
        assert "お客様" not in docs[name], name
        assert "漏えいしたおそれ" in docs[name], name
    assert "株式会社試験製作所" in docs["email"] and "人事部 個人情報窓口" in docs["email"]
    assert "サンプル" not in "".join(docs.values())


def test_a_shop_writes_to_its_customers_with_items_in_natural_order_and_the_harm(tmp_path):
    """お客様 and 当社; items 氏名、フリガナ、メールアドレス in vocabulary order; the harm of each item and what to do."""
    docs = _docs(tmp_path, "shop")
    body = docs["email"]
    assert "お客様" in body and "当社" in body
    assert body.index("・氏名") < body.index("・フリガナ") < body.index("・メールアドレス") < body.index("・健康診断")
    assert "当社を装った不審なメール" in body and "現時点で、本件に起因する二次被害は確認されておりません。" in body
    assert "配慮を要する情報が第三者に知られるおそれ" in body


def test_the_call_script_checks_identity_before_it_says_anything_about_the_leak(tmp_path):
    """The caller verifies the person first, says nothing to a family member, states the harm and reads the desk aloud."""
    call = _docs(tmp_path, "shop")["call"]
    assert call.index("【1. 名乗りと本人確認】") < call.index("情報は、")
    assert "ご本人以外の方が出られた場合" in call and "一切触れない" in call
    assert "二次被害は確認されておりません" in call
    assert "電話番号は0120-333-444" in call and "下記" not in call
    assert "本人確認" in call.splitlines()[0]


def test_the_announcement_mentions_unreachable_persons_only_when_there_are_some(tmp_path):
    """The 公表文 says some persons could not be reached only when the plan has persons no channel reaches."""
    docs = _docs(tmp_path, "shop")
    assert "ご連絡が届かない方" not in docs["announcement"]
    assert "電子メール、郵便、お電話により個別にご連絡いたします" in docs["announcement"]


def test_a_person_with_nothing_on_file_to_check_is_not_told_anything(tmp_path):
    """A phone-only person (no postal code, no address): the script asks for nothing it cannot check and says nothing."""
    call = _docs(tmp_path, "clinic")["call"]
    assert "確認情報なし" in call
    assert "本人確認に使える情報（郵便番号・住所）が登録されていない" in call
    assert "ご住所（町名まで）をお聞かせ" not in call
