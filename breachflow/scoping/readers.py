"""Read a leaked list (CSV or XLSX) into text-only tables, or say exactly why not.

Everything is read as text: leading zeros in postal codes and phone numbers matter. CSV is
decoded strictly, in this order: a UTF-8 BOM, then UTF-8, then CP932 (Excel's Japanese
export). Nothing is guessed, so 髙﨑①㈱ survive and a file in any other encoding is refused
with the byte offset and line where decoding failed. Error messages carry the path, row
numbers, column names and counts only — never a cell's value.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import polars as pl

from breachflow.errors import DatasetError
from breachflow.processes import usable_cpus
from breachflow.scoping.headers import column_ref, shown_header, value_shape
from breachflow.security.files import regular_file_problem

# Excel's own limit for one cell; anything larger is not a customer list cell.
MAX_CELL_CHARS = 32_767
# How many leading records are searched for the header row (title lines above it).
HEADER_SEARCH_ROWS = 30
ROW_COLUMN = "__row"
# Excel's own column limit: a wider "list" is not a customer list (and each header costs).
MAX_COLUMNS = 16_384
NO_HEADER_HINT = (
    "add a header row (e.g. 氏名,電話番号,メールアドレス) as the first line, or read the list as having "
    "no header row: 'breachflow scope --no-header FILE', or 'data.header: false' in the intake"
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Table:
    """One list: its header texts and a frame of text columns ``c0..cN`` plus ``__row``."""

    sheet: str | None
    header_line: int
    headers: list[str]
    frame: pl.DataFrame

    def column_key(self, index: int, *, qualify: bool) -> str:
        """The name a user sees (and passes to ``--map``) for column ``index``."""
        header = self.headers[index]
        return f"{self.sheet}!{header}" if qualify and self.sheet else header


@dataclass(frozen=True)
class RawDataset:
    """The tables read from one file, its bytes, and notes for the user (no personal data)."""

    path: Path
    encoding: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    content: bytes = field(default=b"", repr=False, compare=False)

    @functools.cached_property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes (computed when first asked: a summary never needs it)."""
        return hashlib.sha256(self.content).hexdigest()


def read_dataset(*, path: Path, header: bool | None = None, max_workbook_bytes: int | None = None) -> RawDataset:
    """Read a CSV or XLSX file as text tables; raise DatasetError on any bad input.

    ``header`` False reads a list without a header row: every row is data and the
    columns are named by position (列1, 列2, …). Otherwise a header row whose cells look
    like data (a phone number, an email address, a date, a postal code) is refused, so a
    person never becomes the column names; so is one with no known header word (a
    names-only first row), unless ``header`` is True: the user says that row is the
    header. ``max_workbook_bytes`` (default:
    the ``max_workbook_bytes`` setting) limits what an .xlsx may unpack to.
    """
    problem = regular_file_problem(path)  # a FIFO would hang the read, /dev/zero never end
    if problem == "file not found":
        raise DatasetError(path, "file not found; check the path")
    if problem == "is a folder, not a file":
        raise DatasetError(path, "is a directory; pass the CSV or XLSX file itself")
    if problem and not problem.startswith("cannot read"):
        raise DatasetError(path, problem)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(path, "file not found; check the path") from None
    except IsADirectoryError:
        raise DatasetError(path, "is a directory; pass the CSV or XLSX file itself") from None
    except OSError as exc:
        raise DatasetError(path, f"cannot be read ({exc.strerror}); check the file's permissions") from None
    if not data or data.isspace():  # isspace stops at the first other byte; strip copies
        raise DatasetError(path, "the file is empty; export the list again with its header row and data")
    if data.startswith(_OLE_MAGIC):
        return _read_ole(path, data, header=header is not False, confirmed=header is True)
    if data.startswith(_ZIP_MAGIC):
        _check_unpacked_size(path, data, max_workbook_bytes)
        return _read_workbook(path, data, header=header is not False, confirmed=header is True)
    return _read_csv(path, data, header=header is not False, confirmed=header is True)


