"""Child process of ``readers.transcode_cp932``: CP932 bytes on stdin, UTF-8 on stdout.

Run as a script with ``python -I -S`` (no site, no imports beyond the codec), so that it
starts in milliseconds. The data only passes through pipes, never a file. On a decoding
error it writes nothing to stdout and exits with status 3; the parent then decodes the
whole file itself, which names the failing byte and line.
"""

import sys


def main() -> int:
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return 3
    del data
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
