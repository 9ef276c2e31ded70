"""The mailer seam: hand one prepared message to a server over a reused connection.

Implementations: ``YagmailMailer`` (live SMTP; yagmail owns connecting, TLS and login, and
its one open connection is reused for every message), ``OutboxMailer`` (writes .eml files,
the default when no relay is configured) and ``RecordingMailer`` (in-memory fake for tests).

Failures are classified for the ledger:
``TransientDeliveryError`` (4xx, connection lost before DATA: safe to retry),
``PermanentDeliveryError`` (5xx: the person needs another channel) and
``UncertainDeliveryError`` (connection lost during DATA: outcome unknown, a human decides).
Messages carry the notice id and reply code only, never an address.
"""

from __future__ import annotations

import logging
import smtplib
import ssl as ssl_module
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from breachflow.errors import DeliveryError
from breachflow.settings import Settings
from breachflow.security.files import write_private


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """A rendered message ready for the wire (personal data: never logged)."""

    notice_id: str
    sender: str
    recipient: str
    data: bytes = field(repr=False)


class TransientDeliveryError(DeliveryError):
    """The server deferred the message (4xx) or the connection dropped before DATA; retry later."""

    def __init__(self, notice_id: str, reply_code: int | None, detail: str) -> None:
        self.notice_id, self.reply_code, self.detail = notice_id, reply_code, detail
        super().__init__(f"notice {notice_id}: deferred ({reply_code or 'no reply'}: {detail}); will retry")


class PermanentDeliveryError(DeliveryError):
    """The server refused the message for good (5xx); the person needs another channel."""

    def __init__(self, notice_id: str, reply_code: int | None, detail: str) -> None:
        self.notice_id, self.reply_code, self.detail = notice_id, reply_code, detail
        super().__init__(f"notice {notice_id}: refused ({reply_code}: {detail})")


class RelaySessionError(DeliveryError):
    """The relay refused the session, not the person: a 5xx to MAIL FROM or to DATA (authentication, sender
    policy, a broken session). No recipient is at fault, so the batch stops and its notices stay to be sent."""

    def __init__(self, notice_id: str, reply_code: int | None, detail: str) -> None:
        self.notice_id, self.reply_code, self.detail = notice_id, reply_code, detail
        super().__init__(
            f"the mail relay refused the session at {detail} ({reply_code}); no notice was refused for its "
            "recipient and none is marked failed. Check BREACHFLOW_SMTP_USER / BREACHFLOW_SMTP_PASSWORD "
            "(authentication), BREACHFLOW_MAIL_FROM (a sender the relay accepts) and BREACHFLOW_SMTP_HOST, "
            "then send again")


class UncertainDeliveryError(DeliveryError):
    """The connection was lost while the message was being handed over: outcome unknown."""

    def __init__(self, notice_id: str, detail: str) -> None:
        self.notice_id, self.reply_code, self.detail = notice_id, None, detail
        super().__init__(f"notice {notice_id}: connection lost during DATA ({detail}); outcome unknown")


def classify(notice_id: str, code: int, stage: str) -> DeliveryError:
    """The error for a non-success SMTP reply: 5xx permanent, anything else transient."""
    detail = f"{stage} rejected"
    if 500 <= code < 600:
        return PermanentDeliveryError(notice_id, code, detail)
    return TransientDeliveryError(notice_id, code, detail)