# --- CSV -------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """Strict BOM -> UTF-8 -> CP932 decoding; the error names the failing byte and line."""
    if data.startswith(_UTF16_BOMS):
        raise DatasetError(
            path, "is UTF-16 text; save it again as 'CSV UTF-8 (comma delimited)' or as CSV (CP932)"
        )
    if data.startswith(_UTF8_BOM):
        try:
            return data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            offset = exc.start + len(_UTF8_BOM)
            line = data.count(b"\n", 0, offset) + 1
            raise DatasetError(
                path,
                f"starts with a UTF-8 BOM but byte {offset} (line {line}) "
                "is not UTF-8; save the file again as 'CSV UTF-8'",
            ) from None
    probe = data[:8192]
    if b"\x00" in probe:
        raise DatasetError(path, "is a binary file, not CSV text; pass a CSV (UTF-8 or CP932) or an .xlsx workbook")
    utf8_failure = _utf8_failure_in_head(data)
    if utf8_failure is None:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as utf8_error:
            utf8_failure = utf8_error.start
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as cp932_error:
        offset = cp932_error.start
        line = data.count(b"\n", 0, offset) + 1
        raise DatasetError(
            path,
            f"is neither UTF-8 (fails at byte {utf8_failure}) nor CP932/Shift_JIS "
            f"(fails at byte {offset}, line {line}); save it again from Excel as "
            "'CSV UTF-8 (comma delimited)'",
        ) from None


def _decode_to_utf8(path: Path, data: bytes) -> tuple[list[bytes], str, int | None]:
    """The file as UTF-8 (what polars parses) in one or more parts cut at line ends, its encoding, and its "," count if known.

    See ``_decode``. Two-core transcoding counts the commas (for the ragged-row check) on
    both cores as it goes; otherwise the count is None and made when needed.
    """
    if (
        len(data) >= PARALLEL_DECODE_FROM
        and not data.startswith((_UTF8_BOM, *_UTF16_BOMS))
        and b"\x00" not in data[:8192]
        and _utf8_failure_in_head(data) is not None
    ):
        # Surely CP932 (or nothing): a large file is transcoded on two cores.
        transcoded = transcode_cp932(data)
        if transcoded is not None:
            return transcoded.parts, "cp932", transcoded.commas
    text, encoding = _decode(path, data)
    if encoding == "utf-8":
        return [data], encoding, None  # valid as it is: decoding was the check
    if encoding == "utf-8-sig":
        return [data[len(_UTF8_BOM) :]], encoding, None
    return [text.encode("utf-8")], encoding, None


# Below this size a second process costs more than it saves.
PARALLEL_DECODE_FROM = 16 << 20
_CHILD = Path(__file__).with_name("_cp932_child.py")
_WRITE_CHUNK = 16 << 20


@dataclass(frozen=True)
class Transcoded:
    """UTF-8 in parts cut at line ends, and the number of "," bytes in them."""

    parts: list[bytes]
    commas: int


def transcode_cp932(data: bytes) -> Transcoded | None:
    """CP932 ``data`` as UTF-8 in two parts, the second transcoded by a child process.

    Python's codec holds the GIL for the whole call, so the second core needs another
    process. The split is exact: in CP932 the byte 0x0A is never part of a two-byte
    character, so decoding the halves cut after a newline gives what decoding the whole
    gives; joined, the parts are the whole file's UTF-8. The cut is placed before a line
    that is not blank. None when the data does not decode (or no child could run): the
    caller then decodes it in one piece and reports the failing byte. Each process also
    counts the commas of its part (the ragged-row check needs them), while its part is
    still in its cache.

    The halves pass through anonymous in-memory files (memfd), never a file on disk: one
    copy each way, without the system calls and waits of a pipe.
    """
    if not sys.executable or usable_cpus() < 2 or not hasattr(os, "memfd_create"):
        return None
    cut = len(data) // 2
    while (cut := data.find(b"\n", cut) + 1) and data[cut : cut + 1] in (b"\r", b"\n"):
        pass
    if not 0 < cut < len(data):
        return None
    try:
        source, target = os.memfd_create("breachflow-cp932"), os.memfd_create("breachflow-utf8")
    except OSError:
        return None
    try:
        _write_all(source, memoryview(data)[cut:])
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", str(_CHILD), str(source), str(target)],
            pass_fds=(source, target),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        with child:
            try:
                first = data[:cut].decode("cp932").encode("utf-8")
            except UnicodeDecodeError:
                child.kill()
                return None
            commas = first.count(b",")
            reported = child.stdout.read()
            if child.wait() != 0 or not reported.strip().isdigit():
                return None
        second = os.pread(target, os.fstat(target).st_size, 0)
    except OSError:
        return None
    finally:
        os.close(source)
        os.close(target)
    return Transcoded([first, second], commas + int(reported))


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view[:_WRITE_CHUNK]) :]


