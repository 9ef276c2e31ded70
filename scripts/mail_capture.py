"""A local SMTP capture server (aiosmtpd): every message is written to a folder as .eml."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class _SaveHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        with self.lock:
            number = next(self.counter)
        (self.folder / f"{number:06d}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 OK captured"


def start_capture(folder: Path, *, port: int = 0) -> Controller:
    """Start a capture server on 127.0.0.1; returns the running controller (``.port`` is set)."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_SaveHandler(folder), hostname="127.0.0.1", port=port or _free_port())
    controller.start()
    return controller


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
