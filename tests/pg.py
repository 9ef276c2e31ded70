"""A private PostgreSQL cluster for the scale-out tests (Debian's postgresql package, loopback only)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Postgres:
    """A running cluster: ``url(db, driver)`` builds SQLAlchemy URLs."""

    port: int
    datadir: Path

    def url(self, database: str, driver: str = "psycopg") -> str:
        """SQLAlchemy URL of one database on this cluster."""
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{database}"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: install Debian's postgresql package (make test does)")
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_cluster(databases: list[str]) -> Iterator[Postgres]:
    """initdb + pg_ctl start on a free loopback port; creates the databases; stops and deletes after."""
    root = Path(tempfile.mkdtemp(prefix="bf-pg-"))
    datadir, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([_bin("initdb"), "-D", str(datadir), "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
    subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(datadir), "-o", options, "-w", "-l", str(root / "log"), "start"]),
                   check=True, capture_output=True)
    try:
        for database in databases:
            subprocess.run(_as_postgres([_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database]),
                           check=True, capture_output=True)
        yield Postgres(port=port, datadir=datadir)
    finally:
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