def _utf8_failure_in_head(data: bytes) -> int | None:
    """The offset where UTF-8 decoding fails within the first 64 KiB, if it surely does.

    A CP932 file fails in its header line; finding that in a small prefix spares
    decoding (and allocating) the whole file as UTF-8 only to throw it away. A
    sequence cut by the prefix's end is not a failure, so it is left to the full decode.
    """
    try:
        data[: 1 << 16].decode("utf-8")
    except UnicodeDecodeError as exc:
        return None if exc.reason == "unexpected end of data" else exc.start
    return None


def _find_header(rows: list[list[str]]) -> int | None:
    """Index of the header row: the first row filled at least half as wide as the widest.

    Excel exports often put a title (one filled cell) and a blank line above the header;
    those rows are narrower than the list itself.
    """
    counts = [sum(1 for cell in row if cell.strip()) for row in rows]
    widest = max(counts, default=0)
    if widest == 0:
        return None
    needed = max(1, math.ceil(widest / 2))
    if widest >= 2:
        needed = max(needed, 2)
    return next(i for i, count in enumerate(counts) if count >= needed)


def _refuse_data_header(path: Path, cells: list[str], where: str) -> None:
    """A header row with a cell shaped like a person's data is refused: the list has no header row."""
    found = [(i + 1, kind) for i, cell in enumerate(cells) if (kind := value_shape(cell))]
    if not found:
        return
    columns = ", ".join(str(i) for i, _ in found[:10]) + (" …" if len(found) > 10 else "")
    kinds = ", ".join(sorted({kind for _, kind in found}))
    raise DatasetError(
        path,
        f"{where} does not look like a header row: column(s) {columns} hold what looks like {kinds}; "
        f"the list seems to have no header row. {NO_HEADER_HINT}",
    )


def _check_unknown_headers(path: Path, headers: list[str], where: str, notes: list[str], *, confirmed: bool) -> None:
    """A header row with no known header word may be a person (a names-only list): refused, unless confirmed.

    Read as a header, that person would be dropped from the list without a word; so the
    user says which it is: --no-header (a person) or --header (the header).
    """
    if any(shown_header(h) for h in headers):
        return
    if confirmed:
        notes.append(f"none of the headers on {where} is a known header word; read as the header row as told")
        return
    raise DatasetError(
        path,
        f"{where}: none of its {len(headers)} cell(s) is a known header word (氏名, 住所, 電話番号, メール, …), "
        "so it may be a person rather than the header. If the list has no header row, read it with "
        "'breachflow scope --no-header FILE' (intake: data.header: false); if that row is the header, "
        "confirm it with 'breachflow scope --header FILE' (intake: data.header: true)",
    )


def _positional_headers(width: int) -> list[str]:
    return [f"列{i + 1}" for i in range(width)]


