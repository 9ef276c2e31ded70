"""One notice as an EmailMessage: the Japanese subject, names and both parts decode back as rendered."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.utils import unquote

import pytest

from breachflow.errors import RenderError
from breachflow.notification.content import clean_text, notice_context
from breachflow.notification.email_render import assemble_message, render_email, render_email_parts
from breachflow.notification.plan import Channel, build_plan, make_notice, template_versions
from breachflow.notification.policy import ChannelPolicy
from tests.notification.support import INCIDENT, SENDER, TEMPLATES, TODAY, business, email_person, facts

FIXED_TIME = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)


def _notice_and_parts(person):
    notice = make_notice(incident_id="INC-1", person=person, channel=Channel.email, versions=template_versions(TEMPLATES))
    context = notice_context(notice=notice, person=person, facts=facts(), business=business(), today=TODAY)
    return notice, render_email_parts(context, templates_dir=TEMPLATES)


def _render(person):
    notice, _ = _notice_and_parts(person)
    return render_email(notice=notice, person=person, facts=facts(), business=business(), sender=SENDER, today=TODAY,
                        templates_dir=TEMPLATES, now=FIXED_TIME)


def rfc2047_mailbox(data: bytes, header: str) -> tuple[str, str]:
    """Display name and address of a one-mailbox header as an RFC 2047 decoder reads it (unfolded, words joined)."""
    raw = email.message_from_bytes(data, policy=email.policy.compat32)[header]
    display, _, address = re.sub(r"\r?\n(?=[ \t])", "", raw).strip().rpartition(" <")
    name = str(make_header(decode_header(display)))
    if len(name) > 1 and name[0] == name[-1] == '"':
        name = unquote(name)
    return name, address.removesuffix(">")


def test_message_parses_back_with_the_japanese_subject_names_and_parts():
    """Subject, From, To, ids, date and both UTF-8 parts read back exactly as rendered."""
    person = email_person(1, name="山田　花子")
    notice, (subject, text, html) = _notice_and_parts(person)
    mail = _render(person)
    msg = email.message_from_bytes(mail.data, policy=email.policy.default)

    assert subject == "【重要】個人情報の漏えいに関するお詫びとお知らせ"
    assert msg["Subject"] == subject
    assert (msg["From"].addresses[0].display_name, msg["From"].addresses[0].addr_spec) == ("株式会社試験商事", SENDER)
    assert (msg["To"].addresses[0].display_name, msg["To"].addresses[0].addr_spec) == ("山田　花子", "user1@example.com")
    assert msg["Message-ID"] == f"<{notice.notice_id}@example.com>"
    assert msg["X-Breachflow-Notice"] == notice.notice_id
    assert msg["Date"].datetime == FIXED_TIME.replace(microsecond=0)
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" and p["Content-Transfer-Encoding"] == "base64" for p in parts)
    # The templates' own line ends (LF) and text, Japanese included.
    assert parts[0].get_content() == text and "山田　花子 様" in text and "\r" not in text
    assert parts[1].get_content() == html and "山田　花子 様" in html
    assert (mail.notice_id, mail.sender, mail.recipient) == (notice.notice_id, SENDER, "user1@example.com")


def test_wire_form_is_seven_bit_crlf_with_encoded_japanese_headers():
    """The bytes are ASCII with CRLF line ends only and short lines; Japanese headers are RFC 2047 encoded words."""
    data = _render(email_person(2)).data
    text = data.decode("ascii")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    assert max(len(line) for line in text.split("\r\n")) <= 78
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    assert any(re.fullmatch(r"Subject: =\?utf-8\?[bq]\?\S+\?=", line) for line in head)
    assert any(re.fullmatch(r"To: =\?utf-8\?[bq]\?\S+\?= <user2@example\.com>", line) for line in head)


def test_same_notice_and_time_give_the_same_bytes():
    """No random boundary or id: rendering a notice twice at one time gives identical bytes."""
    person = email_person(3)
    assert _render(person).data == _render(person).data


@pytest.mark.parametrize("name", [
    "A" * 80 + "漢字" * 40,
    "株式会社テスト商事　代表取締役社長　山田太郎",
    "山田 Hanako",
    "O'Brien & <Co>",
    "x" * 300,
    "悪意\r\nBcc: victim@example.com\u202e様",
])
def test_long_mixed_and_hostile_names_decode_to_the_cleaned_name(name):
    """However the policy folds or quotes a name, an RFC 2047 decoder reads the cleaned name and one address."""
    data = _render(email_person(4, name=name)).data
    assert rfc2047_mailbox(data, "To") == (clean_text(name), "user4@example.com")
    assert len(email.message_from_bytes(data, policy=email.policy.default).get_all("To")) == 1


@pytest.mark.xfail(strict=True, reason=(
    "CPython 3.11's header folder writes an encoded word directly followed by ASCII text when an ASCII "
    "space precedes a non-ASCII space before ASCII letters; the fast path (formataddr) encodes the whole name"))
def test_ascii_space_then_ideographic_space_then_latin_letters():
    """Documents a folding defect of the standard library's policy for such a name (the plain path only)."""
    data = _render(email_person(5, name="山田 \u3000Hanako")).data
    assert rfc2047_mailbox(data, "To") == ("山田 \u3000Hanako", "user5@example.com")


@pytest.mark.parametrize("subject", ["件名\r\nBcc: victim@example.com", "件名\nX-Injected: 1", "件名\rX: 1"])
def test_a_header_line_break_is_refused(subject):
    """A CR or LF in a header value raises RenderError (ids only) instead of starting a new header."""
    with pytest.raises(RenderError, match="N-1") as info:
        assemble_message(notice_id="N-1", subject=subject, sender=SENDER, sender_name="送信者", recipient="u@example.com",
                         recipient_name="受信者", text="本文", html="<p>本文</p>", now=FIXED_TIME)
    assert "victim" not in str(info.value)


def test_a_person_without_a_valid_address_is_refused():
    """No valid email address: RenderError naming the notice and person, not the address."""
    person = email_person(6, email="not-an-address")
    with pytest.raises(RenderError, match="P000006") as info:
        _render(person)
    assert "not-an-address" not in str(info.value)


def test_the_date_header_is_in_japan_time():
    """The Date header carries +0900, as a person in Japan reads it, on the plain and the batch path."""
    from breachflow.notification.email_render_fast import EmailComposer

    person = email_person(1)
    plan = build_plan(incident_id=INCIDENT, persons=[person], decision=None, policy=ChannelPolicy(),
                      versions=template_versions(TEMPLATES))
    composer = EmailComposer(facts=facts(), business=business(), sender=SENDER, today=TODAY)
    message = email.message_from_bytes(composer.render(plan.notices[0], person).data, policy=email.policy.default)
    assert message["Date"].endswith("+0900")
