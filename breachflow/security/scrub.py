"""Scrubbing server replies before they are stored: SMTP servers echo recipient addresses.

A reply such as ``550 5.1.1 <taro@example.com>: Recipient address rejected`` is kept as
``550 5.1.1`` — the reply code and enhanced status code say what happened; the free text
after them is where servers put addresses, names and mailbox details.
"""

from __future__ import annotations

import re

_REPLY = re.compile(r"^\s*(?P<code>[2-5]\d\d)(?:[ -](?P<status>[2-5]\.\d{1,3}\.\d{1,3}))?")
_EMAIL = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
_BRACKETED = re.compile(r"<[^>]*>")
_STARTS_WITH_REPLY = re.compile(r"^\s*[2-5]\d\d(?:[ -]|$)")
_MAX_DETAIL = 200


def scrub_reply(text: str | bytes | None) -> str:
    """An SMTP reply reduced to its code and enhanced status code (``"550 5.1.1"``); '' if it has none."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    match = _REPLY.match(text)
    if not match:
        return ""
    return " ".join(part for part in (match.group("code"), match.group("status")) if part)


def scrub_detail(text: str) -> str:
    """A ledger detail with addresses and bracketed echoes removed, the SMTP reply cut to its codes.

    Our own details (``"recipient rejected; rerouted to letter"``) pass unchanged; any text that
    starts with an SMTP reply keeps only its codes; an address anywhere becomes ``<address>``.
    """
    if _STARTS_WITH_REPLY.match(text):
        return scrub_reply(text)
    cleaned = _BRACKETED.sub("<address>", text)
    cleaned = _EMAIL.sub("<address>", cleaned)
    return cleaned[:_MAX_DETAIL]