def _clean_headers(path: Path, headers: list[str], where: str) -> list[str]:
    """Header texts, stripped; unnamed columns become 列N; duplicates are refused.

    The message names a duplicated header only when it is a recognised header word;
    otherwise only the column numbers (a header cell may be a person's data).
    """
    if len(headers) > MAX_COLUMNS:
        raise DatasetError(
            path, f"{where}: {len(headers):,} columns (limit {MAX_COLUMNS:,}, Excel's own); this is not a list"
        )
    cleaned = [h.strip() or f"列{i + 1}" for i, h in enumerate(headers)]
    seen: dict[str, list[int]] = {}
    for i, header in enumerate(cleaned):
        seen.setdefault(header, []).append(i + 1)
    duplicates = [cols for cols in seen.values() if len(cols) > 1]
    if duplicates:
        listed = "; ".join(
            (f"'{shown}' in columns " if (shown := shown_header(cleaned[cols[0] - 1])) else "columns ")
            + ", ".join(map(str, cols))
            for cols in duplicates[:10]
        ) + (f"; and {len(duplicates) - 10} more" if len(duplicates) > 10 else "")
        raise DatasetError(
            path, f"duplicate column headers {where}: {listed}; rename them so each header is unique"
        )
    return cleaned


def _read_csv(path: Path, data: bytes, *, header: bool = True, confirmed: bool = False) -> RawDataset:
    parts, encoding, commas = _decode_to_utf8(path, data)
    line_end = parts[0].find(b"\n", 0, 1 << 22)
    if parts[0][: line_end if line_end >= 0 else 1 << 22].count(b",") >= MAX_COLUMNS:
        raise DatasetError(
            path, f"line 1: more than {MAX_COLUMNS:,} columns (Excel's own limit); this is not a list"
        )
    quoted = any(b'"' in part for part in parts)  # one scan, used twice
    # Parts are parsed one by one (no copy to join them) when no quoted cell can span a cut
    # and the header search stays within the first part.
    if len(parts) > 1 and (quoted or not _more_lines_than(parts[0], HEADER_SEARCH_ROWS)):
        parts = [b"".join(parts)]
    utf8 = parts[0]
    notes: list[str] = []
    # Only the first lines matter for finding the header; cutting each keeps a huge cell
    # further down from tripping the csv module's field limit here.
    # The first 2**20 characters, from at most four bytes each (the cut may split one).
    text_head = utf8[: 4 << 20].decode("utf-8", errors="ignore")[: 1 << 20]
    head = "\n".join(line[:4096] for line in text_head.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    reader = csv.reader(io.StringIO(head))
    records: list[list[str]] = []
    line_after: list[int] = []
    try:
        for row in reader:
            records.append(row)
            line_after.append(reader.line_num)
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        raise DatasetError(path, f"line {reader.line_num}: not valid CSV ({exc}); check the quoting") from None
    header_index = _find_header(records)
    if header_index is None:
        raise DatasetError(path, "has no header row: the first lines are blank; export the list with its headers")
    header_line = line_after[header_index - 1] + 1 if header_index else 1
    if header_index:
        found = "header row" if header else "first row of the list"
        notes.append(
            f"{found} found on line {header_line}; lines 1-{header_line - 1} "
            "(a title above the list) were skipped"
        )
    if header:
        _refuse_data_header(path, records[header_index], f"line {header_line}")
        headers = _clean_headers(path, records[header_index], f"on line {header_line}")
        _check_unknown_headers(path, headers, f"line {header_line}", notes, confirmed=confirmed)
    else:
        headers = _positional_headers(len(records[header_index]))
        _clean_headers(path, headers, f"on line {header_line}")  # the column limit
    start = 0
    for _ in range(header_line - 1):
        start = utf8.index(b"\n", start) + 1
    if start:
        parts[0] = utf8[start:]
        if commas is not None:
            commas -= utf8[:start].count(b",")  # the title lines' commas
    else:
        parts[0] = utf8
    del utf8
    names = [f"c{i}" for i in range(len(headers))]
    frames: list[pl.DataFrame] = []
    try:
        for index, part in enumerate(parts):
            frames.append(
                pl.read_csv(
                    part,
                    has_header=header and index == 0,
                    new_columns=names,
                    infer_schema=False,
                    # Blank cells become null in any case (see _finish_table); doing it in the
                    # parser spares rewriting every column that has one.
                    empty_string_is_null=True,
                    row_index_name=ROW_COLUMN,
                    row_index_offset=header_line + int(header) + sum(f.height for f in frames),
                    truncate_ragged_lines=False,
                )
            )
    except pl.exceptions.PolarsError as exc:
        # A row with too many fields makes polars refuse the file: name that row if the
        # exact scan finds one. polars' own message may quote the offending line, i.e.
        # personal data, so otherwise only its type is named.
        _locate_ragged(path, b"".join(parts).decode("utf-8"), header_line, len(headers))
        raise DatasetError(
            path, f"cannot be parsed as CSV ({type(exc).__name__}); check the quoting and the separators"
        ) from None
    frame = pl.concat(frames) if len(frames) > 1 else frames[0]
    _check_ragged(
        path, parts, header_line, records[header_index], frame, quoted=quoted, commas=commas, header=header
    )
    table = _finish_table(
        path, Table(sheet=None, header_line=header_line if header else 0, headers=headers, frame=frame)
    )
    return RawDataset(path=path, encoding=encoding, tables=[table], notes=notes, content=data)


def _more_lines_than(data: bytes, lines: int) -> bool:
    """True when ``data`` holds more than ``lines`` line ends (found one by one, not counted in the whole)."""
    at = -1
    for _ in range(lines + 1):
        at = data.find(b"\n", at + 1)
        if at < 0:
            return False
    return True


def _check_ragged(
    path: Path,
    parts: list[bytes],
    header_line: int,
    header_cells: list[str],
    frame: pl.DataFrame,
    *,
    quoted: bool,
    commas: int | None = None,
    header: bool = True,
) -> None:
    """Every record must have as many fields as the header; name the first that does not.

    ``quoted``: a " in the file; ``commas``: the "," bytes in ``parts``, if already counted;
    ``header`` False: the first row (``header_cells``) is data, so it is in ``frame``.
    """
    if _all_rows_full(parts, header_cells, frame, quoted=quoted, commas=commas, header=header):
        return
    body = b"".join(parts) if len(parts) > 1 else parts[0]
    if _maybe_ragged(body, len(header_cells)):
        _locate_ragged(path, body.decode("utf-8"), header_line, len(header_cells))


def _all_rows_full(
    parts: list[bytes],
    header_cells: list[str],
    frame: pl.DataFrame,
    *,
    quoted: bool,
    commas: int | None = None,
    header: bool = True,
) -> bool:
    """True when the parsed ``frame`` proves that every record has the header's width.

    polars refuses a record with more fields than the header (``truncate_ragged_lines``
    is off), but pads a shorter one with empty strings. So no record is short exactly
    when the separators in the file add up to (width - 1) per record, the header's
    included; commas inside quoted cells are in the parsed values and are subtracted.
    This is one ``bytes.count`` instead of a second parse; when it does not add up (a
    short row, but also a blank line) the line-by-line checks decide.
    """
    if commas is None:
        commas = sum(part.count(b",") for part in parts)
    if header:
        commas -= sum(cell.count(",") for cell in header_cells)
    if quoted:
        value_columns = [c for c in frame.columns if c != ROW_COLUMN]
        inside = frame.select(pl.sum_horizontal(pl.col(value_columns).str.count_matches(",", literal=True).sum()))
        commas -= int(inside.item() or 0)
    return commas == (len(header_cells) - 1) * (frame.height + int(header))


def _maybe_ragged(body: bytes, width: int) -> bool:
    """Vectorised check: count the fields of each line, quoted cells removed first.

    False only when every line is sure to have ``width`` fields; anything unusual (a
    quoted cell spanning lines, a separator byte we borrow) is left to the exact scan.
    """
    try:
        lines = pl.read_csv(
            body, has_header=False, separator="\x1f", quote_char=None, new_columns=["line"], infer_schema=False
        ).get_column("line")
    except pl.exceptions.PolarsError:
        return True
    lines = lines.slice(1).drop_nulls().str.strip_suffix("\r")
    if b'"' not in body:
        fields = lines.str.count_matches(",", literal=True) + 1
        return bool(((fields != width) & (lines.str.len_bytes() > 0)).any())
    quotes = lines.str.count_matches('"', literal=True)
    if (quotes % 2 == 1).any():
        return True
    unquoted = pl.when(quotes > 0).then(lines.str.replace_all(r'"(?:[^"]|"")*"', "")).otherwise(lines)
    fields = pl.select(unquoted.str.count_matches(",", literal=True) + 1).to_series()
    return bool(((fields != width) & (lines.str.len_bytes() > 0)).any())


def _locate_ragged(path: Path, body: str, header_line: int, width: int) -> None:
    """The exact scan with the csv module (only when the fast check found something)."""
    reader = csv.reader(io.StringIO(body))
    try:
        next(reader)
        for row in reader:
            if row and len(row) != width and any(cell.strip() for cell in row):
                _raise_ragged(path, header_line + reader.line_num - 1, len(row), width)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            return  # an oversized cell: reported with its row and column after parsing
        line = header_line + reader.line_num - 1
        raise DatasetError(path, f"line {line}: not valid CSV ({exc}); check the quoting") from None


def _raise_ragged(path: Path, line: int, found: int, width: int) -> None:
    raise DatasetError(
        path,
        f"line {line} has {found} fields but the header has {width}; "
        "fix that row (a stray comma or a missing one) or export the list again",
    )


def _finish_table(path: Path, table: Table) -> Table:
    """Drop blank rows, refuse header-only lists and oversized cells."""
    frame = table.frame
    value_columns = [c for c in frame.columns if c != ROW_COLUMN]
    # Trimming rewrites a whole column; most columns of an export have no padded cell.
    # A cell is padded (or blank) exactly when stripping it shortens it; one strip is
    # cheaper than a regex that must scan to each cell's end for a trailing space.
    cells = pl.col(value_columns)
    padded = frame.select((cells.str.strip_chars().str.len_bytes() != cells.str.len_bytes()).any()).row(0)
    to_trim = [name for name, any_padded in zip(value_columns, padded, strict=True) if any_padded]
    if to_trim:
        frame = frame.with_columns(pl.col(to_trim).str.strip_chars().replace("", None))
    frame = frame.filter(~pl.all_horizontal(pl.col(value_columns).is_null()))
    where = f"sheet '{table.sheet}'" if table.sheet else "the file"
    if frame.height == 0:
        raise DatasetError(
            path, f"{where} has a header row (line {table.header_line}) but no data rows; export the list with its data"
        )
    big = frame.select(pl.col(value_columns).str.len_bytes().max()).row(0)
    for name, longest in zip(value_columns, big, strict=True):
        if longest is not None and longest > MAX_CELL_CHARS:
            too_long = frame.filter(pl.col(name).str.len_chars() > MAX_CELL_CHARS)
            if too_long.height:
                row = too_long[ROW_COLUMN][0]
                column = column_ref(table.headers[int(name[1:])], int(name[1:]))
                chars = too_long[name].str.len_chars()[0]
                raise DatasetError(
                    path,
                    f"{where}, row {row}, {column}: a cell holds {chars:,} characters "
                    f"(limit {MAX_CELL_CHARS:,}, Excel's own); this is not a list cell — "
                    "remove it or correct the export",
                )
    return Table(sheet=table.sheet, header_line=table.header_line, headers=table.headers, frame=frame)


# --- XLSX ------------------------------------------------------------------------------


def _read_ole(path: Path, data: bytes, *, header: bool = True, confirmed: bool = False) -> RawDataset:
    """An OLE file is either a password-protected workbook or a legacy .xls."""
    import msoffcrypto

    try:
        encrypted = msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception:  # noqa: BLE001 - any failure here means "not an Office file we know"
        encrypted = False
    if encrypted:
        raise DatasetError(
            path,
            "is a password-protected Excel workbook; open it in Excel, remove the password "
            "(ファイル > 情報 > ブックの保護 > パスワードを使用して暗号化), save, and pass that copy",
        )
    return _read_workbook(path, data, header=header, confirmed=confirmed)


def _check_unpacked_size(path: Path, data: bytes, limit: int | None) -> None:
    """Refuse a workbook that unpacks to more than ``limit`` bytes (a zip bomb).

    The declared sizes are summed first; then every part is unpacked in chunks and
    checked against its declared size and CRC, so a part that under-declares its size
    is refused too. zipfile stops at the declared size, so no more than ``limit`` bytes
    are ever unpacked, and none are kept.
    """
    import zipfile

    if limit is None:
        from breachflow.settings import get_settings

        limit = get_settings().max_workbook_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            unpacked = sum(info.file_size for info in parts)
            if unpacked > limit:
                raise DatasetError(
                    path,
                    f"the workbook unpacks to {unpacked:,} bytes (limit {limit:,}, setting "
                    "BREACHFLOW_MAX_WORKBOOK_BYTES); split the list or save it as CSV",
                )
            for info in parts:
                with archive.open(info) as part:
                    while part.read(1 << 20):
                        pass
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc) or "size" in str(exc).lower():
            raise DatasetError(
                path,
                "a part of the workbook does not match the size or checksum its header declares (a damaged or "
                "crafted file); open it in Excel and save it again, or save the list as CSV",
            ) from None
        return  # not a zip at all: calamine reports an unreadable workbook with its own message
    except (OSError, ValueError, NotImplementedError, EOFError):
        return


