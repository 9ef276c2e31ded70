"""The fast path of ``email_render`` for a batch: templates rendered once per item set, MIME built by hand.

Why it exists: ``send_email_batch`` renders while it waits for the server. Composing every
message with ``EmailMessage`` (``email_render.render_email``) takes ~3-6 ms of CPU against
~0.06 ms here, and bench/notify.py measured the sending path at 0.26-0.30x of bare smtplib
with it (also with the templates rendered once per item set), against 0.54-0.96x with this
path (target 0.7x; the shared machine's load moves the ratio). tests/notification/
test_email_render_fast.py checks that each of its messages decodes to the one ``render_email``
builds (same headers after RFC 2047 decoding, same parts).

Templates: for each item-set variant the three templates are rendered once, with sentinels in
the addressee fields, and each person's (escaped) values are spliced in. That is only done
when the templates use the addressee fields as plain ``{{ recipient.x }}`` / ``{{ notice_id }}``
output (checked on the template syntax tree): then jinja's own output for a person is exactly
the splice. Any other use (a filter, a condition, a loop over them) makes the composer render
every message's templates in full.

Message: the standard library's encoders (``Header``, ``formataddr``, base64) around a fixed
multipart/alternative skeleton. Every header value is checked for CR/LF before it is
written, so no data can inject a header.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe
from jinja2 import nodes

from breachflow.errors import RenderError
from breachflow.intake.loader import JST
from breachflow.notification.content import (
    RECIPIENT_FIELDS,
    Business,
    Recipient,
    clean_text,
    notice_context,
)
from breachflow.notification.email_render import render_email_parts
from breachflow.notification.mailer import OutgoingEmail
from breachflow.notification.plan import IncidentFacts, Notice
from breachflow.notification.policy import valid_email
from breachflow.scoping.model import Person
from breachflow.templating import environment

# Stands in for the person while a variant is rendered; its addressee fields are replaced by sentinels.
_PLACEHOLDER = Person(person_id="-", source_rows=[], items=[])
TEMPLATES = ("email/subject.txt", "email/notice.txt", "email/notice.html")
# Private-use code points: they pass HTML escaping unchanged and cannot come from cleaned data
# by accident (the composer checks the variant's own text for them).
_SENTINEL = re.compile("\ue000([a-z_]+)\ue001")


def _sentinel(field: str) -> str:
    return f"\ue000{field}\ue001"


def _walk(node: nodes.Node, parents: tuple[nodes.Node, ...]) -> Iterator[tuple[nodes.Node, tuple[nodes.Node, ...]]]:
    yield node, parents
    for child in node.iter_child_nodes():
        yield from _walk(child, (*parents, node))


def personal_fields(env: jinja2.Environment, template: str) -> set[str] | None:
    """Addressee fields a template prints as plain output; None if it uses them any other way."""
    source = env.loader.get_source(env, template)[0] if env.loader else ""
    used: set[str] = set()
    for node, parents in _walk(env.parse(source), ()):
        if not isinstance(node, nodes.Name) or node.name not in ("recipient", "notice_id"):
            continue
        if node.ctx != "load":
            return None
        if node.name == "notice_id":
            if not isinstance(parents[-1], nodes.Output):
                return None
            used.add("notice_id")
            continue
        parent = parents[-1]
        if not (isinstance(parent, nodes.Getattr) and parent.attr in Recipient.model_fields
                and len(parents) >= 2 and isinstance(parents[-2], nodes.Output)):
            return None
        used.add(parent.attr)
    return used


def _header(name: str, value: str, notice_id: str) -> bytes:
    # Encoders fold with "\n " (continuation); any other line break would start a new header.
    lines = value.split("\n")
    if "\r" in value or any(not line.startswith((" ", "\t")) for line in lines[1:]):
        raise RenderError(f"notice {notice_id}: header {name} would contain a line break; refusing to build it")
    folded = "\r\n".join(lines)
    return f"{name}: {folded}\r\n".encode("ascii")


def _mailbox(display_name: str, address: str) -> str:
    # formataddr RFC 2047-encodes non-ASCII names and quotes specials in ASCII ones.
    return formataddr((clean_text(display_name), address), charset="utf-8")


# The subject, sender and second repeat across a batch, and encoding them is most of a message's header time.
@lru_cache(maxsize=16)
def _encoded_subject(subject: str) -> str:
    return Header(subject, "utf-8").encode()


@lru_cache(maxsize=4)
def _sender_header(sender_name: str, sender: str) -> bytes:
    return _header("From", _mailbox(sender_name, sender), "(every notice)")


@lru_cache(maxsize=4)
def _date_header(now: datetime) -> bytes:
    # Called with whole seconds (the header has no finer resolution).
    return f"Date: {format_datetime(now.astimezone(JST))}\r\n".encode("ascii")  # in JST, as the plain path


def _body(text: str) -> bytes:
    # Same bytes as base64.encodebytes (76-character lines) with CRLF, without its Python loop.
    encoded = base64.b64encode(text.encode("utf-8"))
    lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
    return b"\r\n".join(lines) + b"\r\n" if lines else b""


def assemble_message(
    *, notice_id: str, subject: str, sender: str, sender_name: str, recipient: str, recipient_name: str,
    text: str, html: str, now: datetime,
) -> bytes:
    """What ``email_render.assemble_message`` composes, built from the encoders directly."""
    domain = sender.rpartition("@")[2] or "localhost"
    # notice ids are [A-Z0-9-]; "=_" never occurs in base64 text, so the boundary cannot collide.
    boundary = f"=_bf_{notice_id}"
    part = 'Content-Type: text/{kind}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    delimiter = f"--{boundary}\r\n".encode()
    return b"".join([
        _header("Subject", _encoded_subject(subject), notice_id),
        _sender_header(sender_name, sender),
        _header("To", _mailbox(recipient_name, recipient), notice_id),
        _date_header(now.replace(microsecond=0)),
        _header("Message-ID", f"<{notice_id}@{domain}>", notice_id),
        _header("X-Breachflow-Notice", notice_id, notice_id),
        b"MIME-Version: 1.0\r\n",
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode(),
        delimiter, part.format(kind="plain").encode(), _body(text),
        delimiter, part.format(kind="html").encode(), _body(html),
        f"--{boundary}--\r\n".encode(),
    ])


class BatchComposer:
    """Renders the email notices of one batch (fixed facts, business, sender and day)."""

    def __init__(
        self, *, facts: IncidentFacts, business: Business, sender: str, today: date, templates_dir: Path | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.facts, self.business, self.sender, self.today, self.clock = facts, business, sender, today, clock
        self.templates_dir = templates_dir
        env = environment(templates_dir)
        found = [personal_fields(env, t) for t in TEMPLATES]
        # None: some template uses addressee data beyond plain output, so every message is built by render_email.
        self.fields: set[str] | None = None if any(f is None for f in found) else set().union(*found)  # type: ignore[arg-type]
        self._variants: dict[tuple, list[list[str]] | None] = {}

    def _pieces(self, notice: Notice) -> list[list[str]] | None:
        key = (tuple(notice.items), notice.template_version)
        if key not in self._variants:
            self._variants[key] = self._compile(notice)
        return self._variants[key]

    def _compile(self, notice: Notice) -> list[list[str]] | None:
        if self.fields is None:
            return None
        blank = Recipient(**{f: _sentinel(f) for f in Recipient.model_fields})
        context = notice_context(notice=notice, person=_PLACEHOLDER, facts=self.facts, business=self.business,
                                 today=self.today).model_copy(update={"recipient": blank, "notice_id": _sentinel("notice_id")})
        parts = render_email_parts(context, templates_dir=self.templates_dir)
        pieces = [_SENTINEL.split(part) for part in parts]
        # Odd positions are field names; a stray sentinel character elsewhere means the variant's
        # own text contains one: fall back rather than splice into it.
        if any("\ue000" in p or "\ue001" in p for split in pieces for p in split[0::2]):
            return None
        return pieces

    def render(self, notice: Notice, person: Person) -> OutgoingEmail:
        """One notice ready for the mailer, dated by the composer's clock."""
        recipient = valid_email(person.email)
        if recipient is None:
            raise RenderError(f"notice {notice.notice_id}: person {person.person_id} has no valid email address")
        subject, text, html, name = self._parts(notice, person)
        data = assemble_message(
            notice_id=notice.notice_id, subject=subject, sender=self.sender, sender_name=self.business.name,
            recipient=recipient, recipient_name=name, text=text, html=html, now=self.clock(),
        )
        return OutgoingEmail(notice_id=notice.notice_id, sender=self.sender, recipient=recipient, data=data)

    def _parts(self, notice: Notice, person: Person) -> tuple[str, str, str, str]:
        """Subject, text, HTML and the addressee's printed name: spliced into the variant, or rendered in full."""
        pieces = self._pieces(notice)
        if pieces is None:
            context = notice_context(notice=notice, person=person, facts=self.facts, business=self.business,
                                     today=self.today)
            return (*render_email_parts(context, templates_dir=self.templates_dir), context.recipient.name)
        values = {f: RECIPIENT_FIELDS[f](person) for f in self.fields if f != "notice_id"}  # type: ignore[union-attr]
        values["notice_id"] = notice.notice_id
        escaped = {k: str(markupsafe.escape(v)) for k, v in values.items()}
        subject, text, html = (
            "".join(p if i % 2 == 0 else table[p] for i, p in enumerate(split))
            for split, table in zip(pieces, (values, values, escaped))
        )
        return subject.strip(), text, html, values["name"] if "name" in values else RECIPIENT_FIELDS["name"](person)


# The name sending.py and the benchmark use for the batch composer.
EmailComposer = BatchComposer
