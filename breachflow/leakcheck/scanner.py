"""Scan folders for unprotected personal data: walk, read (capped), detect, compare with the last scan.

A text file is read up to ``max_bytes``, so a 2 GB export costs the same as a 32 MB one and
is reported as truncated. A container (zip, Office file, PDF) is parsed from the file and
reads only what its parser asks for: a zip's directory and the members searched (each
capped), a PDF's cross-reference and text objects, not the photos and scans that make up
most of a share's bytes. A file whose size and mtime match the state is not read again;
one whose mtime changed but size did not is re-read, and searched again only if what was
read changed.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import xxhash

from breachflow.japan import JST
from breachflow.leakcheck.allowlist import AllowList
from breachflow.leakcheck.detectors import (
    DETECTOR_ITEMS,
    Detector,
    DetectorHits,
    detect,
)
from breachflow.leakcheck.detectors_fast import detect_many
from breachflow.leakcheck.extractors import (
    DOC_SUFFIXES,
    MAX_ZIP_DEPTH,
    MAX_ZIP_MEMBERS,
    PDF_SUFFIXES,
    SCANNED_SUFFIXES,
    SHEET_SUFFIXES,
    TEXT_SUFFIXES,
    ZIP_SUFFIXES,
    ExtractionError,
    ooxml_text,
    pdf_reader,
    plain_text,
    suffix_of,
    text_of_pdf,
)
from breachflow.leakcheck.model import (
    CONTENT_ISSUES,
    DetectorCount,
    FileIssue,
    Finding,
    FindingStatus,
    IssueKind,
    ProtectedFile,
    RiskLevel,
    ScanCounts,
    ScanReport,
)
from breachflow.leakcheck.protection import (
    Protection,
    ProtectionKind,
    Strength,
    office_protection,
    pdf_protection,
    zip_protection,
)
from breachflow.leakcheck.state import (
    FileRecord,
    IssueRecord,
    ProtectedRecord,
    ScanState,
    UnitRecord,
    load_state,
    save_state,
)
from breachflow.processes import usable_cpus, worker_context
from breachflow.vocabulary import DataItem

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
HIGH_RISK_PERSONS = 1000  # APPI Rule 7(4): more than 1,000 persons makes a leak reportable
MEDIUM_RISK_PERSONS = 10
HIGH_RISK_DETECTORS = frozenset({Detector.my_number, Detector.card_number})
_HASH_CHUNK = 1024 * 1024
# Files scanned by one worker call, their texts detected together: enough to spread polars'
# fixed cost per call over many small files, small enough to keep both workers busy.
BATCH_COST = 2 * 1024 * 1024  # about a tenth of a second of one worker on dense customer lists
BATCH_FILES = 16
# Texts (characters or UTF-8 bytes) a worker holds before detecting them: with the 32 MB read
# cap per text, a few large texts, or many small ones.
PENDING_TEXT_LIMIT = 64 * 1024 * 1024
# A batch of texts this long (characters) is detected in polars; below it the fixed cost of
# a polars call outweighs the plain detectors' per-match work.
VECTORISE_FROM_CHARS = 64 * 1024
PREFETCH_BYTES = 256 * 1024 * 1024


# --- walking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    path: str
    size: int
    mtime_ns: int


@dataclass
class _Walk:
    entries: list[_Entry] = field(default_factory=list)
    issues: list[FileIssue] = field(default_factory=list)
    ignored: int = 0


def _stat_issue(path: str, exc: OSError) -> FileIssue:
    if exc.errno == errno.ELOOP:
        return FileIssue(path=path, kind=IssueKind.symlink_loop, message="symbolic link loop")
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return FileIssue(path=path, kind=IssueKind.broken_symlink, message="symbolic link to a missing target")
    return FileIssue(path=path, kind=IssueKind.unreadable, message=f"cannot stat: {exc.strerror}")


def _walk(roots: list[Path]) -> _Walk:
    walk = _Walk()
    seen_dirs: set[tuple[int, int]] = set()
    # A symlink is followed only to a target inside a scanned root (real paths compared):
    # a link to / or to another share would widen the scan beyond what was configured.
    real_roots = tuple(os.path.realpath(root) for root in roots)

    def visit_file(path: str, info: os.stat_result) -> None:
        if suffix_of(path) not in SCANNED_SUFFIXES:
            walk.ignored += 1
        elif not stat.S_ISREG(info.st_mode):
            # Opening a FIFO would block the scan; devices and sockets hold no documents.
            walk.issues.append(FileIssue(path=path, kind=IssueKind.not_regular_file, message="not a regular file"))
        else:
            walk.entries.append(_Entry(path, info.st_size, info.st_mtime_ns))

    def visit_dir(path: str, info: os.stat_result) -> None:
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            walk.issues.append(
                FileIssue(path=path, kind=IssueKind.symlink_loop, message="folder already visited (link loop)")
            )
            return
        seen_dirs.add(key)
        try:
            with os.scandir(path) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError as exc:
            walk.issues.append(FileIssue(path=path, kind=IssueKind.unreadable, message=f"cannot list: {exc.strerror}"))
            return
        for child in children:
            if child.is_symlink() and not _under(os.path.realpath(child.path), real_roots):
                walk.issues.append(FileIssue(
                    path=child.path, kind=IssueKind.symlink_outside,
                    message="symbolic link to a target outside the scanned folders; not followed",
                ))
                continue
            try:
                child_info = child.stat(follow_symlinks=True)
            except OSError as exc:
                walk.issues.append(_stat_issue(child.path, exc))
                continue
            if stat.S_ISDIR(child_info.st_mode):
                visit_dir(child.path, child_info)
            else:
                visit_file(child.path, child_info)

    for root in roots:
        path = os.path.abspath(root)
        try:
            info = os.stat(path)
        except OSError as exc:
            walk.issues.append(_stat_issue(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            visit_dir(path, info)
        else:
            visit_file(path, info)
    return walk


# --- reading one file (runs in worker processes) ---------------------------------------------


@dataclass(frozen=True)
class _Job:
    entry: _Entry
    max_bytes: int
    previous: FileRecord | None


@dataclass
class _FileScan:
    max_bytes: int
    units: list[UnitRecord] = field(default_factory=list)
    protected: list[ProtectedRecord] = field(default_factory=list)
    issues: list[IssueRecord] = field(default_factory=list)
    truncated: bool = False
    # Texts waiting for detection (member, text, truncated): detected in a batch with other files'.
    # A text is a str or its UTF-8 bytes (plain_text keeps large UTF-8 files as bytes).
    pending: list[tuple[str | None, str | bytes, bool]] = field(default_factory=list)
    pending_size: int = 0  # characters or bytes of the pending texts

    def detect(self, member: str | None, text: str | bytes, *, truncated: bool) -> None:
        self.pending.append((member, text, truncated))
        self.pending_size += len(text)
        # A zip of many large lists must not hold all their texts at once.
        if self.pending_size >= PENDING_TEXT_LIMIT:
            _settle_alone(self)

    def settle(self, hits: list[dict[Detector, DetectorHits]]) -> None:
        """Record the detection results of the pending texts (same order)."""
        for (member, _, truncated), found in zip(self.pending, hits, strict=True):
            if found:
                detectors = {d: DetectorCount(count=h.count, distinct=h.distinct, samples=h.samples) for d, h in found.items()}
                self.units.append(UnitRecord(member=member, detectors=detectors, truncated=truncated))
        self.pending.clear()
        self.pending_size = 0

    def issue(self, member: str | None, kind: IssueKind, message: str) -> None:
        self.issues.append(IssueRecord(member=member, kind=kind, message=message))

    def scan_bytes(self, name: str, member: str | None, data: bytes | BinaryIO, *, truncated: bool, depth: int) -> None:
        """Dispatch one file's or member's bytes by suffix."""
        suffix = suffix_of(name)
        try:
            if suffix in TEXT_SUFFIXES:
                assert isinstance(data, bytes)  # text is always read capped into memory
                self.detect(member, plain_text(data, truncated=truncated), truncated=truncated)
            elif suffix in SHEET_SUFFIXES or suffix in DOC_SUFFIXES:
                protection = office_protection(data)
                if protection is not None:
                    self.protected.append(ProtectedRecord(member=member, protection=protection))
                    return
                text = ooxml_text(data, sheet=suffix in SHEET_SUFFIXES, max_bytes=self.max_bytes)
                self.detect(member, text, truncated=truncated)
            elif suffix in PDF_SUFFIXES:
                try:
                    reader = pdf_reader(data)
                except ExtractionError:
                    if not _mentions_encryption(data):
                        raise
                    # Unparsable but says it is encrypted: a protected file, as a parsed one would be.
                    protection = Protection(kind=ProtectionKind.pdf_password, strength=Strength.ok, detail="encrypted PDF")
                    self.protected.append(ProtectedRecord(member=member, protection=protection))
                    return
                protection = pdf_protection(reader)
                if protection is not None:
                    self.protected.append(ProtectedRecord(member=member, protection=protection))
                    return
                self.detect(member, text_of_pdf(reader, max_chars=self.max_bytes), truncated=truncated)
            elif suffix in ZIP_SUFFIXES:
                if depth >= MAX_ZIP_DEPTH:
                    self.issue(member, IssueKind.unsupported_member, f"zip nested deeper than {MAX_ZIP_DEPTH} levels")
                    return
                try:
                    archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
                except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
                    self.issue(member, IssueKind.broken_container, "not a readable zip archive")
                    return
                with archive:
                    self.scan_zip(archive, prefix=f"{member}!" if member else "", depth=depth + 1)
        except ExtractionError as exc:
            self.issue(member, IssueKind(exc.kind), str(exc))
        except Exception as exc:  # noqa: BLE001 - parsers of untrusted files raise anything; the scan goes on
            self.issue(member, IssueKind.broken_container, f"cannot be parsed ({type(exc).__name__})")

    def scan_zip(self, archive: zipfile.ZipFile, *, prefix: str, depth: int) -> None:
        """Scan a zip's clear members; encrypted members are recorded as protection."""
        protection = zip_protection(archive)
        if protection is not None:
            self.protected.append(ProtectedRecord(member=prefix.rstrip("!") or None, protection=protection))
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            self.issue(prefix or None, IssueKind.unsupported_member, f"more than {MAX_ZIP_MEMBERS} members; first ones scanned")
        for info in members[:MAX_ZIP_MEMBERS]:
            if info.flag_bits & 0x1 or suffix_of(info.filename) not in SCANNED_SUFFIXES:
                continue
            member = prefix + info.filename
            try:
                with archive.open(info) as handle:
                    data = handle.read(self.max_bytes + 1)
            except NotImplementedError:
                self.issue(member, IssueKind.unsupported_member, f"compression method {info.compress_type} not supported")
                continue
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                self.issue(member, IssueKind.broken_container, f"member cannot be read ({type(exc).__name__})")
                continue
            truncated = len(data) > self.max_bytes
            self.truncated |= truncated
            self.scan_bytes(info.filename, member, data[: self.max_bytes], truncated=truncated, depth=depth)


