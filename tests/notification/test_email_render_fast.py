"""The batch fast path against the plain one: every message decodes to what ``render_email`` builds."""

from __future__ import annotations

import email
import email.policy
import random
import re
import shutil
from datetime import UTC, datetime
from email.header import decode_header, make_header
from pathlib import Path

from breachflow.notification.email_render import render_email
from breachflow.notification.email_render_fast import BatchComposer, EmailComposer
from breachflow.notification.plan import build_plan, template_versions
from breachflow.notification.policy import ChannelPolicy
from breachflow.vocabulary import DataItem
from tests.notification.support import INCIDENT, SENDER, TEMPLATES, TODAY, business, email_person, facts

FIXED_TIME = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
HOSTILE_NAMES = ["悪意\r\n<b>&\"'{{ 7*7 }}\u202e様", "O'Brien & <Co>", "", "髙﨑\u3000①", "x" * 300]
LONG_NAMES = ["A" * 80 + "漢字" * 40, "株式会社テスト商事　代表取締役社長　山田太郎", "山田 花子 (Yamada Hanako)"]
VARIANTS = [[DataItem.name, DataItem.email], [DataItem.name, DataItem.email, DataItem.card_number]]


def japanese_names(count: int, seed: int = 3) -> list[str]:
    """Family and given names in kanji, kana or latin, joined by nothing, a space, an ideographic space or ・."""
    rng = random.Random(seed)
    family = ["山田", "髙橋", "渡邊", "佐藤", "斎藤", "ヤマダ", "やまだ", "Yamada", "O'Brien", "李"]
    given = ["花子", "太郎", "一", "ハナコ", "はなこ", "Hanako", "Jean-Luc", "①", "美由紀"]
    return [f"{rng.choice(family)}{rng.choice(['', ' ', '　', '・'])}{rng.choice(given)}" for _ in range(count)]


def decoded(data: bytes) -> tuple:
    """What a reader gets: headers unfolded and RFC 2047-decoded, in order; each part's type, charset, encoding, bytes."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    headers = [(name, str(make_header(decode_header(re.sub(r"\r?\n(?=[ \t])", "", value).strip()))))
               for name, value in msg.items()]
    parts = [(p.get_content_type(), p.get_content_charset(), p["Content-Transfer-Encoding"], p.get_payload(decode=True))
             for p in msg.get_payload()]
    return headers, msg.get_content_type(), msg.get_boundary(), parts


def fast_and_plain(persons, templates_dir):
    """Each notice by the batch composer and by ``render_email``, at one fixed time."""
    versions = template_versions(TEMPLATES)
    plan = build_plan(incident_id=INCIDENT, persons=persons, decision=None, policy=ChannelPolicy(), versions=versions)
    by_id = {p.person_id: p for p in persons}
    composer = BatchComposer(facts=facts(), business=business(), sender=SENDER, today=TODAY,
                             templates_dir=templates_dir, clock=lambda: FIXED_TIME)
    pairs = [
        (composer.render(n, by_id[n.person_id]),
         render_email(notice=n, person=by_id[n.person_id], facts=facts(), business=business(), sender=SENDER,
                      today=TODAY, templates_dir=templates_dir, now=FIXED_TIME))
        for n in plan.notices
    ]
    return composer, pairs


def test_spliced_messages_decode_to_the_plain_rendering():
    """Per-variant splicing and hand-built MIME give the headers and parts of render_email, Japanese names included."""
    names = japanese_names(200) + HOSTILE_NAMES + LONG_NAMES
    persons = [email_person(i, name=name, items=VARIANTS[i % 2]) for i, name in enumerate(names)]
    composer, pairs = fast_and_plain(persons, TEMPLATES)
    assert composer.fields == {"name", "notice_id"}, "the shipped templates print the addressee as plain output"
    for fast, plain in pairs:
        assert (fast.notice_id, fast.sender, fast.recipient) == (plain.notice_id, plain.sender, plain.recipient)
        assert decoded(fast.data) == decoded(plain.data)
    assert len({fast.data for fast, _ in pairs}) == len(pairs)
    subject = email.message_from_bytes(pairs[0][0].data, policy=email.policy.default)["Subject"]
    assert subject == "【重要】個人情報の漏えいに関するお詫びとお知らせ"


def test_templates_using_the_addressee_otherwise_are_rendered_in_full(tmp_path: Path):
    """A filter or condition on an addressee field turns splicing off, and each message still decodes to render_email's."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    html = templates / "email" / "notice.html"
    html.write_text(html.read_text("utf-8").replace(
        "{{ recipient.name }} 様", "{% if recipient.address2 %}{{ recipient.name|upper }}{% endif %} 様"), "utf-8")
    persons = [email_person(1, name="abc"), email_person(2, address2="", name="def")]
    composer, pairs = fast_and_plain(persons, templates)
    assert composer.fields is None
    assert all(decoded(fast.data) == decoded(plain.data) for fast, plain in pairs)
    bodies = [email.message_from_bytes(m.data, policy=email.policy.default).get_body(("html",)).get_content()
              for m, _ in pairs]
    assert "ABC 様" in bodies[0] and "DEF" not in bodies[1]


def test_email_composer_sends_the_batch_path():
    """The composer send_email_batch uses gives the batch path's bytes."""
    persons = [email_person(i, items=VARIANTS[i % 2]) for i in range(4)]
    plan = build_plan(incident_id=INCIDENT, persons=persons, decision=None, policy=ChannelPolicy(),
                      versions=template_versions(TEMPLATES))
    kwargs = {"facts": facts(), "business": business(), "sender": SENDER, "today": TODAY, "clock": lambda: FIXED_TIME}
    public, batch = EmailComposer(**kwargs), BatchComposer(**kwargs)
    by_id = {p.person_id: p for p in persons}
    assert [public.render(n, by_id[n.person_id]) for n in plan.notices] == [
        batch.render(n, by_id[n.person_id]) for n in plan.notices]
