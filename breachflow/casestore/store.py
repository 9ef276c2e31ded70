"""Case folders under ``$BREACHFLOW_HOME/cases/<incident_id>/``.

Every file that may hold personal data is sealed (AES-256-GCM) with the incident's data key,
which lives outside the case folder in ``$BREACHFLOW_HOME/keys/``. Only the aggregate
records in ``PLAIN_FILES`` / ``PLAIN_FOLDERS`` (counts, dates, decisions, ids) stay readable
as plain files, so ``case purge`` can destroy the key and keep the record.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict

from breachflow.casestore.timeline import Timeline
from breachflow.errors import CaseStoreError
from breachflow.intake.loader import dataset_path, load_intake
from breachflow.intake.model import Intake
from breachflow.security.crypto import MAGIC, file_aad, is_sealed, open_sealed, seal
from breachflow.security.keys import KeyStore, default_keystore
from breachflow.security.files import write_private

M = TypeVar("M", bound=BaseModel)

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
INTAKE_FILE = "intake.yaml"
MANIFEST_FILE = "manifest.json"
TIMELINE_FILE = "timeline.jsonl"
TMP_DIR = "tmp"
SUMMARY_FILE = "intake_summary.txt"  # the intake's internal summary, sealed

# Aggregate records that stay plain: they hold ids, counts, dates and decisions, never a
# person's name, address, phone or email. Everything else in a case folder is sealed.
PLAIN_FILES = frozenset({
    INTAKE_FILE, MANIFEST_FILE, TIMELINE_FILE,
    "scope.json", "decision.json", "report_facts.json", "report_submissions.json",
    "prevention/plan.json",
    "notification/plan.json", "notification/preview.json", "notification/substitute.json",
    "notification/public_announcement.txt", "notification/inquiry_faq.txt",
    "notification/ledger.sqlite", "notification/ledger.sqlite-journal",
    "notification/ledger.sqlite-wal", "notification/ledger.sqlite-shm",
    "requests/suppressed.json",
})
PLAIN_FOLDERS = ("decisions/", "approvals/")


def stays_plain(name: str) -> bool:
    """Whether a case-relative file name is an aggregate record kept unencrypted."""
    return name in PLAIN_FILES or name.startswith(PLAIN_FOLDERS)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Case-relative prefixes of the files people read, with what they are.
FILE_KINDS = (
    ("drafts/report-", "report draft (漏えい等報告)"), ("drafts/police-", "police draft (被害届・相談)"),
    ("notification/letters/letters-", "letters for printing (PDF)"), ("notification/letters/labels", "address labels (PDF)"),
    ("notification/letters/mailing_list", "mailing list (CSV)"), ("notification/letters/", "letter run file"),
    ("notification/calls/", "call list"), ("notification/public_announcement", "public announcement (公表文)"),
    ("notification/inquiry_faq", "inquiry-desk FAQ (想定問答)"), ("notification/outbox/", "email kept in the outbox"),
    ("scope/weak_merges", "persons merged on birth date + address only, to review (名寄せ確認)"),
    ("scope/near_merges", "namesakes kept apart sharing one birth date or address, to review (名寄せ確認)"),
)


class CaseFile(BaseModel):
    """One readable product of the case (no content, only what and when)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: str
    modified: datetime
    bytes: int
    sealed: bool