def _cell_text(value: object) -> str | None:
    """A workbook cell as text; whole numbers lose Excel's '.0', dates become ISO."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _read_workbook(path: Path, data: bytes, *, header: bool = True, confirmed: bool = False) -> RawDataset:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises several unrelated types
        raise DatasetError(
            path, f"is not a readable .xlsx workbook ({type(exc).__name__}); open and save it again in Excel"
        ) from None
    tables: list[Table] = []
    notes: list[str] = []
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        table = _sheet_table(path, sheet_name, rows, notes, header=header, confirmed=confirmed)
        if table is not None:
            tables.append(table)
    if not tables:
        raise DatasetError(
            path, "no sheet looks like a list (a header row followed by data rows); check the workbook"
        )
    return RawDataset(path=path, encoding="xlsx", tables=tables, notes=notes, content=data)


def _sheet_table(
    path: Path, sheet: str, rows: list[list[object]], notes: list[str], *, header: bool = True, confirmed: bool = False
) -> Table | None:
    texts = [[_cell_text(v) or "" for v in row] for row in rows[:HEADER_SEARCH_ROWS]]
    header_index = _find_header(texts)
    if header_index is None:
        return None
    header_cells = texts[header_index]
    filled = sum(1 for cell in header_cells if cell.strip())
    data_rows = rows[header_index + int(header) :]
    if filled < 2 or not any(any(v not in (None, "") for v in row) for row in data_rows):
        notes.append(f"sheet '{sheet}' skipped: it does not look like a list")
        return None
    # Trailing columns with neither header nor data are Excel's used-range noise.
    width = len(header_cells)
    while width and not header_cells[width - 1].strip() and all(
        len(row) < width or row[width - 1] in (None, "") for row in data_rows
    ):
        width -= 1
    where = f"sheet '{sheet}', row {header_index + 1}"
    if header:
        _refuse_data_header(path, header_cells[:width], where)
        headers = _clean_headers(path, header_cells[:width], f"in {where}")
        _check_unknown_headers(path, headers, where, notes, confirmed=confirmed)
    else:
        headers = _clean_headers(path, _positional_headers(width), f"in {where}")
    if header_index:
        notes.append(f"sheet '{sheet}': header row found on row {header_index + 1}; rows above it skipped")
    columns: dict[str, list[str | None]] = {f"c{i}": [] for i in range(width)}
    for row in data_rows:
        if len(row) > width and any(v not in (None, "") for v in row[width:]):
            raise DatasetError(
                path,
                f"sheet '{sheet}', row {header_index + 1 + int(header) + data_rows.index(row)}: cells beyond the last "
                f"header column ({width}); give those columns a header or delete them",
            )
        for i in range(width):
            columns[f"c{i}"].append(_cell_text(row[i]) if i < len(row) else None)
    first_row = header_index + 1 + int(header)
    frame = pl.DataFrame(columns, schema={name: pl.String for name in columns}).with_row_index(
        ROW_COLUMN, offset=first_row
    )
    header_line = header_index + 1 if header else 0
    return _finish_table(path, Table(sheet=sheet, header_line=header_line, headers=headers, frame=frame))
