"""Render one person's email notice into a MIME message (text/plain + text/html).

``render_email`` renders the three email templates through the shared jinja environment
(``breachflow.templating``) and composes the message with ``email.message.EmailMessage``:
the standard library encodes the Japanese subject and names (RFC 2047), folds the headers,
base64-encodes both UTF-8 parts and writes CRLF line ends. Not yagmail's ``prepare_send``:
it turns newlines of the text part into ``<br>``. The policy refuses CR or LF in a header
value, so no data can inject a header (names are also cleaned before they are printed).

A batch for ``send_email_batch`` goes through ``EmailComposer``, which uses the fast path in
``email_render_fast``: composing each message with ``EmailMessage`` costs ~3 ms here, and
bench/notify.py measured the sending path at 0.26-0.30x of bare smtplib with it (target
0.7x), also with the templates rendered once per item set. Tests check that the fast path's
messages decode to the ones ``render_email`` builds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path

import jinja2

from breachflow.errors import RenderError
from breachflow.intake.loader import JST
from breachflow.notification.content import (
    Business,
    NoticeContext,
    clean_text,
    notice_context,
)
from breachflow.notification.mailer import OutgoingEmail
from breachflow.notification.plan import IncidentFacts, Notice
from breachflow.notification.policy import valid_email
from breachflow.scoping.model import Person
from breachflow.templating import environment


def render_email_parts(context: NoticeContext, *, templates_dir: Path | None = None) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one notice."""
    # One dump for the three templates (render() would dump the context three times).
    values = context.model_dump(mode="python")
    try:
        env = environment(templates_dir)
        subject = env.get_template("email/subject.txt").render(**values).strip()
        text = env.get_template("email/notice.txt").render(**values)
        html = env.get_template("email/notice.html").render(**values)
    except jinja2.TemplateError as exc:
        raise RenderError(f"notice {context.notice_id}: email template error: {exc.message}") from None
    return subject, text, html


def assemble_message(
    *, notice_id: str, subject: str, sender: str, sender_name: str, recipient: str, recipient_name: str,
    text: str, html: str, now: datetime | None = None,
) -> bytes:
    """A multipart/alternative message (text + HTML, UTF-8, base64) as CRLF bytes."""
    domain = sender.rpartition("@")[2] or "localhost"
    # Composed under the default policy, so that the parts keep the templates' LF line ends,
    # and written under SMTP (CRLF).
    msg = EmailMessage(policy=default)
    try:
        msg["Subject"] = subject
        msg["From"] = Address(display_name=clean_text(sender_name), addr_spec=sender)
        msg["To"] = Address(display_name=clean_text(recipient_name), addr_spec=recipient)
        # In JST, where the persons and the APPI clock are.
        msg["Date"] = (now or datetime.now(UTC)).astimezone(JST).replace(microsecond=0)
        # Deterministic Message-ID: should a resend ever happen, clients can spot the duplicate.
        msg["Message-ID"] = f"<{notice_id}@{domain}>"
        msg["X-Breachflow-Notice"] = notice_id
    except ValueError:
        # A line break in a header value, or an address the parser refuses (no personal data in the message).
        raise RenderError(f"notice {notice_id}: a header would contain a line break or a malformed address; "
                          "refusing to build it") from None
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    # notice ids are [A-Z0-9-] and "=_" never occurs in base64 text, so the boundary cannot
    # collide, and the same notice at the same time gives the same bytes.
    msg.set_boundary(f"=_bf_{notice_id}")
    return msg.as_bytes(policy=SMTP)


def render_email(
    *, notice: Notice, person: Person, facts: IncidentFacts, business: Business, sender: str,
    today: date, templates_dir: Path | None = None, now: datetime | None = None,
) -> OutgoingEmail:
    """One notice ready for the mailer; raises ``RenderError`` (ids only) when the address is unusable."""
    recipient = valid_email(person.email)
    if recipient is None:
        raise RenderError(f"notice {notice.notice_id}: person {person.person_id} has no valid email address")
    context = notice_context(notice=notice, person=person, facts=facts, business=business, today=today)
    subject, text, html = render_email_parts(context, templates_dir=templates_dir)
    data = assemble_message(
        notice_id=notice.notice_id, subject=subject, sender=sender, sender_name=business.name, recipient=recipient,
        recipient_name=context.recipient.name, text=text, html=html, now=now,
    )
    return OutgoingEmail(notice_id=notice.notice_id, sender=sender, recipient=recipient, data=data)
