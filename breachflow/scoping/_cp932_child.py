"""Child process of ``readers.transcode_cp932``: CP932 bytes in one in-memory file, UTF-8 to another.

It prints the number of "," bytes of its part (the parent's ragged-row check needs it).

Run as a script with ``python -I -S`` (no site, no imports beyond the codec and mmap), so
that it starts in milliseconds. Its arguments are the two inherited file descriptors (memfd:
the data never touches a disk). On a decoding error it writes nothing and exits with status
3; the parent then decodes the whole file itself, which names the failing byte and line.
"""

import mmap
import os
import sys


def main() -> int:
    source, target = int(sys.argv[1]), int(sys.argv[2])
    with mmap.mmap(source, 0, prot=mmap.PROT_READ) as data:
        try:
            text = str(data, "cp932")  # decoded from the mapping: no copy of the input
        except UnicodeDecodeError:
            return 3
    utf8 = text.encode("utf-8")
    del text
    commas = utf8.count(b",")
    view = memoryview(utf8)
    while view:
        view = view[os.write(target, view[: 16 << 20]) :]
    sys.stdout.write(f"{commas}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
