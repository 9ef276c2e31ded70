"""Private files: written atomically, readable by the owner only (0600), never through a symlink."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows, where there are no such links to follow


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a new 0600 temporary file beside it, flushed to disk, then renamed).

    The temporary file has a random name and is created with O_EXCL|O_NOFOLLOW, so a
    file or symlink planted under a predictable name cannot receive the data; it is
    removed when anything fails (e.g. ``path`` is a folder), so no copy is left behind.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a regular file (missing, a folder, a FIFO, a device), or None.

    Reading a FIFO waits for a writer forever and /dev/zero never ends, so only regular
    files are read; ``os.stat`` follows a symlink, so a link to a regular file is fine.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "file not found"
    except OSError as exc:
        return f"cannot read: {exc.strerror}"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a pipe, socket or device); pass the file itself"
    return None