class PurgeRecord(BaseModel):
    """What a purge removed (counts and names of aggregate kinds only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incident_id: str
    purged_at: datetime
    files_deleted: int
    key_destroyed: bool
    kept: list[str]


class Case:
    """One incident's folder: intake, dataset, person list, records, timeline."""

    def __init__(self, directory: Path, incident_id: str, keys: KeyStore | None = None) -> None:
        self.dir = directory
        self.incident_id = incident_id
        self.keys = keys or default_keystore(directory.parent.parent)
        self.timeline = Timeline(directory / TIMELINE_FILE)

    # ------------------------------------------------------------ names and paths

    def path(self, name: str) -> Path:
        """A file inside the case folder; refuses names that could escape it."""
        parts = name.split("/")
        if not all(_SAFE_NAME.match(p) and p not in {".", ".."} for p in parts):
            raise CaseStoreError(f"case {self.incident_id}: unsafe file name {name!r} in the case folder")
        target = self.dir.joinpath(*parts)
        if len(parts) > 1:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return target

    def name_of(self, path: Path) -> str:
        """The case-relative name of a path inside the case folder."""
        try:
            relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(self.dir))
        except ValueError:
            raise CaseStoreError(f"case {self.incident_id}: {path} is not inside the case folder") from None
        name = relative.as_posix()
        self.path(name)  # same safety rules as every other name
        return name

    def contains(self, path: Path) -> bool:
        """Whether ``path`` lies inside this case folder, symlinks resolved (a link into the case counts)."""
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(self.dir))

    def intake(self) -> Intake:
        """The stored intake, with its internal summary (sealed apart) while the case is not purged."""
        intake = load_intake(self.dir / INTAKE_FILE, check_future=False, check_dataset=False)
        if self.path(SUMMARY_FILE).exists() and not self.purged_at():
            summary = self.read_bytes(SUMMARY_FILE).decode("utf-8")
            intake = intake.model_copy(update={"event": intake.event.model_copy(update={"summary": summary})})
        return intake

    def manifest(self) -> dict[str, Any]:
        """Metadata: dataset hash and original path, opening time, purge time (empty while the case is opening)."""
        path = self.dir / MANIFEST_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def has(self, name: str) -> bool:
        """Whether a record exists."""
        return self.path(name).exists()

    def purged_at(self) -> str | None:
        """When the case's personal data was purged (ISO time), or None."""
        return self.manifest().get("purged_at")

    # ------------------------------------------------------------ sealed read / write

    def _key(self, *, create: bool) -> bytes:
        if self.purged_at():
            raise CaseStoreError(
                f"case {self.incident_id}: personal data was purged at {self.purged_at()}; only the aggregate record remains"
            )
        return self.keys.data_key(self.incident_id, create=create)

    def write_bytes(self, name: str, data: bytes) -> Path:
        """Store bytes (0600): aggregate records plain, everything else sealed with the case key."""
        target = self.path(name)
        if not stays_plain(name):
            data = seal(self._key(create=True), data, file_aad(self.incident_id, name))
        write_private(target, data)
        return target

    def read_bytes(self, name: str) -> bytes:
        """A stored file's plaintext; sealed files are decrypted and authenticated."""
        target = self.path(name)
        if not target.exists():
            if self.purged_at() and not stays_plain(name):
                raise CaseStoreError(f"case {self.incident_id}: {name} was deleted by the purge at {self.purged_at()}")
            raise CaseStoreError(f"case {self.incident_id}: {name} is missing; run the earlier step first")
        blob = target.read_bytes()
        if is_sealed(blob):
            return open_sealed(self._key(create=False), blob, file_aad(self.incident_id, name),
                               where=f"case {self.incident_id}: {name}")
        if stays_plain(name):
            return blob
        # A plain file where a sealed one belongs was put there by hand (or by a crashed run).
        raise CaseStoreError(f"case {self.incident_id}: {name} is not encrypted; re-run the step that writes it")

    def write_model(self, name: str, model: BaseModel) -> Path:
        """Store a pydantic model as JSON (0600, sealed unless an aggregate record)."""
        return self.write_bytes(name, model.model_dump_json(indent=2).encode("utf-8"))

    def read_model(self, name: str, model_type: type[M]) -> M:
        """Load a stored pydantic model."""
        return model_type.model_validate_json(self.read_bytes(name))

    def seal(self, path: Path) -> bool:
        """Encrypt in place a file another writer produced inside the case folder; True if it was sealed now."""
        name = self.name_of(path)
        if stays_plain(name) or not path.is_file():
            return False
        blob = path.read_bytes()
        if is_sealed(blob):
            return False
        write_private(path, seal(self._key(create=True), blob, file_aad(self.incident_id, name)))
        return True

    def seal_tree(self, folder: Path) -> int:
        """Seal every plain file under a folder of the case; returns how many were sealed now."""
        return sum(self.seal(p) for p in sorted(Path(folder).rglob("*")) if p.is_file() and not p.is_symlink())

    def export(self, name: str, to: Path, *, overwrite: bool = False) -> Path:
        """Decrypt one stored file to an explicit path (0600) and record the export in the timeline.

        The plaintext goes to a new temporary file in the target's folder (O_EXCL|O_NOFOLLOW,
        0600) renamed over the target, so a symlink is replaced, never written through, and
        no decrypted copy is left behind when the export fails.
        """
        target = Path(to)
        if "\x00" in str(target):
            raise CaseStoreError(f"case {self.incident_id}: export target contains a NUL character")
        if self.contains(target):
            raise CaseStoreError(f"case {self.incident_id}: export target {target} is inside the case folder")
        if target.is_dir():
            raise CaseStoreError(f"{target}: is a folder; give the file to write, e.g. {target / Path(name).name}")
        if (target.exists() or target.is_symlink()) and not overwrite:
            raise CaseStoreError(f"{target}: already exists; choose another path or pass --overwrite")
        if not target.parent.is_dir():
            raise CaseStoreError(f"{target}: folder {target.parent} does not exist")
        data = self.read_bytes(name)
        try:
            write_private(target, data)
        except OSError as exc:
            raise CaseStoreError(f"{target}: cannot be written ({exc.strerror}); choose another path") from None
        self.timeline.append("case.exported", f"{name} を復号して書き出し", file=name, to=str(target.resolve()),
                             sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
        return target

    def _stored_files(self) -> Iterator[tuple[Path, str]]:
        """Every regular file of the case folder (links skipped) with its case-relative name, sorted."""
        for path in sorted(self.dir.rglob("*")):
            if not path.is_symlink() and path.is_file():
                yield path, path.relative_to(self.dir).as_posix()

    def files(self) -> list[CaseFile]:
        """What the case holds for people to read: drafts, letters, call lists, vendor files (kind, date, size)."""
        found = []
        for path, name in self._stored_files():
            kind = next((label for prefix, label in FILE_KINDS if name.startswith(prefix)), None)
            if kind is None:
                continue
            stat_ = path.stat()
            found.append(CaseFile(name=name, kind=kind, modified=datetime.fromtimestamp(stat_.st_mtime, UTC),
                                  bytes=stat_.st_size, sealed=not stays_plain(name)))
        return found

    # ------------------------------------------------------------ the dataset copy

    def dataset_bytes(self) -> bytes | None:
        """The stored copy of the leaked dataset, verified against its recorded hash."""
        dataset = self.manifest().get("dataset")
        if not dataset:
            return None
        data = self.read_bytes(dataset["stored_as"])
        if hashlib.sha256(data).hexdigest() != dataset["sha256"]:
            raise CaseStoreError(f"case {self.incident_id}: stored dataset does not match its recorded hash")
        return data

    @contextmanager
    def dataset_file(self) -> Iterator[Path | None]:
        """The dataset decrypted into a private temp file under tmp/, deleted on exit (for path-based readers)."""
        data = self.dataset_bytes()
        if data is None:
            yield None
            return
        stored_as = self.manifest()["dataset"]["stored_as"]
        self.remove_temporaries()  # a decrypted copy a killed run left behind goes before a new one is made
        target = self.path(f"{TMP_DIR}/{os.urandom(8).hex()}{Path(stored_as).suffix}")
        try:
            write_private(target, data)
            yield target
        finally:
            target.unlink(missing_ok=True)

    # ------------------------------------------------------------ plaintext left behind

    def plaintext_files(self) -> list[str]:
        """Case-relative names of files that hold plaintext but should not: not an aggregate record, not sealed."""
        found = []
        for path, name in self._stored_files():
            if stays_plain(name):
                continue
            with path.open("rb") as handle:
                if not is_sealed(handle.read(len(MAGIC))):
                    found.append(name)
        return found

    def remove_temporaries(self) -> int:
        """Delete what a crashed run left in tmp/ (decrypted copies); returns how many files went."""
        removed = 0
        folder = self.dir / TMP_DIR
        if folder.is_dir():
            for path in folder.iterdir():
                if path.is_file() or path.is_symlink():
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def repair_plaintext(self) -> dict[str, int]:
        """Remove tmp/ leftovers and seal every other plaintext file in place (e.g. letters a crash left unsealed)."""
        removed = self.remove_temporaries()
        sealed = 0
        for name in self.plaintext_files():
            self.write_bytes(name, self.path(name).read_bytes())
            sealed += 1
        if removed or sealed:
            self.timeline.append("case.repaired", "平文で残ったファイルを削除又は暗号化", removed=removed, sealed=sealed)
        return {"removed": removed, "sealed": sealed}

    # ------------------------------------------------------------ retention

    def purge(self) -> PurgeRecord:
        """Destroy the data key, delete every non-aggregate file, keep the record and log the purge."""
        deleted = 0
        kept = []
        for path in sorted(self.dir.rglob("*"), reverse=True):
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
                continue
            name = path.relative_to(self.dir).as_posix()
            if stays_plain(name):
                kept.append(name)
                continue
            path.unlink()
            deleted += 1
        key_destroyed = self.keys.destroy(self.incident_id)
        now = datetime.now(UTC)
        manifest = self.manifest()
        manifest["purged_at"] = now.isoformat()
        write_private(self.dir / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        self.timeline.append("case.purged", "保存期間経過等により個人データを消去（集計記録のみ保持）",
                             files_deleted=deleted, key_destroyed=key_destroyed)
        return PurgeRecord(incident_id=self.incident_id, purged_at=now, files_deleted=deleted,
                           key_destroyed=key_destroyed, kept=sorted(kept))


class CaseStore:
    """All cases under one root folder; data keys under ``keys`` (default: ``<root>/../keys``)."""

    def __init__(self, root: Path, *, keys: KeyStore | None = None) -> None:
        self.root = Path(root)
        self.keys = keys or default_keystore(self.root.parent)

    def _dir(self, incident_id: str) -> Path:
        if not isinstance(incident_id, str) or not _SAFE_ID.match(incident_id):
            raise CaseStoreError(
                f"incident id {incident_id!r} is not 1-64 characters of A-Z a-z 0-9 _ -"
            )
        return self.root / incident_id

    def exists(self, incident_id: str) -> bool:
        """Whether a case folder exists."""
        return (self._dir(incident_id) / INTAKE_FILE).exists()

    def get(self, incident_id: str) -> Case:
        """An existing case."""
        directory = self._dir(incident_id)
        if not (directory / INTAKE_FILE).exists():
            raise CaseStoreError(f"no case {incident_id} in {self.root}; open it with 'breachflow intake open FILE'")
        return Case(directory, incident_id, self.keys)

    def ids(self) -> list[str]:
        """Every case id, sorted."""
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / INTAKE_FILE).exists())

    def open_case(self, intake: Intake, intake_path: Path, *, update: bool = False) -> Case:
        """Create (or with ``update`` refresh) a case from a validated intake file; the dataset copy is sealed."""
        directory = self._dir(intake.incident_id)
        source = dataset_path(intake, intake_path)  # a regular file inside the intake's folder, before any write
        existed = (directory / INTAKE_FILE).exists()
        if existed and not update:
            raise CaseStoreError(
                f"case {intake.incident_id} is already open in {directory}; use --update to replace its intake"
            )
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        created = not directory.exists()
        directory.mkdir(mode=0o700, exist_ok=True)
        case = Case(directory, intake.incident_id, self.keys)
        if existed and case.purged_at():
            raise CaseStoreError(f"case {intake.incident_id} was purged at {case.purged_at()}; open a new incident id")
        try:
            return self._fill(case, intake, intake_path, source, existed=existed)
        except BaseException:
            if created:  # a failed first opening (no master key, say) leaves no half-made case folder
                shutil.rmtree(directory, ignore_errors=True)
            raise

    def _fill(self, case: Case, intake: Intake, intake_path: Path, source: Path | None, *, existed: bool) -> Case:
        """Write the intake, the sealed dataset copy and the manifest; log the opening or a real change."""
        directory = case.dir
        previous = case.manifest() if existed else {}
        manifest: dict[str, Any] = {"incident_id": intake.incident_id, "intake_sha256": sha256_file(intake_path)}
        if existed:
            manifest["opened_at"] = case.manifest().get("opened_at")
        manifest["opened_at"] = manifest.get("opened_at") or datetime.now(UTC).isoformat()
        if source is not None:
            suffix = source.suffix.lower() if source.suffix.lower() in {".csv", ".xlsx", ".tsv", ".txt"} else ".bin"
            stored_as = f"dataset{suffix}"
            data = source.read_bytes()
            case.write_bytes(stored_as, data)
            manifest["dataset"] = {"source": str(source), "stored_as": stored_as,
                                   "sha256": hashlib.sha256(data).hexdigest()}
        # The intake's facts stay readable (ids, dates, kinds); its free-text internal summary can name
        # persons, so it is sealed apart (intake_summary.txt) and the stored YAML carries none.
        raw = yaml.safe_load(intake_path.read_text("utf-8"))
        summary = str((raw.get("event") or {}).pop("summary", "") or "")
        write_private(directory / INTAKE_FILE, yaml.safe_dump(raw, allow_unicode=True, sort_keys=False).encode())
        if summary:
            case.write_bytes(SUMMARY_FILE, summary.encode("utf-8"))
        else:
            case.path(SUMMARY_FILE).unlink(missing_ok=True)
        write_private(directory / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        unchanged = existed and previous.get("intake_sha256") == manifest["intake_sha256"] and (
            previous.get("dataset", {}).get("sha256") == manifest.get("dataset", {}).get("sha256"))
        if unchanged:
            return case  # re-running an unchanged case adds nothing to the 事実経過
        case.timeline.append(
            "intake.updated" if existed else "intake.opened",
            "事案の受付内容を更新" if existed else "事案を受付",
            intake_sha256=manifest["intake_sha256"],
            dataset_sha256=manifest.get("dataset", {}).get("sha256"),
        )
        return case


def case_containing(path: Path) -> Case | None:
    """The case whose folder holds ``path`` (found by its manifest), or None outside every case."""
    current = Path(os.path.abspath(path))
    for folder in (current, *current.parents):
        if (folder / MANIFEST_FILE).is_file() and (folder / INTAKE_FILE).is_file() and _SAFE_ID.match(folder.name):
            return CaseStore(folder.parent).get(folder.name)
    return None


def loose_permissions(case: Case) -> list[str]:
    """Folders not 0700 and files not 0600 in the case folder and its key file (paths and modes only)."""
    problems = []
    targets = [case.dir, *case.dir.rglob("*")]
    key = case.keys.path(case.incident_id)
    if key.exists():
        targets.append(key)
    for path in targets:
        if path.is_symlink():
            problems.append(f"{path}: symbolic link inside the case folder")
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            want = "0700" if path.is_dir() else "0600"
            problems.append(f"{path}: permissions {mode:04o}, expected {want}")
    return problems