class Mailer(Protocol):
    """Hands one prepared message to a mail server; returns the SMTP reply code of acceptance."""

    sends: bool  # True: an accepted message went to a relay (sent); False: it was only kept (outbox, not sent)

    def deliver(self, mail: OutgoingEmail) -> int:
        """Deliver one message or raise a classified ``DeliveryError``."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def tls_context(*, ca_file: Path | None = None, verify: bool = True) -> ssl_module.SSLContext:
    """TLS for the relay: certificate and host name verified (system CAs, or ``ca_file``) unless explicitly off."""
    if not verify:
        logging.getLogger(__name__).warning(
            "SMTP TLS certificate verification is OFF (BREACHFLOW_SMTP_TLS_VERIFY=false): "
            "the relay is not authenticated")
        context = ssl_module.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl_module.CERT_NONE
        return context
    return ssl_module.create_default_context(cafile=str(ca_file) if ca_file else None)


class YagmailMailer:
    """Live SMTP through yagmail: one login, one connection reused for every message, reconnect on loss."""

    sends = True

    def __init__(
        self, *, host: str, port: int, user: str | None = None, password: str | None = None,
        starttls: bool = False, ssl: bool = False, timeout: float = 60.0, ca_file: Path | None = None,
        verify: bool = True,
    ) -> None:
        import yagmail  # imported lazily: the outbox and fake mailers do not need it

        # yagmail.send() would log in again for every message and leave the old socket open;
        # we only use its connection handling (connect, STARTTLS/SSL, login) and reuse
        # yag.smtp for every message.
        context = tls_context(ca_file=ca_file, verify=verify) if starttls or ssl else None
        self._yag = yagmail.SMTP(
            # As a one-entry dict yagmail takes the user name as given; a plain string without "@"
            # would become "<name>@gmail.com" (relays with an API-key or local user would refuse it).
            user={user: user} if user else "", password=password, host=host, port=port,
            smtp_starttls={"context": context} if starttls else False, smtp_ssl=ssl, smtp_skip_login=user is None,
            soft_email_validation=False, timeout=timeout, **({"context": context} if ssl else {}),
        )
        self._yag.set_logging(None)  # yagmail would log recipient addresses
        self._connected = False
        self.connections = 0

    def _connection(self, notice_id: str) -> smtplib.SMTP:
        if not self._connected:
            try:
                self._yag.login()
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(
                    f"notice {notice_id}: SMTP login refused ({exc.smtp_code}); "
                    "check BREACHFLOW_SMTP_USER and BREACHFLOW_SMTP_PASSWORD") from None
            except ssl_module.SSLCertVerificationError as exc:
                raise DeliveryError(
                    f"notice {notice_id}: the relay's TLS certificate did not verify ({exc.verify_message}); "
                    "give its CA in BREACHFLOW_SMTP_CA_FILE, or check BREACHFLOW_SMTP_HOST") from None
            except (OSError, smtplib.SMTPException) as exc:
                raise TransientDeliveryError(notice_id, None, f"cannot connect: {type(exc).__name__}") from None
            self._connected = True
            self.connections += 1
        return self._yag.smtp

    def _drop(self) -> None:
        self._connected = False
        try:
            self._yag.smtp.close()
        except (OSError, AttributeError, smtplib.SMTPException):
            pass

    def deliver(self, mail: OutgoingEmail) -> int:
        """Send over the open connection; envelope and DATA replies are classified separately."""
        smtp = self._connection(mail.notice_id)
        stage = "MAIL"
        try:
            # mail/rcpt/data rather than sendmail(): only then do we know whether a lost
            # connection happened before the message was handed over (safe to retry) or
            # during DATA (outcome unknown).
            smtp.ehlo_or_helo_if_needed()
            code, _ = smtp.mail(mail.sender)
            if code != 250:
                self._reset(smtp)
                if 500 <= code < 600:  # the sender or the session is refused, whoever the recipient
                    raise RelaySessionError(mail.notice_id, code, "MAIL FROM")
                raise classify(mail.notice_id, code, "sender")
            stage = "RCPT"
            code, _ = smtp.rcpt(mail.recipient)
            if code not in (250, 251):
                self._reset(smtp)
                raise classify(mail.notice_id, code, "recipient")
            stage = "DATA"
            try:
                code, _ = smtp.data(mail.data)
            except smtplib.SMTPDataError as exc:  # DATA command itself refused: nothing handed over
                self._reset(smtp)
                if 500 <= exc.smtp_code < 600:
                    raise RelaySessionError(mail.notice_id, exc.smtp_code, "DATA") from None
                raise classify(mail.notice_id, exc.smtp_code, "DATA command") from None
            if code != 250:
                self._reset(smtp)  # a session left mid-transaction answers the next MAIL with 503
                if 500 <= code < 600:
                    raise RelaySessionError(mail.notice_id, code, "end of DATA")
                raise classify(mail.notice_id, code, "message")
            return code
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            if stage == "DATA":
                raise UncertainDeliveryError(mail.notice_id, type(exc).__name__) from None
            raise TransientDeliveryError(mail.notice_id, None, f"connection lost at {stage}") from None

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def close(self) -> None:
        """QUIT and close the connection."""
        if self._connected:
            self._yag.close()
            self._connected = False


class FileWriter(Protocol):
    """Stores one file's bytes: a case folder seals them, a plain folder writes them as they are."""

    def __call__(self, path: Path, data: bytes) -> None:
        """Store ``data`` at ``path``."""
        ...


def outbox_writer(folder: Path) -> FileWriter:
    """Seal captured mail when the outbox is inside a case folder (it holds addresses); else write it plain."""
    from breachflow.casestore import case_containing

    case = case_containing(folder)
    if case is None:
        return write_private

    def seal_into_case(path: Path, data: bytes) -> None:
        case.write_bytes(case.name_of(path), data)

    return seal_into_case


class OutboxMailer:
    """Writes each message to ``<folder>/<notice id>.eml``: the default when no relay is configured.

    Inside a case folder the messages are sealed with the case key; read one with
    ``breachflow case export INCIDENT notification/outbox/<notice id>.eml --to PATH``.
    """

    def __init__(self, folder: Path, *, writer: FileWriter | None = None) -> None:
        self.folder = folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.writer = writer or outbox_writer(folder)

    sends = False  # a message in the outbox has not reached anyone

    def deliver(self, mail: OutgoingEmail) -> int:
        """Write the message atomically (0600, sealed inside a case folder)."""
        self.writer(self.folder / f"{mail.notice_id}.eml", mail.data)
        return 250

    def close(self) -> None:
        """Nothing to release."""


class RecordingMailer:
    """In-memory fake: records every delivered message; ``respond`` may return a reply code per message."""

    sends = True  # stands in for a relay

    def __init__(self, respond: Callable[[OutgoingEmail], int] | None = None) -> None:
        self.respond = respond
        self.delivered: list[OutgoingEmail] = []
        self.attempts = 0
        self.closed = False

    def deliver(self, mail: OutgoingEmail) -> int:
        """Record the message, or raise the classified error for the scripted reply code."""
        self.attempts += 1
        code = self.respond(mail) if self.respond else 250
        if code != 250:
            raise classify(mail.notice_id, code, "scripted")
        self.delivered.append(mail)
        return code

    def close(self) -> None:
        """Mark closed."""
        self.closed = True


def build_mailer(settings: Settings, *, outbox_dir: Path) -> Mailer:
    """The one wiring point: a live relay only when ``smtp_host`` is configured, else the outbox folder."""
    if not settings.smtp_host:
        return OutboxMailer(outbox_dir)
    return YagmailMailer(
        host=settings.smtp_host, port=settings.smtp_port, user=settings.smtp_user,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls, ssl=settings.smtp_ssl, ca_file=settings.smtp_ca_file,
        verify=settings.smtp_tls_verify,
    )