def _mentions_encryption(data: bytes | BinaryIO) -> bool:
    if isinstance(data, bytes):
        return b"/Encrypt" in data
    data.seek(0)
    found = b"/Encrypt" in data.read()
    data.seek(0)
    return found


# Change detection only, not a security boundary: XXH3-128 (a non-cryptographic hash, ~10x
# blake2b's speed) makes an accidental collision between two versions of one file of the same
# size negligible (2^-128); someone who can forge a collision can equally well reset the mtime.
def _fingerprint(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


class _RecordingReader(io.RawIOBase):
    """A file as its parser reads it: counts the bytes read and hashes each read with its offset.

    The parsers are deterministic, so the same bytes at the offsets read mean the same reads
    and the same results; bytes never read cannot change a result. The digest of the reads
    therefore tells whether a file's findings can have changed, without reading the rest.
    An error from the file is kept so that the caller reports the file as unreadable, not
    as a broken container.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._digest = xxhash.xxh3_128()
        self.bytes_read = 0
        self.error: OSError | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def readinto(self, buffer) -> int:
        offset = self._handle.tell()
        try:
            count = self._handle.readinto(buffer) or 0
        except OSError as exc:
            self.error = exc
            raise
        self._digest.update(offset.to_bytes(8, "little"))
        self._digest.update(memoryview(buffer)[:count])
        self.bytes_read += count
        return count

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass(frozen=True)
class _Result:
    record: FileRecord
    rescanned: bool
    bytes_read: int


@dataclass
class _Open:
    """A file read and extracted, its texts waiting for detection."""

    job: _Job
    scan: _FileScan
    fingerprint: str
    bytes_read: int

    def result(self) -> _Result:
        entry = self.job.entry
        record = FileRecord(
            path=entry.path,
            size=entry.size,
            mtime_ns=entry.mtime_ns,
            fingerprint=self.fingerprint,
            units=tuple(self.scan.units),
            protected=tuple(self.scan.protected),
            issues=tuple(self.scan.issues),
            truncated=self.scan.truncated,
            bytes_read=self.bytes_read,
        )
        return _Result(record, True, self.bytes_read)


def _open_file(job: _Job) -> _Result | _Open:
    """Read and extract one file; a result already when it is unreadable or unchanged."""
    entry = job.entry
    previous = job.previous
    try:
        with open(entry.path, "rb", buffering=0) as handle:
            if suffix_of(entry.path) in TEXT_SUFFIXES:
                # The cap, then the open file's size tells whether there is more: reading one byte
                # more would wait for a block no prefetch asked for (60 ms on a cold 2 GB log).
                data = handle.read(job.max_bytes)
                truncated = len(data) == job.max_bytes and os.fstat(handle.fileno()).st_size > job.max_bytes
                # Only the first max_bytes are scanned, so only they decide whether a rescan is due.
                fingerprint = _fingerprint(data) + ("+head" if truncated else "")
                bytes_read = len(data)
                if previous is not None and previous.fingerprint == fingerprint:
                    # Touched but unchanged: keep the old result, remember the new mtime.
                    return _Result(previous.model_copy(update={"mtime_ns": entry.mtime_ns}), False, bytes_read)
                scan = _FileScan(max_bytes=job.max_bytes, truncated=truncated)
                scan.scan_bytes(entry.path, None, data, truncated=truncated, depth=0)
            else:
                reader = _RecordingReader(handle)
                scan = _FileScan(max_bytes=job.max_bytes)
                scan.scan_bytes(entry.path, None, io.BufferedReader(reader), truncated=False, depth=0)
                if reader.error is not None:
                    raise reader.error
                fingerprint, bytes_read = "reads:" + reader.hexdigest(), reader.bytes_read
                if previous is not None and previous.fingerprint == fingerprint:
                    # Touched but what the scan reads is unchanged: the texts need no search.
                    return _Result(previous.model_copy(update={"mtime_ns": entry.mtime_ns}), False, bytes_read)
    except OSError as exc:
        issue = IssueRecord(kind=IssueKind.unreadable, message=f"cannot read: {exc.strerror or type(exc).__name__}")
        record = FileRecord(path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns, fingerprint="", issues=(issue,))
        return _Result(record, True, 0)
    return _Open(job, scan, fingerprint, bytes_read)


def _detect_texts(texts: list[str | bytes]) -> list[dict[Detector, DetectorHits]]:
    """Detection results per text: in one polars batch, or in Python when the texts are short."""
    if sum(map(len, texts)) >= VECTORISE_FROM_CHARS:
        return detect_many(texts)
    return [detect(text.decode("utf-8") if isinstance(text, bytes) else text) for text in texts]


def scan_files(jobs: list[_Job]) -> list[_Result]:
    """Scan several files (top-level so worker processes can run it); their texts are detected in one batch.

    The batch is detected early whenever its texts reach PENDING_TEXT_LIMIT, which bounds
    the memory a batch holds whatever the files turn out to contain.
    """
    opened: list[_Result | _Open] = []
    waiting: list[_Open] = []
    size = 0
    for job in jobs:
        item = _open_file(job)
        opened.append(item)
        if isinstance(item, _Open) and item.scan.pending:
            waiting.append(item)
            size += item.scan.pending_size
            if size >= PENDING_TEXT_LIMIT:
                _settle_together(waiting)
                waiting, size = [], 0
    _settle_together(waiting)
    return [item.result() if isinstance(item, _Open) else item for item in opened]


def _settle_together(items: list[_Open]) -> None:
    """Detection of several files' pending texts in one batch."""
    texts = [text for item in items for _, text, _ in item.scan.pending]
    if not texts:
        return
    try:
        hits = iter(_detect_texts(texts))
    except Exception:  # noqa: BLE001 - one text the detectors cannot take must not sink the batch
        for item in items:
            _settle_alone(item.scan)
    else:
        for item in items:
            item.scan.settle([next(hits) for _ in item.scan.pending])


def _settle_alone(scan: _FileScan) -> None:
    """Detection of one file's texts by themselves; a failure is reported on the file, not raised."""
    if not scan.pending:
        return
    try:
        scan.settle(_detect_texts([text for _, text, _ in scan.pending]))
    except Exception as exc:  # noqa: BLE001 - reported as an issue: the file was not searched
        scan.pending.clear()
        scan.pending_size = 0
        scan.issue(None, IssueKind.not_searched, f"its text could not be searched ({type(exc).__name__})")


def scan_file(job: _Job) -> _Result:
    """Scan one file."""
    return scan_files([job])[0]


def _share_cpus(workers: int) -> None:
    """Worker start-up: polars' threads split the CPUs with the other workers instead of each taking all."""
    # Read by polars when its thread pool starts (first use in this process), not at import.
    os.environ["POLARS_MAX_THREADS"] = str(max(1, usable_cpus() // workers))


def _run_jobs(jobs: list[_Job], workers: int) -> Iterator[_Result]:
    # A process with threads (polars' pool once detection ran here, a Prefect worker's event
    # loop) must not fork: worker_context() picks forkserver then.
    context = worker_context()
    batches = _batches(jobs)
    prefetch = _Prefetch(batches)
    if workers <= 1 or len(batches) < 2 or context is None:
        for done, batch in enumerate(batches):
            prefetch.ahead_of(done)
            yield from scan_files(batch)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_share_cpus, initargs=(workers,)) as pool:
        futures = [pool.submit(scan_files, batch) for batch in batches]
        # After submitting: asking for a window of reads can block a while, and the workers
        # need not wait for it to start on the first batches.
        prefetch.ahead_of(0)
        # Batches start in submission order, so the number finished tells where the workers are.
        for done, future in enumerate(as_completed(futures), start=1):
            prefetch.ahead_of(done)
            yield from future.result()


class _Prefetch:
    """Asks the kernel to read upcoming batches' files into the page cache while workers compute.

    posix_fadvise(WILLNEED) only queues the reads, so a worker's next files arrive from disk
    while it is still detecting in the current ones; the window (PREFETCH_BYTES past the
    batches already finished) bounds how much of the page cache a large share can take.
    """

    def __init__(self, batches: list[list[_Job]]) -> None:
        self._sizes = [sum(length for job in batch for _, length in _read_ranges(job)) for batch in batches]
        self._batches = batches
        self._done = 0  # batches finished
        self._next = 0  # first batch not yet prefetched
        self._window = 0  # bytes asked for in the batches between those two

    def ahead_of(self, done: int) -> None:
        while self._done < min(done, self._next):
            self._window -= self._sizes[self._done]
            self._done += 1
        if done > self._next:  # finished before they were asked for: none of theirs is in the window
            self._done = self._next = done
        while self._next < len(self._batches) and self._window < PREFETCH_BYTES:
            for job in self._batches[self._next]:
                _will_need(job)
            self._window += self._sizes[self._next]
            self._next += 1


# A container's parser starts from its end (a zip's directory, a PDF's cross-reference) and
# goes on where that points: mostly to its first bytes (the members and objects written
# first: a document's text, a page and its fonts), rarely far into the middle. What it reads
# beyond these two ends is read when asked for.
CONTAINER_TAIL = 64 * 1024
CONTAINER_HEAD = 64 * 1024


def _read_ranges(job: _Job) -> list[tuple[int, int]]:
    """Offsets and lengths of what a scan surely or most likely reads: a text file up to the cap, a container's two ends."""
    size = job.entry.size
    if suffix_of(job.entry.path) in TEXT_SUFFIXES:
        return [(0, min(size, job.max_bytes))]
    if size <= CONTAINER_HEAD + CONTAINER_TAIL:
        return [(0, size)]
    return [(0, CONTAINER_HEAD), (size - CONTAINER_TAIL, CONTAINER_TAIL)]


def _will_need(job: _Job) -> None:
    try:
        fd = os.open(job.entry.path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return  # reported when the file is read
    advise = getattr(os, "posix_fadvise", None)  # absent on macOS and Windows: the reads then come unannounced
    try:
        for offset, length in _read_ranges(job) if advise else ():
            advise(fd, offset, length, os.POSIX_FADV_WILLNEED)
    except OSError:
        pass  # not every file system takes advice; the read works without it
    finally:
        os.close(fd)


def _batches(jobs: list[_Job]) -> list[list[_Job]]:
    """Jobs in batches of about BATCH_COST of estimated work, costliest first.

    The costliest first, so that no big batch finishes alone at the end while the other
    workers wait. The estimate is rough but in the right order: text files cost their bytes
    (up to the read cap), Office files more than theirs (their XML is compressed), PDFs and
    zips far less (their bytes are mostly images, which are not read as text). Batches hold
    at most BATCH_FILES files, so that the many small files at the end make small batches.
    """
    batches: list[list[_Job]] = []
    cost = 0.0
    for job in sorted(jobs, key=_cost, reverse=True):
        if not batches or cost + _cost(job) > BATCH_COST or len(batches[-1]) == BATCH_FILES:
            batches.append([])
            cost = 0.0
        batches[-1].append(job)
        cost += _cost(job)
    return batches


def _cost(job: _Job) -> float:
    suffix = suffix_of(job.entry.path)
    size = min(job.entry.size, job.max_bytes)
    if suffix in TEXT_SUFFIXES:
        return size
    if suffix in SHEET_SUFFIXES:
        return 8.0 * size  # compressed XML: a workbook's text is many times its size
    if suffix in DOC_SUFFIXES:
        return 2.0 * size  # documents carry images; their text is a smaller share
    return 0.05 * size


# --- findings --------------------------------------------------------------------------------


def finding_id(path: str, member: str | None) -> str:
    """Stable id of a finding: the same file (and zip member) keeps its id across scans."""
    key = path if member is None else f"{path}!{member}"
    return "LF-" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def assess_risk(detectors: dict[Detector, DetectorCount]) -> tuple[int, tuple[DataItem, ...], RiskLevel]:
    """Estimated persons (largest distinct count: a row holds several items of one person), items, level."""
    persons = max((count.distinct for count in detectors.values()), default=0)
    items = tuple(sorted({item for detector in detectors for item in DETECTOR_ITEMS[detector]}))
    if HIGH_RISK_DETECTORS & detectors.keys() or persons > HIGH_RISK_PERSONS:
        level = RiskLevel.high
    elif persons >= MEDIUM_RISK_PERSONS or len(detectors) >= 2:
        level = RiskLevel.medium
    else:
        level = RiskLevel.low
    return persons, items, level


def _file_sha256(path: str) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def default_workers() -> int:
    """Worker processes for a first scan: the CPUs this process may use, at most 4."""
    return max(1, min(usable_cpus(), 4))


def scan(
    *,
    paths: list[Path],
    state_path: Path | None = None,
    allowlist: AllowList | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int | None = None,
    now: datetime | None = None,
) -> ScanReport:
    """Scan files under ``paths``; compare with the state file (if given) and update it."""
    started_at = now or datetime.now(JST)
    roots = tuple(os.path.abspath(p) for p in paths)
    previous = load_state(state_path) if state_path is not None else ScanState()
    walk = _walk([Path(root) for root in roots])

    records: dict[str, FileRecord] = {}
    jobs: list[_Job] = []
    skipped = 0
    for entry in walk.entries:
        old = previous.files.get(entry.path)
        if old is not None and old.size == entry.size and old.mtime_ns == entry.mtime_ns:
            records[entry.path] = old
            skipped += 1
        else:
            same_size = old if old is not None and old.size == entry.size else None
            jobs.append(_Job(entry=entry, max_bytes=max_bytes, previous=same_size))
    scanned = 0
    bytes_read = 0
    for result in _run_jobs(jobs, workers or default_workers()):
        records[result.record.path] = result.record
        scanned += result.rescanned
        skipped += not result.rescanned
        bytes_read += result.bytes_read

    issues = list(walk.issues)
    protected: list[ProtectedFile] = []
    findings: list[Finding] = []
    suppressed = 0
    truncated = 0
    for path in sorted(records):
        record = records[path]
        truncated += record.truncated
        issues.extend(FileIssue(path=path, member=i.member, kind=i.kind, message=i.message) for i in record.issues)
        protected.extend(ProtectedFile(path=path, member=p.member, protection=p.protection) for p in record.protected)
        if not record.units:
            continue
        sha_cache: list[str | None] = []

        def sha256_of(path: str = path, cache: list[str | None] = sha_cache) -> str | None:
            if not cache:
                cache.append(_file_sha256(path))
            return cache[0]

        if allowlist is not None and allowlist.allows(path=path, sha256=sha256_of):
            suppressed += len(record.units)
            continue
        for unit in record.units:
            persons, items, level = assess_risk(unit.detectors)
            fid = finding_id(path, unit.member)
            findings.append(
                Finding(
                    id=fid,
                    path=path,
                    member=unit.member,
                    detectors=unit.detectors,
                    estimated_persons=persons,
                    items=items,
                    risk=level,
                    status=FindingStatus.still if fid in previous.findings else FindingStatus.new,
                    truncated=unit.truncated,
                )
            )
    current_ids = {finding.id for finding in findings}
    gone = [
        old.model_copy(update={"status": FindingStatus.gone})
        for fid, old in sorted(previous.findings.items())
        if fid not in current_ids and _under(old.path, roots)
    ]

    if state_path is not None:
        kept_files = {p: r for p, r in previous.files.items() if not _under(p, roots)}
        kept_findings = {fid: f for fid, f in previous.findings.items() if not _under(f.path, roots)}
        cacheable = {
            p: r for p, r in records.items() if r.fingerprint and all(i.kind in CONTENT_ISSUES for i in r.issues)
        }
        save_state(
            state_path,
            ScanState(
                files={**kept_files, **cacheable},
                findings={**kept_findings, **{f.id: f.model_copy(update={"status": FindingStatus.still}) for f in findings}},
            ),
        )

    files_protected = {p.path for p in protected}
    weak = {p.path for p in protected if p.protection.strength is Strength.weak}
    counts = ScanCounts(
        files_seen=len(walk.entries) + len(walk.issues),
        files_scanned=scanned,
        skipped_unchanged=skipped,
        ignored=walk.ignored,
        protected=len(files_protected),
        protected_weak=len(weak),
        issues=len(issues),
        truncated=truncated,
        bytes_read=bytes_read,
        findings_new=sum(1 for f in findings if f.status is FindingStatus.new),
        findings_still=sum(1 for f in findings if f.status is FindingStatus.still),
        findings_gone=len(gone),
        suppressed=suppressed,
    )
    return ScanReport(
        roots=roots,
        started_at=started_at,
        finished_at=datetime.now(JST) if now is None else now,
        counts=counts,
        findings=tuple(findings) + tuple(gone),
        protected=tuple(protected),
        issues=tuple(issues),
    )
