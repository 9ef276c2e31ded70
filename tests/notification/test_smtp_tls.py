"""A real relay with STARTTLS and AUTH (aiosmtpd, self-signed certificate): user names as given, certificates verified."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from breachflow.errors import DeliveryError
from breachflow.notification.mailer import OutgoingEmail, YagmailMailer
from tests.notification.support import SinkHandler, free_port

MESSAGE = OutgoingEmail(notice_id="N-E-test", sender="desk@example.com", recipient="person@example.net",
                        data=b"From: desk@example.com\r\nTo: person@example.net\r\nSubject: t\r\n\r\nbody\r\n")


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "breachflow test relay")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "relay.pem", folder / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Accounts:
    """An authenticator that knows one plain user name (no '@') and records every login tried."""

    def __init__(self) -> None:
        self.tried: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001 - aiosmtpd API
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        self.tried.append(user)
        ok = user == "apikey" and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def relay(tmp_path: Path):
    """A local relay that requires STARTTLS before AUTH, with a self-signed certificate."""
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, accounts = SinkHandler(), Accounts()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, authenticator=accounts, auth_require_tls=True)
    controller.start()
    yield controller, handler, accounts, cert
    controller.stop()


def _mailer(controller, **kwargs) -> YagmailMailer:
    return YagmailMailer(host="127.0.0.1", port=controller.port, starttls=True, timeout=10, **kwargs)


def test_a_plain_user_name_logs_in_as_given_over_a_verified_starttls(relay):
    """User 'apikey' (no '@') reaches the relay as 'apikey', never 'apikey@gmail.com', over a verified certificate."""
    controller, handler, accounts, cert = relay
    mailer = _mailer(controller, user="apikey", password="s3cret", ca_file=cert)
    try:
        assert mailer.deliver(MESSAGE) == 250
    finally:
        mailer.close()
    assert accounts.tried == ["apikey"]
    assert len(handler.messages) == 1


def test_an_unknown_certificate_is_refused_and_the_error_names_the_setting(relay):
    """Without the relay's CA the certificate does not verify: nothing is sent and BREACHFLOW_SMTP_CA_FILE is named."""
    controller, handler, accounts, _ = relay
    mailer = _mailer(controller, user="apikey", password="s3cret")
    with pytest.raises(DeliveryError, match="BREACHFLOW_SMTP_CA_FILE"):
        mailer.deliver(MESSAGE)
    assert accounts.tried == [] and not handler.messages


def test_turning_verification_off_is_explicit_and_logged(relay, caplog):
    """BREACHFLOW_SMTP_TLS_VERIFY=false connects to the self-signed relay and logs that the relay is not authenticated."""
    controller, handler, _, _ = relay
    with caplog.at_level(logging.WARNING):
        mailer = _mailer(controller, user="apikey", password="s3cret", verify=False)
    try:
        assert mailer.deliver(MESSAGE) == 250
    finally:
        mailer.close()
    assert "verification is OFF" in caplog.text


def test_a_refused_login_names_the_settings_to_check(relay):
    """A wrong password fails with the user and password settings named, before any message is handed over."""
    controller, handler, accounts, cert = relay
    mailer = _mailer(controller, user="apikey", password="wrong", ca_file=cert)
    with pytest.raises(DeliveryError, match="BREACHFLOW_SMTP_USER and BREACHFLOW_SMTP_PASSWORD"):
        mailer.deliver(MESSAGE)
    assert not handler.messages
